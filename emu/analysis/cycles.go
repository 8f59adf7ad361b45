package analysis

import (
	"math"

	"github.com/separatrix-audio/separatrix/emu"
)

// Cycle is a periodic orbit (a limit cycle) of the system at some current.
type Cycle struct {
	Stable     bool
	Period     float64     // ms of model time
	VMin, VMax float64     // the voltage range over one period
	Orbit      [][]float64 // states over one period, at most orbitPoints of them
}

const orbitPoints = 1000

// fate is where a trajectory ends.
type fate int

const (
	undecided     fate = iota // still moving at the time limit, not yet periodic
	toEquilibrium             // converged on an equilibrium
	toCycle                   // converged on a periodic orbit
	escaped                   // left the box of plausible states (backward integration)
	toKnown                   // reached the peak of a cycle given as known (settleKnown)
)

// outcome is the end of one trajectory.
type outcome struct {
	fate  fate
	eq    int       // the equilibrium's index in the list given, for toEquilibrium
	x     []float64 // the final state
	cycle Cycle     // for toCycle (Stable as integrated: forward true, backward false)
	peaks int       // how many voltage peaks the trajectory made
}

// flow integrates the system at a fixed current, forward or backward in time, with the
// model's RK4 step. It is the analysis's only integrator, so every number it reports
// comes from the same discretisation as the reference of the engine's kernels.
type flow struct {
	s         *System
	I         float64
	sign      float64 // +1 forward, -1 backward
	h         float64
	f         func(dx, x []float64)
	scratch   []float64
	fx, fy    []float64
	tmp, tmp2 []float64
}

func (s *System) newFlow(I float64, backward bool) *flow {
	d := s.Dim()
	fl := &flow{s: s, I: I, sign: 1, h: s.Model.MaxStep}
	if backward {
		fl.sign = -1
	}
	fl.f = func(dx, x []float64) {
		s.Deriv(dx, x, fl.I)
		if fl.sign < 0 {
			for i := range dx {
				dx[i] = -dx[i]
			}
		}
	}
	fl.scratch = make([]float64, 5*d)
	fl.fx, fl.fy = make([]float64, d), make([]float64, d)
	fl.tmp, fl.tmp2 = make([]float64, d), make([]float64, d)
	return fl
}

func (fl *flow) step(x []float64, h float64) { emu.StepRK4(x, h, fl.f, fl.scratch) }

// norm is the scaled size of a vector of derivatives.
func (fl *flow) norm(dx []float64) float64 {
	var sum float64
	for j, v := range dx {
		v /= fl.s.scale[j]
		sum += v * v
	}
	return math.Sqrt(sum)
}

// captureRadii gives each equilibrium that attracts in the direction of time given a
// radius (scaled) within which a trajectory is surely caught: a tenth of its distance
// to the nearest other equilibrium, at most 1e-3. Near a saddle-node the node crawls
// in slowly along a weak direction; waiting for the field to fall still there would
// cost seconds of model time for nothing.
func (s *System) captureRadii(eqs []Equilibrium, backward bool) []float64 {
	r := make([]float64, len(eqs))
	for i, e := range eqs {
		attracting := e.Stable()
		if backward {
			attracting = e.Stability == "unstable" && e.Type != "saddle"
			for _, l := range e.Eigenvalues {
				attracting = attracting && real(l) > 0
			}
		}
		if !attracting {
			continue
		}
		r[i] = 1e-3
		for k, o := range eqs {
			if k != i {
				r[i] = math.Min(r[i], 0.1*s.distance(e.State, o.State))
			}
		}
	}
	return r
}

func (fl *flow) inBox(x []float64) bool {
	for j, v := range x {
		if !(v >= fl.s.lo[j] && v <= fl.s.hi[j]) {
			return false
		}
	}
	return true
}

// maxTime finds, by Newton's method on dV/dt = 0, the time tau in [0, h] after state x
// (where V is rising) at which V peaks, and writes the state there into dst. Locating
// peaks to the integrator's accuracy rather than the step's lets successive peaks of a
// converged cycle agree to 1e-9, so convergence can be judged tightly.
func (fl *flow) maxTime(dst, x []float64, h float64) float64 {
	dv := func(tau float64) float64 {
		copy(fl.tmp, x)
		if tau > 0 {
			fl.step(fl.tmp, tau)
		}
		fl.f(fl.fy, fl.tmp)
		return fl.fy[0]
	}
	// Bracketed secant (regula falsi, Illinois): dV/dt > 0 at 0 and <= 0 at h.
	a, b := 0.0, h
	fa, fb := dv(a), dv(b)
	side := 0
	for k := 0; k < 40 && b-a > 1e-12*h; k++ {
		c := b - fb*(b-a)/(fb-fa)
		if !(c > a && c < b) {
			c = (a + b) / 2
		}
		fc := dv(c)
		if fc > 0 {
			a, fa = c, fc
			if side == -1 {
				fb /= 2
			}
			side = -1
		} else {
			b, fb = c, fc
			if side == 1 {
				fa /= 2
			}
			side = 1
		}
	}
	tau := (a + b) / 2
	copy(dst, x)
	fl.step(dst, tau)
	return tau
}

// settle integrates from x0 for at most tmax ms of model time and says where the
// trajectory ends: on one of the equilibria eqs, on a periodic orbit, outside the box,
// or still undecided. Convergence on a cycle is judged on successive peaks of V (see
// periodic).
func (s *System) settle(x0 []float64, I float64, eqs []Equilibrium, backward bool, tmax float64) outcome {
	return s.settleKnown(x0, I, eqs, backward, tmax, nil)
}

// settleKnown is settle that stops, with the fate toKnown, at a peak within periodicTol
// of the peak of one of the known cycles at I (their Orbit[0], where settle found
// them): a search for new cycles need not wait for a trajectory to converge on a cycle
// it already has.
func (s *System) settleKnown(x0 []float64, I float64, eqs []Equilibrium, backward bool, tmax float64, known []Cycle) outcome {
	fl := s.newFlow(I, backward)
	d := s.Dim()
	x := append([]float64(nil), x0...)
	prev := make([]float64, d)
	var peaks []peak
	h := fl.h
	fl.f(fl.fx, x)
	rising := fl.fx[0] > 0
	capture := s.captureRadii(eqs, backward)
	vmin := math.Inf(1)
	for t := 0.0; t < tmax; t += h {
		copy(prev, x)
		fl.step(x, h)
		if !fl.inBox(x) || math.IsNaN(x[0]) {
			return outcome{fate: escaped, x: x}
		}
		vmin = math.Min(vmin, x[0])
		fl.f(fl.fx, x)
		nowRising := fl.fx[0] > 0
		if rising && !nowRising {
			px := make([]float64, d)
			tau := fl.maxTime(px, prev, h)
			peaks = append(peaks, peak{t + tau, px, vmin})
			vmin = math.Inf(1)
			if i, dist := s.nearest(eqs, px); i >= 0 && dist < 1e-5 {
				// Peaks of a spiral that has all but reached a focus.
				return outcome{fate: toEquilibrium, eq: i, x: px, peaks: len(peaks)}
			}
			for _, k := range known {
				if s.distance(px, k.Orbit[0]) < periodicTol {
					return outcome{fate: toKnown, x: px, peaks: len(peaks)}
				}
			}
			if c, ok := s.periodic(peaks[max(0, len(peaks)-8):]); ok {
				c.Stable = !backward
				s.traceOrbit(fl, &c, px)
				return outcome{fate: toCycle, x: px, cycle: c, peaks: len(peaks)}
			}
		}
		rising = nowRising
		// Equilibrium: inside the capture radius of an attracting one, or where the
		// field is (nearly) still and an equilibrium is right here.
		if i, dist := s.nearest(eqs, x); i >= 0 && (dist < capture[i] || (dist < 1e-4 && fl.norm(fl.fx) < 1e-7)) {
			return outcome{fate: toEquilibrium, eq: i, x: x}
		}
	}
	return outcome{fate: undecided, x: x, peaks: len(peaks)}
}

// peak is a maximum of V on a trajectory.
type peak struct {
	t    float64
	x    []float64
	vmin float64 // the lowest voltage since the previous peak
}

// A cycle is declared when successive peaks repeat to periodicTol (scaled distance;
// periods to 1e-4) and to periodicRel of the cycle's size. The absolute bound
// matters on large cycles: a fixed-step integrator samples each period at a different
// phase, so the numerical orbit repeats only to its global error, which reaches 1e-4 on
// the spikes of I_Na,p+I_K and Hodgkin-Huxley at the engine's step.
// The relative bound matters on small ones: a spiral into a focus shrinks by the same
// fraction every turn, however small it has become, while a cycle's peaks stop moving.
const (
	periodicTol = 1e-3
	periodicRel = 1e-4
)

// periodic reports whether the last peaks repeat with a lag of 1 to 3 peaks (cycles
// with several peaks per period), twice in a row, and returns the cycle's period if so.
func (s *System) periodic(ps []peak) (Cycle, bool) {
	n := len(ps)
	for lag := 1; lag <= 3; lag++ {
		if n < 3*lag+1 {
			return Cycle{}, false
		}
		ok := true
		var period float64
		for k := n - 1; k >= n-2*lag && ok; k-- {
			p := ps[k].t - ps[k-lag].t
			if period == 0 {
				period = p
			}
			size := (ps[k].x[0] - ps[k].vmin) / s.scale[0]
			tol := math.Min(periodicTol, periodicRel*size)
			if math.Abs(p-period) > 1e-4*period || s.distance(ps[k].x, ps[k-lag].x) > tol {
				ok = false
			}
		}
		if ok && period > 0 {
			return Cycle{Period: period}, true
		}
	}
	return Cycle{}, false
}

// traceOrbit integrates one period of c from x (on the cycle) recording the orbit and
// its voltage range, in forward time (an unstable cycle traced backward is the same
// set of points).
func (s *System) traceOrbit(fl *flow, c *Cycle, x []float64) {
	y := append([]float64(nil), x...)
	h := fl.h
	n := int(math.Ceil(c.Period / h))
	every := max(1, n/orbitPoints)
	c.VMin, c.VMax = y[0], y[0]
	c.Orbit = append(c.Orbit[:0], append([]float64(nil), y...))
	for i := 1; i <= n; i++ {
		hh := h
		if i == n {
			hh = c.Period - float64(n-1)*h
		}
		fl.step(y, hh)
		c.VMin, c.VMax = math.Min(c.VMin, y[0]), math.Max(c.VMax, y[0])
		if i%every == 0 || i == n {
			c.Orbit = append(c.Orbit, append([]float64(nil), y...))
		}
	}
}
