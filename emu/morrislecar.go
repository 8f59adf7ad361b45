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
}, morrisLecarKernel, nil, nil, 0)

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

func morrisLecarKernel(b *batch, h float64, nsub int) {
	V, W := b.x[0], b.x[1]
	h2, h6 := h/2, h/6
	for k := range V {
		v, w := V[k], W[k]
		C, gL, EL, gCa, ECa, gK, EK := b.p[0][k], b.p[1][k], b.p[2][k], b.p[3][k], b.p[4][k], b.p[5][k], b.p[6][k]
		V1, iV2, V3, iV4, phi := b.p[7][k], 1/b.p[8][k], b.p[9][k], 1/b.p[10][k], b.p[11][k]
		I, g, E := b.in[k], b.gc[k], b.ec[k]
		for s := 0; s < nsub; s++ {
			a1, b1 := morrisLecarField(v, w, I+g*(E-v), C, gL, EL, gCa, ECa, gK, EK, V1, iV2, V3, iV4, phi)
			v2, w2 := v+h2*a1, w+h2*b1
			a2, b2 := morrisLecarField(v2, w2, I+g*(E-v2), C, gL, EL, gCa, ECa, gK, EK, V1, iV2, V3, iV4, phi)
			v3, w3 := v+h2*a2, w+h2*b2
			a3, b3 := morrisLecarField(v3, w3, I+g*(E-v3), C, gL, EL, gCa, ECa, gK, EK, V1, iV2, V3, iV4, phi)
			v4, w4 := v+h*a3, w+h*b3
			a4, b4 := morrisLecarField(v4, w4, I+g*(E-v4), C, gL, EL, gCa, ECa, gK, EK, V1, iV2, V3, iV4, phi)
			v += h6 * (a1 + 2*a2 + 2*a3 + a4)
			w += h6 * (b1 + 2*b2 + 2*b3 + b4)
		}
		if !(v > -voltageBound && v < voltageBound) || !(w > -stateBound && w < stateBound) {
			v, w = b.rest[0][k], b.rest[1][k]
			b.resets++
			b.reset[k] = true
		}
		V[k], W[k] = v, w
	}
}
