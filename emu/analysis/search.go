package analysis

import (
	"math"
	"runtime"
	"sync"
)

// settleTime is how long (ms of model time) a trajectory is followed before it is
// called undecided: long enough for hundreds of periods of the slowest cycles here.
func (s *System) settleTime() float64 { return 250000 * s.Model.MaxStep }

// starts returns starting states for the cycle search at current I: each equilibrium
// nudged in V both ways, the extra states given, and a grid over the voltage range (for
// models with more than two variables, the lowest equilibrium with V set to each grid
// voltage, like a kick from rest).
func (s *System) starts(eqs []Equilibrium, extra [][]float64) [][]float64 {
	var out [][]float64
	for _, e := range eqs {
		for _, sgn := range []float64{1, -1} {
			x := append([]float64(nil), e.State...)
			x[0] += sgn * 1e-3 * s.scale[0]
			out = append(out, x)
		}
	}
	for _, x := range extra {
		out = append(out, append([]float64(nil), x...))
	}
	vr := s.Model.VoltageRange
	volts := []float64{}
	for k := 1; k <= 5; k++ {
		volts = append(volts, vr[0]+(vr[1]-vr[0])*float64(k)/6)
	}
	if s.Dim() == 2 {
		// The recovery variable over the range its steady state takes.
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, V := range s.voltageGrid(50) {
			w := s.Clamp(nil, V)[1]
			lo, hi = math.Min(lo, w), math.Max(hi, w)
		}
		for _, V := range volts {
			for k := 0; k <= 4; k++ {
				out = append(out, []float64{V, lo + (hi-lo)*float64(k)/4})
			}
		}
		return out
	}
	if len(eqs) > 0 {
		for _, V := range volts {
			x := append([]float64(nil), eqs[0].State...)
			x[0] = V
			out = append(out, x)
		}
	}
	return out
}

// Cycles returns the limit cycles at current I that the search finds, stable ones
// first, each kind in order of period: stable cycles by integrating forward from many
// starting states (extra ones too, such as a patch's initial state); for two-variable
// models, unstable cycles by integrating backward, where they attract. Unstable cycles of
// larger models are saddles in either direction of time and are not searched.
func (s *System) Cycles(I float64, extra ...[]float64) []Cycle {
	eqs := s.Equilibria(I)
	out, _ := s.stableCycles(I, eqs, extra, true, nil)
	add := func(c Cycle) {
		if c.VMax-c.VMin < 1e-6*s.scale[0] {
			return
		}
		for _, o := range out {
			if o.Stable == c.Stable && s.sameCycle(o, c) {
				return
			}
		}
		out = append(out, c)
	}
	tmax := s.settleTime()
	if s.Dim() == 2 {
		var back [][]float64
		for _, e := range eqs {
			if !e.Stable() {
				continue
			}
			for _, d := range [][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				back = append(back, []float64{e.State[0] + d[0]*1e-3*s.scale[0], e.State[1] + d[1]*1e-3*s.scale[1]})
			}
		}
		back = append(back, s.starts(nil, nil)...)
		for _, x := range back {
			if o := s.settle(x, I, eqs, true, tmax); o.fate == toCycle {
				add(o.cycle)
			}
		}
	}
	sortCycles(out)
	return out
}

// stableCycles returns the distinct stable cycles that trajectories from the starting
// states at current I (eqs are the equilibria there) settle on, in the order of the
// starts, and a state on each, leaving out those it finds to be one of the known cycles
// at I. Without grid, the starts are only the equilibria nudged and extra.
func (s *System) stableCycles(I float64, eqs []Equilibrium, extra [][]float64, grid bool, known []Cycle) ([]Cycle, [][]float64) {
	starts := s.starts(eqs, extra)
	if !grid {
		starts = starts[:2*len(eqs)+len(extra)]
	}
	tmax := s.settleTime()
	outcomes := make([]outcome, len(starts))
	s.parallel(len(starts), func(i int) { outcomes[i] = s.settleKnown(starts[i], I, eqs, false, tmax, known) })
	var out []Cycle
	var on [][]float64
	for _, o := range outcomes {
		if o.fate != toCycle || o.cycle.VMax-o.cycle.VMin < 1e-6*s.scale[0] {
			continue
		}
		dup := false
		for _, c := range append(known, out...) {
			dup = dup || s.sameCycle(c, o.cycle)
		}
		if !dup {
			out, on = append(out, o.cycle), append(on, o.x)
		}
	}
	return out, on
}

// parallel calls f(0) to f(n-1) on s.Workers goroutines (default: one per CPU); with
// one worker, on the calling goroutine.
func (s *System) parallel(n int, f func(i int)) {
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if workers == 1 {
		for i := range n {
			f(i)
		}
		return
	}
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < min(n, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// sameCycle reports whether a and b are one cycle: two searches converge on one cycle
// only to the tolerance of periodic(); distinct cycles of one stability differ by far
// more than 1%.
func (s *System) sameCycle(a, b Cycle) bool {
	return math.Abs(a.Period-b.Period) < 1e-2*b.Period &&
		math.Abs(a.VMax-b.VMax) < 1e-2*s.scale[0] && math.Abs(a.VMin-b.VMin) < 1e-2*s.scale[0]
}

func sortCycles(cs []Cycle) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0; j-- {
			a, b := cs[j-1], cs[j]
			if (a.Stable == b.Stable && a.Period > b.Period) || (!a.Stable && b.Stable) {
				cs[j-1], cs[j] = b, a
			}
		}
	}
}

// firingCycle returns a stable cycle at current I whose voltage range is the widest
// (the firing cycle), searched from the given extra starting states and the usual ones.
func (s *System) firingCycle(I float64, extra ...[]float64) (Cycle, bool) {
	eqs := s.Equilibria(I)
	var best Cycle
	found := false
	tmax := s.settleTime()
	for _, x := range append(extra, s.starts(eqs, nil)...) {
		o := s.settle(x, I, eqs, false, tmax)
		if o.fate == toCycle && (!found || o.cycle.VMax-o.cycle.VMin > best.VMax-best.VMin) {
			best, found = o.cycle, true
		}
		if found && len(extra) > 0 {
			break // continuation: the first start is on the branch being followed
		}
	}
	return best, found
}

// stillCycling reports whether, at current I, the trajectory from x (a state on the
// cycle at a nearby current) stays on a cycle, and returns a state on it and the cycle
// (nil if not yet converged). A trajectory still oscillating at the time limit,
// lingering near a cycle about to be born or just gone, counts as cycling.
func (s *System) stillCycling(I float64, x []float64) ([]float64, *Cycle, bool) {
	eqs := s.Equilibria(I)
	o := s.settle(x, I, eqs, false, s.settleTime())
	switch o.fate {
	case toCycle:
		return o.x, &o.cycle, true
	case undecided:
		return o.x, nil, o.peaks >= 2
	}
	return nil, nil, false
}
