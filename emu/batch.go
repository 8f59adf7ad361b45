package emu

// Bounds beyond which a neuron's state counts as blown up: it is reset to rest.
const (
	voltageBound = 1e4 // mV (or model units for dimensionless models)
	stateBound   = 1e6
)

// batch holds every neuron of one model in structure-of-arrays form, so one kernel call
// steps them all: an inline kernel with no call per neuron or stage, or the generic
// kernel for a model that has none.
type batch struct {
	model  *Model
	kernel kernel
	neuron []int       // engine index of each member
	x      [][]float64 // x[var][k]
	p      [][]float64 // p[param][k]
	rest   [][]float64 // rest[var][k]: where a blown-up neuron is put back
	in     []float64   // injected current held over the sample (I + kick + noise)
	gc, ec []float64   // coupling conductance and its reversal, held over the sample
	nsub   int         // RK4 steps per sample
	h      float64     // RK4 step, ms of model time
	resets int         // non-finite or runaway states put back to rest (audio thread only)
	reset  []bool      // reset[k]: member k was put back to rest on this sample

	// The generic kernel's working memory: one member's state, parameters, coupling and
	// StepRK4 scratch, and its derivative (made once, so stepping allocates nothing).
	gx, gp, gScratch []float64
	gI, gG, gE       float64
	gDeriv           func(dx, x []float64)
}

// newBatch makes an empty batch of model m, stepped by k; with k nil, by genericKernel.
func newBatch(m *Model, k kernel) *batch {
	nv, np := len(m.Vars), len(m.Params)
	b := &batch{model: m, kernel: k, x: make([][]float64, nv), p: make([][]float64, np), rest: make([][]float64, nv)}
	if k == nil {
		b.kernel = genericKernel
		b.gx, b.gp, b.gScratch = make([]float64, nv), make([]float64, np), make([]float64, 5*nv)
		b.gDeriv = func(dx, x []float64) { m.Deriv(dx, x, b.gp, b.gI+b.gG*(b.gE-x[0])) }
	}
	return b
}

func (b *batch) add(engineIndex int, params, init []float64) int {
	k := len(b.neuron)
	b.neuron = append(b.neuron, engineIndex)
	for v := range b.x {
		b.x[v] = append(b.x[v], init[v])
		b.rest[v] = append(b.rest[v], init[v])
	}
	for p := range b.p {
		b.p[p] = append(b.p[p], params[p])
	}
	b.reset = append(b.reset, false)
	b.in = append(b.in, 0)
	b.gc = append(b.gc, 0)
	b.ec = append(b.ec, 0)
	return k
}

// genericKernel steps every member with StepRK4 over the model's Deriv, the coupling
// conductance driving V towards its reversal at every stage as the inline kernels do.
// It plays any Model, at the cost of a call per stage and member.
func genericKernel(b *batch, h float64, nsub int) {
	x := b.gx
	for k := range b.neuron {
		for v := range b.x {
			x[v] = b.x[v][k]
		}
		for p := range b.p {
			b.gp[p] = b.p[p][k]
		}
		b.gI, b.gG, b.gE = b.in[k], b.gc[k], b.ec[k]
		for s := 0; s < nsub; s++ {
			StepRK4(x, h, b.gDeriv, b.gScratch)
		}
		if !stateInBounds(x) {
			copyColumn(x, b.rest, k)
			b.resets++
			b.reset[k] = true
		}
		for v := range b.x {
			b.x[v][k] = x[v]
		}
	}
}

// stateInBounds reports whether a state is finite and within the bounds beyond which it
// counts as blown up (V, the first variable, within voltageBound; the rest stateBound).
func stateInBounds(x []float64) bool {
	for v, xv := range x {
		bound := stateBound
		if v == 0 {
			bound = voltageBound
		}
		if !(xv > -bound && xv < bound) {
			return false
		}
	}
	return true
}

// copyColumn copies member k of a structure-of-arrays state into x.
func copyColumn(x []float64, soa [][]float64, k int) {
	for v := range soa {
		x[v] = soa[v][k]
	}
}
