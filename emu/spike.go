package emu

import "math"

// The spike rule. A spike is a rise of the membrane voltage V through SpikeHigh. It must
// count every firing cycle, and never a sub-threshold oscillation: a resonator's ringing
// after a small kick, the small oscillation born at a supercritical Hopf point, noise
// jitter around SpikeHigh, the small oscillation around a depolarised state on its way
// into depolarisation block. A fixed re-arm level (count again only once V falls below
// SpikeLow) misses fast cycles whose trough stays above it (inapk saddle-node above
// 12 µA/cm², where the cycle shrinks towards depolarisation block), so the re-arm
// level follows the orbit instead. With depth = SpikeHigh - SpikeLow:
//
//   - after a spike the detector re-arms once V has fallen depth below the highest V
//     since that spike;
//   - armed, it counts a spike on the first sample where V >= SpikeHigh and V is at
//     least depth above the lowest V since re-arming.
//
// So a cycle counts once per period if it reaches SpikeHigh and swings at least depth
// from trough to peak, and an oscillation that stays below SpikeHigh or swings less
// than depth never counts, wherever it sits (the rise into it counts once if that rise
// is itself a spike: a step into depolarisation block is one). A fall below SpikeLow is
// always a fall of depth (the peak was at least SpikeHigh), so every spike of the
// fixed-level rule is still counted, on the same sample; the orbit-following level only
// adds the cycles it missed. A state that jumps (the start, a reset to rest after a numerical blow-up) is
// no spike: the detector restarts there, armed with V as the trough so far if V is
// below SpikeHigh, else waiting with V as the peak so far.
//
// The rule costs two comparisons and a min or max per neuron and sample, and keeps two
// numbers of state: whether it is armed, and the extreme V it tracks (the highest since
// the spike while disarmed, the lowest since re-arming while armed).

// spikeStart is the detector's state at voltage v after a jump: armed below high,
// with v the trough so far; otherwise waiting, with v the peak so far.
func spikeStart(v, high float64) (armed bool, ext float64) { return v < high, v }

// spikeStep advances the detector by one sample v. The engine and SpikeDetector both
// call it, so they cannot drift apart; it is small enough to be inlined.
func spikeStep(v, high, low float64, armed bool, ext float64) (spike, armedNext bool, extNext float64) {
	if armed {
		ext = min(ext, v)
		if v >= high && v-ext >= high-low {
			return true, false, v
		}
		return false, true, ext
	}
	ext = max(ext, v)
	if ext-v >= high-low {
		return false, true, v
	}
	return false, false, ext
}

// SpikeDetector counts spikes in a sampled voltage trace exactly as the engine does (see
// Preset.SpikeHigh for the rule), for tests and tools that integrate a model themselves.
// The zero value is not usable; build one with NewSpikeDetector.
type SpikeDetector struct {
	high, low float64
	armed     bool
	ext       float64
}

// NewSpikeDetector returns a detector with thresholds high and low (low < high) for a
// trace starting at voltage v0.
func NewSpikeDetector(high, low, v0 float64) SpikeDetector {
	d := SpikeDetector{high: high, low: low}
	d.Reset(v0)
	return d
}

// Step takes the next voltage sample and reports whether a spike is counted on it.
func (d *SpikeDetector) Step(v float64) bool {
	var spike bool
	spike, d.armed, d.ext = spikeStep(v, d.high, d.low, d.armed, d.ext)
	return spike
}

// Reset restarts the detector at voltage v, after the state jumped (a reset to rest):
// a jump is not a spike.
func (d *SpikeDetector) Reset(v float64) { d.armed, d.ext = spikeStart(v, d.high) }

// Threshold is the voltage the next sample must reach to be counted as a spike
// (SpikeHigh, or higher just after a shallow trough), or +Inf while the detector waits
// for V to fall. A caller interpolating spike times crosses this level.
func (d *SpikeDetector) Threshold() float64 {
	if !d.armed {
		return math.Inf(1)
	}
	return max(d.high, d.ext+d.high-d.low)
}
