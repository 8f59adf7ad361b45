// Records the page keeps: a ring per neuron of the playing patch (the newest records of
// a TRAIL, enough for the longest trace) and one of spikes for the raster. Fixed typed
// arrays, so a page that runs for days allocates nothing per record.

import * as P from './protocol.js';

// Slots are the positions of a ring buffer: length records from start, the oldest
// overwritten when full.
export class Slots {
  constructor(cap) { this.cap = cap; this.start = 0; this.length = 0; }
  idx(k) { return (this.start + k) % this.cap; }
  // slot returns where the next record goes: after the newest, or over the oldest when full.
  slot() {
    if (this.length < this.cap) return this.idx(this.length++);
    const j = this.start;
    this.start = (this.start + 1) % this.cap;
    return j;
  }
}

// Ring holds one neuron's records: time and the TRAIL fields.
export class Ring extends Slots {
  constructor(cap) {
    super(cap);
    this.T = new Float64Array(cap);
    for (const f of ['v', 'y', 'i', 'vmin', 'vmax', 'spikes']) this[f] = new Float32Array(cap);
  }
  t(k) { return this.T[this.idx(k)]; }
  get newest() { return this.length ? this.idx(this.length - 1) : -1; }
  push(t, vals, off) {
    const j = this.slot();
    this.T[j] = t;
    this.v[j] = vals[off + P.V]; this.y[j] = vals[off + P.Y]; this.i[j] = vals[off + P.I];
    this.vmin[j] = vals[off + P.VMIN]; this.vmax[j] = vals[off + P.VMAX]; this.spikes[j] = vals[off + P.SPIKES];
  }
  // first returns the index of the oldest record at or after time t0.
  first(t0) {
    let lo = 0, hi = this.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (this.t(m) < t0) lo = m + 1; else hi = m; }
    return lo;
  }
}

// SpikeRing holds the time and neuron of every spike of every neuron, for the raster.
export class SpikeRing extends Slots {
  constructor(cap) { super(cap); this.T = new Float64Array(cap); this.n = new Uint16Array(cap); }
  push(t, n) {
    const j = this.slot();
    this.T[j] = t; this.n[j] = n;
  }
}
