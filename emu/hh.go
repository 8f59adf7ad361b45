package emu

import "math"

// HH returns the classic Hodgkin-Huxley model of the squid giant axon (Hodgkin & Huxley 1952),
// in the modern convention with rest at -65 mV (as in Izhikevich 2007, sec. 2.3, and
// Ermentrout & Terman 2010, ch. 1): voltage V, Na+ activation m and inactivation h, K+
// activation n, at 6.3 °C.
//
//	C V' = I - gNa m³h (V-ENa) - gK n⁴ (V-EK) - gL (V-EL)
//	  x' = αx(V) (1-x) - βx(V) x   for x = m, h, n
//
// It fires repetitively from I ≈ 6.2 µA/cm² (a fold of limit cycles) and loses its rest
// state in a subcritical Andronov-Hopf bifurcation near I ≈ 9.8 µA/cm².
//
// Each call returns a fresh copy (as LookupModel does): changing it changes no other.
func HH() *Model { return hh.clone() }

var hh = register(&Model{
	Name: "hh",
	Doc:  "classic Hodgkin-Huxley squid axon (1952), rest at -65 mV: V, m, h, n",
	Vars: []Var{{"V", "mV"}, {"m", ""}, {"h", ""}, {"n", ""}},
	Params: []Param{
		{"C", "µF/cm²", "membrane capacitance", 1, 0.1, 100},
		{"gNa", "mS/cm²", "Na+ conductance", 120, 0, 500},
		{"ENa", "mV", "Na+ reversal potential", 50, -50, 150},
		{"gK", "mS/cm²", "K+ conductance", 36, 0, 500},
		{"EK", "mV", "K+ reversal potential", -77, -150, 50},
		{"gL", "mS/cm²", "leak conductance", 0.3, 0, 100},
		{"EL", "mV", "leak reversal potential", -54.387, -150, 50},
	},
	Presets: []Preset{{
		Name: "classic",
		Doc: "Hodgkin & Huxley 1952 squid giant axon at 6.3 °C, shifted to rest at -65 mV " +
			"(values as in Ermentrout & Terman 2010, sec. 1.9): repetitive firing from " +
			"I ≈ 6.2 µA/cm², subcritical Hopf near 9.8 µA/cm²",
		Values:    map[string]float64{},
		Init:      []float64{-64.996, 0.05296, 0.59599, 0.31773},
		SpikeHigh: -10, SpikeLow: -50,
		Centre: -20, Span: 60,
		Sweep: [2]float64{0, 15},
	}},
	CurrentUnit: "µA/cm²",
	CurrentMin:  -200, CurrentMax: 400,
	MaxStep:      0.025,
	VoltageRange: [2]float64{-100, 60},
	Deriv:        hhDeriv,
}, hhKernel, nil, nil, 0)

// expRatio returns x / (1 - exp(-x/k)), continuous through its removable singularity at
// x = 0 (where the limit is k).
func expRatio(x, k float64) float64 {
	u := x / k
	if u > -1e-4 && u < 1e-4 {
		return k * (1 + u/2 + u*u/12)
	}
	return x / (1 - math.Exp(-u))
}

func hhRates(v float64) (am, bm, ah, bh, an, bn float64) {
	am = 0.1 * expRatio(v+40, 10)
	bm = 4 * math.Exp(-(v+65)/18)
	ah = 0.07 * math.Exp(-(v+65)/20)
	bh = 1 / (1 + math.Exp(-(v+35)/10))
	an = 0.01 * expRatio(v+55, 10)
	bn = 0.125 * math.Exp(-(v+65)/80)
	return
}

// hhField is the derivative on scalars, called directly (never through an interface) by
// both the reference derivative and the batch kernel.
func hhField(v, m, h, n, I, C, gNa, ENa, gK, EK, gL, EL float64) (dv, dm, dh, dn float64) {
	am, bm, ah, bh, an, bn := hhRates(v)
	n2 := n * n
	dv = (I - gNa*m*m*m*h*(v-ENa) - gK*n2*n2*(v-EK) - gL*(v-EL)) / C
	dm = am*(1-m) - bm*m
	dh = ah*(1-h) - bh*h
	dn = an*(1-n) - bn*n
	return
}

func hhDeriv(dx, x, p []float64, I float64) {
	dx[0], dx[1], dx[2], dx[3] = hhField(x[0], x[1], x[2], x[3], I, p[0], p[1], p[2], p[3], p[4], p[5], p[6])
}

func hhKernel(b *batch, h float64, nsub int) {
	V, M, H, N := b.x[0], b.x[1], b.x[2], b.x[3]
	pC, pgNa, pENa, pgK, pEK, pgL, pEL := b.p[0], b.p[1], b.p[2], b.p[3], b.p[4], b.p[5], b.p[6]
	h2, h6 := h/2, h/6
	for k := range V {
		v, m, hh, n := V[k], M[k], H[k], N[k]
		C, gNa, ENa, gK, EK, gL, EL := pC[k], pgNa[k], pENa[k], pgK[k], pEK[k], pgL[k], pEL[k]
		I, g, E := b.in[k], b.gc[k], b.ec[k]
		for s := 0; s < nsub; s++ {
			a1, b1, c1, d1 := hhField(v, m, hh, n, I+g*(E-v), C, gNa, ENa, gK, EK, gL, EL)
			v2, m2, hh2, n2 := v+h2*a1, m+h2*b1, hh+h2*c1, n+h2*d1
			a2, b2, c2, d2 := hhField(v2, m2, hh2, n2, I+g*(E-v2), C, gNa, ENa, gK, EK, gL, EL)
			v3, m3, hh3, n3 := v+h2*a2, m+h2*b2, hh+h2*c2, n+h2*d2
			a3, b3, c3, d3 := hhField(v3, m3, hh3, n3, I+g*(E-v3), C, gNa, ENa, gK, EK, gL, EL)
			v4, m4, hh4, n4 := v+h*a3, m+h*b3, hh+h*c3, n+h*d3
			a4, b4, c4, d4 := hhField(v4, m4, hh4, n4, I+g*(E-v4), C, gNa, ENa, gK, EK, gL, EL)
			v += h6 * (a1 + 2*a2 + 2*a3 + a4)
			m += h6 * (b1 + 2*b2 + 2*b3 + b4)
			hh += h6 * (c1 + 2*c2 + 2*c3 + c4)
			n += h6 * (d1 + 2*d2 + 2*d3 + d4)
		}
		if !(v > -voltageBound && v < voltageBound) || !(m > -stateBound && m < stateBound) ||
			!(hh > -stateBound && hh < stateBound) || !(n > -stateBound && n < stateBound) {
			v, m, hh, n = b.rest[0][k], b.rest[1][k], b.rest[2][k], b.rest[3][k]
			b.resets++
			b.reset[k] = true
		}
		V[k], M[k], H[k], N[k] = v, m, hh, n
	}
}
