package analysis

import (
	"math"
	"sort"
)

// curvePoints is how finely the equilibrium curve is sampled over the voltage range
// before roots, folds and Hopf points are refined by bisection.
const curvePoints = 4000

// voltageGrid returns n+1 evenly spaced voltages over the model's voltage range.
func (s *System) voltageGrid(n int) []float64 {
	vr := s.Model.VoltageRange
	v := make([]float64, n+1)
	for i := range v {
		v[i] = vr[0] + (vr[1]-vr[0])*float64(i)/float64(n)
	}
	return v
}

// Equilibria returns every equilibrium at current I with voltage in the model's voltage
// range, in order of voltage. They are the roots of I_ss(V) = I, bracketed on a fine grid
// and refined by bisection, so none is missed the way a single Newton start would miss
// one (a root pair closer together than the grid step, at a fold, can be).
func (s *System) Equilibria(I float64) []Equilibrium {
	var out []Equilibrium
	g := s.voltageGrid(curvePoints)
	f := func(V float64) float64 { return s.SteadyCurrent(V) - I }
	prev := f(g[0])
	for i := 1; i < len(g); i++ {
		cur := f(g[i])
		var V float64
		switch {
		case prev == 0:
			V = g[i-1]
		case prev*cur < 0:
			V = bisect(f, g[i-1], g[i], prev)
		default:
			prev = cur
			continue
		}
		prev = cur
		out = append(out, newEquilibrium(s, s.Clamp(nil, V), I))
	}
	return out
}

// bisect finds a root of f in [a, b] where f(a) = fa and f(b) have opposite signs.
func bisect(f func(float64) float64, a, b, fa float64) float64 {
	for k := 0; k < 100 && b-a > 1e-13*(1+math.Abs(a)); k++ {
		m := (a + b) / 2
		fm := f(m)
		if fm == 0 {
			return m
		}
		if (fm < 0) == (fa < 0) {
			a, fa = m, fm
		} else {
			b = m
		}
	}
	return (a + b) / 2
}

// Branch is a run of the equilibrium curve with one stability: the equilibria's
// currents and voltages, in order of voltage.
type Branch struct {
	Stable bool
	Type   string // of the run's first point: "node", "focus", "saddle"
	I, V   []float64
}

// EquilibriumCurve returns the curve of equilibria {(I_ss(V), V)} over the model's
// voltage range, cut into runs of equal stability, keeping points whose current lies in
// [I0, I1] (a run leaving the window is cut there).
func (s *System) EquilibriumCurve(I0, I1 float64, points int) []Branch {
	var out []Branch
	var cur *Branch
	for _, V := range s.voltageGrid(points) {
		I := s.SteadyCurrent(V)
		if !(I >= I0 && I <= I1) {
			cur = nil
			continue
		}
		e := newEquilibrium(s, s.Clamp(nil, V), I)
		if cur == nil || cur.Stable != e.Stable() {
			if cur != nil {
				// Join the runs so the drawn curve has no gap.
				cur.I, cur.V = append(cur.I, I), append(cur.V, V)
			}
			out = append(out, Branch{Stable: e.Stable(), Type: e.Type})
			cur = &out[len(out)-1]
		}
		cur.I, cur.V = append(cur.I, I), append(cur.V, V)
	}
	return out
}

// nearest returns the index of the equilibrium nearest x (scaled distance), and the distance.
func (s *System) nearest(eqs []Equilibrium, x []float64) (int, float64) {
	best, bd := -1, math.Inf(1)
	for i := range eqs {
		if d := s.distance(eqs[i].State, x); d < bd {
			best, bd = i, d
		}
	}
	return best, bd
}

// distance is the Euclidean distance between two states, each variable divided by its scale.
func (s *System) distance(a, b []float64) float64 {
	var sum float64
	for j := range a {
		d := (a[j] - b[j]) / s.scale[j]
		sum += d * d
	}
	return math.Sqrt(sum)
}

// stableEquilibria returns the stable ones among eqs, sorted by voltage.
func stableEquilibria(eqs []Equilibrium) []Equilibrium {
	var out []Equilibrium
	for _, e := range eqs {
		if e.Stable() {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].State[0] < out[b].State[0] })
	return out
}
