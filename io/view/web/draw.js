// Canvas drawing of the three panels. Every function draws in CSS pixels (the caller
// scales the context for the device's pixel ratio) with the colours of a palette read
// from the page's CSS (app.js palette()), so the themes live in style.css alone.

import { basinAt, BIFURCATION_LABELS, SADDLE, STABLE_FOCUS, STABLE_NODE } from './protocol.js';

// niceTicks returns about n round numbers between lo and hi.
export function niceTicks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function tickLabel(v) {
  return String(Number(v.toPrecision(6)));
}

// Frame maps data to the plot area of a panel: the box left for data after the axes'
// labels, with x growing right and y growing up.
export class Frame {
  constructor(width, height, font, xRange, yRange) {
    this.font = font;
    this.left = Math.round(font * 4.2);
    this.right = width - Math.round(font * 0.8);
    this.top = Math.round(font * 0.6);
    this.bottom = height - Math.round(font * 2.8);
    this.x0 = xRange[0]; this.x1 = xRange[1];
    this.y0 = yRange[0]; this.y1 = yRange[1];
    this.sx = (this.right - this.left) / (this.x1 - this.x0 || 1);
    this.sy = (this.bottom - this.top) / (this.y1 - this.y0 || 1);
  }
  x(v) { return this.left + (v - this.x0) * this.sx; }
  y(v) { return this.bottom - (v - this.y0) * this.sy; }
  get width() { return this.right - this.left; }
  get height() { return this.bottom - this.top; }
  clip(ctx) {
    ctx.beginPath();
    ctx.rect(this.left, this.top, this.width, this.height);
    ctx.clip();
  }
}

// axes draws the frame's box, ticks, numbers and axis labels.
export function axes(ctx, f, pal, xLabel, yLabel) {
  const small = Math.round(f.font * 0.8);
  ctx.save();
  ctx.strokeStyle = pal.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(f.left + 0.5, f.top + 0.5, f.width, f.height);
  ctx.fillStyle = pal.fg;
  ctx.font = `${small}px ${pal.family}`;
  ctx.beginPath();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of niceTicks(f.x0, f.x1, Math.max(2, Math.floor(f.width / (small * 6))))) {
    const x = Math.round(f.x(v)) + 0.5;
    ctx.moveTo(x, f.bottom); ctx.lineTo(x, f.bottom + 6);
    ctx.fillText(tickLabel(v), x, f.bottom + 8);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of niceTicks(f.y0, f.y1, Math.max(2, Math.floor(f.height / (small * 3))))) {
    const y = Math.round(f.y(v)) + 0.5;
    ctx.moveTo(f.left - 6, y); ctx.lineTo(f.left, y);
    ctx.fillText(tickLabel(v), f.left - 8, y);
  }
  ctx.stroke();
  ctx.font = `${f.font}px ${pal.family}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xLabel, (f.left + f.right) / 2, f.bottom + small + 8 + f.font * 1.2);
  ctx.save();
  ctx.translate(f.font * 1.1, (f.top + f.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
  ctx.restore();
}

// polyline adds a flat [x0, y0, x1, y1, ...] line (stride 2), or the (a, b) columns of
// a wider stride, to the path, skipping non-finite points; it records every point it
// draws in ink (screen coordinates) for the legend to avoid.
function polyline(ctx, f, pts, ink, stride = 2, a = 0, b = 1) {
  let pen = false;
  for (let k = 0; k + stride <= pts.length; k += stride) {
    const x = pts[k + a], y = pts[k + b];
    if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
    const sx = f.x(x), sy = f.y(y);
    if (pen) {
      ctx.lineTo(sx, sy);
      // Long straight segments count as ink all along, not only at their ends.
      const [px, py] = [ink[ink.length - 2], ink[ink.length - 1]];
      for (let s = 1, n = Math.floor(Math.hypot(sx - px, sy - py) / 8); s < n; s++) ink.push(px + (sx - px) * s / n, py + (sy - py) * s / n);
    } else ctx.moveTo(sx, sy);
    ink.push(sx, sy);
    pen = true;
  }
}

function stroke(ctx, colour, width, dash) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash || []);
  ctx.stroke();
  ctx.setLineDash([]);
}

// Dash patterns: unstable objects dashed, saddles dotted (so a saddle branch reads apart
// from an unstable node or focus without colour).
const dashed = w => [w * 4, w * 2.5];
const dotted = w => [w * 0.5, w * 2.2];

// equilibriumMark draws a disc: filled if stable, open if unstable, left half filled for
// a saddle. The inside of an open disc is the background, so lines beneath stay hidden.
export function equilibriumMark(ctx, x, y, r, kind, pal) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fillStyle = kind === STABLE_NODE || kind === STABLE_FOCUS ? pal.fg : pal.bg;
  ctx.fill();
  if (kind === SADDLE) {
    ctx.beginPath();
    ctx.arc(x, y, r, Math.PI / 2, 3 * Math.PI / 2);
    ctx.closePath();
    ctx.fillStyle = pal.fg;
    ctx.fill();
  }
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.strokeStyle = pal.fg;
  ctx.lineWidth = Math.max(2, r / 3.5);
  ctx.stroke();
}

// legend draws entries {label, draw(ctx, x, y, w)} in a box in the corner of the plot
// that covers the fewest points of ink (screen coordinates, flat).
function legend(ctx, f, pal, entries, ink) {
  if (!entries.length) return;
  const size = Math.round(f.font * 0.75), row = Math.round(size * 1.45), sw = size * 2.2;
  ctx.save();
  ctx.font = `${size}px ${pal.family}`;
  const w = sw + 14 + Math.max(...entries.map(e => ctx.measureText(e.label).width)) + 8;
  const h = row * entries.length + 8;
  const corners = [[f.left + 6, f.top + 6], [f.right - 6 - w, f.top + 6], [f.right - 6 - w, f.bottom - 6 - h], [f.left + 6, f.bottom - 6 - h]];
  let best = corners[0], least = Infinity;
  for (const [x, y] of corners) {
    let n = 0;
    for (let k = 0; k < ink.length; k += 2) if (ink[k] >= x && ink[k] <= x + w && ink[k + 1] >= y && ink[k + 1] <= y + h) n++;
    if (n < least) { least = n; best = [x, y]; }
  }
  const [x, y] = best;
  ctx.fillStyle = pal.legendBg;
  ctx.fillRect(x, y, w, h);
  ctx.textBaseline = 'middle';
  entries.forEach((e, k) => {
    const cy = y + 4 + row * (k + 0.5);
    e.draw(ctx, x + 6, cy, sw);
    ctx.fillStyle = pal.fg;
    ctx.fillText(e.label, x + sw + 14, cy);
  });
  ctx.restore();
}

const lineEntry = (label, colour, width, dash) => ({
  label,
  draw(ctx, x, y, w) { ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + w, y); stroke(ctx, colour, width, dash); },
});
const areaEntry = (label, colour) => ({
  label,
  draw(ctx, x, y, w) { ctx.fillStyle = colour; ctx.fillRect(x, y - 6, w, 12); },
});
const markEntry = (label, mark) => ({ label, draw: (ctx, x, y, w) => mark(ctx, x + w / 2, y) });

// basinImage returns a small canvas, one pixel per basin cell, in the basin colour.
function basinImage(basin, colour) {
  const c = document.createElement('canvas');
  c.width = basin.cols; c.height = basin.rows;
  const g = c.getContext('2d');
  g.fillStyle = colour;
  for (let row = 0; row < basin.rows; row++) {
    for (let col = 0; col < basin.cols; col++) {
      if (basinAt(basin, col, row)) g.fillRect(col, basin.rows - 1 - row, 1, 1);
    }
  }
  return c;
}

// portraitFrame is the frame of a portrait's fixed window.
export function portraitFrame(width, height, font, p) {
  return new Frame(width, height, font, [p.window[0], p.window[1]], [p.window[2], p.window[3]]);
}

// portrait draws everything of a phase portrait that does not move: basin, nullclines,
// cycles, separatrices, equilibria, axes and legend.
export function portrait(ctx, f, p, pal, names) {
  const showLegend = names.legend !== false;
  const lw = Math.max(2, f.font / 7);
  const ink = [];
  ctx.save();
  f.clip(ctx);
  if (p.basin) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(basinImage(p.basin, pal.basin), f.left, f.top, f.width, f.height);
  }
  for (const [lines, colour] of [[p.vNullclines, pal.vNullcline], [p.yNullclines, pal.yNullcline]]) {
    ctx.beginPath();
    for (const l of lines) polyline(ctx, f, l, ink);
    stroke(ctx, colour, lw);
  }
  ctx.beginPath();
  for (const s of p.separatrices) polyline(ctx, f, s, ink);
  stroke(ctx, pal.separatrix, lw);
  for (const c of p.cycles) {
    ctx.beginPath();
    polyline(ctx, f, c.line, ink);
    if (c.line.length >= 4) ctx.closePath();
    stroke(ctx, pal.cycle, c.stable ? lw * 1.8 : lw, c.stable ? null : dashed(lw));
  }
  const r = Math.max(6, f.font * 0.42);
  for (const e of p.equilibria) {
    equilibriumMark(ctx, f.x(e.V), f.y(e.Y), r, e.kind, pal);
    for (let k = 0; k < 50; k++) ink.push(f.x(e.V), f.y(e.Y)); // worse to cover than a curve
  }
  ctx.restore();
  axes(ctx, f, pal, 'V (mV)', names.y);
  const entries = [
    lineEntry(`V-nullcline`, pal.vNullcline, lw),
    lineEntry(`${names.y}-nullcline`, pal.yNullcline, lw),
  ];
  const kinds = [...new Set(p.equilibria.map(e => e.kind))].sort();
  const mr = Math.max(5, f.font * 0.3);
  for (const k of kinds) entries.push(markEntry(names.equilibria[k], (c, x, y) => equilibriumMark(c, x, y, mr, k, pal)));
  if (p.cycles.some(c => c.stable)) entries.push(lineEntry('stable cycle', pal.cycle, lw * 1.8));
  if (p.cycles.some(c => !c.stable)) entries.push(lineEntry('unstable cycle', pal.cycle, lw, dashed(lw)));
  if (p.separatrices.length) entries.push(lineEntry('separatrix', pal.separatrix, lw));
  if (p.basin) entries.push(areaEntry('basin of firing', pal.basin));
  if (showLegend) legend(ctx, f, pal, entries, ink);
}

// Trail drawing: points fade with age in this many steps (one path per step keeps a
// frame to a few dozen canvas calls however long the trail).
const FADE_STEPS = 12;

// trail draws the points (xs[k], ys[k]) of ages ages[k] (0 newest .. 1 oldest), oldest
// first. Successive points close on screen are joined by a line; others are drawn as
// dots, since a cycle faster than the record rate would otherwise draw chords across it.
// With bars, each point is instead a vertical bar from ys[k] to ys2[k].
export function trail(ctx, f, n, xs, ys, ages, colour, width, { ys2 = null, join = 0 } = {}) {
  const lines = Array.from({ length: FADE_STEPS }, () => new Path2D());
  const dots = Array.from({ length: FADE_STEPS }, () => new Path2D());
  let px = NaN, py = NaN;
  // Bars: successive records in one pixel column and fade step merge into one bar (a
  // neuron firing at a fixed current would otherwise stack thousands of bars a frame).
  let barX = NaN, barStep = -1, lo = 0, hi = 0;
  const bar = () => { if (barStep >= 0) { lines[barStep].moveTo(barX, lo); lines[barStep].lineTo(barX, hi); } };
  for (let k = 0; k < n; k++) {
    const x = f.x(xs[k]), y = f.y(ys[k]);
    const step = Math.min(FADE_STEPS - 1, Math.floor(ages[k] * FADE_STEPS));
    if (ys2) {
      const col = Math.round(x), y2 = f.y(ys2[k]);
      if (col === barX && step === barStep) {
        lo = Math.min(lo, y, y2); hi = Math.max(hi, y, y2);
      } else {
        bar();
        barX = col; barStep = step; lo = Math.min(y, y2); hi = Math.max(y, y2);
      }
    } else if (Math.hypot(x - px, y - py) < join) {
      lines[step].moveTo(px, py);
      lines[step].lineTo(x, y);
    } else {
      dots[step].rect(x - width, y - width, 2 * width, 2 * width);
    }
    px = x; py = y;
  }
  bar();
  ctx.save();
  f.clip(ctx);
  ctx.strokeStyle = ctx.fillStyle = colour;
  ctx.lineWidth = width;
  ctx.lineCap = 'round';
  for (let s = 0; s < FADE_STEPS; s++) {
    ctx.globalAlpha = 0.08 + 0.92 * (1 - s / FADE_STEPS) ** 1.5;
    ctx.stroke(lines[s]);
    ctx.fill(dots[s]);
  }
  ctx.restore();
}

// statePoint draws the live state: a large bright disc with a ring in the background
// colour, so it stands out on any line it crosses.
export function statePoint(ctx, f, x, y, pal, radius) {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  ctx.save();
  f.clip(ctx);
  ctx.beginPath();
  ctx.arc(f.x(x), f.y(y), radius, 0, 2 * Math.PI);
  ctx.fillStyle = pal.live;
  ctx.fill();
  ctx.lineWidth = Math.max(2, radius / 3);
  ctx.strokeStyle = pal.bg;
  ctx.stroke();
  ctx.restore();
}

// diagram draws a bifurcation diagram's fixed parts: bistable ranges, equilibrium
// branches, cycle branches (Vmin and Vmax), bifurcation points, axes and legend.
export function diagram(ctx, f, d, pal, unit, showLegend = true) {
  const lw = Math.max(2, f.font / 7);
  const ink = [];
  ctx.save();
  f.clip(ctx);
  ctx.fillStyle = pal.bistable;
  for (const [a, b] of d.bistable) ctx.fillRect(f.x(a), f.top, f.x(b) - f.x(a), f.height);
  for (const b of d.equilibria) {
    ctx.beginPath();
    polyline(ctx, f, b.points, ink);
    stroke(ctx, pal.fg, b.stable ? lw * 1.6 : lw, b.stable ? null : b.kind === 2 ? dotted(lw) : dashed(lw));
  }
  for (const c of d.cycles) {
    ctx.beginPath();
    polyline(ctx, f, c.points, ink, 3, 0, 1);
    polyline(ctx, f, c.points, ink, 3, 0, 2);
    stroke(ctx, pal.cycle, c.stable ? lw * 1.6 : lw, c.stable ? null : dashed(lw));
  }
  const size = Math.round(f.font * 0.8);
  ctx.font = `bold ${size}px ${pal.family}`;
  ctx.textBaseline = 'bottom';
  for (const b of d.bifurcations) {
    const x = f.x(b.I), y = f.y(b.V), r = Math.max(6, f.font * 0.4);
    ctx.beginPath();
    ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
    ctx.fillStyle = pal.bifurcation;
    ctx.fill();
    const label = `${BIFURCATION_LABELS[b.kind] ?? '?'} ${Number(b.I.toFixed(2))}`;
    ctx.textAlign = x > (f.left + f.right) / 2 ? 'right' : 'left';
    ctx.fillStyle = pal.fg;
    ctx.fillText(label, x + (ctx.textAlign === 'left' ? r : -r), y - r);
    for (let k = 0; k < 50; k++) ink.push(x, y, x + (ctx.textAlign === 'left' ? 1 : -1) * ctx.measureText(label).width, y - r - size / 2);
  }
  ctx.restore();
  axes(ctx, f, pal, `I (${unit})`, 'V (mV)');
  const entries = [];
  const eq = (stable, kind) => d.equilibria.some(b => b.stable === stable && (kind === undefined ? b.kind !== 2 : b.kind === kind));
  if (eq(true)) entries.push(lineEntry('stable rest', pal.fg, lw * 1.6));
  if (d.equilibria.some(b => !b.stable && b.kind !== 2)) entries.push(lineEntry('unstable equilibrium', pal.fg, lw, dashed(lw)));
  if (d.equilibria.some(b => b.kind === 2)) entries.push(lineEntry('saddle', pal.fg, lw, dotted(lw)));
  if (d.cycles.some(c => c.stable)) entries.push(lineEntry('stable cycle (V min, max)', pal.cycle, lw * 1.6));
  if (d.cycles.some(c => !c.stable)) entries.push(lineEntry('unstable cycle', pal.cycle, lw, dashed(lw)));
  if (d.bistable.length) entries.push(areaEntry('bistable', pal.bistable));
  if (showLegend) legend(ctx, f, pal, entries, ink);
}

// cursor draws the vertical line at the present current.
export function cursor(ctx, f, I, pal) {
  if (!Number.isFinite(I)) return;
  ctx.save();
  f.clip(ctx);
  ctx.beginPath();
  ctx.moveTo(f.x(I), f.top);
  ctx.lineTo(f.x(I), f.bottom);
  stroke(ctx, pal.live, 2, [6, 6]);
  ctx.restore();
}

// bars draws one trace row: each pixel column spans the lowest Vmin and the highest
// Vmax of the records that fall in it, so a cycle faster than the record rate shows as
// a band rather than an aliased wave. Spike ticks go in the strip above (tickTop..rowTop).
export function bars(ctx, row, ring, t0, t1, colour, pal) {
  const w = Math.max(1, Math.floor(row.right - row.left));
  const lo = new Float32Array(w).fill(Infinity), hi = new Float32Array(w).fill(-Infinity);
  const spiked = new Uint8Array(w);
  const scale = w / (t1 - t0);
  for (let k = ring.first(t0); k < ring.length; k++) {
    const j = ring.idx(k);
    const col = Math.floor((ring.T[j] - t0) * scale);
    if (col < 0 || col >= w) continue;
    lo[col] = Math.min(lo[col], ring.vmin[j]);
    hi[col] = Math.max(hi[col], ring.vmax[j]);
    if (ring.spikes[j] > 0) spiked[col] = 1;
  }
  const y = v => row.bottom - (v - row.v0) / (row.v1 - row.v0) * (row.bottom - row.top);
  const path = new Path2D(), ticks = new Path2D();
  for (let c = 0; c < w; c++) {
    if (hi[c] < lo[c]) continue;
    const x = row.left + c + 0.5;
    const a = Math.max(row.top, Math.min(row.bottom, y(hi[c])));
    const b = Math.max(row.top, Math.min(row.bottom, y(lo[c])));
    path.moveTo(x, a - 0.75);
    path.lineTo(x, b + 0.75);
    if (spiked[c]) { ticks.moveTo(x, row.tickTop); ticks.lineTo(x, row.top - 2); }
  }
  ctx.save();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = colour;
  ctx.stroke(path);
  ctx.globalAlpha = 0.75;
  ctx.stroke(ticks);
  ctx.restore();
}
