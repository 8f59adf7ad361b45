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

	// derived[c][k] are constants the kernel computes from member k's parameters
	// (reciprocals, products), kept by derive whenever a parameter changes, so the
	// kernel never divides by a parameter. derived32 holds the same in float32 for the
	// vector kernels. Both are empty for a kernel that derives nothing.
	derive    func(b *batch, k int)
	input     func(b *batch, k int) // the part of derive that depends on in, gc and ec
	derived   [][]float64
	derived32 [][]float32

	// Spike detection (spike.go) and the mix, per member, so detectAndMix runs through
	// the batch's own arrays in order. spiked lists the members that spiked on this
	// sample, in member order.
	spikeHigh, spikeLow []float64
	armed               []bool
	spikeExt            []float64 // the extreme V the detector tracks
	centre, invSpan     []float64 // sound is (V - centre) * invSpan
	gainL, gainR        []float64
	spiked              []int32

	// A population's batch (population.go): its members' input is the neuron's (bias,
	// which kernels that take it add to every member's in: takesBias) plus each
	// member's offset and own noise; its parameters' values are pCentre plus pOffset.
	pop       bool
	takesBias bool
	bias      float64
	offset    []float64   // per member: current offset from the neuron's
	noise     []float64   // per member: noise state (populations only)
	pCentre   []float64   // per parameter: the population's value
	pOffset   [][]float64 // per parameter: nil, or each member's offset
	lastSpike []int64     // per member: frame of its last spike, -1 before the first

	// A vector kernel may detect and mix members [0, detected) itself, in float32, on
	// the same sample it steps them (they are in registers then): it keeps their
	// detectors here, adds their spikes to spiked and their mix to mixL and mixR, and
	// detectAndMix does the rest. A batch keeps one kernel for its whole life, so each
	// member's detector lives in one of the two forms; restart writes both.
	detected   int
	mixL, mixR float64

	ext32, armed32    []float32 // armed32 is 1 or 0
	high32, depth32   []float32
	centre32, gainL32 []float32 // gainL32 = invSpan * gainL
	gainR32           []float32

	// The generic kernel's working memory: one member's state, parameters, coupling and
	// StepRK4 scratch, and its derivative (made once, so stepping allocates nothing).
	gx, gp, gScratch []float64
	gI, gG, gE       float64
	gDeriv           func(dx, x []float64)
}

// newBatch makes an empty batch of model m, stepped by built-in kernel bi; with bi nil,
// by genericKernel.
func newBatch(m *Model, bi *builtin) *batch {
	nv, np := len(m.Vars), len(m.Params)
	b := &batch{model: m, x: make([][]float64, nv), p: make([][]float64, np), rest: make([][]float64, nv)}
	b.takesBias = bi == nil || bi.takesBias
	if bi != nil {
		b.kernel, b.derive, b.input = bi.kernel, bi.derive, bi.input
		b.derived, b.derived32 = make([][]float64, bi.derived), make([][]float32, bi.derived)
	}
	if b.kernel == nil {
		b.kernel = genericKernel
		b.gx, b.gp, b.gScratch = make([]float64, nv), make([]float64, np), make([]float64, 5*nv)
		b.gDeriv = func(dx, x []float64) { m.Deriv(dx, x, b.gp, b.gI+b.gG*(b.gE-x[0])) }
	}
	return b
}

// add makes neuron engineIndex of spec s a member of the batch and returns its index.
func (b *batch) add(engineIndex int, s *NeuronSpec) int {
	k := len(b.neuron)
	b.neuron = append(b.neuron, engineIndex)
	for v := range b.x {
		b.x[v] = append(b.x[v], s.Init[v])
		b.rest[v] = append(b.rest[v], s.Init[v])
	}
	for p := range b.p {
		b.p[p] = append(b.p[p], s.Params[p])
	}
	for c := range b.derived {
		b.derived[c] = append(b.derived[c], 0)
		b.derived32[c] = append(b.derived32[c], 0)
	}
	b.reset = append(b.reset, false)
	b.in = append(b.in, 0)
	b.gc = append(b.gc, 0)
	b.ec = append(b.ec, 0)
	b.offset = append(b.offset, 0)
	b.lastSpike = append(b.lastSpike, -1)
	if b.derive != nil {
		b.derive(b, k)
	}
	b.spikeHigh = append(b.spikeHigh, s.SpikeHigh)
	b.spikeLow = append(b.spikeLow, s.SpikeLow)
	armed, ext := spikeStart(s.Init[0], s.SpikeHigh)
	b.armed = append(b.armed, armed)
	b.spikeExt = append(b.spikeExt, ext)
	b.centre = append(b.centre, s.Centre)
	b.invSpan = append(b.invSpan, 1/s.Span)
	b.gainL = append(b.gainL, 0)
	b.gainR = append(b.gainR, 0)
	b.ext32 = append(b.ext32, float32(ext))
	b.armed32 = append(b.armed32, boolTo32(armed))
	b.high32 = append(b.high32, float32(s.SpikeHigh))
	b.depth32 = append(b.depth32, float32(s.SpikeHigh-s.SpikeLow))
	b.centre32 = append(b.centre32, float32(s.Centre))
	b.gainL32 = append(b.gainL32, 0)
	b.gainR32 = append(b.gainR32, 0)
	if cap(b.spiked) <= k {
		b.spiked = make([]int32, 0, 2*(k+1))
	}
	return k
}

// setParam sets parameter p of member k and what the kernel derives from it.
func (b *batch) setParam(k, p int, v float64) {
	b.p[p][k] = v
	if b.derive != nil {
		b.derive(b, k)
	}
}

// setDerived stores derived constant c of member k in both precisions.
func (b *batch) setDerived(c, k int, v float64) {
	b.derived[c][k] = v
	b.derived32[c][k] = float32(v)
}

// restart puts member k's spike detector back at its present voltage: a jump of the
// state (a reset to rest) is not a spike.
func (b *batch) restart(k int) {
	b.armed[k], b.spikeExt[k] = spikeStart(b.x[0][k], b.spikeHigh[k])
	b.armed32[k], b.ext32[k] = boolTo32(b.armed[k]), float32(b.spikeExt[k])
}

// setGains sets member k's channel gains.
func (b *batch) setGains(k int, l, r float64) {
	b.gainL[k], b.gainR[k] = l, r
	b.gainL32[k], b.gainR32[k] = float32(b.invSpan[k]*l), float32(b.invSpan[k]*r)
}

// detectLane32 is detectAndMix for member k of a vector kernel's members, one at a time
// (after a lane blew up and was reset): the same rule on the float32 detector.
func (b *batch) detectLane32(k int) {
	v := b.x[0][k]
	if b.reset[k] {
		b.reset[k] = false
		armed, ext := spikeStart(v, b.spikeHigh[k])
		b.armed32[k], b.ext32[k] = boolTo32(armed), float32(ext)
	} else {
		high := float64(b.high32[k])
		spike, armed, ext := spikeStep(v, high, high-float64(b.depth32[k]), b.armed32[k] != 0, float64(b.ext32[k]))
		b.armed32[k], b.ext32[k] = boolTo32(armed), float32(ext)
		if spike {
			b.spiked = append(b.spiked, int32(k))
		}
	}
	x := v - float64(b.centre32[k])
	b.mixL += x * float64(b.gainL32[k])
	b.mixR += x * float64(b.gainR32[k])
}

func boolTo32(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// detectAndMix finds the spikes on this sample of the members the kernel left it (from
// detected on), adding them to spiked, and returns the stereo mix of all members. The
// spike rule (spike.go) re-arms on each cycle's own trough, so a fast cycle that never
// falls below SpikeLow still counts every period.
func (b *batch) detectAndMix() (l, r float64) {
	from := b.detected
	l, r = b.mixL, b.mixR
	b.detected, b.mixL, b.mixR = 0, 0, 0
	V := b.x[0]
	high, low, armed, ext := b.spikeHigh[:len(V)], b.spikeLow[:len(V)], b.armed[:len(V)], b.spikeExt[:len(V)]
	centre, invSpan, gainL, gainR := b.centre[:len(V)], b.invSpan[:len(V)], b.gainL[:len(V)], b.gainR[:len(V)]
	reset := b.reset[:len(V)]
	for k := from; k < len(V); k++ {
		v := V[k]
		if reset[k] {
			// A blow-up put it back to rest: that is not a spike.
			reset[k] = false
			armed[k], ext[k] = spikeStart(v, high[k])
		} else {
			var spike bool
			spike, armed[k], ext[k] = spikeStep(v, high[k], low[k], armed[k], ext[k])
			if spike {
				b.spiked = append(b.spiked, int32(k))
			}
		}
		x := (v - centre[k]) * invSpan[k]
		l += x * gainL[k]
		r += x * gainR[k]
	}
	return l, r
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
		b.gI, b.gG, b.gE = b.in[k]+b.bias, b.gc[k], b.ec[k]
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
