package probe

import (
	"fmt"
	"math"
)

// minOvershoot is the smallest overshoot of rest after release, as a fraction of the
// deepest hyperpolarisation, that counts as a damped oscillation (hopf-super overshoots
// by 3.9 mV after a fall of about 30 mV at 0 µA/cm², by 22 mV at 10; the integrators
// stop 0.03 mV short of rest).
const minOvershoot = 0.02

// Rebound holds the neuron below rest with an inhibitory (negative) pulse, for every
// amplitude and width asked, and reports whether it fires after the pulse is released.
//
// A resonator can (post-inhibitory rebound): held down long enough, its slow recovery
// variable relaxes (I_Na,p+I_K's low-threshold K+ current closes), and on release V
// overshoots rest along the damped oscillation, far enough, near the Hopf point, to
// fire. An integrator never does: from below, V only climbs back to rest.
//
// A resonator far below its Hopf point may overshoot without firing (the overshoot
// grows towards the Hopf point); the verdict counts an overshoot of at least
// minOvershoot of the deepest hyperpolarisation as resonance too. An integrator's V
// comes back to rest from below, and stops there.
//
// Defaults: eight amplitudes evenly up to the current that holds V a fifth of the
// model's voltage range below rest in the steady state (32 mV for I_Na,p+I_K: about -100
// µA/cm² for hopf-super near its Hopf point, -140 for snic at 0), and six widths from an
// eighth to four times the rest state's natural period 2π/|λ| (0.4 to 12 ms for
// hopf-super near its Hopf point).
func Rebound(n Neuron, opt ReboundOptions) (*ReboundResult, error) {
	r, err := newRig(n)
	if err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("probe rebound: %s at %g %s: %s", who(n), n.Current, r.model.CurrentUnit, fmt.Sprintf(format, a...))
	}
	amps, widths := opt.Amplitudes, opt.Widths
	if len(amps) == 0 {
		// The strongest holds V a fifth of the model's voltage range below rest in the
		// steady state (32 mV for I_Na,p+I_K): deep enough to reset any recovery
		// variable, not so deep that a model's rate functions leave their range.
		vr := r.model.VoltageRange
		strongest := r.sys.SteadyCurrent(r.rest.State[0]-(vr[1]-vr[0])/5) - r.I
		if !(strongest < 0) {
			strongest = -(r.model.CurrentMax - r.model.CurrentMin) / 5
		}
		// Steps of two significant digits keep the table readable.
		step := strongest / 8
		scale := math.Pow(10, math.Floor(math.Log10(-step))-1)
		step = math.Round(step/scale) * scale
		for k := 1; k <= 8; k++ {
			amps = append(amps, step*float64(k))
		}
	}
	if len(widths) == 0 {
		for _, f := range []float64{1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2, 4} {
			widths = append(widths, f*r.natural())
		}
	}
	for _, a := range amps {
		if !(a < 0) {
			return nil, fail("an amplitude of %g is not inhibitory: give negative amplitudes", a)
		}
		if -a > r.maxAmplitude() {
			return nil, fail("an amplitude of %g is stronger than the engine can deliver (%g %s)", a, -r.maxAmplitude(), r.model.CurrentUnit)
		}
	}
	for _, w := range widths {
		if !(w > 0) {
			return nil, fail("a pulse width of %g ms is not positive", w)
		}
	}

	lead := r.lead()
	res := &ReboundResult{Trials: make([]ReboundTrial, len(amps)*len(widths))}
	outs := make([]outcome, len(res.Trials))
	pulseOf := func(i int) Pulse {
		return Pulse{Start: lead, Width: widths[i%len(widths)], Amplitude: amps[i/len(widths)]}
	}
	err = parallel(len(res.Trials), func(i int) error {
		p := pulseOf(i)
		release := p.Start + p.Width
		o, err := r.run(trial{pulses: []Pulse{p}, from: release, quiet: release, end: release + r.wait()})
		outs[i] = o
		t := ReboundTrial{Amplitude: p.Amplitude, WidthMs: p.Width, Fired: o.spikes > 0, Spikes: o.spikes, MinV: o.trough, PeakV: o.peak}
		if t.Fired {
			t.LatencyMs = ptr(o.first - release)
		}
		res.Trials[i] = t
		return err
	})
	if err != nil {
		return nil, fail("%v", err)
	}
	// The smallest pulse that fires (least charge), and for the examples the strongest
	// that fails: at the same amplitude a shorter one if any fires, else the largest charge.
	charge := func(i int) float64 { p := pulseOf(i); return -p.Amplitude * p.Width }
	largest := func(ok func(t ReboundTrial) bool) int {
		k := -1
		for i, t := range res.Trials {
			if ok(t) && (k < 0 || charge(i) > charge(k)) {
				k = i
			}
		}
		return k
	}
	fired := -1
	for i, t := range res.Trials {
		if t.Fired && (fired < 0 || charge(i) < charge(fired)) {
			fired = i
		}
	}
	failed := -1
	if fired >= 0 {
		failed = largest(func(t ReboundTrial) bool { return !t.Fired && t.Amplitude == res.Trials[fired].Amplitude })
	}
	if failed < 0 {
		failed = largest(func(t ReboundTrial) bool { return !t.Fired })
	}
	rest, depth := r.rest.State[0], 0.0
	res.Overshoot = math.Inf(-1)
	for _, t := range res.Trials {
		res.Overshoot, depth = max(res.Overshoot, t.PeakV-rest), max(depth, rest-t.MinV)
	}
	res.Verdict = Integrator
	if fired >= 0 {
		res.ReboundSpike = true
		p := pulseOf(fired)
		res.Smallest = &p
	}
	if fired >= 0 || res.Overshoot >= minOvershoot*depth {
		res.Verdict = Resonator
	}
	for _, i := range []int{fired, failed} {
		if i < 0 {
			continue
		}
		t, p := res.Trials[i], pulseOf(i)
		o, err := r.run(trial{pulses: []Pulse{p}, from: p.Start + p.Width, quiet: p.Start + p.Width,
			end: p.Start + p.Width + math.Min(r.wait(), 10*r.natural()), record: true})
		if err != nil {
			return nil, fail("%v", err)
		}
		res.Examples = append(res.Examples, trace(o,
			fmt.Sprintf("%.3g for %.3g ms: %s on release", t.Amplitude, t.WidthMs, firesOrNot(t.Fired)), t.Fired, []Pulse{p}))
	}
	return res, nil
}
