// The live view page: one WebSocket to the playing session (protocol in io/view/doc.go),
// records kept in rings per neuron, geometry cached per cell, everything drawn once per
// animation frame. The server owns the truth; the page only shows it and sends the
// viewer's moves, dropping stale data rather than queueing it.

import * as P from './protocol.js';
import * as D from './draw.js';
import { Ring, SpikeRing } from './records.js';

const $ = sel => document.querySelector(sel);

// The kiosk page (/kiosk): the server marks the root element, so the style sheet lays
// it out for a museum's touch screen from the first paint.
const kiosk = document.documentElement.hasAttribute('data-kiosk');

// The test hooks a headless browser reads (kept up to date every frame). caption and
// attract are what the last status said; kiosk whether this is the kiosk page.
const hook = window.separatrix = {
  connected: false, framesDrawn: 0, fps: 0, kiosk, caption: '', attract: false,
  state: { patch: 0, neuron: 0, V: NaN, Y: NaN, I: NaN, t: NaN },
  sliders: [], status: null, geometry: { portraitCells: 0, diagram: false, complete: false }, errors: [],
};

// ---- errors: every exception and every server error goes to the hook and the page ----

let toastTimer = 0;
function report(err) {
  const msg = String(err?.message ?? err);
  if (hook.errors[hook.errors.length - 1] !== msg) hook.errors.push(msg);
  if (hook.errors.length > 100) hook.errors.shift();
  const t = $('#toast');
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
}
window.addEventListener('error', e => report(e.error ?? e.message));
window.addEventListener('unhandledrejection', e => report(e.reason));

// ---- settings kept in the browser ----

// Storage may be missing or refuse (private mode, file:// pages): settings are then not kept.
function storage(kind) { try { return window[kind]; } catch { return null; } }
// The kiosk keeps no settings: what one visitor changes (a tap on a plot turns the
// legends off) must not stay for the next after a reload.
const local = kiosk ? null : storage('localStorage'), session = storage('sessionStorage');
function stored(s, key, fallback) {
  try { return s?.getItem(key) ?? fallback; } catch { return fallback; }
}
function store(s, key, value) {
  try { if (value === null) s?.removeItem(key); else s?.setItem(key, value); } catch { /* not kept */ }
}

const params = new URLSearchParams(location.search);
const settings = {
  theme: params.get('theme') ?? stored(local, 'separatrix.theme', 'dark'),
  persistence: clamp(Number(stored(local, 'separatrix.persistence', '0.5')) || 0.5, 0.05, 5),
  traceSeconds: Number(stored(local, 'separatrix.traceSeconds', '3')) || 3,
  legend: stored(local, 'separatrix.legend', 'on') !== 'off',
};

function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

// palette reads the drawing colours from the CSS custom properties of the theme.
let pal = null, themeVersion = 0;
function applyTheme(theme) {
  settings.theme = theme === 'light' ? 'light' : 'dark';
  document.documentElement.dataset.theme = settings.theme;
  const b = $('#theme');
  b.textContent = settings.theme === 'light' ? 'Dark theme' : 'Light theme';
  const css = getComputedStyle(document.documentElement);
  const v = name => css.getPropertyValue(`--${name}`).trim();
  pal = {
    bg: v('plot-bg'), fg: v('fg'), axis: v('muted'), legendBg: v('legend-bg'), family: v('font-family') || 'sans-serif',
    vNullcline: v('v-nullcline'), yNullcline: v('y-nullcline'), cycle: v('cycle'), separatrix: v('separatrix'),
    basin: v('basin'), bistable: v('bistable'), bifurcation: v('bifurcation'), live: v('live'),
    traces: v('traces').split(/\s+/),
  };
  themeVersion++;
}

// ---- the session as the page knows it ----

let ws = null;
let hello = null;         // the server's last hello, kept while reconnecting so the picture stays
let live = false;         // a hello arrived on the present socket
let playing = 0;          // index of the patch playing
let selected = 0;         // phase-plane neuron
let traces = [];          // neurons whose traces are drawn
let authorized = false;
let pinsSent = [];         // PINs sent and not yet answered, oldest first
let status = null;
let values = [];          // slider values per patch, as the server last said
const chosenNeuron = new Map(); // patch name → neuron the viewer picked (kept across reconnects)
const portraits = new Map(); // `${patch}:${neuron}` → Map(cell → PORTRAIT)
const diagrams = new Map();  // `${patch}:${neuron}` → DIAGRAM
let rings = new Map(), spikes = new SpikeRing(1), newestT = -Infinity;
let awaitingTrail = false, readySentAt = 0, producedMs = 0;
const lagSamples = [], frameTimes = [];
let meanLag = NaN;

const patch = () => hello?.patches?.[playing];

let ringCap = 0;
function resetRecords() {
  const rate = hello?.tapRate > 0 ? hello.tapRate : 500;
  // Room for the longest trace (10 s) with a margin; the trail needs at most 5 s.
  ringCap = Math.min(40000, Math.ceil(rate * 11) + 64);
  rings = new Map();
  spikes = new SpikeRing(65536);
  newestT = -Infinity;
}

// ---- the socket ----

// Messages that steer: the server counts each as a visitor's input (it ends the tour).
const COMMANDS = new Set(['set', 'kick', 'reset', 'patch']);
let lastCommandAt = -Infinity;

function send(msg) {
  if (ws?.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify(msg));
  if (COMMANDS.has(msg.t)) {
    lastCommandAt = performance.now();
    updateHint();
  }
}

function connect() {
  const url = new URL('ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = ws = new WebSocket(url);
  sock.binaryType = 'arraybuffer';
  sock.onopen = () => { hook.connected = true; setConnection(); };
  sock.onmessage = e => {
    if (sock !== ws) return;
    try {
      if (typeof e.data === 'string') onText(JSON.parse(e.data)); else onBinary(P.decode(e.data));
    } catch (err) { report(err); }
  };
  sock.onclose = () => {
    if (sock !== ws) return;
    ws = null; live = false; hook.connected = false; awaitingTrail = false;
    setConnection();
    updateControls();
    // A caption from a session that may be gone says nothing true: hide it until the
    // next status.
    showCaption('');
    attract = hook.attract = false;
    updateHint();
    setTimeout(connect, 1000);
  };
}

function setConnection() {
  const up = hook.connected && live;
  const c = $('#conn');
  c.textContent = up ? 'live' : hook.connected ? 'connecting…' : 'disconnected, retrying';
  c.dataset.state = up ? 'up' : 'down';
  $('#banner').hidden = !!up || !everConnected;
  if (up) everConnected = true;
}
let everConnected = false;

// clockOffset is this page's wall clock minus the server's: the smallest difference seen
// between a message's arrival and the server time it carries (the network only ever adds
// to it). On a tablet whose clock is off, lag stays true.
let clockOffset = Infinity;

function onText(m) {
  if (m.t === 'hello') clockOffset = Infinity; // another server, perhaps another clock
  if (Number.isFinite(m.nowMs)) clockOffset = Math.min(clockOffset, performance.timeOrigin + performance.now() - m.nowMs);
  switch (m.t) {
    case 'hello': onHello(m); break;
    case 'controls':
      values[m.patch] = m.values;
      if (m.patch === playing) showValues();
      break;
    case 'status':
      status = hook.status = m;
      if (m.playing !== playing && patchValid(m.playing)) setPlaying(m.playing);
      renderStatus();
      showCaption(typeof m.caption === 'string' ? m.caption : '');
      attract = hook.attract = !!m.attract;
      updateHint();
      break;
    case 'auth': {
      // Answers come in the order the PINs went (a wrong one is answered a second late).
      const pin = pinsSent.shift();
      if (m.ok) {
        authorized = true; // as on the server: once granted, a later wrong PIN does not revoke
        if (pin !== undefined) store(session, 'separatrix.pin', pin);
      } else {
        if (pin !== undefined && stored(session, 'separatrix.pin', null) === pin) store(session, 'separatrix.pin', null);
        if (!authorized) report('That PIN was not accepted.');
      }
      updateControls();
      break;
    }
    case 'error':
      report(m.message);
      $('#patch').value = String(playing); // a refused switch leaves the selector as it was
      break;
    // Anything else is from a newer server: ignored.
  }
}

function sendPin(pin) {
  pinsSent.push(pin);
  send({ t: 'auth', pin });
}

const patchValid = p => Number.isInteger(p) && p >= 0 && p < (hello?.patches?.length ?? 0);

function onHello(m) {
  hello = m;
  live = true;
  if (m.version !== 1) report(`The server speaks protocol version ${m.version}; this page knows version 1.`);
  authorized = !m.pinRequired || !!m.authorized;
  pinsSent = [];
  portraits.clear(); diagrams.clear(); values = [];
  status = hook.status = null;
  awaitingTrail = false; producedMs = 0; lagSamples.length = 0;
  const sel = $('#patch');
  sel.replaceChildren(...m.patches.map((p, i) => new Option(p.name, String(i))));
  $('#patch-field').hidden = m.patches.length < 2;
  $('#patch-name').hidden = m.patches.length >= 2; // the selector shows the name
  setPlaying(patchValid(m.playing) ? m.playing : 0);
  if (m.pinRequired && !authorized) {
    const pin = stored(session, 'separatrix.pin', null);
    if (pin) sendPin(pin);
  }
  setConnection();
  updateControls();
}

// setPlaying makes patch p the one shown: new rings, its neurons, sliders and kicks.
function setPlaying(p) {
  playing = p;
  resetRecords();
  const pt = patch();
  $('#patch').value = String(p);
  $('#patch-name').textContent = pt.name;
  $('#description').textContent = pt.description || 'No description.';
  const tagline = kiosk ? shortDescription(pt.description) : '';
  $('#tagline').textContent = tagline;
  $('#tagline').hidden = tagline === '';
  const n = pt.neurons.length;
  const chosen = chosenNeuron.get(pt.name) ?? 0;
  selected = chosen < n ? chosen : 0;
  $('#neuron').replaceChildren(...pt.neurons.map((ne, i) =>
    new Option(`${ne.name} (${ne.model}${ne.preset ? ' ' + ne.preset : ''})`, String(i))));
  $('#neuron').value = String(selected);
  $('#neuron-field').hidden = n < 2;
  buildControls(pt);
  renderStatusTable(pt);
  sendSelect();
}

// sendSelect asks for the selected neuron and the traces: all neurons when there are at
// most eight, else the selected one and the seven after it.
function sendSelect() {
  const n = patch()?.neurons.length ?? 0;
  traces = [];
  for (let k = 0; k < Math.min(8, n); k++) traces.push(n <= 8 ? k : (selected + k) % n);
  send({ t: 'select', neuron: selected, traces });
}

let serial = 0;
function onBinary(m) {
  m.serial = ++serial; // names the geometry in the keys of the cached backgrounds
  switch (m.type) {
    case P.TRAIL: onTrail(m); break;
    case P.PORTRAIT: {
      const key = `${m.patch}:${m.neuron}`;
      if (!portraits.has(key)) portraits.set(key, new Map());
      const cells = portraits.get(key);
      // A complete version replaces the fast one first sent for the cell, never the reverse.
      if (m.complete || !cells.get(m.cell)?.complete) cells.set(m.cell, m);
      break;
    }
    case P.DIAGRAM:
      diagrams.set(`${m.patch}:${m.neuron}`, m);
      break;
  }
}

function onTrail(m) {
  awaitingTrail = false;
  if (m.patch !== playing && patchValid(m.patch)) setPlaying(m.patch);
  if (m.count === 0) return;
  // Time running backwards means a new engine (a restart): the old records mean nothing.
  if (m.t[0] < newestT - 1e-6) resetRecords();
  const Dn = m.neurons.length;
  m.neurons.forEach((n, j) => {
    let r = rings.get(n);
    if (!r) rings.set(n, r = new Ring(ringCap));
    for (let k = 0; k < m.count; k++) r.push(m.t[k], m.values, (k * Dn + j) * P.FIELDS);
  });
  for (let s = 0; s < m.spikes.length; s += 2) spikes.push(m.t[m.spikes[s]], m.spikes[s + 1]);
  newestT = Math.max(newestT, m.t[m.count - 1]);
  producedMs = m.producedMs;
}

// ---- controls ----

let sliders = []; // {wrap, input, output, spec, value, dragging, heldUntil, pending}

function formatValue(v, spec) {
  const span = Math.abs(spec.max - spec.min);
  const digits = span >= 100 ? 0 : span >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${spec.unit ? ' ' + spec.unit : ''}`;
}

function buildControls(pt) {
  sliders = pt.sliders.map((spec, i) => {
    const id = `slider-${i}`;
    const wrap = document.createElement('div');
    wrap.className = 'slider';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = spec.target;
    const output = document.createElement('output');
    output.htmlFor = id;
    const input = document.createElement('input');
    // A patch may map a knob downwards (min > max): the slider still runs low to high.
    const lo = Math.min(spec.min, spec.max), hi = Math.max(spec.min, spec.max);
    Object.assign(input, { type: 'range', id, min: String(lo), max: String(hi), step: hi > lo ? String((hi - lo) / 1000) : 'any' });
    input.dataset.slider = String(i);
    wrap.append(label, output, input);
    // value is what the slider stands for: the server's exact value, or the viewer's move
    // (the input itself rounds to its step of a thousandth of the range).
    const s = { wrap, input, output, spec, value: Number(input.value), dragging: false, heldUntil: 0, pending: null };
    input.addEventListener('pointerdown', () => { s.dragging = true; });
    input.addEventListener('input', () => {
      s.value = s.pending = Number(input.value);
      s.heldUntil = performance.now() + 400;
      output.value = formatValue(s.pending, spec);
    });
    return s;
  });
  $('#sliders').replaceChildren(...sliders.map(s => s.wrap));
  $('#kicks').replaceChildren(...pt.kicks.map((k, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = k.label;
    b.dataset.kick = String(i);
    if (!k.hold) {
      b.addEventListener('click', () => send({ t: 'kick', kick: i }));
      return b;
    }
    // A held current, as the patch's key: on while the button is pressed (finger,
    // mouse or Space/Enter), off when it is let go or the pointer leaves it.
    b.title = 'hold to keep the current on';
    let down = false;
    const press = on => {
      if (on === down) return;
      down = on;
      b.classList.toggle('held', on);
      send({ t: 'kick', kick: i, down: on });
    };
    b.addEventListener('pointerdown', e => { b.setPointerCapture?.(e.pointerId); press(true); });
    for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture', 'blur']) b.addEventListener(ev, () => press(false));
    b.addEventListener('keydown', e => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) { e.preventDefault(); press(true); } });
    b.addEventListener('keyup', e => { if (e.key === ' ' || e.key === 'Enter') press(false); });
    return b;
  }));
  showValues();
  updateControls();
}

// showValues moves the sliders to the server's values, except one the viewer is moving
// (dragging it, or moved it so recently that the server's answer may be stale).
function showValues() {
  const vs = values[playing] ?? [];
  const now = performance.now();
  sliders.forEach((s, i) => {
    const v = vs[i];
    if (v === undefined) {
      if (s.output.value === '') s.output.value = formatValue(s.value, s.spec);
      return;
    }
    if (s.dragging || s.pending !== null || now < s.heldUntil) return;
    s.input.value = String(v);
    s.value = v;
    s.output.value = formatValue(v, s.spec);
  });
}

// flushSliders sends each moved slider's newest value, at most once per frame.
function flushSliders() {
  sliders.forEach((s, i) => {
    if (s.pending === null) return;
    send({ t: 'set', slider: i, value: s.pending });
    s.pending = null;
  });
}

function updateControls() {
  const up = hook.connected && live;
  const steer = up && !hello.readonly && authorized;
  for (const el of document.querySelectorAll('#sliders input, #kicks button, #reset, #patch')) el.disabled = !steer;
  const needPin = up && hello.pinRequired && !authorized && !hello.readonly;
  $('#pin-form').hidden = !needPin;
  const note = $('#controls-note');
  note.textContent = !up ? 'Not connected: the controls wait for the server.'
    : hello.readonly ? 'Watching only: steering is turned off on this server.'
      : needPin ? 'Enter the PIN that play printed to steer from this page.' : '';
  note.hidden = note.textContent === '';
  updateHint();
}

// shortDescription is a description's first sentence, at most 140 characters: the
// kiosk's line under the patch's name (the whole text is a paragraph for the desk).
function shortDescription(text) {
  text = String(text ?? '').replace(/\s+/g, ' ').trim();
  let s = text.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? text;
  if (s.length > 140) {
    const space = s.lastIndexOf(' ', 139);
    s = s.slice(0, space > 40 ? space : 139) + '…';
  }
  return s;
}

// ---- the attract tour ----

// FADE_MS is the caption's fade, as .caption's transition in style.css.
const FADE_MS = 400;
let attract = false;       // the tour plays, as the last status said
let captionWanted = '', captionTimer = 0;

// showCaption fades the caption shown out and text in; "" leaves none (the normal page
// then gives the room back to the phase plane, the kiosk keeps it).
function showCaption(text) {
  if (text === captionWanted) return;
  captionWanted = hook.caption = text;
  clearTimeout(captionTimer);
  const el = $('#caption');
  if (el.classList.contains('shown')) {
    el.classList.remove('shown');
    captionTimer = setTimeout(swapCaption, FADE_MS);
  } else {
    swapCaption();
  }
}

function swapCaption() {
  const el = $('#caption');
  el.textContent = captionWanted;
  el.hidden = !kiosk && captionWanted === '';
  if (captionWanted === '') return;
  void el.offsetWidth; // laid out at opacity 0 first, so that the change fades
  el.classList.add('shown');
}

// updateHint shows "Touch a control to play" while the tour plays and this page may
// steer (a command ends the tour; on a read-only or locked page a touch would not).
// It goes at once when the viewer touches a control, before the server's word.
function updateHint() {
  const steer = hook.connected && live && !hello?.readonly && authorized;
  $('#attract-hint').hidden = !(attract && steer && performance.now() - lastCommandAt > 1500);
}

// ---- status ----

let statusCells = [];
function renderStatusTable(pt) {
  const body = $('#neurons tbody');
  const shown = pt.neurons.slice(0, 32);
  statusCells = shown.map(ne => {
    const tr = document.createElement('tr');
    const cells = [ne.name, '', '', ''].map(text => { const td = document.createElement('td'); td.textContent = text; tr.append(td); return td; });
    return { tr, I: cells[1], rate: cells[2], state: cells[3] };
  });
  $('#current-head').textContent = pt.neurons[0]?.unit ? `I (${pt.neurons[0].unit})` : 'I';
  body.replaceChildren(...statusCells.map(c => c.tr));
  $('#neurons-more').textContent = pt.neurons.length > shown.length ? `and ${pt.neurons.length - shown.length} more neurons` : '';
  $('#neurons').hidden = false;
}

function renderStatus() {
  if (!status) return;
  (status.neurons ?? []).forEach((n, i) => {
    const c = statusCells[i];
    if (!c) return;
    c.I.textContent = Number(n.I).toFixed(2);
    c.rate.textContent = String(Math.round(Number(n.rate)));
    c.state.textContent = n.firing ? 'firing' : 'rest';
    c.tr.dataset.firing = String(!!n.firing);
  });
}

function renderStats() {
  if (kiosk) return; // the developer's numbers are not the museum's
  const s = status ?? {};
  const num = v => (v ?? '–');
  const rows = [
    ['Pages', num(s.pages)],
    ['Page', `${hook.fps.toFixed(0)} fps`],
    ['Lag', Number.isFinite(meanLag) ? `${meanLag.toFixed(0)} ms` : '–'],
    ['Lag, all pages', Number.isFinite(s.lagMs) ? `${s.lagMs.toFixed(0)} ms` : '–'],
    ['Audio latency', Number.isFinite(hello?.audioLatencyMs) ? `${hello.audioLatencyMs.toFixed(1)} ms` : '–'],
    ['Xruns', num(s.xruns)],
    ['Load', Number.isFinite(s.load) ? `${(100 * s.load).toFixed(0)} %` : '–'],
    ['Dropped records', num(s.droppedRecords)],
    ['Dropped frames', num(s.droppedFrames)],
    ['Dropped events', num(s.droppedEvents === undefined ? undefined : s.droppedEvents + (s.droppedCommands ?? 0))],
    ['Rejected', num(s.rejected)],
    ['MIDI in', num(s.midiIn)],
  ];
  const dl = $('#stats');
  if (dl.children.length !== 2 * rows.length) {
    dl.replaceChildren(...rows.flatMap(([k]) => [Object.assign(document.createElement('dt'), { textContent: k }), document.createElement('dd')]));
  }
  rows.forEach(([, v], k) => { const dd = dl.children[2 * k + 1]; if (dd.textContent !== String(v)) dd.textContent = String(v); });
}

// ---- canvases ----

// Panel keeps a canvas the size of its box in device pixels and, for the drawing that
// does not move, a cached background redrawn only when its key changes.
class Panel {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.w = 0; this.h = 0; this.dpr = 1;
    this.bgKey = ''; this.bg = null;
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement);
    this.resize();
  }
  resize() {
    rootFont = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const box = this.canvas.parentElement.getBoundingClientRect();
    this.w = Math.floor(box.width); this.h = Math.floor(box.height);
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(this.w * this.dpr));
    this.canvas.height = Math.max(1, Math.round(this.h * this.dpr));
    this.bgKey = '';
  }
  // font is the size of the canvas's type: grows with the panel, up to a little above
  // the page's own (which grows with the window).
  get font() {
    return Math.round(clamp(Math.min(this.w, this.h * 1.4) / 26, 15, rootFont * 1.15)); // 15: tick labels (0.8 of it) readable from the back of a room
  }
  // begin returns the context in CSS pixels, or null when the panel is hidden. With
  // clear false the caller paints the whole canvas itself (an opaque background layer:
  // one full-canvas fill less per frame, which counts on a 4K projector without a GPU).
  begin(clear = true) {
    if (this.w < 40 || this.h < 40) return null;
    const c = this.ctx;
    c.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    if (clear) {
      c.fillStyle = pal.bg;
      c.fillRect(0, 0, this.w, this.h);
    }
    return c;
  }
  // background draws draw(ctx) into the cached layer when key changed, then paints it.
  background(key, draw) {
    key = `${key}|${this.w}x${this.h}@${this.dpr}|${themeVersion}`;
    if (key !== this.bgKey) {
      this.bg ??= document.createElement('canvas');
      this.bg.width = this.canvas.width; this.bg.height = this.canvas.height;
      const g = this.bg.getContext('2d');
      g.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      g.fillStyle = pal.bg;
      g.fillRect(0, 0, this.w, this.h);
      draw(g);
      this.bgKey = key;
    }
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.drawImage(this.bg, 0, 0);
    this.ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
  }
}

let phase, diag, trace, rootFont = 16;
// Scratch arrays for trail points, reused every frame.
let xs = new Float32Array(0), ys = new Float32Array(0), ys2 = new Float32Array(0), ages = new Float32Array(0);

// trailPoints fills the scratch arrays with the records of ring r in the last span seconds.
function trailPoints(r, span, fx, fy, fy2) {
  if (xs.length < r.cap) { xs = new Float32Array(r.cap); ys = new Float32Array(r.cap); ys2 = new Float32Array(r.cap); ages = new Float32Array(r.cap); }
  const tNew = r.T[r.newest];
  let n = 0;
  for (let k = r.first(tNew - span); k < r.length; k++) {
    const j = r.idx(k);
    xs[n] = fx[j]; ys[n] = fy[j]; if (fy2) ys2[n] = fy2[j];
    ages[n] = (tNew - r.T[j]) / span;
    n++;
  }
  return n;
}

// nearestPortrait returns the cached portrait of neuron n whose current is nearest I
// (the server sends each cell once, so scrubbing back reuses the cache).
function nearestPortrait(n, I) {
  const cells = portraits.get(`${playing}:${n}`);
  hook.geometry.portraitCells = cells?.size ?? 0;
  let best = null, bestD = Infinity;
  for (const p of cells?.values() ?? []) {
    const d = Number.isFinite(I) ? Math.abs(p.current - I) : 0;
    if (d < bestD) { best = p; bestD = d; }
  }
  return best;
}

const neuronInfo = n => patch()?.neurons?.[n];

function drawPhase() {
  const r = rings.get(selected), ne = neuronInfo(selected);
  const j = r?.newest ?? -1;
  const I = j >= 0 ? r.i[j] : NaN;
  const p = nearestPortrait(selected, I);
  const ctx = phase.begin(!p);
  hook.geometry.complete = !!p?.complete;
  const font = phase.font;
  const yName = ne?.y ?? 'recovery';
  // What the picture is, in the panel's title rather than on the plot.
  const notes = p ? [`I = ${p.current.toFixed(2)} ${ne?.unit ?? ''}`] : [];
  if (p?.projected) notes.push(`projected on (V, ${yName})`);
  if (p && !p.complete) notes.push('computing cycles…');
  setText('#phase-title', ne ? [`Phase plane: ${ne.name}`, ...notes].join(' · ') : 'Phase plane');
  if (!ctx) return;
  let f;
  if (p) {
    f = D.portraitFrame(phase.w, phase.h, font, p);
    phase.background(`${p.serial}:${settings.legend}`, g =>
      D.portrait(g, f, p, pal, { y: yName, equilibria: P.EQUILIBRIUM_NAMES, legend: settings.legend }));
  } else {
    if (j < 0) { message(ctx, phase, 'Waiting for the neuron…'); return; }
    // No geometry yet: frame the trail itself so the point still moves.
    f = new D.Frame(phase.w, phase.h, font, [-100, 60], [Math.min(-0.1, r.y[j] - 1), Math.max(1, r.y[j] + 1)]);
    D.axes(ctx, f, pal, 'V (mV)', yName);
    message(ctx, phase, 'computing the phase plane…');
  }
  if (j < 0) return;
  const n = trailPoints(r, settings.persistence, r.v, r.y, null);
  D.trail(ctx, f, n, xs, ys, ages, pal.live, Math.max(1.5, font / 9), { join: Math.max(12, 0.05 * Math.min(f.width, f.height)) });
  D.statePoint(ctx, f, r.v[j], r.y[j], pal, Math.max(8, font * 0.6));
}

function drawDiagram() {
  const d = diagrams.get(`${playing}:${selected}`);
  hook.geometry.diagram = !!d;
  const ne = neuronInfo(selected);
  setText('#diagram-title', ne ? `Bifurcation diagram: ${ne.name}` : 'Bifurcation diagram');
  const ctx = diag.begin(!d);
  if (!ctx) return;
  if (!d) { message(ctx, diag, 'Computing the bifurcation diagram…'); return; }
  // A margin of 2% each side, so the cursor stays whole at either end of the range.
  const m = 0.02 * (d.axes[1] - d.axes[0]);
  const f = new D.Frame(diag.w, diag.h, diag.font, [d.axes[0] - m, d.axes[1] + m], [d.axes[2], d.axes[3]]);
  diag.background(`${d.serial}:${settings.legend}`, g => D.diagram(g, f, d, pal, ne?.unit ?? '', settings.legend));
  const r = rings.get(selected);
  if (!r?.length) return;
  const j = r.newest;
  D.cursor(ctx, f, r.i[j], pal);
  // The trail as bars from Vmin to Vmax at each record's current: at a fixed current a
  // firing neuron's bar spans its cycle, landing on the cycle branch's two curves.
  const n = trailPoints(r, settings.persistence, r.i, r.vmin, r.vmax);
  D.trail(ctx, f, n, xs, ys, ages, pal.live, Math.max(2, diag.font / 7), { ys2 });
  D.statePoint(ctx, f, r.i[j], r.v[j], pal, Math.max(7, diag.font * 0.5));
}

function drawTrace() {
  const ctx = trace.begin();
  if (!ctx) return;
  const pt = patch();
  const shown = traces.filter(n => rings.get(n)?.length);
  if (!pt || !shown.length) { message(ctx, trace, 'Waiting for the neuron…'); return; }
  const font = trace.font, small = Math.round(font * 0.8);
  const t1 = newestT, t0 = t1 - settings.traceSeconds;
  const left = Math.round(font * 4.2), right = trace.w - Math.round(font * 0.8);
  const axisH = Math.round(small * 2.2);
  const N = pt.neurons.length;
  const rasterH = N > 1 ? Math.round(clamp(N * 6, font * 2, trace.h * 0.3)) : 0;
  const rowsH = trace.h - axisH - rasterH - (rasterH ? font * 0.5 : 0);
  const rowH = rowsH / shown.length;
  ctx.font = `bold ${font}px ${pal.family}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  shown.forEach((n, k) => {
    const colour = pal.traces[traces.indexOf(n) % pal.traces.length];
    // A gap above each row, then its spike ticks, then its trace.
    const gap = Math.min(8, rowH * 0.1), strip = Math.min(12, rowH * 0.15);
    const row = { left, right, tickTop: k * rowH + gap, top: k * rowH + gap + strip, bottom: (k + 1) * rowH - 2 };
    [row.v0, row.v1] = voltageRange(n);
    D.bars(ctx, row, rings.get(n), t0, t1, colour, pal);
    ctx.fillStyle = colour;
    ctx.fillText(neuronInfo(n)?.name ?? String(n), left - 8, (row.top + row.bottom) / 2);
  });
  if (rasterH) raster(ctx, left, right, rowsH + font * 0.5, rasterH, t0, t1, N);
  // The time axis: seconds before now.
  ctx.font = `${small}px ${pal.family}`;
  const y = trace.h - axisH;
  ctx.strokeStyle = pal.axis;
  ctx.fillStyle = pal.fg;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  ctx.moveTo(left, y + 0.5); ctx.lineTo(right, y + 0.5);
  for (const s of D.niceTicks(0, settings.traceSeconds, 6)) {
    const x = Math.round(right - s / settings.traceSeconds * (right - left)) + 0.5;
    ctx.moveTo(x, y); ctx.lineTo(x, y + 5);
    ctx.fillText(s === 0 ? 'now' : `−${s} s`, x, y + 6);
  }
  ctx.stroke();
}

// voltageRange is the V axis of a trace row: the neuron's portrait window, else its
// diagram's, else -100..60 mV.
function voltageRange(n) {
  const d = diagrams.get(`${playing}:${n}`);
  for (const p of portraits.get(`${playing}:${n}`)?.values() ?? []) return [p.window[0], p.window[1]];
  return d ? [d.axes[2], d.axes[3]] : [-100, 60];
}

// raster draws a tick for each spike of every neuron, one row per neuron, at most one
// tick per pixel column per neuron.
function raster(ctx, left, right, top, height, t0, t1, N) {
  const rowH = height / N, w = right - left, scale = w / (t1 - t0);
  const last = new Int32Array(N).fill(-1);
  const other = new Path2D(), mine = pal.traces.map(() => new Path2D());
  for (let k = 0; k < spikes.length; k++) {
    const j = spikes.idx(k);
    const t = spikes.T[j], n = spikes.n[j];
    if (t < t0 || t > t1 || n >= N) continue;
    const col = Math.floor((t - t0) * scale);
    if (col === last[n]) continue;
    last[n] = col;
    const ti = traces.indexOf(n), path = ti >= 0 ? mine[ti % mine.length] : other;
    const y = top + n * rowH;
    path.moveTo(left + col + 0.5, y + rowH * 0.1);
    path.lineTo(left + col + 0.5, y + Math.max(1, rowH * 0.9));
  }
  ctx.save();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = pal.axis;
  ctx.strokeRect(left + 0.5, top + 0.5, w, height);
  ctx.stroke(other);
  mine.forEach((p, k) => { ctx.strokeStyle = pal.traces[k]; ctx.stroke(p); });
  ctx.fillStyle = pal.fg;
  ctx.textAlign = 'right';
  ctx.fillText('spikes', left - 8, top + height / 2);
  ctx.restore();
}

function message(ctx, panel, text) {
  ctx.fillStyle = pal.fg;
  ctx.font = `${panel.font}px ${pal.family}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, panel.w / 2, panel.h / 2);
}

const texts = new Map();
function setText(sel, text) {
  if (texts.get(sel) === text) return;
  texts.set(sel, text);
  $(sel).textContent = text;
}

// ---- the frame loop ----

let lastStats = 0, lastError = '';
function frame(now) {
  requestAnimationFrame(frame);
  try {
    frameTimes.push(now);
    while (frameTimes[0] < now - 1000) frameTimes.shift();
    hook.fps = frameTimes.length;
    flushSliders();
    // Lag: the wall clock at this draw minus when the newest record was rendered (both
    // clocks are this machine's when the page runs beside play; see the README).
    if (producedMs > 0) {
      const offset = Number.isFinite(clockOffset) ? clockOffset : 0;
      lagSamples.push(now, performance.timeOrigin + performance.now() - offset - producedMs);
      while (lagSamples[0] < now - 1000) lagSamples.splice(0, 2);
      let sum = 0;
      for (let k = 1; k < lagSamples.length; k += 2) sum += lagSamples[k];
      meanLag = sum / (lagSamples.length / 2);
    }
    // One ready per frame, once the last one was answered (or 250 ms went unanswered).
    if (live && ws?.readyState === WebSocket.OPEN && (!awaitingTrail || now - readySentAt > 250)) {
      send(Number.isFinite(meanLag) ? { t: 'ready', lagMs: Math.round(meanLag * 10) / 10 } : { t: 'ready' });
      awaitingTrail = true;
      readySentAt = now;
    }
    drawPhase();
    drawDiagram();
    drawTrace();
    hook.framesDrawn++;
    const r = rings.get(selected), j = r?.newest ?? -1;
    hook.state = { patch: playing, neuron: selected, V: j >= 0 ? r.v[j] : NaN, Y: j >= 0 ? r.y[j] : NaN, I: j >= 0 ? r.i[j] : NaN, t: j >= 0 ? r.T[j] : NaN };
    hook.sliders = sliders.map(s => s.value);
    if (now - lastStats > 250) { lastStats = now; renderStats(); showValues(); }
  } catch (err) {
    // Once per distinct message, so a bug in drawing does not flood the list each frame.
    if (String(err?.message) !== lastError) { lastError = String(err?.message); report(err); }
  }
}

// ---- wiring ----

// kioskGuards keeps a visitor on the page as it is: no context menu on a long press, no
// zoom by pinch or Ctrl+wheel, nothing dragged out of it. (The style sheet turns off
// selection, the callout and overscroll.)
function kioskGuards() {
  const viewport = document.querySelector('meta[name="viewport"]');
  viewport?.setAttribute('content', 'width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no');
  const no = e => e.preventDefault();
  for (const type of ['contextmenu', 'dragstart', 'gesturestart']) document.addEventListener(type, no);
  document.addEventListener('wheel', e => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
  $('#caption').hidden = false; // the room for the caption is kept, empty or not
}

function init() {
  if (kiosk) kioskGuards();
  applyTheme(settings.theme);
  $('#theme').addEventListener('click', () => {
    applyTheme(settings.theme === 'light' ? 'dark' : 'light');
    store(local, 'separatrix.theme', settings.theme);
  });
  const pers = $('#persistence');
  pers.value = String(settings.persistence);
  const showPers = () => { $('#persistence-value').value = `${settings.persistence.toFixed(2)} s`; };
  showPers();
  pers.addEventListener('input', () => {
    settings.persistence = clamp(Number(pers.value), 0.05, 5);
    store(local, 'separatrix.persistence', String(settings.persistence));
    showPers();
  });
  const ts = $('#trace-seconds');
  if (![...ts.options].some(o => Number(o.value) === settings.traceSeconds)) settings.traceSeconds = 3;
  ts.value = String(settings.traceSeconds);
  ts.addEventListener('change', () => {
    settings.traceSeconds = Number(ts.value);
    store(local, 'separatrix.traceSeconds', ts.value);
  });
  // The legends can hide what they explain: a checkbox, or a tap on either plot, toggles them.
  const leg = $('#legend');
  leg.checked = settings.legend;
  const setLegend = on => {
    settings.legend = leg.checked = on;
    store(local, 'separatrix.legend', on ? 'on' : 'off');
  };
  leg.addEventListener('change', () => setLegend(leg.checked));
  for (const id of ['#phase', '#diagram']) $(id).addEventListener('click', () => setLegend(!settings.legend));
  $('#neuron').addEventListener('change', e => {
    selected = Number(e.target.value);
    chosenNeuron.set(patch()?.name, selected);
    sendSelect();
  });
  $('#patch').addEventListener('change', e => send({ t: 'patch', index: Number(e.target.value) }));
  $('#reset').addEventListener('click', () => send({ t: 'reset' }));
  $('#pin-form').addEventListener('submit', e => {
    e.preventDefault();
    const pin = $('#pin').value.trim();
    if (!pin) return;
    sendPin(pin);
    $('#pin').value = '';
  });
  // A drag ends wherever the pointer is let go, not only over the slider.
  for (const type of ['pointerup', 'pointercancel']) {
    window.addEventListener(type, () => { for (const s of sliders) s.dragging = false; });
  }
  phase = new Panel($('#phase'));
  diag = new Panel($('#diagram'));
  trace = new Panel($('#trace'));
  updateControls();
  setConnection();
  connect();
  requestAnimationFrame(frame);
}

init();
