package emu

import "math"

// INaPK returns the persistent sodium plus potassium model I_Na,p+I_K (Izhikevich 2007,
// Dynamical Systems in Neuroscience, eqs. 4.1-4.2): membrane voltage V and K+ activation n,
// with an instantaneous Na+ activation m_inf(V).
//
//	C V' = I - gL (V-EL) - gNa m_inf(V) (V-ENa) - gK n (V-EK)
//	  n' = (n_inf(V) - n) / tau
//	m_inf(V) = 1 / (1 + exp((Vm - V)/km)),  n_inf(V) = 1 / (1 + exp((Vn - V)/kn))
//
// Time in ms, voltage in mV, conductances in mS/cm², current in µA/cm².
//
// Each call returns a fresh copy (as LookupModel does): changing it changes no other.
func INaPK() *Model { return inapk.clone() }

var inapk = register(&Model{
	Name: "inapk",
	Doc:  "persistent Na+ plus K+ model I_Na,p+I_K (Izhikevich 2007, ch. 4): voltage V and K+ activation n",
	Vars: []Var{{"V", "mV"}, {"n", ""}},
	Params: []Param{
		{"C", "µF/cm²", "membrane capacitance", 1, 0.1, 100},
		{"gL", "mS/cm²", "leak conductance", 8, 0, 100},
		{"EL", "mV", "leak reversal potential", -80, -150, 50},
		{"gNa", "mS/cm²", "persistent Na+ conductance", 20, 0, 200},
		{"ENa", "mV", "Na+ reversal potential", 60, -50, 150},
		{"gK", "mS/cm²", "K+ conductance", 10, 0, 200},
		{"EK", "mV", "K+ reversal potential", -90, -150, 50},
		{"Vm", "mV", "Na+ activation half-voltage", -20, -100, 50},
		{"km", "mV", "Na+ activation slope", 15, 0.5, 50},
		{"Vn", "mV", "K+ activation half-voltage", -25, -100, 50},
		{"kn", "mV", "K+ activation slope", 5, 0.5, 50},
		{"tau", "ms", "K+ activation time constant", 1, 0.01, 100},
	},
	Presets: []Preset{
		{
			Name: "snic",
			Doc: "monostable integrator: saddle-node on invariant circle at I ≈ 4.51; firing starts at " +
				"an arbitrarily low rate (Izhikevich 2007, fig. 4.1 and sec. 6.1.2, high-threshold K+)",
			Values: map[string]float64{},
			Init:   []float64{-65.953, 0.000277},
			// Cycle spans about -64..+4 mV near onset.
			SpikeHigh: -20, SpikeLow: -45,
			Centre: -30, Span: 40,
			Sweep: [2]float64{0, 10},
		},
		{
			Name: "saddle-node",
			Doc: "bistable integrator: saddle-node off the invariant circle at I ≈ 4.51 with a fast " +
				"K+ current (tau = 0.152 ms); rest and repetitive firing coexist below it " +
				"(Izhikevich 2007, fig. 6.7 and sec. 7.1)",
			Values: map[string]float64{"tau": 0.152},
			Init:   []float64{-65.953, 0.000277},
			// The firing cycle is fast and small (about 1 kHz, V between about -51 and
			// -12 mV): every cycle must count. Its trough rises above SpikeLow from
			// about 12 µA/cm² while it shrinks towards depolarisation block; it counts
			// while it swings the 15 mV depth, up to about 35 µA/cm².
			SpikeHigh: -30, SpikeLow: -45,
			Centre: -35, Span: 25,
			Sweep: [2]float64{-2, 8},
		},
		{
			Name: "hopf-super",
			Doc: "monostable resonator: supercritical Andronov-Hopf bifurcation, low-threshold K+ " +
				"(EL = -78 mV, Vn = -45 mV); oscillations are born small and grow with the " +
				"current (Izhikevich 2007, fig. 6.16 and sec. 6.1.3)",
			Values:    map[string]float64{"EL": -78, "Vn": -45},
			Init:      []float64{-60.865, 0.0402},
			SpikeHigh: -20, SpikeLow: -45,
			Centre: -40, Span: 35,
			Sweep: [2]float64{0, 30},
		},
		{
			Name: "hopf-sub",
			Doc: "bistable resonator: subcritical Andronov-Hopf bifurcation; a large firing cycle " +
				"coexists with rest, separated by an unstable cycle (Izhikevich 2007, fig. 6.16 " +
				"and sec. 6.1.4: gL=1, gNa=4, gK=4, EL=-78, Vm=-30, km=7, Vn=-45, kn=5)",
			Values:    map[string]float64{"gL": 1, "gNa": 4, "gK": 4, "EL": -78, "Vm": -30, "km": 7, "Vn": -45, "kn": 5},
			Init:      []float64{-77.451, 0.001516},
			SpikeHigh: -20, SpikeLow: -45,
			Centre: -40, Span: 35,
			Sweep: [2]float64{30, 60},
		},
	},
	CurrentUnit: "µA/cm²",
	CurrentMin:  -200, CurrentMax: 200,
	MaxStep:      0.021,
	VoltageRange: [2]float64{-100, 60},
	Deriv:        inapkDeriv,
}, inapkPortable, inapkDerive, inapkDeriveInput, inapkDerived)

// Both I_Na,p+I_K kernels add a population's input (batch.bias) themselves.
func init() { models["inapk"].takesBias = true }

// inapkDeriv is the reference derivative; the kernels inline the same arithmetic.
func inapkDeriv(dx, x, p []float64, I float64) {
	v, n := x[0], x[1]
	C, gL, EL, gNa, ENa, gK, EK := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
	Vm, km, Vn, kn, tau := p[7], p[8], p[9], p[10], p[11]
	minf := 1 / (1 + math.Exp((Vm-v)/km))
	ninf := 1 / (1 + math.Exp((Vn-v)/kn))
	dx[0] = (I - gL*(v-EL) - gNa*minf*(v-ENa) - gK*n*(v-EK)) / C
	dx[1] = (ninf - n) / tau
}

// The constants the kernels derive from each member's parameters, so that a stage is
// multiplications, the two exponentials and one division:
//
//	dV/dt = iC (I + g (E - V) + gL EL) - iC (g + gL) V - gNaC (V - ENa) m_inf - gKC n (V - EK)
//	m_inf = 1 / (1 + exp(am - V ikm)),  n_inf = 1 / (1 + exp(an - V ikn))
const (
	inapkIC   = iota // 1/C
	inapkGL          // gL
	inapkGLEL        // gL EL
	inapkGNaC        // gNa / C
	inapkENa         // ENa
	inapkGKC         // gK / C
	inapkEK          // EK
	inapkAm          // Vm / km
	inapkIkm         // 1 / km
	inapkAn          // Vn / kn
	inapkIkn         // 1 / kn
	inapkITau        // 1 / tau
	inapkA           // iC (I + g E + gL EL): the input folded in (inapkDeriveInput)
	inapkB           // iC (g + gL)
	inapkDerived
)

func inapkDerive(b *batch, k int) {
	p := func(i int) float64 { return b.p[i][k] }
	C, gL, EL, gNa, ENa, gK, EK := p(0), p(1), p(2), p(3), p(4), p(5), p(6)
	Vm, km, Vn, kn, tau := p(7), p(8), p(9), p(10), p(11)
	for c, v := range [inapkDerived]float64{
		inapkIC: 1 / C, inapkGL: gL, inapkGLEL: gL * EL, inapkGNaC: gNa / C, inapkENa: ENa,
		inapkGKC: gK / C, inapkEK: EK, inapkAm: Vm / km, inapkIkm: 1 / km, inapkAn: Vn / kn,
		inapkIkn: 1 / kn, inapkITau: 1 / tau,
	} {
		b.setDerived(c, k, v)
	}
	inapkDeriveInput(b, k)
}

// inapkDeriveInput folds member k's input current and coupling into A and B; the engine
// calls it whenever they change.
func inapkDeriveInput(b *batch, k int) {
	d := b.derived
	iC, g := d[inapkIC][k], b.gc[k]
	b.setDerived(inapkA, k, iC*(b.in[k]+g*b.ec[k]+d[inapkGLEL][k]))
	b.setDerived(inapkB, k, iC*(g+d[inapkGL][k]))
}

// inapkPortable is the kernel of every build without a vector kernel for the machine
// (inapk_simd.go replaces it at init where there is one). It advances every neuron of the batch by nsub RK4 steps of h in float64,
// the derivative written out inline with expFast (no call per stage), state in locals.
// It steps two neurons at once, a and b, their instructions side by side: one neuron's
// RK4 is a chain of dependent operations, and the processor overlaps two chains where it
// cannot shorten one (an odd last neuron is stepped alone, by the same arithmetic).
func inapkPortable(bt *batch, h float64, nsub int) { inapkPortableFrom(bt, h, nsub, 0) }

// inapkPortableFrom steps members from, from+1, ... as inapkPortable does: the vector
// kernel leaves it the members that do not fill a vector.
func inapkPortableFrom(bt *batch, h float64, nsub, from int) {
	V, N := bt.x[0], bt.x[1]
	n := len(V)
	N = N[:n]
	d := bt.derived
	h2, h6 := h/2, h/6
	if (n-from)%2 == 1 { // the odd one alone: stepped as both it would cost twice
		k := n - 1
		c := inapkConstsOf(d, k, bt.bias)
		v, w := c.step(V[k], N[k], h, nsub)
		V[k], N[k] = bt.checked(k, v, w)
		n--
	}
	for a := from; a < n; a += 2 {
		b := a + 1
		va, wa, vb, wb := V[a], N[a], V[b], N[b]
		ca, cb := inapkConstsOf(d, a, bt.bias), inapkConstsOf(d, b, bt.bias)
		for s := 0; s < nsub; s++ {
			rma, sma := expSplit(ca.am - va*ca.ikm)
			rmb, smb := expSplit(cb.am - vb*cb.ikm)
			rna, sna := expSplit(ca.an - va*ca.ikn)
			rnb, snb := expSplit(cb.an - vb*cb.ikn)
			dva1, dwa1 := ca.slope(va, wa, sma*expPoly(rma), sna*expPoly(rna))
			dvb1, dwb1 := cb.slope(vb, wb, smb*expPoly(rmb), snb*expPoly(rnb))
			va2, wa2, vb2, wb2 := va+h2*dva1, wa+h2*dwa1, vb+h2*dvb1, wb+h2*dwb1
			rma, sma = expSplit(ca.am - va2*ca.ikm)
			rmb, smb = expSplit(cb.am - vb2*cb.ikm)
			rna, sna = expSplit(ca.an - va2*ca.ikn)
			rnb, snb = expSplit(cb.an - vb2*cb.ikn)
			dva2, dwa2 := ca.slope(va2, wa2, sma*expPoly(rma), sna*expPoly(rna))
			dvb2, dwb2 := cb.slope(vb2, wb2, smb*expPoly(rmb), snb*expPoly(rnb))
			va3, wa3, vb3, wb3 := va+h2*dva2, wa+h2*dwa2, vb+h2*dvb2, wb+h2*dwb2
			rma, sma = expSplit(ca.am - va3*ca.ikm)
			rmb, smb = expSplit(cb.am - vb3*cb.ikm)
			rna, sna = expSplit(ca.an - va3*ca.ikn)
			rnb, snb = expSplit(cb.an - vb3*cb.ikn)
			dva3, dwa3 := ca.slope(va3, wa3, sma*expPoly(rma), sna*expPoly(rna))
			dvb3, dwb3 := cb.slope(vb3, wb3, smb*expPoly(rmb), snb*expPoly(rnb))
			va4, wa4, vb4, wb4 := va+h*dva3, wa+h*dwa3, vb+h*dvb3, wb+h*dwb3
			rma, sma = expSplit(ca.am - va4*ca.ikm)
			rmb, smb = expSplit(cb.am - vb4*cb.ikm)
			rna, sna = expSplit(ca.an - va4*ca.ikn)
			rnb, snb = expSplit(cb.an - vb4*cb.ikn)
			dva4, dwa4 := ca.slope(va4, wa4, sma*expPoly(rma), sna*expPoly(rna))
			dvb4, dwb4 := cb.slope(vb4, wb4, smb*expPoly(rmb), snb*expPoly(rnb))
			va += h6 * (dva1 + 2*dva2 + 2*dva3 + dva4)
			wa += h6 * (dwa1 + 2*dwa2 + 2*dwa3 + dwa4)
			vb += h6 * (dvb1 + 2*dvb2 + 2*dvb3 + dvb4)
			wb += h6 * (dwb1 + 2*dwb2 + 2*dwb3 + dwb4)
		}
		V[b], N[b] = bt.checked(b, vb, wb)
		V[a], N[a] = bt.checked(a, va, wa)
	}
}

// step advances one neuron by nsub RK4 steps of h: the arithmetic of one lane of
// inapkPortableFrom, operation for operation, so a neuron gives the same samples
// whichever way it is stepped.
func (c *inapkConsts) step(v, w, h float64, nsub int) (float64, float64) {
	h2, h6 := h/2, h/6
	for s := 0; s < nsub; s++ {
		rm, sm := expSplit(c.am - v*c.ikm)
		rn, sn := expSplit(c.an - v*c.ikn)
		dv1, dw1 := c.slope(v, w, sm*expPoly(rm), sn*expPoly(rn))
		v2, w2 := v+h2*dv1, w+h2*dw1
		rm, sm = expSplit(c.am - v2*c.ikm)
		rn, sn = expSplit(c.an - v2*c.ikn)
		dv2, dw2 := c.slope(v2, w2, sm*expPoly(rm), sn*expPoly(rn))
		v3, w3 := v+h2*dv2, w+h2*dw2
		rm, sm = expSplit(c.am - v3*c.ikm)
		rn, sn = expSplit(c.an - v3*c.ikn)
		dv3, dw3 := c.slope(v3, w3, sm*expPoly(rm), sn*expPoly(rn))
		v4, w4 := v+h*dv3, w+h*dw3
		rm, sm = expSplit(c.am - v4*c.ikm)
		rn, sn = expSplit(c.an - v4*c.ikn)
		dv4, dw4 := c.slope(v4, w4, sm*expPoly(rm), sn*expPoly(rn))
		v += h6 * (dv1 + 2*dv2 + 2*dv3 + dv4)
		w += h6 * (dw1 + 2*dw2 + 2*dw3 + dw4)
	}
	return v, w
}

// inapkConsts are one member's constants over a sample: its derived parameters, its
// input and coupling folded into A and B, and its population's input (bias) added.
type inapkConsts struct {
	A, B, gNaC, ENa, gKC, EK, am, ikm, an, ikn, itau float64
}

func inapkConstsOf(d [][]float64, k int, bias float64) inapkConsts {
	return inapkConsts{
		A: d[inapkA][k] + d[inapkIC][k]*bias, B: d[inapkB][k],
		gNaC: d[inapkGNaC][k], ENa: d[inapkENa][k], gKC: d[inapkGKC][k], EK: d[inapkEK][k],
		am: d[inapkAm][k], ikm: d[inapkIkm][k], an: d[inapkAn][k], ikn: d[inapkIkn][k], itau: d[inapkITau][k],
	}
}

// slope is dV/dt and dn/dt at (v, w), given exp(am - v ikm) and exp(an - v ikn).
func (c *inapkConsts) slope(v, w, em, en float64) (dv, dw float64) {
	return c.A - c.B*v - c.gNaC*(v-c.ENa)/(1+em) - c.gKC*w*(v-c.EK), (1/(1+en) - w) * c.itau
}

// checked returns member k's new state, or its rest state (counted) if the step blew up.
func (bt *batch) checked(k int, v, w float64) (float64, float64) {
	if !(v > -voltageBound && v < voltageBound) || !(w > -stateBound && w < stateBound) {
		bt.resets++
		bt.reset[k] = true
		return bt.rest[0][k], bt.rest[1][k]
	}
	return v, w
}
