package emu

import "math"

// dcBlocker is the one-pole, one-zero high-pass y[n] = x[n] - x[n-1] + r y[n-1].
type dcBlocker struct {
	r, x1, y1 float64
}

func (d *dcBlocker) step(x float64) float64 {
	y := x - d.x1 + d.r*d.y1
	d.x1 = x
	if !(y > -1e6 && y < 1e6) { // scrub NaN, Inf and runaway values: start clean
		d.x1, d.y1 = 0, 0
		return 0
	}
	d.y1 = y
	return y
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
		p := math.Max(math.Abs(l), math.Abs(r))
		target := 1.0
		if p > c {
			target = c / p
		}
		if target < lm.env {
			lm.env = target
		} else {
			lm.env += (target - lm.env) * lm.release
		}
		l = math.Max(-c, math.Min(c, l*lm.env))
		r = math.Max(-c, math.Min(c, r*lm.env))
		out[0][f] = float32(l)
		if stereo {
			out[1][f] = float32(r)
		}
		peak = math.Max(peak, math.Max(math.Abs(l), math.Abs(r)))
	}
	return peak
}
