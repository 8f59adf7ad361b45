package analysis

import "sort"

// CycleBranch is a branch of limit cycles over a range of currents: for each current,
// the lowest and highest voltage on the cycle and its period.
type CycleBranch struct {
	Stable           bool
	I, VMin, VMax, T []float64
}

// Sweep is a quasi-static sweep of the current: at each current the neuron starts where
// the last one left it and settles; Hz is the frequency of the oscillation it settles on
// (spikes or a subthreshold oscillation alike; 0 at rest). An integrator starts at 0 Hz,
// a resonator at the finite frequency of its Hopf point.
type Sweep struct {
	I, Hz []float64
}

// Diagram is a one-parameter bifurcation diagram over a range of currents.
type Diagram struct {
	Range      [2]float64
	Equilibria []Branch
	Cycles     []CycleBranch
	// Up and Down sweep the current slowly from the bottom of Range to the top and
	// back: where they differ is the hysteresis the audience hears.
	Up, Down Sweep
	Report   *Report
}

// DiagramOptions sets the resolution; zero values pick the defaults.
type DiagramOptions struct {
	Steps int // currents per sweep; default 120
}

// Diagram computes the bifurcation diagram over the range of r (from Analyze).
func (s *System) Diagram(r *Report, opt DiagramOptions) *Diagram {
	if opt.Steps <= 0 {
		opt.Steps = 120
	}
	I0, I1 := r.Range[0], r.Range[1]
	d := &Diagram{Range: r.Range, Report: r}
	d.Equilibria = s.EquilibriumCurve(I0, I1, 1500)
	currents := make([]float64, opt.Steps+1)
	for i := range currents {
		currents[i] = I0 + (I1-I0)*float64(i)/float64(opt.Steps)
	}
	for _, b := range r.BistableRanges {
		// A narrow bistable range (FitzHugh-Nagumo's are under 0.5% of its sweep) may
		// fall between grid points: sample it on its own.
		lo, hi := b.From.Current, b.To.Current
		for k := 1; k < 12; k++ {
			currents = append(currents, lo+(hi-lo)*float64(k)/12)
		}
	}
	sort.Float64s(currents)
	d.Up, d.Down = s.sweeps(currents, r)
	d.Cycles = append(d.Cycles, s.stableCycleBranch(r, currents)...)
	if s.Dim() == 2 {
		d.Cycles = append(d.Cycles, s.unstableCycleBranches(currents)...)
	}
	return d
}

// sweeps runs the quasi-static up and down sweeps.
func (s *System) sweeps(currents []float64, r *Report) (up, down Sweep) {
	var x []float64
	if r.Rest != nil {
		x = append([]float64(nil), r.Rest.State...)
	} else {
		x = s.Clamp(nil, s.Model.VoltageRange[0])
	}
	rate := func(I float64) float64 {
		o := s.settle(x, I, s.Equilibria(I), false, s.settleTime())
		x = o.x
		if o.fate == toCycle {
			return 1000 / o.cycle.Period
		}
		if o.fate == undecided && o.peaks >= 2 {
			// Still oscillating at the time limit, next to a cycle being born or
			// lost: count the peaks of the last stretch.
			return s.rateFrom(x, I)
		}
		return 0
	}
	for _, I := range currents {
		up.I, up.Hz = append(up.I, I), append(up.Hz, rate(I))
	}
	for i := len(currents) - 1; i >= 0; i-- {
		I := currents[i]
		down.I, down.Hz = append(down.I, I), append(down.Hz, rate(I))
	}
	return up, down
}

// rateFrom counts the voltage peaks over 2 s of model time from x at current I.
func (s *System) rateFrom(x0 []float64, I float64) float64 {
	fl := s.newFlow(I, false)
	x := append([]float64(nil), x0...)
	const T = 2000.0
	peaks, prev, rising := 0, x[0], false
	for t := 0.0; t < T; t += fl.h {
		fl.step(x, fl.h)
		if x[0] < prev && rising {
			peaks++
		}
		rising, prev = x[0] > prev, x[0]
	}
	return float64(peaks) / T * 1000
}

// stableCycleBranch follows each branch of stable cycles Analyze found over the
// currents, up and down from where it was found, to where it ends.
func (s *System) stableCycleBranch(r *Report, currents []float64) []CycleBranch {
	var out []CycleBranch
	for i := range r.Attractors {
		if a := &r.Attractors[i]; a.Cycle {
			if b := s.followOver(a.seedI, a.seed, currents); len(b.I) > 0 {
				out = append(out, b)
			}
		}
	}
	return out
}

// followOver follows the stable cycle through x0 at current I0 over the currents, up
// from I0 and down from it, each step starting where the last ended, until the
// trajectory no longer settles on a cycle.
func (s *System) followOver(I0 float64, x0 []float64, currents []float64) CycleBranch {
	follow := func(dir int) CycleBranch {
		b := CycleBranch{Stable: true}
		x := x0
		idx := make([]int, 0, len(currents))
		for i, I := range currents {
			if (dir > 0 && I >= I0) || (dir < 0 && I < I0) {
				idx = append(idx, i)
			}
		}
		if dir < 0 {
			for a, z := 0, len(idx)-1; a < z; a, z = a+1, z-1 {
				idx[a], idx[z] = idx[z], idx[a]
			}
		}
		for _, i := range idx {
			I := currents[i]
			eqs := s.Equilibria(I)
			o := s.settle(x, I, eqs, false, s.settleTime())
			if o.fate != toCycle {
				break
			}
			x = o.x
			b.I = append(b.I, I)
			b.VMin, b.VMax, b.T = append(b.VMin, o.cycle.VMin), append(b.VMax, o.cycle.VMax), append(b.T, o.cycle.Period)
		}
		return b
	}
	up, down := follow(1), follow(-1)
	// One branch from the lowest current to the highest.
	b := CycleBranch{Stable: true}
	for i := len(down.I) - 1; i >= 0; i-- {
		b.I, b.VMin, b.VMax, b.T = append(b.I, down.I[i]), append(b.VMin, down.VMin[i]), append(b.VMax, down.VMax[i]), append(b.T, down.T[i])
	}
	b.I, b.VMin, b.VMax, b.T = append(b.I, up.I...), append(b.VMin, up.VMin...), append(b.VMax, up.VMax...), append(b.T, up.T...)
	return b
}

// unstableCycleBranches finds, at each current, the unstable cycle around a stable
// equilibrium by integrating backward from next to it (two-variable models), and returns
// the runs of consecutive currents that have one (one around each equilibrium that
// loses stability in a subcritical Hopf point, say).
func (s *System) unstableCycleBranches(currents []float64) []CycleBranch {
	var out []CycleBranch
	b := CycleBranch{Stable: false}
	for _, I := range currents {
		eqs := s.Equilibria(I)
		var best *Cycle
		for _, e := range stableEquilibria(eqs) {
			for _, dv := range []float64{1e-3, -1e-3} {
				x := append([]float64(nil), e.State...)
				x[0] += dv * s.scale[0]
				if o := s.settle(x, I, eqs, true, s.settleTime()); o.fate == toCycle && (best == nil || o.cycle.VMax-o.cycle.VMin > best.VMax-best.VMin) {
					c := o.cycle
					best = &c
				}
			}
		}
		if best == nil || best.VMax-best.VMin <= 1e-6*s.scale[0] {
			if len(b.I) > 0 {
				out, b = append(out, b), CycleBranch{Stable: false}
			}
			continue
		}
		b.I, b.VMin, b.VMax, b.T = append(b.I, I), append(b.VMin, best.VMin), append(b.VMax, best.VMax), append(b.T, best.Period)
	}
	if len(b.I) > 0 {
		out = append(out, b)
	}
	return out
}
