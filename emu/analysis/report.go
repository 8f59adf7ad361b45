package analysis

import (
	"fmt"
	"math"
)

// Report is what Analyze finds out about one neuron: its equilibria and cycles at one
// current, the bifurcations of its rest state over a range of currents, where firing
// stops on a down sweep, and the resulting class.
type Report struct {
	Current    float64    // the current of Equilibria and Cycles
	Range      [2]float64 // the currents searched for bifurcations
	Equilibria []Equilibrium
	Cycles     []Cycle
	// Bifurcations of stable equilibria in Range, in order of current.
	Bifurcations []Bifurcation
	// Rest is the rest state: the stable equilibrium of lowest voltage at RestCurrent,
	// the lowest current in Range that has one (nil if none has). RestLoss is the
	// bifurcation where it stops being stable as the current rises, found by following
	// its own branch of equilibria (nil if that happens beyond Range: then LossBeyond
	// is it, if there is one). RestLoss.Current is the rheobase.
	Rest        *Equilibrium
	RestCurrent float64
	RestLoss    *Bifurcation
	LossBeyond  *Bifurcation
	// CycleEnd is where the firing cycle born at RestLoss disappears as the current is
	// lowered (nil if no firing cycle was found), and CycleEndKind says how: "fold" (a
	// fold of limit cycles: a stable and an unstable cycle merge), "homoclinic" (the
	// cycle runs into the saddle), "snic" or "hopf" (it ends where it was born: no
	// hysteresis), or "below range" (it outlives the bottom of Range).
	CycleEnd     *float64
	CycleEndKind string
	// CycleFold is CycleEnd when firing outlives rest's loss on the way down, the
	// current where firing stops on a down sweep; nil otherwise (and when the cycle
	// outlives the bottom of Range: there is no fold to report).
	CycleFold *float64
	// Bistable is the range of currents where rest and repetitive firing coexist;
	// BistableBelow says it goes on below Range (its lower end is then Range[0]).
	Bistable      *[2]float64
	BistableBelow bool
	// Attractors are the branches of stable equilibria and of stable cycles that reach
	// into Range, in order of where they begin; BistableRanges every interval, longer
	// than 0.2% of Range, where a stable equilibrium and a stable cycle coexist, in order
	// of current. Bistable is one of them, rest's with the firing cycle; others are the
	// depolarisation block of a high state that regains stability below the current
	// where firing stops on an up sweep.
	Attractors     []Attractor
	BistableRanges []BistableRange
	// Stability is "monostable" or "bistable"; Excitability "integrator" (rest is lost
	// in a saddle-node) or "resonator" (in an Andronov-Hopf bifurcation); both "" if
	// rest is not lost in Range, where the class cannot be told.
	Stability, Excitability string
}

// Analyze studies the system at current I and over the currents [I0, I1]. Extra states
// (such as a patch's initial state) are added to the starts of the cycle search.
func (s *System) Analyze(I, I0, I1 float64, extra ...[]float64) (*Report, error) {
	if !(I0 < I1) {
		return nil, fmt.Errorf("analysis: the range of currents %g..%g is empty: give the lower end first", I0, I1)
	}
	r := &Report{Current: I, Range: [2]float64{I0, I1}}
	r.Equilibria = s.Equilibria(I)
	r.Cycles = s.Cycles(I, extra...)
	r.Bifurcations = s.Bifurcations(I0, I1)
	all := s.Bifurcations(math.Inf(-1), math.Inf(1))
	firing := s.restLoss(r, all)
	s.findAttractors(r, all, firing, extra)
	return r, nil
}

// restLoss finds the rest state, where it is lost, the firing cycle born there and where
// that cycle ends going down, and so the class; it returns the firing cycle's branch
// (nil if rest is not lost in Range or no firing cycle was found).
func (s *System) restLoss(r *Report, all []Bifurcation) *Attractor {
	I0, I1 := r.Range[0], r.Range[1]
	// The rest state at the lowest current that has one: below it, the voltage of rest
	// may lie outside the model's range (Hodgkin-Huxley at -20 µA/cm²).
	const restSteps = 200
	for k := 0; k <= restSteps && r.Rest == nil; k++ {
		Ik := I0 + (I1-I0)*float64(k)/restSteps
		if st := stableEquilibria(s.Equilibria(Ik)); len(st) > 0 {
			r.Rest, r.RestCurrent = &st[0], Ik
		}
	}
	if r.Rest == nil {
		return nil
	}
	// Rest's own branch, followed up in voltage (the curve of equilibria is a graph
	// over V), ends at the first bifurcation above it, wherever its current lies: a
	// bifurcation of another branch in Range must not be taken for it.
	var loss *Bifurcation
	for _, b := range all {
		if b.State[0] > r.Rest.State[0] && (loss == nil || b.State[0] < loss.State[0]) {
			b := b
			loss = &b
		}
	}
	if loss == nil {
		return nil
	}
	if loss.Current < I0 || loss.Current > I1 {
		r.LossBeyond = loss
		return nil
	}
	for i := range r.Bifurcations {
		if b := &r.Bifurcations[i]; b.Kind == loss.Kind && b.Current == loss.Current {
			r.RestLoss = b
		}
	}
	if r.RestLoss == nil {
		r.RestLoss = loss
	}
	r.Stability, r.Excitability = "monostable", "integrator"
	if r.RestLoss.Kind == "hopf" {
		r.Excitability = "resonator"
	}
	return s.findCycleEnd(r)
}

// firingCycleAtLoss finds the firing cycle next to rest's loss and the current it is
// found at: just above the loss, reached the way the neuron itself reaches it, from the
// rest state pushed past the bifurcation; or, if the neuron settles on another state
// there, coexisting with rest just below it.
func (s *System) firingCycleAtLoss(r *Report) (Cycle, float64, bool) {
	W := r.Range[1] - r.Range[0]
	Ion := r.RestLoss.Current
	Ihi := math.Min(Ion+0.05*W, r.Range[1])
	start := append([]float64(nil), r.RestLoss.State...)
	start[0] += 0.01 * s.scale[0]
	// Only that start: it is how the neuron gets there. Where it ends elsewhere (on
	// Morris-Lecar homoclinic's high state), the cycle is sought below the loss.
	if o := s.settle(start, Ihi, s.Equilibria(Ihi), false, s.settleTime()); o.fate == toCycle {
		return o.cycle, Ihi, true
	}
	Ihi = Ion - 1e-3*W
	c, ok := s.firingCycle(Ihi)
	return c, Ihi, ok
}

// findCycleEnd follows the firing cycle from near rest's loss down in current, by
// continuation with step control, to where it disappears, and up to where it
// disappears on an up sweep (a fold of cycles above a depolarised state that regains
// stability, for instance). It returns the cycle's branch.
func (s *System) findCycleEnd(r *Report) *Attractor {
	I0, I1 := r.Range[0], r.Range[1]
	W := I1 - I0
	Ion := r.RestLoss.Current
	c, Ihi, ok := s.firingCycleAtLoss(r)
	if !ok {
		return nil
	}
	a := s.cycleAttractor(r, Ihi, c.Orbit[0], c, r.RestLoss)
	tol := 2e-3 * W
	end := a.From.Current
	r.CycleEnd, r.CycleEndKind = &end, a.From.Kind
	switch {
	case a.From.Kind == "below range":
		r.setBistable(I0, Ion)
		r.BistableBelow = true
	case end < Ion-tol:
		r.CycleFold = &end
		r.setBistable(end, Ion)
	}
	return &a
}

func (r *Report) setBistable(lo, hi float64) {
	r.Bistable = &[2]float64{lo, hi}
	r.Stability = "bistable"
}

// nearSaddle reports whether the cycle through x at current I passes close to a saddle:
// a cycle about to end in a homoclinic orbit.
func (s *System) nearSaddle(I float64, x []float64) bool {
	eqs := s.Equilibria(I)
	o := s.settle(x, I, eqs, false, s.settleTime())
	if o.fate != toCycle {
		return false
	}
	for _, e := range eqs {
		if e.Type != "saddle" {
			continue
		}
		for _, y := range o.cycle.Orbit {
			if s.distance(y, e.State) < 0.05 {
				return true
			}
		}
	}
	return false
}
