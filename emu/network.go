package emu

// Gap is an electrical synapse: a current G (Vb - Va) into A and its opposite into B.
type Gap struct {
	A, B int
	G    float64 // conductance, mS/cm²; a neuron's gap junctions add up to at most MaxCoupling
}

// Synapse is a chemical synapse: each spike of From opens a conductance by G, which decays
// with time constant Tau, driving To towards Reversal (about 0 mV excitatory, -80 mV
// inhibitory).
type Synapse struct {
	From, To int
	G        float64 // conductance added per presynaptic spike, mS/cm², at most MaxCoupling
	Tau      float64 // decay time constant, ms of model time, MinTimeConstant to MaxTimeConstant
	Reversal float64 // mV, MinReversal to MaxReversal
}

// network is the coupling between neurons: synapses, gap junctions and the state that
// steps a network with gaps as one system.
type network struct {
	synCap   []float64 // per neuron: MaxCoupling less its gap junctions' total
	gaps     []Gap
	syn      []Synapse // sorted by presynaptic neuron: i's are syn[synStart[i]:synStart[i+1]]
	synG     []float64 // open conductance per synapse
	synDecay []float64 // per-sample decay factor per synapse
	synStart []int
	// synInto[synIntoStart[i]:synIntoStart[i+1]] index the synapses into neuron i.
	synInto      []int
	synIntoStart []int
	synTarget    []bool // per neuron: some synapse drives it

	// Gap junctions couple neurons within a time step, so a network with gaps is
	// stepped as one system (stage-major RK4 over every neuron, the coupling evaluated
	// at every stage) instead of by the per-model batch kernels.
	coupled  bool
	maxVars  int
	cx       []float64   // every neuron's state, neuron-major, maxVars each
	cScratch []float64   // StepRK4 scratch
	cParams  [][]float64 // per neuron: its parameter values, gathered each sample
	cGapI    []float64   // per neuron: gap current at the present stage
	cDeriv   func(dx, x []float64)
	cSub     int
	cH       float64
}

func (e *Engine) setupCoupled() {
	e.coupled = true
	for _, s := range e.cfg.Neurons {
		e.maxVars = max(e.maxVars, len(s.Model.Vars))
	}
	e.cx = make([]float64, e.n*e.maxVars)
	e.cScratch = make([]float64, 5*len(e.cx))
	e.cParams = make([][]float64, e.n)
	for i, s := range e.cfg.Neurons {
		e.cParams[i] = make([]float64, len(s.Params))
	}
	e.cGapI = make([]float64, e.n)
	mv := e.maxVars
	e.cDeriv = func(dx, x []float64) {
		for i := range e.cGapI {
			e.cGapI[i] = 0
		}
		for _, g := range e.gaps {
			va, vb := x[g.A*mv], x[g.B*mv]
			e.cGapI[g.A] += g.G * (vb - va)
			e.cGapI[g.B] += g.G * (va - vb)
		}
		for i := 0; i < e.n; i++ {
			if e.count[i] > 1 {
				continue // a population steps by its own kernel (it has no gaps)
			}
			b, k := e.batches[e.batchOf[i]], e.slot[i]
			o, nv := i*mv, len(b.x)
			v := x[o]
			I := b.in[k] + b.gc[k]*(b.ec[k]-v) + e.cGapI[i]
			b.model.Deriv(dx[o:o+nv], x[o:o+nv], e.cParams[i], I)
		}
	}
}

// stepCoupled advances the whole network by one sample as one system of equations, so
// gap currents follow every neuron's voltage within the step (holding them over a
// sample would be first-order accurate and, with strong gaps at high speed, unstable).
func (e *Engine) stepCoupled() {
	mv := e.maxVars
	for i := 0; i < e.n; i++ {
		if e.count[i] > 1 {
			continue
		}
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		for v := range b.x {
			e.cx[i*mv+v] = b.x[v][k]
		}
		for p := range b.p {
			e.cParams[i][p] = b.p[p][k]
		}
	}
	for s := 0; s < e.cSub; s++ {
		StepRK4(e.cx, e.cH, e.cDeriv, e.cScratch)
	}
	for i := 0; i < e.n; i++ {
		if e.count[i] > 1 {
			continue
		}
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		ok := stateInBounds(e.cx[i*mv : i*mv+len(b.x)])
		for v := range b.x {
			if ok {
				b.x[v][k] = e.cx[i*mv+v]
			} else {
				b.x[v][k] = b.rest[v][k]
			}
		}
		if !ok {
			b.resets++
			b.reset[k] = true
		}
	}
}
