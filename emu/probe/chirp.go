package probe

import (
	"fmt"
	"math"
)

// minPeakGain is how far above the response at the lowest frequency a maximum must rise
// to count as a peak: an integrator's response falls off from there, and the onset of
// the sweep (from rest, at phase 0) lifts its first cycle by a few tenths of a percent.
const minPeakGain = 1.02

// Chirp drives the neuron from rest with a small sine current whose frequency sweeps up
// exponentially (a ZAP protocol: equal time per octave, so the low frequencies get as
// long to settle as the high ones), and measures the voltage response in every cycle of
// the input: half the peak-to-peak V over that cycle.
//
// A resonator's response peaks near the damped frequency ω/2π of its rest state (Hz of
// model time, a model ms taken as 1 ms); an integrator's is largest at the lowest
// frequency and falls off (a low-pass filter).
//
// Defaults: for a ringing focus from a tenth to three times the damped frequency, else 1
// to 200 Hz (scaled for models slower than I_Na,p+I_K); 2 s of model time; an amplitude
// of a fifth of the DC threshold (the distance from the holding current to where rest is
// lost), halved up to four times if the neuron fires anyway: a spiking response says
// nothing about the rest state's filter.
func Chirp(n Neuron, opt ChirpOptions) (*ChirpResult, error) {
	r, err := newRig(n)
	if err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("probe chirp: %s at %g %s: %s", who(n), n.Current, r.model.CurrentUnit, fmt.Sprintf(format, a...))
	}
	res := &ChirpResult{FromHz: opt.FromHz, ToHz: opt.ToHz, Seconds: opt.Seconds, Amplitude: opt.Amplitude}
	if T := r.dampedPeriod(); T > 0 {
		res.DampedHz = ptr(1000 / T)
	}
	if res.FromHz == 0 && res.ToHz == 0 {
		if res.DampedHz != nil {
			res.FromHz, res.ToHz = *res.DampedHz/10, 3**res.DampedHz
		} else {
			res.FromHz, res.ToHz = 1/r.timeScale(), 200/r.timeScale()
		}
	}
	if res.Seconds == 0 {
		res.Seconds = 2 * r.timeScale()
	}
	f0, f1, T := res.FromHz/1000, res.ToHz/1000, res.Seconds*1000 // per ms, ms
	if !(f0 > 0) || !(f1 > f0) {
		return nil, fail("the sweep must rise from a positive frequency, not %g to %g Hz", res.FromHz, res.ToHz)
	}
	if top := 0.1 / r.h; f1 > top {
		return nil, fail("%g Hz is too fast for the model's step of %g ms; give at most %.4g Hz", res.ToHz, r.h, top*1000)
	}
	k := math.Log(f1 / f0)
	if !(T > 0) || T*(f1-f0)/k < 4 {
		return nil, fail("a sweep from %g to %g Hz over %g s holds fewer than 4 cycles; make it longer", res.ToHz, res.FromHz, res.Seconds)
	}
	// The phase in cycles: its rate f0 e^{kt/T} is the instantaneous frequency.
	phase := func(t float64) float64 { return f0 * T / k * math.Expm1(k*t/T) }
	at := func(cycles float64) float64 { return T / k * math.Log1p(cycles*k/(f0*T)) }

	auto := res.Amplitude == 0
	if auto {
		res.Amplitude = r.dcThreshold() / 5
	}
	if !(res.Amplitude > 0) {
		return nil, fail("the sine's amplitude %g is not positive", res.Amplitude)
	}
	var o outcome
	for try := 0; ; try++ {
		A := res.Amplitude
		// The mean of A sin(2π phase) over a step, the phase taken as linear across it.
		sine := func(t0, t1 float64) float64 {
			tm, h := (t0+t1)/2, t1-t0
			x := math.Pi * f0 * math.Exp(k*tm/T) * h
			return A * math.Sin(2*math.Pi*phase(tm)) * math.Sin(x) / x
		}
		if o, err = r.run(trial{sine: sine, quiet: T, end: T, record: true}); err != nil {
			return nil, fail("%v", err)
		}
		if o.spikes == 0 || !auto || try == 4 {
			break
		}
		res.Amplitude /= 2
	}
	res.Spikes = o.spikes

	// The response in each whole cycle of the input.
	j := 0
	for c := 0; ; c++ {
		ta, tb := at(float64(c)), at(float64(c+1))
		if tb > T {
			break
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for ; j < len(o.t) && o.t[j] <= tb; j++ {
			if o.t[j] >= ta {
				lo, hi = min(lo, o.v[j]), max(hi, o.v[j])
			}
		}
		res.Trials = append(res.Trials, ChirpPoint{Hz: 1 / (tb - ta) * 1000, Amplitude: (hi - lo) / 2})
	}
	best := 0
	for i, p := range res.Trials {
		if p.Amplitude > res.Trials[best].Amplitude {
			best = i
		}
	}
	res.Verdict = Integrator
	if g := res.Trials[best].Amplitude / res.Trials[0].Amplitude; g >= minPeakGain {
		res.PeakHz, res.PeakGain, res.Verdict = ptr(res.Trials[best].Hz), ptr(g), Resonator
	}
	res.Examples = []Trace{trace(o, fmt.Sprintf("sine of %.3g, %.3g to %.3g Hz over %.3g s", res.Amplitude, res.FromHz, res.ToHz, res.Seconds), o.spikes > 0, nil)}
	return res, nil
}
