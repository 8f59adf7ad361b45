package probe

import (
	"fmt"
	"math"
)

// doubletTolerance is how closely the threshold amplitude at each interval is bisected
// (relative).
const doubletTolerance = 0.005

// doubletScan is the step, as a fraction of one pulse's threshold, in which a pair's
// threshold is sought upwards before it is bisected: a range of amplitudes that fires
// the pair narrower than this, below a wider one, could be missed.
const doubletScan = 0.02

// Doublet fires two identical brief pulses at the neuron from rest, their onset-to-onset
// interval swept, and finds at each interval the smallest amplitude that fires it.
//
// An integrator adds the two pulses up: the shortest interval needs the smallest pulses,
// and the needed amplitude grows with the interval up to that of one pulse alone. A
// resonator fires most easily when the second pulse arrives one period of its damped
// oscillation after the first, in phase with the ringing the first set off, and needs
// larger pulses both shorter and longer (at half the period the second pulse arrives
// against the ringing).
//
// Defaults, chosen from the rest state's eigenvalues: for a ringing focus the intervals
// run from a quarter of the damped period 2π/ω to two and a half periods (at shorter
// intervals the two pulses merge into one longer pulse, which fires any neuron more
// easily and says nothing about resonance); for a node from the pulse width (the pulses
// touch) to eight decay times of the slowest mode. 40 intervals. The amplitude of the
// per-interval trials is a third of the way from the best interval's threshold to one
// pulse's, so the pair fires near the best interval and fails far from it.
func Doublet(n Neuron, opt DoubletOptions) (*DoubletResult, error) {
	r, err := newRig(n)
	if err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("probe doublet: %s at %g %s: %s", who(n), n.Current, r.model.CurrentUnit, fmt.Sprintf(format, a...))
	}
	width := opt.Width
	if width == 0 {
		width = r.defaultWidth()
	}
	if !(width > 0) {
		return nil, fail("a pulse width of %g ms is not positive", width)
	}
	if opt.Amplitude < 0 {
		return nil, fail("a doublet's pulses excite: give a positive amplitude (inhibitory pulses are the rebound experiment)")
	}
	from, to, steps := opt.From, opt.To, opt.Steps
	if from == 0 && to == 0 {
		if T := r.dampedPeriod(); T > 0 {
			from, to = max(T/4, width), 2.5*T
		} else {
			from, to = width, max(8/r.slow, 4*width)
		}
	}
	if steps == 0 {
		steps = 40
	}
	if !(from > 0) || !(to >= from) || steps < 1 {
		return nil, fail("the intervals %g:%g:%d must run from a positive interval up to a longer one, in at least one step", from, to, steps)
	}
	intervals := sweep(from, to, steps)

	lead := r.lead()
	pair := func(interval, a float64) []Pulse {
		return []Pulse{{Start: lead, Width: width, Amplitude: a}, {Start: lead + interval, Width: width, Amplitude: a}}
	}
	// fires runs the pair only until its first spike, or until it is back at rest.
	fires := func(ps []Pulse) (bool, error) {
		end := ps[len(ps)-1].Start + width
		o, err := r.run(trial{pulses: ps, quiet: end, end: end + r.wait(), untilSpike: true})
		return o.spikes > 0, err
	}

	// One pulse's threshold: a pair of such pulses fires at any interval, which brackets
	// every interval's threshold from above.
	single := func(a float64) (bool, error) { return fires(pair(0, a)[:1]) }
	lo, hi, ok, err := bracket(single, 10*r.timeScale()/width, r.maxAmplitude())
	if err != nil {
		return nil, fail("%v", err)
	}
	if !ok {
		return nil, fail("one pulse of %g ms does not fire it even at %g %s", width, r.maxAmplitude(), r.model.CurrentUnit)
	}
	one, err := bisect(single, lo, hi, doubletTolerance/4)
	if err != nil {
		return nil, fail("%v", err)
	}

	res := &DoubletResult{Width: width, Trials: make([]DoubletTrial, len(intervals))}
	err = parallel(len(intervals), func(i int) error {
		iv := intervals[i]
		f := func(a float64) (bool, error) { return fires(pair(iv, a)) }
		a, ok, err := lowest(f, one/2, one*doubletScan, r.maxAmplitude(), doubletTolerance)
		if ok {
			res.Trials[i].ThresholdAmplitude = ptr(a)
		}
		return err
	})
	if err != nil {
		return nil, fail("%v", err)
	}
	best, top := -1, 0.0
	for i := range res.Trials {
		res.Trials[i].IntervalMs = intervals[i]
		if a := res.Trials[i].ThresholdAmplitude; a != nil {
			if best < 0 || *a < *res.Trials[best].ThresholdAmplitude {
				best = i
			}
			top = max(top, *a)
		}
	}
	// The worst interval, for the second example: of those that need (within 1%) the
	// largest pulses, the nearest half the best interval (a resonator's antiphase; an
	// integrator's first interval at which the pulses no longer add up).
	worst := -1
	for i, t := range res.Trials {
		if a := t.ThresholdAmplitude; a != nil && *a >= top/1.01 && best >= 0 &&
			(worst < 0 || math.Abs(intervals[i]-intervals[best]/2) < math.Abs(intervals[worst]-intervals[best]/2)) {
			worst = i
		}
	}
	if best >= 0 {
		res.BestIntervalMs = ptr(intervals[best])
	}
	if T := r.dampedPeriod(); T > 0 {
		res.PredictedIntervalMs = ptr(T)
	}
	res.Verdict = doubletVerdict(res.Trials, best)

	res.Amplitude = opt.Amplitude
	if res.Amplitude == 0 {
		res.Amplitude = one
		if best >= 0 {
			b := *res.Trials[best].ThresholdAmplitude
			res.Amplitude = b + (one-b)/3
		}
	}
	outs := make([]outcome, len(intervals))
	err = parallel(len(intervals), func(i int) error {
		ps := pair(intervals[i], res.Amplitude)
		end := ps[1].Start + width
		var err error
		outs[i], err = r.run(trial{pulses: ps, from: lead, quiet: end, end: end + r.wait(), record: i == best || i == worst})
		return err
	})
	if err != nil {
		return nil, fail("%v", err)
	}
	for i, o := range outs {
		t := &res.Trials[i]
		t.Fired, t.Spikes, t.PeakV = o.spikes > 0, o.spikes, o.peak
		if t.Fired {
			t.LatencyMs = ptr(o.first - (lead + intervals[i]))
		}
	}
	// The examples: the best interval and the worst (for a resonator, near half the
	// damped period; for an integrator, the longest).
	for _, i := range []int{best, worst} {
		if i < 0 || (i == worst && worst == best) {
			continue
		}
		t := res.Trials[i]
		res.Examples = append(res.Examples, trace(outs[i],
			fmt.Sprintf("interval %.3g ms: %s", t.IntervalMs, firesOrNot(t.Fired)), t.Fired, pair(t.IntervalMs, res.Amplitude)))
	}
	return res, nil
}

// doubletVerdict: a resonator has its best interval inside the sweep, with intervals
// both shorter and longer needing at least 1% more; otherwise the pulses simply add up
// best when close together, as an integrator's do.
func doubletVerdict(trials []DoubletTrial, best int) string {
	if best <= 0 {
		return Integrator
	}
	b := *trials[best].ThresholdAmplitude
	worse := func(from, to int) bool {
		for i := from; i < to; i++ {
			if a := trials[i].ThresholdAmplitude; a == nil || *a > 1.01*b {
				return true
			}
		}
		return false
	}
	if worse(0, best) && worse(best+1, len(trials)) {
		return Resonator
	}
	return Integrator
}

// sweep returns steps values evenly spaced from from to to, both included.
func sweep(from, to float64, steps int) []float64 {
	if steps == 1 {
		return []float64{from}
	}
	out := make([]float64, steps)
	for i := range out {
		out[i] = from + (to-from)*float64(i)/float64(steps-1)
	}
	return out
}

func firesOrNot(fired bool) string {
	if fired {
		return "fires"
	}
	return "does not fire"
}
