package probe

import (
	"fmt"
	"math"
)

// thresholdTolerance is how closely the threshold amplitude and the 10% and 90% points
// are bisected (relative).
const thresholdTolerance = 1e-6

// sharpWidth is the 10-90% width (in units of the threshold) below which a threshold
// counts as all-or-none. An integrator's is set by the bisection's resolution (about
// 1e-6); a resonator's by the graded growth of its responses (tenths).
const sharpWidth = 0.01

// clearSpike is the amplitude, in units of the threshold, of the pulse whose peak V is
// taken as a spike's: far enough above the threshold for a resonator's graded response
// to have grown into a spike, near enough that the pulse itself does not carry V past a
// spike's peak (a brief pulse at threshold already lifts Morris-Lecar's V by 46 mV).
const clearSpike = 1.25

// Threshold fires one brief pulse at the neuron from rest, its amplitude swept, and
// reports each response's peak V, whether it fired and its latency; then the smallest
// amplitude that fires, bisected, and how sharp that threshold is.
//
// An integrator is all-or-none: below the threshold the pulse leaves the neuron short of
// its saddle and it falls back; above it fires a full spike, the peak V jumping at the
// threshold, and the closer the amplitude comes to it from above the longer the neuron
// lingers near the saddle before it fires (the latency grows without bound, as the
// logarithm of the distance). A resonator has no saddle to decide: its responses grow
// with the amplitude, graded, and "a spike" is only where they cross the spike detector's
// level.
//
// The sharpness is ThresholdWidth: the amplitude range over which the peak V climbs from
// 10% to 90% of the way from the highest peak of a pulse that fails (just below the
// threshold: an integrator's saddle, a resonator's detector level) to the peak at 1.25
// times the threshold amplitude, a clear spike; below sharpWidth it is an integrator's.
// Defaults: the pulse width as for Doublet, 60 amplitudes from 0 to twice the threshold.
func Threshold(n Neuron, opt ThresholdOptions) (*ThresholdResult, error) {
	r, err := newRig(n)
	if err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("probe threshold: %s at %g %s: %s", who(n), n.Current, r.model.CurrentUnit, fmt.Sprintf(format, a...))
	}
	width := opt.Width
	if width == 0 {
		width = r.defaultWidth()
	}
	if !(width > 0) {
		return nil, fail("a pulse width of %g ms is not positive", width)
	}
	lead := r.lead()
	pulse := func(a float64) Pulse { return Pulse{Start: lead, Width: width, Amplitude: a} }
	// response runs one pulse; stop ends it early once the question asked is answered.
	response := func(a float64, stop trial) (outcome, error) {
		p := pulse(a)
		stop.pulses, stop.from, stop.quiet, stop.end = []Pulse{p}, lead, lead+width, lead+width+r.wait()
		return r.run(stop)
	}
	fires := func(a float64) (bool, error) {
		o, err := response(a, trial{untilSpike: true})
		return o.spikes > 0, err
	}
	lo, hi, ok, err := bracket(fires, 10*r.timeScale()/width, r.maxAmplitude())
	if err != nil {
		return nil, fail("%v", err)
	}
	if !ok {
		return nil, fail("a pulse of %g ms does not fire it even at %g %s", width, r.maxAmplitude(), r.model.CurrentUnit)
	}
	// Bisect keeping both ends: lo the largest amplitude known to fail.
	for hi-lo > thresholdTolerance*hi {
		m := (lo + hi) / 2
		f, err := fires(m)
		if err != nil {
			return nil, fail("%v", err)
		}
		if f {
			hi = m
		} else {
			lo = m
		}
	}
	th := hi
	res := &ThresholdResult{Width: width, ThresholdAmplitude: ptr(th)}

	// The sharpness: from the highest failing peak to a clear spike's.
	below, err := response(lo, trial{})
	if err != nil {
		return nil, fail("%v", err)
	}
	spike, err := response(clearSpike*th, trial{})
	if err != nil {
		return nil, fail("%v", err)
	}
	base, top := below.peak, spike.peak
	if top > base {
		// reaches is monotone in the amplitude for every neuron here: a larger pulse
		// never gives a lower peak.
		reaches := func(level float64) func(a float64) (bool, error) {
			return func(a float64) (bool, error) {
				o, err := response(a, trial{hasUntilV: true, untilV: level})
				return o.peak >= level, err
			}
		}
		a10, err := bisect(reaches(base+0.1*(top-base)), lo, clearSpike*th, thresholdTolerance)
		if err != nil {
			return nil, fail("%v", err)
		}
		a90, err := bisect(reaches(base+0.9*(top-base)), lo, clearSpike*th, thresholdTolerance)
		if err != nil {
			return nil, fail("%v", err)
		}
		res.ThresholdWidth = ptr((a90 - a10) / th)
	}
	res.Verdict = Resonator
	if res.ThresholdWidth != nil && *res.ThresholdWidth < sharpWidth {
		res.Verdict = Integrator
	}

	from, to, steps := opt.From, opt.To, opt.Steps
	if from == 0 && to == 0 {
		to = 2 * th
	}
	if steps == 0 {
		steps = 60
	}
	if !(from >= 0) || !(to >= from) || steps < 1 {
		return nil, fail("the amplitudes %g:%g:%d must run from 0 or more up to a larger amplitude, in at least one step", from, to, steps)
	}
	amps := sweep(from, to, steps)
	// The approach from above: the latency near the threshold.
	for k := 1; k <= 6; k++ {
		amps = append(amps, th*(1+math.Pow(10, -float64(k))))
	}
	// The examples: 0.1% either side of the threshold. An integrator's pair differs by a
	// whole spike; a resonator's barely at all.
	amps = append(amps, th*(1+1e-3), th*(1-1e-3))
	trials := make([]ThresholdTrial, len(amps))
	outs := make([]outcome, len(amps))
	err = parallel(len(amps), func(i int) error {
		o, err := response(amps[i], trial{record: i >= len(amps)-2})
		outs[i] = o
		trials[i] = ThresholdTrial{Amplitude: amps[i], Fired: o.spikes > 0, PeakV: o.peak}
		if o.spikes > 0 {
			trials[i].LatencyMs = ptr(o.first - lead)
		}
		return err
	})
	if err != nil {
		return nil, fail("%v", err)
	}
	res.Trials, res.Approach = trials[:steps], trials[steps:steps+6]
	for k, side := range []string{"above", "below"} {
		i := len(amps) - 2 + k
		t := trials[i]
		res.Examples = append(res.Examples, trace(outs[i],
			fmt.Sprintf("amplitude %.5g, 0.1%% %s the threshold: %s", t.Amplitude, side, firesOrNot(t.Fired)), t.Fired, []Pulse{pulse(t.Amplitude)}))
	}
	return res, nil
}
