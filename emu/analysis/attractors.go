package analysis

import (
	"math"
	"sort"
)

// Attractor is a branch of stable states over an interval of currents in a Report's
// Range: a run of stable equilibria, or a branch of stable limit cycles.
type Attractor struct {
	// Name is "rest" (the stable equilibria of lowest voltage), "high" (a stable
	// equilibrium above rest: the depolarised state of depolarisation block), "firing"
	// (a stable cycle of spikes) or "oscillation" (a stable cycle too small to be a
	// spike).
	Name  string
	Cycle bool
	// From and To are where it appears and disappears as the current rises.
	From, To Bound

	seedI   float64   // cycles: a current the branch was found at
	seed    []float64 // and a state on the cycle there
	samples []sample  // cycles: where the continuation found it, in no particular order
	size    float64   // cycles: the largest VMax - VMin seen
}

// Bound is one end of an Attractor or of a BistableRange.
type Bound struct {
	Current float64
	// Kind is how the attractor Of ends there. For equilibria, the bifurcation:
	// "saddle-node", "snic" or "hopf". For cycles: "fold" (a fold of limit cycles, where
	// the stable cycle meets an unstable one), "homoclinic" (it runs into a saddle),
	// "snic" or "hopf" (it shrinks into the equilibrium it was born from). For either:
	// "below range" or "above range" when it goes on past the range searched, and
	// "voltage range" when an equilibrium leaves the model's range of voltages.
	Kind        string
	Criticality string // for "hopf": "subcritical" or "supercritical"
	Of          string // the Name of the attractor that ends here
	// Cycle is, at an end of a cycle branch, the last cycle found before it; nil for
	// equilibria and at the edges of the range.
	Cycle *Cycle
}

// BistableRange is an interval of currents where a stable equilibrium and a stable limit
// cycle coexist: a kick of the right size switches the neuron between them.
type BistableRange struct {
	From, To Bound
	// States are the Names of the equilibrium and of the cycle that coexist.
	States [2]string
	// Also lists other attractors that coexist with both over part of the range (rest,
	// firing and the high state of Morris-Lecar's homoclinic preset).
	Also []Span
}

// Span is an attractor's stretch of a BistableRange.
type Span struct {
	Name     string
	From, To float64
}

// sample is a state on a cycle branch at one current.
type sample struct {
	I float64
	x []float64
}

// equilibriumAttractors returns the runs of stable equilibria that reach into
// [I0, I1], in order of voltage. The curve of equilibria is a graph over V whose
// stability changes only at its folds and Hopf points (a real eigenvalue crosses zero
// only where dI_ss/dV does), all of them in bifs; stable runs rise in current with V.
func (s *System) equilibriumAttractors(I0, I1 float64, bifs []Bifurcation) []Attractor {
	sorted := append([]Bifurcation(nil), bifs...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].State[0] < sorted[b].State[0] })
	vr := s.Model.VoltageRange
	edges := []float64{vr[0]}
	for _, b := range sorted {
		edges = append(edges, b.State[0])
	}
	edges = append(edges, vr[1])
	end := func(k int) Bound {
		if k == 0 || k == len(edges)-1 {
			return Bound{Current: s.SteadyCurrent(edges[k]), Kind: "voltage range"}
		}
		b := sorted[k-1]
		return Bound{Current: b.Current, Kind: b.Kind, Criticality: b.Criticality}
	}
	var out []Attractor
	seenRest := false
	for k := 0; k+1 < len(edges); k++ {
		lo, hi := edges[k], edges[k+1]
		if !(hi > lo) {
			continue
		}
		mid := (lo + hi) / 2
		if e := newEquilibrium(s, s.Clamp(nil, mid), s.SteadyCurrent(mid)); !e.Stable() {
			continue
		}
		name := "high"
		if !seenRest {
			name, seenRest = "rest", true
		}
		a := Attractor{Name: name, From: end(k), To: end(k + 1)}
		if a.From.Current > a.To.Current {
			a.From, a.To = a.To, a.From
		}
		if a.To.Current < I0 || a.From.Current > I1 {
			continue
		}
		if a.From.Current < I0 {
			a.From = Bound{Current: I0, Kind: "below range"}
		}
		if a.To.Current > I1 {
			a.To = Bound{Current: I1, Kind: "above range"}
		}
		a.From.Of, a.To.Of = name, name
		out = append(out, a)
	}
	return out
}

// follow follows the stable cycle through x at current I in the direction dir (+1: up
// in current, -1: down) by continuation with step control, to where it disappears or
// leaves the range, and returns that end and the states found on the way. born, if not
// nil, is the bifurcation the cycle was born in.
func (s *System) follow(r *Report, I float64, x []float64, dir float64, born *Bifurcation, size *float64) (Bound, []sample) {
	I0, I1 := r.Range[0], r.Range[1]
	W := I1 - I0
	edge, beyond := I0, "below range"
	if dir > 0 {
		edge, beyond = I1, "above range"
	}
	// A cycle born in a SNIC or a supercritical Hopf point ends where it was born, its
	// period growing without bound or its size shrinking to nothing; following it the
	// last stretch would take long for nothing, and a trajectory still turning slowly
	// there would be taken for the cycle. If it is still there within tol of such a
	// point and passes next to its equilibrium, it ends there.
	tol := 2e-3 * W
	var last *Cycle
	endsAt := func(at, next float64) *Bifurcation {
		for i := range r.Bifurcations {
			b := &r.Bifurcations[i]
			if b.Kind != "snic" && !(b.Kind == "hopf" && b.Criticality == "supercritical") {
				continue
			}
			if (b.Current-at)*dir < 0 || (next-b.Current)*dir < -tol {
				continue // behind, or not yet within tol
			}
			if born != nil && b.Kind == born.Kind && b.Current == born.Current {
				return b
			}
			if last != nil && s.passesBy(last, b.State) {
				return b
			}
		}
		return nil
	}
	ended := func(b *Bifurcation) Bound {
		return Bound{Current: b.Current, Kind: b.Kind, Criticality: b.Criticality, Cycle: last}
	}
	at, step := I, 0.02*W
	samples := []sample{{I, x}}
	// Step while the cycle persists, halving the step when it does not: each step starts
	// on the cycle of the step before, which stays in the new cycle's basin only if the
	// step is small (near a homoclinic orbit, the basin's edge runs close to the cycle).
	// Until the first miss, far from any end, the step grows up to a tenth of the range;
	// except down from rest's loss (born), where the step stays even: where firing
	// stops there is what the figures in docs/figures and the README show.
	missed := born != nil
	for step > 1e-4*W {
		next := at + dir*step
		if b := endsAt(at, next); b != nil {
			return ended(b), samples
		}
		if (next-edge)*dir > 0 {
			if y, _, ok := s.stillCycling(edge, x); ok {
				return Bound{Current: edge, Kind: beyond}, append(samples, sample{edge, y})
			}
			step, missed = step/2, true
			continue
		}
		if y, c, ok := s.stillCycling(next, x); ok {
			at, x = next, y
			samples = append(samples, sample{at, y})
			if c != nil {
				last, *size = c, math.Max(*size, c.VMax-c.VMin)
			}
			if !missed {
				step = math.Min(2*step, 0.1*W)
			}
		} else {
			step, missed = step/2, true
		}
	}
	if b := endsAt(at, at+dir*tol); b != nil {
		return ended(b), samples
	}
	end := Bound{Current: at + dir*step, Kind: "fold", Cycle: last}
	if s.nearSaddle(at, x) {
		end.Kind = "homoclinic"
	}
	return end, samples
}

// passesBy reports whether cycle c passes next to state x (within 0.1 scaled): a cycle
// about to end in the SNIC or the Hopf point at x.
func (s *System) passesBy(c *Cycle, x []float64) bool {
	for _, y := range c.Orbit {
		if s.distance(y, x) < 0.1 {
			return true
		}
	}
	return false
}

// cycleAttractor follows the stable cycle c through x at current I both ways, at once.
func (s *System) cycleAttractor(r *Report, I float64, x []float64, c Cycle, born *Bifurcation) Attractor {
	a := Attractor{Cycle: true, seedI: I, seed: x}
	var ends [2]Bound
	var runs [2][]sample
	size := [2]float64{c.VMax - c.VMin, c.VMax - c.VMin}
	s.parallel(2, func(i int) {
		if i == 0 {
			ends[0], runs[0] = s.follow(r, I, x, -1, born, &size[0])
		} else {
			ends[1], runs[1] = s.follow(r, I, x, 1, nil, &size[1])
		}
	})
	a.From, a.To = ends[0], ends[1]
	a.samples = append(runs[0], runs[1][1:]...)
	a.size = math.Max(size[0], size[1])
	return a
}

// cycleOn returns the cycle of branch a at current I (eqs are the equilibria there), if
// a reaches I: where a trajectory from a's state nearest in current settles.
func (s *System) cycleOn(a *Attractor, I float64, eqs []Equilibrium, tol float64) (Cycle, bool) {
	if !a.Cycle || I < a.From.Current-tol || I > a.To.Current+tol {
		return Cycle{}, false
	}
	best := a.samples[0]
	for _, smp := range a.samples[1:] {
		if math.Abs(smp.I-I) < math.Abs(best.I-I) {
			best = smp
		}
	}
	o := s.settle(best.x, I, eqs, false, s.settleTime())
	return o.cycle, o.fate == toCycle
}

// findAttractors fills in r.Attractors and r.BistableRanges: the runs of stable
// equilibria from the curve of equilibria (bifs are all its bifurcations), and every
// branch of stable cycles the search finds. The firing cycle at rest's loss (firing, if
// not nil) is one; the others are searched for at the ends of the range and next to
// every other bifurcation in it (where cycles are born, and where the neuron, pushed off
// an equilibrium, settles on one), and each cycle found that lies on no branch known yet
// is followed both ways in current.
func (s *System) findAttractors(r *Report, bifs []Bifurcation, firing *Attractor, extra [][]float64) {
	I0, I1 := r.Range[0], r.Range[1]
	W := I1 - I0
	r.Attractors = s.equilibriumAttractors(I0, I1, bifs)
	var cycles []Attractor
	if firing != nil {
		cycles = append(cycles, *firing)
	}
	// The ends of the range get the full search. Next to a bifurcation, on the side
	// where its equilibrium is unstable or gone, the cycles the equilibria lead to when
	// nudged are enough: the cycle born there, or the one the neuron jumps to.
	type seed struct {
		I    float64
		eqs  []Equilibrium
		grid bool
	}
	seeds := []seed{{I0, s.Equilibria(I0), true}, {I1, s.Equilibria(I1), true}}
	for i := range r.Bifurcations {
		b := &r.Bifurcations[i]
		if b == r.RestLoss && firing != nil {
			continue // firingCycleAtLoss searched there
		}
		for _, I := range []float64{b.Current - 0.01*W, b.Current + 0.01*W} {
			if I < I0 || I > I1 {
				continue
			}
			eqs := s.Equilibria(I)
			if i, d := s.nearest(eqs, b.State); i >= 0 && d < 0.5 && eqs[i].Stable() {
				continue
			}
			seeds = append(seeds, seed{I, eqs, false})
		}
	}
	for _, sd := range seeds {
		var known []Cycle
		for j := range cycles {
			if c, ok := s.cycleOn(&cycles[j], sd.I, sd.eqs, 2e-3*W); ok {
				known = append(known, c)
			}
		}
		cs, xs := s.stableCycles(sd.I, sd.eqs, extra, sd.grid, known)
		for i, c := range cs {
			cycles = append(cycles, s.cycleAttractor(r, sd.I, xs[i], c, nil))
		}
	}
	// Name the cycles: a spike spans a good part of the model's voltage range.
	vr := s.Model.VoltageRange
	for i := range cycles {
		a := &cycles[i]
		a.Name = "oscillation"
		if a.size >= 0.1*(vr[1]-vr[0]) {
			a.Name = "firing"
		}
		a.From.Of, a.To.Of = a.Name, a.Name
	}
	r.Attractors = append(r.Attractors, cycles...)
	sort.SliceStable(r.Attractors, func(a, b int) bool { return r.Attractors[a].From.Current < r.Attractors[b].From.Current })
	r.BistableRanges = bistableRanges(r.Attractors, 2e-3*W)
}

// bistableRanges returns, in order of current, every interval longer than minWidth in
// which a stable equilibrium and a stable cycle of as coexist.
func bistableRanges(as []Attractor, minWidth float64) []BistableRange {
	var out []BistableRange
	for i := range as {
		e := &as[i]
		if e.Cycle {
			continue
		}
		for j := range as {
			c := &as[j]
			if !c.Cycle {
				continue
			}
			br := BistableRange{From: e.From, To: e.To, States: [2]string{e.Name, c.Name}}
			if c.From.Current > br.From.Current || (c.From.Current == br.From.Current && br.From.Kind == "below range") {
				br.From = c.From
			}
			if c.To.Current < br.To.Current || (c.To.Current == br.To.Current && br.To.Kind == "above range") {
				br.To = c.To
			}
			if br.To.Current-br.From.Current <= minWidth {
				continue
			}
			for k := range as {
				o := &as[k]
				if k == i || k == j {
					continue
				}
				lo, hi := math.Max(o.From.Current, br.From.Current), math.Min(o.To.Current, br.To.Current)
				if hi-lo > minWidth {
					br.Also = append(br.Also, Span{Name: o.Name, From: lo, To: hi})
				}
			}
			out = append(out, br)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].From.Current < out[b].From.Current })
	return out
}
