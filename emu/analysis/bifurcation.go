package analysis

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Bifurcation is a bifurcation of a stable equilibrium (the rest state) as the current
// changes.
type Bifurcation struct {
	// Kind is "saddle-node" (off an invariant circle), "snic" (saddle-node on an
	// invariant circle) or "hopf" (Andronov-Hopf).
	Kind    string
	Current float64
	State   []float64 // the equilibrium at the bifurcation
	// For Hopf points: "supercritical" or "subcritical", from the sign of the first
	// Lyapunov coefficient, and the frequency of the oscillation born there (Hz of
	// model time, taking its time unit as 1 ms).
	Criticality string
	Lyapunov    float64
	FrequencyHz float64
}

// Bifurcations returns the bifurcations of stable equilibria with currents in
// [I0, I1], in order of current: the folds of the steady-state I-V
// curve where a stable node meets a saddle, and the Andronov-Hopf points where a stable
// equilibrium's complex pair of eigenvalues crosses the imaginary axis.
func (s *System) Bifurcations(I0, I1 float64) []Bifurcation {
	g := s.voltageGrid(curvePoints)
	cur := make([]float64, len(g))
	hopf := make([]float64, len(g))
	for i, V := range g {
		cur[i] = s.SteadyCurrent(V)
		hopf[i] = s.pairReal(V)
	}
	var out []Bifurcation
	for i := 1; i+1 < len(g); i++ {
		// A fold: I_ss has a local extremum at the middle point.
		if d1, d2 := cur[i]-cur[i-1], cur[i+1]-cur[i]; d1*d2 < 0 {
			slope := func(V float64) float64 {
				dv := 1e-6 * s.scale[0]
				return s.SteadyCurrent(V+dv) - s.SteadyCurrent(V-dv)
			}
			V := bisect(slope, g[i-1], g[i+1], slope(g[i-1]))
			I := s.SteadyCurrent(V)
			if I >= I0 && I <= I1 && s.foldTouchesStable(V) {
				b := Bifurcation{Kind: "saddle-node", Current: I, State: s.Clamp(nil, V)}
				if s.onInvariantCircle(V, I) {
					b.Kind = "snic"
				}
				out = append(out, b)
			}
		}
	}
	for i := 1; i < len(g); i++ {
		a, b := hopf[i-1], hopf[i]
		if math.IsNaN(a) || math.IsNaN(b) || a*b >= 0 {
			continue
		}
		V := bisect(s.pairReal, g[i-1], g[i], a)
		I := s.SteadyCurrent(V)
		x := s.Clamp(nil, V)
		if !(I >= I0 && I <= I1) || !s.othersStable(x, I) {
			continue
		}
		l1, omega, ok := s.lyapunovCoefficient(x, I)
		if !ok || !(omega > 0) {
			continue
		}
		bf := Bifurcation{Kind: "hopf", Current: I, State: x, Lyapunov: l1, FrequencyHz: omega / (2 * math.Pi) * 1000}
		bf.Criticality = "supercritical"
		if l1 > 0 {
			bf.Criticality = "subcritical"
		}
		out = append(out, bf)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Current < out[b].Current })
	return out
}

// pairReal is the real part of the complex eigenvalue pair with the largest real part
// at the clamped state at V (which is an equilibrium at I_ss(V)), or NaN if every
// eigenvalue there is real.
func (s *System) pairReal(V float64) float64 {
	ev := s.Eigenvalues(s.Clamp(nil, V), s.SteadyCurrent(V))
	for _, l := range ev {
		if math.Abs(imag(l)) > 1e-9 {
			return real(l)
		}
	}
	return math.NaN()
}

// othersStable reports whether, at a Hopf point, every eigenvalue other than the
// critical pair has a negative real part: the equilibrium is stable on one side.
func (s *System) othersStable(x []float64, I float64) bool {
	ev := s.Eigenvalues(x, I)
	// The critical pair has the smallest |Re| among complex eigenvalues.
	k := -1
	for i, l := range ev {
		if imag(l) > 0 && (k < 0 || math.Abs(real(l)) < math.Abs(real(ev[k]))) {
			k = i
		}
	}
	for i, l := range ev {
		if i == k || (k >= 0 && l == complexConj(ev[k])) {
			continue
		}
		if real(l) >= 0 {
			return false
		}
	}
	return k >= 0
}

func complexConj(z complex128) complex128 { return complex(real(z), -imag(z)) }

// foldTouchesStable reports whether a stable equilibrium takes part in the fold at V:
// one of the two equilibria meeting there is stable.
func (s *System) foldTouchesStable(V float64) bool {
	dv := 1e-3 * s.scale[0]
	for _, v := range []float64{V - dv, V + dv} {
		e := newEquilibrium(s, s.Clamp(nil, v), s.SteadyCurrent(v))
		if e.Stable() {
			return true
		}
	}
	return false
}

// onInvariantCircle reports whether the saddle-node at (Vf, If) lies on an invariant
// circle. Just on the side of the fold where the node and the saddle exist, both
// branches of the saddle's unstable manifold must end at the node: one directly, the
// other around a large excursion (a spike). If one ends on a limit cycle or another
// equilibrium, the saddle-node is off the circle and the neuron is bistable there.
func (s *System) onInvariantCircle(Vf, If float64) bool {
	dv := 0.01 * s.scale[0]
	lo, hi := s.Clamp(nil, Vf-dv), s.Clamp(nil, Vf+dv)
	// The pair exists at the current of either point (equal to second order); take the
	// current and find both equilibria there.
	I := s.SteadyCurrent(Vf - dv)
	eqs := s.Equilibria(I)
	iNode, dn := s.nearest(eqs, lo)
	iSad, ds := s.nearest(eqs, hi)
	if iNode < 0 || iSad < 0 || iNode == iSad || dn > 0.1 || ds > 0.1 {
		return false
	}
	if eqs[iNode].Type == "saddle" {
		iNode, iSad = iSad, iNode
	}
	if eqs[iSad].Type != "saddle" || !eqs[iNode].Stable() {
		return false
	}
	u := s.unstableDirection(eqs[iSad].State, I)
	if u == nil {
		return false
	}
	tmax := 20000 * s.Model.MaxStep * 10
	for _, sign := range []float64{1, -1} {
		x := append([]float64(nil), eqs[iSad].State...)
		for j := range x {
			x[j] += sign * 1e-4 * s.scale[j] * u[j]
		}
		o := s.settle(x, I, eqs, false, tmax)
		if o.fate != toEquilibrium || o.eq != iNode {
			return false
		}
	}
	return true
}

// unstableDirection returns the eigenvector (in scaled units: component j is multiplied
// by scale j to give a state change) of the largest real positive eigenvalue at x.
func (s *System) unstableDirection(x []float64, I float64) []float64 {
	return s.realDirection(x, I, true)
}

// realDirection returns the scaled eigenvector of the largest (unstable) or smallest
// in magnitude negative (stable) real eigenvalue at x, normalised to unit length.
func (s *System) realDirection(x []float64, I float64, unstable bool) []float64 {
	d := s.Dim()
	J := s.Jacobian(nil, x, I)
	// Scaled Jacobian: S⁻¹ J S.
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			J[i*d+j] *= s.scale[j] / s.scale[i]
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(mat.NewDense(d, d, J), mat.EigenRight) {
		return nil
	}
	vals := eig.Values(nil)
	var V mat.CDense
	eig.VectorsTo(&V)
	k := -1
	for i, l := range vals {
		if imag(l) != 0 {
			continue
		}
		if unstable && real(l) > 0 && (k < 0 || real(l) > real(vals[k])) {
			k = i
		}
		if !unstable && real(l) < 0 && (k < 0 || real(l) > real(vals[k])) {
			k = i
		}
	}
	if k < 0 {
		return nil
	}
	u := make([]float64, d)
	var n float64
	for i := range u {
		u[i] = real(V.At(i, k))
		n += u[i] * u[i]
	}
	for i := range u {
		u[i] /= math.Sqrt(n)
	}
	return u
}
