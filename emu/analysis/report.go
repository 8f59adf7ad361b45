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
	// Bifurcations of stable equilibria in Range, in order of voltage.
	Bifurcations []Bifurcation
	// Rest is the rest state at the bottom of Range (the stable equilibrium of lowest
	// voltage) and RestLoss the bifurcation where it stops being stable going up (nil
	// if it stays stable throughout Range). RestLoss.Current is the rheobase.
	Rest     *Equilibrium
	RestLoss *Bifurcation
	// CycleEnd is where the firing cycle born at RestLoss disappears as the current is
	// lowered (nil if no firing cycle was found), and CycleEndKind says how: "fold" (a
	// fold of limit cycles: a stable and an unstable cycle merge), "homoclinic" (the
	// cycle runs into the saddle), "snic" or "hopf" (it ends where it was born: no
	// hysteresis), or "below range" (it outlives the bottom of Range).
	CycleEnd     *float64
	CycleEndKind string
	// CycleFold is CycleEnd when firing outlives rest's loss on the way down, the
	// current where firing stops on a down sweep; nil otherwise.
	CycleFold *float64
	// Bistable is the range of currents where rest and repetitive firing coexist.
	Bistable *[2]float64
	// Stability is "monostable" or "bistable"; Excitability "integrator" (rest is lost
	// in a saddle-node) or "resonator" (in an Andronov-Hopf bifurcation); "" if rest is
	// not lost in Range.
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
	r.Stability = "monostable"
	if rest := stableEquilibria(s.Equilibria(I0)); len(rest) > 0 {
		r.Rest = &rest[0]
		for i := range r.Bifurcations {
			if b := &r.Bifurcations[i]; b.State[0] > r.Rest.State[0] {
				r.RestLoss = b
				break
			}
		}
	}
	if r.RestLoss == nil {
		return r, nil
	}
	r.Excitability = "integrator"
	if r.RestLoss.Kind == "hopf" {
		r.Excitability = "resonator"
	}
	s.findCycleEnd(r)
	return r, nil
}

// findCycleEnd follows the firing cycle from near rest's loss down in current, by
// continuation with step control, to where it disappears.
func (s *System) findCycleEnd(r *Report) {
	I0, I1 := r.Range[0], r.Range[1]
	W := I1 - I0
	Ion := r.RestLoss.Current
	// The firing cycle just above rest's loss, reached the way the neuron itself
	// reaches it: from the rest state pushed past the bifurcation. If there is none
	// (the neuron settles on another state there), the firing cycle, if any, coexists
	// with rest just below it.
	Ihi := math.Min(Ion+0.05*W, I1)
	start := append([]float64(nil), r.RestLoss.State...)
	start[0] += 0.01 * s.scale[0]
	c, ok := s.firingCycle(Ihi, start)
	if !ok {
		Ihi = Ion - 1e-3*W
		if c, ok = s.firingCycle(Ihi); !ok {
			return
		}
	}
	x := c.Orbit[0]
	// Step down while the cycle persists, halving the step when it does not: each step
	// starts on the cycle of the step before, which stays in the new cycle's basin
	// only if the step is small (near a homoclinic orbit, the basin's edge runs close
	// to the cycle).
	hi, step := Ihi, 0.02*W
	for step > 1e-5*W {
		I := hi - step
		if I < I0 {
			if _, ok := s.stillCycling(I0, x); ok {
				end := I0
				r.CycleEnd, r.CycleEndKind, r.CycleFold = &end, "below range", &end
				r.setBistable(I0, Ion)
				return
			}
			step /= 2
			continue
		}
		if y, ok := s.stillCycling(I, x); ok {
			hi, x = I, y
		} else {
			step /= 2
		}
	}
	end := hi - step
	r.CycleEnd = &end
	tol := 2e-3 * W
	switch {
	case math.Abs(end-Ion) <= tol && r.RestLoss.Kind == "snic":
		r.CycleEndKind = "snic"
	case math.Abs(end-Ion) <= tol && r.RestLoss.Kind == "hopf" && r.RestLoss.Criticality == "supercritical":
		r.CycleEndKind = "hopf"
	case s.nearSaddle(hi, x):
		r.CycleEndKind = "homoclinic"
	default:
		r.CycleEndKind = "fold"
	}
	if end < Ion-tol {
		r.CycleFold = &end
		r.setBistable(end, Ion)
	}
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
