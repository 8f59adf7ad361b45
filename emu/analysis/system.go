package analysis

import (
	"fmt"
	"math"
	"sort"

	"github.com/separatrix-audio/separatrix/emu"
	"gonum.org/v1/gonum/mat"
)

// System is one neuron model with fixed parameter values: the dynamical system that
// analysis studies, with the injected current I as the bifurcation parameter.
//
// The analysis relies on a structure every model here shares: the current enters only
// dV/dt, additively, and each other variable x relaxes towards a steady state that
// depends on V alone (x' is affine in x for fixed V). NewSystem checks both.
type System struct {
	Model  *emu.Model
	Params []float64 // in Model.Params order
	// Workers is how many goroutines share a search (cycles, attractors); 0 is one per
	// CPU, 1 keeps it on the calling goroutine (a live view computes on one low-priority
	// thread). Portrait's basin has its own setting (PortraitOptions.Workers).
	Workers int

	scale []float64 // a typical size of each variable, to compare distances across units
	lo    []float64 // the box outside which a trajectory has escaped
	hi    []float64
}

// NewSystem returns the system of model m with the given parameter values (nil: the
// model's default preset). It fails if the values are the wrong number or out of range,
// or if the model lacks the structure the analysis relies on.
func NewSystem(m *emu.Model, params []float64) (*System, error) {
	if params == nil {
		params = m.Values(nil, &m.Presets[0])
	}
	if len(params) != len(m.Params) {
		return nil, fmt.Errorf("analysis: %s takes %d parameters, got %d", m.Name, len(m.Params), len(params))
	}
	for i, v := range params {
		if err := m.CheckParam(i, v); err != nil {
			return nil, fmt.Errorf("analysis: %w", err)
		}
	}
	s := &System{Model: m, Params: append([]float64(nil), params...)}
	d := len(m.Vars)
	s.scale, s.lo, s.hi = make([]float64, d), make([]float64, d), make([]float64, d)
	vr := m.VoltageRange
	w := vr[1] - vr[0]
	if !(w > 0) {
		return nil, fmt.Errorf("analysis: model %s declares no voltage range", m.Name)
	}
	s.scale[0], s.lo[0], s.hi[0] = w/10, vr[0]-w, vr[1]+w
	for j := 1; j < d; j++ {
		// Gating variables live in [0, 1]; FitzHugh-Nagumo's recovery variable in a few
		// units. A generous box tells divergence from a large excursion.
		s.scale[j], s.lo[j], s.hi[j] = 0.1, -10, 10
	}
	if err := s.checkStructure(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dim is the number of state variables.
func (s *System) Dim() int { return len(s.Model.Vars) }

// Deriv writes dx/dt at state x and current I into dx.
func (s *System) Deriv(dx, x []float64, I float64) { s.Model.Deriv(dx, x, s.Params, I) }

// Clamp writes into dst (grown if short) the state at voltage V with every other
// variable at its steady state for V: the voltage-clamp steady state. Every
// equilibrium of the model is Clamp(V) for some V.
func (s *System) Clamp(dst []float64, V float64) []float64 {
	d := s.Dim()
	dst = grow(dst, d)
	var b0, b1, b2 [8]float64
	x := b0[:d]
	dx0, dx1 := b1[:d], b2[:d]
	x[0] = V
	for j := 1; j < d; j++ {
		x[j] = 0
	}
	s.Deriv(dx0, x, 0)
	for j := 1; j < d; j++ {
		x[j] = 1
	}
	s.Deriv(dx1, x, 0)
	dst[0] = V
	for j := 1; j < d; j++ {
		// x' = dx0 + (dx1 - dx0) x vanishes at x = dx0 / (dx0 - dx1).
		dst[j] = dx0[j] / (dx0[j] - dx1[j])
	}
	return dst
}

// SteadyCurrent is the steady-state I-V relation I_ss(V): the current that holds the
// clamped state at V still. Equilibria at current I are the roots of I_ss(V) = I, and
// saddle-node bifurcations are its local extrema.
func (s *System) SteadyCurrent(V float64) float64 {
	var b [8]float64
	x := s.Clamp(b[:0], V)
	d := s.Dim()
	var c0, c1 [8]float64
	s.Deriv(c0[:d], x, 0)
	s.Deriv(c1[:d], x, 1)
	return -c0[0] / (c1[0] - c0[0])
}

// checkStructure verifies on a few voltages that the current enters dV/dt additively
// and that the clamped state is a steady state of every other variable.
func (s *System) checkStructure() error {
	d := s.Dim()
	if d > 8 {
		return fmt.Errorf("analysis: model %s has %d variables; at most 8 are supported", s.Model.Name, d)
	}
	vr := s.Model.VoltageRange
	dx, dy := make([]float64, d), make([]float64, d)
	for k := 0; k <= 4; k++ {
		V := vr[0] + (vr[1]-vr[0])*(0.1+0.2*float64(k))
		x := s.Clamp(nil, V)
		I := s.SteadyCurrent(V)
		s.Deriv(dx, x, I)
		for j := range dx {
			if math.Abs(dx[j]) > 1e-8*(1+math.Abs(I)) {
				return fmt.Errorf("analysis: model %s: the clamped state at V=%g is not steady in %s (d/dt = %g)",
					s.Model.Name, V, s.Model.Vars[j].Name, dx[j])
			}
		}
		// I enters dV/dt linearly: the change for 2 units is twice that for 1.
		s.Deriv(dy, x, I+2)
		s.Deriv(dx, x, I+1)
		if math.Abs((dy[0]-dx[0])-(dx[0]-0)) > 1e-9*math.Abs(dx[0])+1e-12 {
			return fmt.Errorf("analysis: model %s: the current does not enter dV/dt additively", s.Model.Name)
		}
	}
	return nil
}

// Jacobian writes into dst (grown if short) the Jacobian of the vector field at x and
// current I by central differences, row-major: dst[i*d+j] = ∂f_i/∂x_j.
func (s *System) Jacobian(dst, x []float64, I float64) []float64 {
	d := s.Dim()
	dst = grow(dst, d*d)
	y := append([]float64(nil), x...)
	fp, fm := make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		h := 1e-6 * s.scale[j]
		y[j] = x[j] + h
		s.Deriv(fp, y, I)
		y[j] = x[j] - h
		s.Deriv(fm, y, I)
		y[j] = x[j]
		for i := 0; i < d; i++ {
			dst[i*d+j] = (fp[i] - fm[i]) / (2 * h)
		}
	}
	return dst
}

// Eigenvalues returns the eigenvalues of the Jacobian at x and I, ordered by real part,
// largest first (ties: larger imaginary part first).
func (s *System) Eigenvalues(x []float64, I float64) []complex128 {
	d := s.Dim()
	J := mat.NewDense(d, d, s.Jacobian(nil, x, I))
	var eig mat.Eigen
	if !eig.Factorize(J, mat.EigenNone) {
		nan := complex(math.NaN(), 0)
		out := make([]complex128, d)
		for i := range out {
			out[i] = nan
		}
		return out
	}
	ev := eig.Values(nil)
	sortEigen(ev)
	return ev
}

func sortEigen(ev []complex128) {
	sort.Slice(ev, func(a, b int) bool {
		if real(ev[a]) != real(ev[b]) {
			return real(ev[a]) > real(ev[b])
		}
		return imag(ev[a]) > imag(ev[b])
	})
}

// Equilibrium is a rest state of the system at some current.
type Equilibrium struct {
	State       []float64
	Eigenvalues []complex128 // of the Jacobian, largest real part first
	Stability   string       // "stable" or "unstable"
	Type        string       // "node", "focus" or "saddle"
}

// Stable reports whether every eigenvalue has a negative real part.
func (e *Equilibrium) Stable() bool { return e.Stability == "stable" }

// Kind is the equilibrium's name in words: "stable node", "saddle", "unstable focus".
func (e *Equilibrium) Kind() string {
	if e.Type == "saddle" {
		return "saddle"
	}
	return e.Stability + " " + e.Type
}

// classify names an equilibrium from its eigenvalues (sorted, largest real part first).
// A node or focus is named after its slowest direction (the eigenvalue nearest the
// imaginary axis on the attracting side, or the most unstable one): that is what a
// trajectory shows on its way in or out.
func classify(ev []complex128) (stability, typ string) {
	pos, neg := 0, 0
	for _, l := range ev {
		if real(l) > 0 {
			pos++
		} else {
			neg++
		}
	}
	switch {
	case pos > 0 && neg > 0:
		return "unstable", "saddle"
	case pos > 0:
		stability = "unstable"
	default:
		stability = "stable"
	}
	typ = "node"
	if imag(ev[0]) != 0 {
		typ = "focus"
	}
	return stability, typ
}

func newEquilibrium(s *System, x []float64, I float64) Equilibrium {
	ev := s.Eigenvalues(x, I)
	for i, l := range ev {
		// Round-off leaves tiny imaginary parts on real eigenvalues of some matrices.
		if math.Abs(imag(l)) < 1e-12*(1+math.Abs(real(l))) {
			ev[i] = complex(real(l), 0)
		}
	}
	st, ty := classify(ev)
	return Equilibrium{State: append([]float64(nil), x...), Eigenvalues: ev, Stability: st, Type: ty}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
