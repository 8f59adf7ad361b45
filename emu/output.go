package emu

import "math"

// dcBlocker is the one-pole, one-zero high-pass y[n] = x[n] - x[n-1] + r y[n-1].
type dcBlocker struct {
	r, x1, y1 float64
	primed    bool // x1 holds a real input: the first sample is not a step from 0
}

func (d *dcBlocker) step(x float64) float64 {
	if !d.primed {
		d.x1, d.primed = x, true
	}
	y := x - d.x1 + d.r*d.y1
	d.x1 = x
	if !(y > -1e6 && y < 1e6) { // scrub NaN, Inf and runaway values: start clean
		d.x1, d.y1, d.primed = 0, 0, false
		return 0
	}
	d.y1 = y
	return y
}

// safeCeiling is the largest float32 sample value that stays at or under the ceiling
// once converted to float32, and also once rounded to the nearest step of a 16- or
// 24-bit file: the ceiling less half a 16-bit step, rounded down to a float32.
func safeCeiling(db float64) float64 {
	c := math.Pow(10, db/20) - 0.5/32768
	f := float32(c)
	if float64(f) > c {
		f = math.Nextafter32(f, 0)
	}
	return float64(f)
}

// limiter is a peak limiter with instant attack and exponential release, linked across
// channels so the stereo image holds. A final clamp makes the ceiling absolute: no input
// and no control can push a sample past it.
type limiter struct {
	ceiling float64
	env     float64 // present gain, 0..1
	release float64 // per-sample coefficient towards unity gain
}

func newLimiter(ceiling, sampleRate float64) limiter {
	return limiter{ceiling: ceiling, env: 1, release: 1 - math.Exp(-1/(0.1*sampleRate))}
}

// process DC-blocks and limits the mixes into out and returns the block's peak.
func (lm *limiter) process(out [][]float32, mixL, mixR []float64, dc *[2]dcBlocker) float64 {
	peak := 0.0
	c := lm.ceiling
	stereo := len(out) == 2
	for f := range mixL {
		l := dc[0].step(mixL[f])
		r := 0.0
		if stereo {
			r = dc[1].step(mixR[f])
		}
		p := max(math.Abs(l), math.Abs(r))
		target := 1.0
		if p > c {
			target = c / p
		}
		if target < lm.env {
			lm.env = target
		} else {
			lm.env += (target - lm.env) * lm.release
		}
		l = max(-c, min(c, l*lm.env))
		r = max(-c, min(c, r*lm.env))
		out[0][f] = float32(l)
		if stereo {
			out[1][f] = float32(r)
		}
		peak = max(peak, max(math.Abs(l), math.Abs(r)))
	}
	return peak
}
