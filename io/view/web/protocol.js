// Decoders for the server's binary messages (io/view/doc.go, "Server to page, binary").
// Numbers are little-endian and unaligned, so everything is read through a DataView.
// A message that is truncated or longer than its counts say throws an Error naming the
// message and the byte: the page reports it instead of drawing garbage.

export const TRAIL = 1, PORTRAIT = 2, DIAGRAM = 3;

// Fields of one neuron in a TRAIL record (emu.TapV ...).
export const FIELDS = 6;
export const V = 0, Y = 1, I = 2, VMIN = 3, VMAX = 4, SPIKES = 5;

// Equilibrium kinds of a PORTRAIT.
export const STABLE_NODE = 0, STABLE_FOCUS = 1, UNSTABLE_NODE = 2, UNSTABLE_FOCUS = 3, SADDLE = 4;
export const EQUILIBRIUM_NAMES = ['stable node', 'stable focus', 'unstable node', 'unstable focus', 'saddle'];

// Bifurcation kinds of a DIAGRAM, as labelled on the page.
export const BIFURCATION_LABELS = ['SN', 'SNIC', 'Hopf', 'Hopf (sub)', 'fold of cycles', 'homoclinic'];

class Reader {
  constructor(buf, what) {
    this.view = new DataView(buf);
    this.pos = 0;
    this.what = what;
  }
  need(n) {
    if (this.pos + n > this.view.byteLength) {
      throw new Error(`${this.what}: message ends at byte ${this.view.byteLength}, needed ${this.pos + n}`);
    }
  }
  u8() { this.need(1); return this.view.getUint8(this.pos++); }
  u16() { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32() { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  f32() { this.need(4); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  f64() { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  // count reads a count of items of at least minSize bytes each, refusing one the rest
  // of the message cannot hold (so a corrupt count never allocates gigabytes).
  count(read, minSize) {
    const n = read.call(this);
    this.need(n * minSize);
    return n;
  }
  // floats reads n f32 into a new Float32Array.
  floats(n) {
    this.need(4 * n);
    const a = new Float32Array(n);
    for (let k = 0; k < n; k++) { a[k] = this.view.getFloat32(this.pos, true); this.pos += 4; }
    return a;
  }
  // line reads a LINE: u32 n, n × {f32 V, f32 Y}, as a flat Float32Array [V0, Y0, V1, ...].
  line() { return this.floats(2 * this.count(this.u32, 8)); }
  lines() {
    const out = [];
    for (let k = this.count(this.u16, 4); k > 0; k--) out.push(this.line());
    return out;
  }
  end() {
    if (this.pos !== this.view.byteLength) {
      throw new Error(`${this.what}: ${this.view.byteLength - this.pos} bytes left over after byte ${this.pos}`);
    }
  }
}

// decode reads any binary message; its result has a "type" (TRAIL, PORTRAIT, DIAGRAM).
export function decode(buf) {
  if (buf.byteLength < 1) throw new Error('binary message is empty');
  const type = new DataView(buf).getUint8(0);
  switch (type) {
    case TRAIL: return decodeTrail(buf);
    case PORTRAIT: return decodePortrait(buf);
    case DIAGRAM: return decodeDiagram(buf);
  }
  throw new Error(`binary message of unknown type ${type}`);
}

// decodeTrail returns {type, patch, neurons (D engine indices), count (K), droppedRecords,
// producedMs, t (Float64Array K), values (Float32Array K·D·FIELDS, record k's neuron j at
// (k·D + j)·FIELDS), spikes (Uint16Array of pairs: record index, neuron)}.
export function decodeTrail(buf) {
  const r = new Reader(buf, 'TRAIL');
  r.u8();
  const patch = r.u8();
  const D = r.u16(), K = r.u32(), S = r.u32();
  const droppedRecords = r.u32();
  const producedMs = r.f64();
  const expected = 24 + 2 * D + K * (8 + 4 * FIELDS * D) + 4 * S;
  if (buf.byteLength !== expected) {
    throw new Error(`TRAIL: ${buf.byteLength} bytes, but D=${D} K=${K} S=${S} make ${expected}`);
  }
  const neurons = [];
  for (let j = 0; j < D; j++) neurons.push(r.u16());
  const t = new Float64Array(K);
  const values = new Float32Array(K * D * FIELDS);
  for (let k = 0; k < K; k++) {
    t[k] = r.f64();
    for (let f = k * D * FIELDS, e = f + D * FIELDS; f < e; f++) values[f] = r.f32();
  }
  const spikes = new Uint16Array(2 * S);
  for (let s = 0; s < 2 * S; s += 2) {
    spikes[s] = r.u16();
    spikes[s + 1] = r.u16();
    if (spikes[s] >= K) throw new Error(`TRAIL: spike ${s / 2} names record ${spikes[s]} of ${K}`);
  }
  return { type: TRAIL, patch, neurons, count: K, droppedRecords, producedMs, t, values, spikes };
}

// decodePortrait returns {type, patch, neuron, cell, current, window [x0, x1, y0, y1],
// complete, projected, vNullclines, yNullclines (arrays of flat lines), equilibria
// [{V, Y, kind}], cycles [{stable, period, line}], separatrices, basin {cols, rows, bits}
// or null}.
export function decodePortrait(buf) {
  const r = new Reader(buf, 'PORTRAIT');
  r.u8();
  const p = { type: PORTRAIT, patch: r.u8(), neuron: r.u16(), cell: r.u32(), current: r.f64() };
  p.window = [r.f32(), r.f32(), r.f32(), r.f32()];
  const flags = r.u8();
  p.complete = (flags & 1) !== 0;
  p.projected = (flags & 2) !== 0;
  p.vNullclines = r.lines();
  p.yNullclines = r.lines();
  p.equilibria = [];
  for (let k = r.count(r.u16, 9); k > 0; k--) {
    const e = { V: r.f32(), Y: r.f32(), kind: r.u8() };
    if (e.kind > SADDLE) throw new Error(`PORTRAIT: equilibrium of unknown kind ${e.kind}`);
    p.equilibria.push(e);
  }
  p.cycles = [];
  for (let k = r.count(r.u16, 9); k > 0; k--) {
    p.cycles.push({ stable: r.u8() !== 0, period: r.f32(), line: r.line() });
  }
  p.separatrices = r.lines();
  const cols = r.u16(), rows = r.u16();
  const bytes = Math.ceil(cols * rows / 8);
  r.need(bytes);
  p.basin = cols * rows === 0 ? null : { cols, rows, bits: new Uint8Array(buf.slice(r.pos, r.pos + bytes)) };
  r.pos += bytes;
  r.end();
  return p;
}

// basinAt reports whether basin cell (col, row) (row 0 at the bottom) is set.
export function basinAt(basin, col, row) {
  const bit = row * basin.cols + col;
  return (basin.bits[bit >> 3] >> (bit & 7) & 1) === 1;
}

// decodeDiagram returns {type, patch, neuron, axes [I0, I1, V0, V1], equilibria [{stable,
// kind (0 node, 1 focus, 2 saddle), points (flat I, V)}], cycles [{stable, points (flat I,
// Vmin, Vmax)}], bifurcations [{kind, I, V}], bistable [[I0, I1]]}.
export function decodeDiagram(buf) {
  const r = new Reader(buf, 'DIAGRAM');
  r.u8();
  const d = { type: DIAGRAM, patch: r.u8(), neuron: r.u16() };
  d.axes = [r.f32(), r.f32(), r.f32(), r.f32()];
  d.equilibria = [];
  for (let k = r.count(r.u16, 6); k > 0; k--) {
    const stable = r.u8() !== 0, kind = r.u8();
    d.equilibria.push({ stable, kind, points: r.floats(2 * r.count(r.u32, 8)) });
  }
  d.cycles = [];
  for (let k = r.count(r.u16, 5); k > 0; k--) {
    const stable = r.u8() !== 0;
    d.cycles.push({ stable, points: r.floats(3 * r.count(r.u32, 12)) });
  }
  d.bifurcations = [];
  for (let k = r.count(r.u16, 9); k > 0; k--) d.bifurcations.push({ kind: r.u8(), I: r.f32(), V: r.f32() });
  d.bistable = [];
  for (let k = r.count(r.u16, 8); k > 0; k--) d.bistable.push([r.f32(), r.f32()]);
  r.end();
  return d;
}
