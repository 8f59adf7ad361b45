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
}, inapkKernel)

// inapkDeriv is the reference derivative; inapkKernel inlines the same arithmetic.
func inapkDeriv(dx, x, p []float64, I float64) {
	v, n := x[0], x[1]
	C, gL, EL, gNa, ENa, gK, EK := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
	Vm, km, Vn, kn, tau := p[7], p[8], p[9], p[10], p[11]
	minf := 1 / (1 + math.Exp((Vm-v)/km))
	ninf := 1 / (1 + math.Exp((Vn-v)/kn))
	dx[0] = (I - gL*(v-EL) - gNa*minf*(v-ENa) - gK*n*(v-EK)) / C
	dx[1] = (ninf - n) / tau
}

// inapkKernel advances every neuron of the batch by nsub RK4 steps of h, the derivative
// written out inline (no call per stage), state in locals.
func inapkKernel(b *batch, h float64, nsub int) {
	V, N := b.x[0], b.x[1]
	pC, pgL, pEL, pgNa, pENa := b.p[0], b.p[1], b.p[2], b.p[3], b.p[4]
	pgK, pEK, pVm, pkm, pVn, pkn, ptau := b.p[5], b.p[6], b.p[7], b.p[8], b.p[9], b.p[10], b.p[11]
	in, gc, ec := b.in, b.gc, b.ec
	h2, h6 := h/2, h/6
	for k := range V {
		v, n := V[k], N[k]
		iC := 1 / pC[k]
		gL, EL, gNa, ENa, gK, EK := pgL[k], pEL[k], pgNa[k], pENa[k], pgK[k], pEK[k]
		Vm, ikm, Vn, ikn, itau := pVm[k], 1/pkm[k], pVn[k], 1/pkn[k], 1/ptau[k]
		I, g, E := in[k], gc[k], ec[k]
		for s := 0; s < nsub; s++ {
			// stage 1
			dv1 := (I + g*(E-v) - gL*(v-EL) - gNa/(1+math.Exp((Vm-v)*ikm))*(v-ENa) - gK*n*(v-EK)) * iC
			dn1 := (1/(1+math.Exp((Vn-v)*ikn)) - n) * itau
			v2, n2 := v+h2*dv1, n+h2*dn1
			dv2 := (I + g*(E-v2) - gL*(v2-EL) - gNa/(1+math.Exp((Vm-v2)*ikm))*(v2-ENa) - gK*n2*(v2-EK)) * iC
			dn2 := (1/(1+math.Exp((Vn-v2)*ikn)) - n2) * itau
			v3, n3 := v+h2*dv2, n+h2*dn2
			dv3 := (I + g*(E-v3) - gL*(v3-EL) - gNa/(1+math.Exp((Vm-v3)*ikm))*(v3-ENa) - gK*n3*(v3-EK)) * iC
			dn3 := (1/(1+math.Exp((Vn-v3)*ikn)) - n3) * itau
			v4, n4 := v+h*dv3, n+h*dn3
			dv4 := (I + g*(E-v4) - gL*(v4-EL) - gNa/(1+math.Exp((Vm-v4)*ikm))*(v4-ENa) - gK*n4*(v4-EK)) * iC
			dn4 := (1/(1+math.Exp((Vn-v4)*ikn)) - n4) * itau
			v += h6 * (dv1 + 2*dv2 + 2*dv3 + dv4)
			n += h6 * (dn1 + 2*dn2 + 2*dn3 + dn4)
		}
		if !(v > -voltageBound && v < voltageBound) || !(n > -stateBound && n < stateBound) {
			v, n = b.rest[0][k], b.rest[1][k]
			b.resets++
			b.reset[k] = true
		}
		V[k], N[k] = v, n
	}
}
