package emu

// Bounds beyond which a neuron's state counts as blown up: it is reset to rest.
const (
	voltageBound = 1e4 // mV (or model units for dimensionless models)
	stateBound   = 1e6
)

// batch holds every neuron of one model in structure-of-arrays form, so the model's
// kernel steps them all in one call with no interface call per neuron.
type batch struct {
	model  *Model
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
}

func newBatch(m *Model) *batch {
	nv, np := len(m.Vars), len(m.Params)
	return &batch{model: m, x: make([][]float64, nv), p: make([][]float64, np), rest: make([][]float64, nv)}
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
