package emu

import "math"

// MorrisLecar returns the Morris-Lecar barnacle muscle fibre model (Morris & Lecar 1981) in the
// two-variable form of Rinzel & Ermentrout 1989: voltage V and K+ activation w, with an
// instantaneous Ca2+ activation.
//
//	C V' = I - gL (V-EL) - gCa m_inf(V) (V-ECa) - gK w (V-EK)
//	  w' = phi (w_inf(V) - w) / tau_w(V)
//	m_inf = (1 + tanh((V-V1)/V2))/2, w_inf = (1 + tanh((V-V3)/V4))/2, tau_w = 1/cosh((V-V3)/(2 V4))
//
// Values as tabulated in Ermentrout & Terman 2010, Foundations of Mathematical
// Neuroscience, sec. 3.1 (after Rinzel & Ermentrout 1989).
//
// Each call returns a fresh copy (as LookupModel does): changing it changes no other.
func MorrisLecar() *Model { return morrisLecar.clone() }

var morrisLecar = register(&Model{
	Name: "morris-lecar",
	Doc:  "Morris-Lecar model (Rinzel & Ermentrout 1989): voltage V and K+ activation w",
	Vars: []Var{{"V", "mV"}, {"w", ""}},
	Params: []Param{
		{"C", "µF/cm²", "membrane capacitance", 20, 0.1, 200},
		{"gL", "mS/cm²", "leak conductance", 2, 0, 100},
		{"EL", "mV", "leak reversal potential", -60, -150, 50},
		{"gCa", "mS/cm²", "Ca2+ conductance", 4.4, 0, 100},
		{"ECa", "mV", "Ca2+ reversal potential", 120, -50, 200},
		{"gK", "mS/cm²", "K+ conductance", 8, 0, 100},
		{"EK", "mV", "K+ reversal potential", -84, -150, 50},
		{"V1", "mV", "Ca2+ activation half-voltage", -1.2, -100, 100},
		{"V2", "mV", "Ca2+ activation slope", 18, 0.5, 100},
		{"V3", "mV", "K+ activation half-voltage", 2, -100, 100},
		{"V4", "mV", "K+ activation slope", 30, 0.5, 100},
		{"phi", "1/ms", "K+ rate factor", 0.04, 0.001, 10},
	},
	Presets: []Preset{
		{
			Name: "hopf",
			Doc: "Rinzel & Ermentrout 1989 Hopf set (gCa=4.4, V3=2, V4=30, phi=0.04): subcritical " +
				"Hopf near I ≈ 93.9 µA/cm², fold of limit cycles near 88.3 (Ermentrout & Terman 2010, sec. 3.1)",
			Values:    map[string]float64{},
			Init:      []float64{-60.855, 0.01491},
			SpikeHigh: 0, SpikeLow: -20,
			Centre: -20, Span: 40,
			Sweep: [2]float64{60, 110},
		},
		{
			Name: "snic",
			Doc: "Rinzel & Ermentrout 1989 SNIC set (gCa=4, V3=12, V4=17.4, phi=1/15): saddle-node " +
				"on invariant circle near I ≈ 39.96 µA/cm² (Ermentrout & Terman 2010, sec. 3.1)",
			Values:    map[string]float64{"gCa": 4, "V3": 12, "V4": 17.4, "phi": 1.0 / 15},
			Init:      []float64{-59.47, 0.00027},
			SpikeHigh: 0, SpikeLow: -20,
			Centre: -20, Span: 40,
			Sweep: [2]float64{20, 60},
		},
		{
			Name: "homoclinic",
			Doc: "Rinzel & Ermentrout 1989 SNIC set with faster K+ (phi=0.23): the firing cycle is born " +
				"in a saddle homoclinic bifurcation near I ≈ 35 and coexists with rest up to the " +
				"saddle-node at I ≈ 39.96; above it the neuron settles on a depolarized state " +
				"(Ermentrout & Terman 2010, sec. 3.1)",
			Values: map[string]float64{"gCa": 4, "V3": 12, "V4": 17.4, "phi": 0.23},
			Init:   []float64{-59.47, 0.00027},
			// Its cycle swings between about -20 and +16 mV only.
			SpikeHigh: 8, SpikeLow: -8,
			Centre: -20, Span: 40,
			Sweep: [2]float64{20, 60},
		},
	},
	CurrentUnit: "µA/cm²",
	CurrentMin:  -200, CurrentMax: 400,
	MaxStep:      0.05,
	VoltageRange: [2]float64{-90, 80},
	Deriv:        morrisLecarDeriv,
}, morrisLecarKernel, morrisLecarDerive, morrisLecarDeriveInput, mlDerived)

func morrisLecarField(v, w, I, C, gL, EL, gCa, ECa, gK, EK, V1, iV2, V3, iV4, phi float64) (dv, dw float64) {
	minf := 0.5 * (1 + math.Tanh((v-V1)*iV2))
	x := (v - V3) * iV4
	winf := 0.5 * (1 + math.Tanh(x))
	dv = (I - gL*(v-EL) - gCa*minf*(v-ECa) - gK*w*(v-EK)) / C
	dw = phi * (winf - w) * math.Cosh(x/2)
	return
}

func morrisLecarDeriv(dx, x, p []float64, I float64) {
	dx[0], dx[1] = morrisLecarField(x[0], x[1], I, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 1/p[8], p[9], 1/p[10], p[11])
}

// Both kernels add a population's input (batch.bias) themselves.
func init() { models["morris-lecar"].takesBias = true }

// The constants the kernels derive from each member's parameters, so that a stage is
// multiplications, two exponentials and three divisions (fastmath_models.go):
//
//	dV/dt = iC (I + g (E - V) + gL EL) - iC (g + gL) V - gCaC (V - ECa) m_inf - gKC w (V - EK)
//	m_inf = 1/(1 + exp(am - V ikm))            (= (1 + tanh((V-V1)/V2))/2)
//	dw/dt = phi (w_inf - w) cosh(y), w_inf = 1/(1 + f⁴), cosh(y) = (f + 1/f)/2,
//	f = exp(aw - V ikw) = e^{-y}, y = (V-V3)/(2 V4)
const (
	mlIC   = iota // 1/C
	mlGL          // gL
	mlGLEL        // gL EL
	mlGCaC        // gCa / C
	mlECa         // ECa
	mlGKC         // gK / C
	mlEK          // EK
	mlAm          // 2 V1 / V2
	mlIkm         // 2 / V2
	mlAw          // V3 / (2 V4)
	mlIkw         // 1 / (2 V4)
	mlPhi         // phi
	mlA           // iC (I + g E + gL EL): the input folded in (morrisLecarDeriveInput)
	mlB           // iC (g + gL)
	mlDerived
)

func morrisLecarDerive(b *batch, k int) {
	p := func(i int) float64 { return b.p[i][k] }
	C, gL, EL, gCa, ECa, gK, EK := p(0), p(1), p(2), p(3), p(4), p(5), p(6)
	V1, V2, V3, V4, phi := p(7), p(8), p(9), p(10), p(11)
	for c, v := range [mlA]float64{
		mlIC: 1 / C, mlGL: gL, mlGLEL: gL * EL, mlGCaC: gCa / C, mlECa: ECa, mlGKC: gK / C, mlEK: EK,
		mlAm: 2 * V1 / V2, mlIkm: 2 / V2, mlAw: V3 / (2 * V4), mlIkw: 1 / (2 * V4), mlPhi: phi,
	} {
		b.setDerived(c, k, v)
	}
	morrisLecarDeriveInput(b, k)
}

// morrisLecarDeriveInput folds member k's input current and coupling into A and B; the
// engine calls it whenever they change.
func morrisLecarDeriveInput(b *batch, k int) {
	d := b.derived
	iC, g := d[mlIC][k], b.gc[k]
	b.setDerived(mlA, k, iC*(b.in[k]+g*b.ec[k]+d[mlGLEL][k]))
	b.setDerived(mlB, k, iC*(g+d[mlGL][k]))
}

// mlConsts are one member's constants over a sample: its population's input (bias)
// added to A.
type mlConsts struct{ A, B, gCaC, ECa, gKC, EK, am, ikm, aw, ikw, phi float64 }

func mlConstsOf(d [][]float64, k int, bias float64) mlConsts {
	return mlConsts{
		A: d[mlA][k] + d[mlIC][k]*bias, B: d[mlB][k], gCaC: d[mlGCaC][k], ECa: d[mlECa][k], gKC: d[mlGKC][k], EK: d[mlEK][k],
		am: d[mlAm][k], ikm: d[mlIkm][k], aw: d[mlAw][k], ikw: d[mlIkw][k], phi: d[mlPhi][k],
	}
}

// slope is dV/dt and dw/dt at (v, w), given exp(am - v ikm) and f = exp(aw - v ikw).
func (c *mlConsts) slope(v, w, em, f float64) (dv, dw float64) {
	winf, cosh := mlGateOf(f)
	return c.A - c.B*v - c.gCaC*(v-c.ECa)*logisticOf(em) - c.gKC*w*(v-c.EK), c.phi * (winf - w) * cosh
}

// morrisLecarKernel is the portable kernel: every build's, and the one for members that
// do not fill a vector where morrislecar_simd.go has a vector kernel. It advances every
// neuron of the batch by nsub RK4 steps of h in float64, the derivative written out
// inline with the fast math of fastmath_models.go, state in locals, two neurons side by
// side (their dependency chains overlap) and an odd last one alone.
func morrisLecarKernel(bt *batch, h float64, nsub int) { morrisLecarPortableFrom(bt, h, nsub, 0) }

// morrisLecarPortableFrom steps members from, from+1, ... as morrisLecarKernel does.
func morrisLecarPortableFrom(bt *batch, h float64, nsub, from int) {
	V, W := bt.x[0], bt.x[1]
	n := len(V)
	W = W[:n]
	// Stage i is evaluated at x + next[i] k_i's predecessor and weighs weight[i] in the step.
	next := [4]float64{h / 2, h / 2, h, 0}
	weight := [4]float64{h / 6, h / 3, h / 3, h / 6}
	pairs := from + (n-from)&^1
	for a := from; a < pairs; a += 2 {
		b := a + 1
		ca, cb := mlConstsOf(bt.derived, a, bt.bias), mlConstsOf(bt.derived, b, bt.bias)
		va, wa, vb, wb := V[a], W[a], V[b], W[b]
		for s := 0; s < nsub; s++ {
			vsa, wsa, va1, wa1 := va, wa, va, wa
			vsb, wsb, vb1, wb1 := vb, wb, vb, wb
			for i := 0; i < 4; i++ {
				rma, sma := expSplit(ca.am - vsa*ca.ikm)
				rmb, smb := expSplit(cb.am - vsb*cb.ikm)
				rwa, swa := expSplit(ca.aw - vsa*ca.ikw)
				rwb, swb := expSplit(cb.aw - vsb*cb.ikw)
				dva, dwa := ca.slope(vsa, wsa, sma*expPoly(rma), swa*expPoly(rwa))
				dvb, dwb := cb.slope(vsb, wsb, smb*expPoly(rmb), swb*expPoly(rwb))
				wt, nx := weight[i], next[i]
				va1, wa1, vb1, wb1 = va1+wt*dva, wa1+wt*dwa, vb1+wt*dvb, wb1+wt*dwb
				vsa, wsa, vsb, wsb = va+nx*dva, wa+nx*dwa, vb+nx*dvb, wb+nx*dwb
			}
			va, wa, vb, wb = va1, wa1, vb1, wb1
		}
		V[a], W[a] = bt.checked(a, va, wa)
		V[b], W[b] = bt.checked(b, vb, wb)
	}
	if pairs < n { // the odd last member, alone
		a := n - 1
		c, v, w := mlConstsOf(bt.derived, a, bt.bias), V[a], W[a]
		for s := 0; s < nsub; s++ {
			vs, ws, v1, w1 := v, w, v, w
			for i := 0; i < 4; i++ {
				rm, sm := expSplit(c.am - vs*c.ikm)
				rw, sw := expSplit(c.aw - vs*c.ikw)
				dv, dw := c.slope(vs, ws, sm*expPoly(rm), sw*expPoly(rw))
				v1, w1 = v1+weight[i]*dv, w1+weight[i]*dw
				vs, ws = v+next[i]*dv, w+next[i]*dw
			}
			v, w = v1, w1
		}
		V[a], W[a] = bt.checked(a, v, w)
	}
}
