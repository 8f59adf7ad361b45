package emu

// FitzHughNagumo returns the FitzHugh-Nagumo model (FitzHugh 1961; Nagumo et al. 1962), the
// classic two-variable caricature of excitability, dimensionless:
//
//	v' = v - v³/3 - w + I
//	w' = eps (v + a - b w)
//
// One unit of its time is played as 1 ms of model time. With a=0.7, b=0.8, eps=0.08 the
// rest state loses stability in an Andronov-Hopf bifurcation near I ≈ 0.33.
//
// Each call returns a fresh copy (as LookupModel does): changing it changes no other.
func FitzHughNagumo() *Model { return fitzHughNagumo.clone() }

var fitzHughNagumo = register(&Model{
	Name: "fitzhugh-nagumo",
	Doc:  "FitzHugh-Nagumo model (1961), dimensionless: fast variable v and recovery w",
	Vars: []Var{{"V", ""}, {"w", ""}},
	Params: []Param{
		{"a", "", "recovery offset", 0.7, -5, 5},
		{"b", "", "recovery feedback", 0.8, 0, 5},
		{"eps", "", "recovery rate (time-scale ratio)", 0.08, 0.001, 10},
	},
	Presets: []Preset{{
		Name: "classic",
		Doc: "FitzHugh 1961 values a=0.7, b=0.8, eps=0.08: Andronov-Hopf near I ≈ 0.33 " +
			"(Izhikevich & FitzHugh 2006, Scholarpedia 1(9):1349)",
		Values:    map[string]float64{},
		Init:      []float64{-1.19941, -0.62426},
		SpikeHigh: 1, SpikeLow: 0,
		Centre: 0, Span: 2,
		Sweep: [2]float64{0, 1.6},
	}},
	CurrentUnit: "",
	CurrentMin:  -10, CurrentMax: 10,
	MaxStep:      0.05,
	VoltageRange: [2]float64{-3, 3},
	Deriv:        fhnDeriv,
}, fhnKernel, nil, nil, 0)

func fhnField(v, w, I, a, b, eps float64) (dv, dw float64) {
	return v - v*v*v/3 - w + I, eps * (v + a - b*w)
}

func fhnDeriv(dx, x, p []float64, I float64) {
	dx[0], dx[1] = fhnField(x[0], x[1], I, p[0], p[1], p[2])
}

func fhnKernel(bt *batch, h float64, nsub int) {
	V, W := bt.x[0], bt.x[1]
	pa, pb, peps := bt.p[0], bt.p[1], bt.p[2]
	h2, h6 := h/2, h/6
	for k := range V {
		v, w := V[k], W[k]
		a, b, eps := pa[k], pb[k], peps[k]
		I, g, E := bt.in[k], bt.gc[k], bt.ec[k]
		for s := 0; s < nsub; s++ {
			a1, b1 := fhnField(v, w, I+g*(E-v), a, b, eps)
			v2, w2 := v+h2*a1, w+h2*b1
			a2, b2 := fhnField(v2, w2, I+g*(E-v2), a, b, eps)
			v3, w3 := v+h2*a2, w+h2*b2
			a3, b3 := fhnField(v3, w3, I+g*(E-v3), a, b, eps)
			v4, w4 := v+h*a3, w+h*b3
			a4, b4 := fhnField(v4, w4, I+g*(E-v4), a, b, eps)
			v += h6 * (a1 + 2*a2 + 2*a3 + a4)
			w += h6 * (b1 + 2*b2 + 2*b3 + b4)
		}
		if !(v > -voltageBound && v < voltageBound) || !(w > -stateBound && w < stateBound) {
			v, w = bt.rest[0][k], bt.rest[1][k]
			bt.resets++
			bt.reset[k] = true
		}
		V[k], W[k] = v, w
	}
}
