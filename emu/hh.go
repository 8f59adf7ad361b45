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
}, hhKernel, hhDerive, hhDeriveInput, hhDerived)

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

// Both kernels add a population's input (batch.bias) themselves.
func init() { models["hh"].takesBias = true }

// The constants the kernels derive from each member's parameters, so that a stage is
// multiplications, three exponentials (fastmath_models.go) and three divisions:
//
//	dV/dt = iC (I + g (E - V) + gL EL) - iC (g + gL) V - gNaC m³h (V - ENa) - gKC n⁴ (V - EK)
const (
	hhIC   = iota // 1/C
	hhGL          // gL
	hhGLEL        // gL EL
	hhGNaC        // gNa / C
	hhENa         // ENa
	hhGKC         // gK / C
	hhEK          // EK
	hhA           // iC (I + g E + gL EL): the input folded in (hhDeriveInput)
	hhB           // iC (g + gL)
	hhDerived
)

func hhDerive(b *batch, k int) {
	p := func(i int) float64 { return b.p[i][k] }
	C, gNa, ENa, gK, EK, gL, EL := p(0), p(1), p(2), p(3), p(4), p(5), p(6)
	for c, v := range [hhA]float64{
		hhIC: 1 / C, hhGL: gL, hhGLEL: gL * EL, hhGNaC: gNa / C, hhENa: ENa, hhGKC: gK / C, hhEK: EK,
	} {
		b.setDerived(c, k, v)
	}
	hhDeriveInput(b, k)
}

// hhDeriveInput folds member k's input current and coupling into A and B; the engine
// calls it whenever they change.
func hhDeriveInput(b *batch, k int) {
	d := b.derived
	iC, g := d[hhIC][k], b.gc[k]
	b.setDerived(hhA, k, iC*(b.in[k]+g*b.ec[k]+d[hhGLEL][k]))
	b.setDerived(hhB, k, iC*(g+d[hhGL][k]))
}

// hhConsts are one member's constants over a sample: its population's input (bias)
// added to A.
type hhConsts struct{ A, B, gNaC, ENa, gKC, EK float64 }

func hhConstsOf(d [][]float64, k int, bias float64) hhConsts {
	return hhConsts{A: d[hhA][k] + d[hhIC][k]*bias, B: d[hhB][k], gNaC: d[hhGNaC][k], ENa: d[hhENa][k], gKC: d[hhGKC][k], EK: d[hhEK][k]}
}

// dv is dV/dt at (v, m, h, n).
func (c *hhConsts) dv(v, m, h, n float64) float64 {
	n2 := n * n
	return c.A - c.B*v - c.gNaC*(m*m*m*h)*(v-c.ENa) - c.gKC*(n2*n2)*(v-c.EK)
}

// hhKernel is the portable kernel: every build's, and the one for members that do not
// fill a vector where hh_simd.go has a vector kernel. It advances every neuron of the
// batch by nsub RK4 steps of h in float64, the derivative written out inline with
// hhRatesFast's arithmetic (fastmath_models.go), state in locals. It steps two neurons
// at once, a and b, their instructions side by side (one neuron's RK4 is a chain of
// dependent operations, which the processor overlaps with another's: 87 ns a
// neuron-step instead of 100); an odd last neuron is stepped alone. The four stages are one loop over their coefficients, so
// the stage is written once per neuron.
func hhKernel(bt *batch, h float64, nsub int) { hhPortableFrom(bt, h, nsub, 0) }

// hhPortableFrom steps members from, from+1, ... as hhKernel does.
func hhPortableFrom(bt *batch, h float64, nsub, from int) {
	V, M, H, N := bt.x[0], bt.x[1], bt.x[2], bt.x[3]
	n := len(V)
	M, H, N = M[:n], H[:n], N[:n]
	// Stage i is evaluated at x + next[i] k_i's predecessor and weighs weight[i] in the step.
	next := [4]float64{h / 2, h / 2, h, 0}
	weight := [4]float64{h / 6, h / 3, h / 3, h / 6}
	pairs := from + (n-from)&^1
	for a := from; a < pairs; a += 2 {
		b := a + 1
		ca, cb := hhConstsOf(bt.derived, a, bt.bias), hhConstsOf(bt.derived, b, bt.bias)
		va, ma, ha, na := V[a], M[a], H[a], N[a]
		vb, mb, hb, nb := V[b], M[b], H[b], N[b]
		for s := 0; s < nsub; s++ {
			vsa, msa, hsa, nsa, va1, ma1, ha1, na1 := va, ma, ha, na, va, ma, ha, na
			vsb, msb, hsb, nsb, vb1, mb1, hb1, nb1 := vb, mb, hb, nb, vb, mb, hb, nb
			for i := 0; i < 4; i++ {
				// hhRatesFast, written out for a and b side by side.
				ua, wa := (vsa+40)*0.1, vsa+65
				ub, wb := (vsb+40)*0.1, vsb+65
				r40a, s40a := expSplit(-ua)
				r40b, s40b := expSplit(-ub)
				rbma, sbma := expSplit(wa*(-1.0/18) + hhLn4)
				rbmb, sbmb := expSplit(wb*(-1.0/18) + hhLn4)
				r80a, s80a := expSplit(min(wa*(-1.0/80), hhE80Max))
				r80b, s80b := expSplit(min(wb*(-1.0/80), hhE80Max))
				e40a, bma, e80a := s40a*expPoly(r40a), sbma*expPoly(rbma), s80a*expPoly(r80a)
				e40b, bmb, e80b := s40b*expPoly(r40b), sbmb*expPoly(rbmb), s80b*expPoly(r80b)
				e20a, e20b := e80a*e80a, e80b*e80b
				ama, aha, bha, ana, bna := expRatioOf(ua, e40a), 0.07*(e20a*e20a), logisticOf(e40a*hhE35), 0.1*expRatioOf(ua+1.5, e40a*hhE55), 0.125*e80a
				amb, ahb, bhb, anb, bnb := expRatioOf(ub, e40b), 0.07*(e20b*e20b), logisticOf(e40b*hhE35), 0.1*expRatioOf(ub+1.5, e40b*hhE55), 0.125*e80b
				dva, dvb := ca.dv(vsa, msa, hsa, nsa), cb.dv(vsb, msb, hsb, nsb)
				dma, dha, dna := ama-(ama+bma)*msa, aha-(aha+bha)*hsa, ana-(ana+bna)*nsa
				dmb, dhb, dnb := amb-(amb+bmb)*msb, ahb-(ahb+bhb)*hsb, anb-(anb+bnb)*nsb
				wt, nx := weight[i], next[i]
				va1, ma1, ha1, na1 = va1+wt*dva, ma1+wt*dma, ha1+wt*dha, na1+wt*dna
				vb1, mb1, hb1, nb1 = vb1+wt*dvb, mb1+wt*dmb, hb1+wt*dhb, nb1+wt*dnb
				vsa, msa, hsa, nsa = va+nx*dva, ma+nx*dma, ha+nx*dha, na+nx*dna
				vsb, msb, hsb, nsb = vb+nx*dvb, mb+nx*dmb, hb+nx*dhb, nb+nx*dnb
			}
			va, ma, ha, na = va1, ma1, ha1, na1
			vb, mb, hb, nb = vb1, mb1, hb1, nb1
		}
		V[a], M[a], H[a], N[a] = hhChecked(bt, a, va, ma, ha, na)
		V[b], M[b], H[b], N[b] = hhChecked(bt, b, vb, mb, hb, nb)
	}
	if pairs < n {
		hhOne(bt, h, nsub, pairs)
	}
}

// hhOne steps members from, from+1, ... one at a time, as hhPortableFrom steps two: for
// an odd last member, which costs two thirds of stepping it as both.
func hhOne(bt *batch, h float64, nsub, from int) {
	V, M, H, N := bt.x[0], bt.x[1], bt.x[2], bt.x[3]
	n := len(V)
	M, H, N = M[:n], H[:n], N[:n]
	next := [4]float64{h / 2, h / 2, h, 0}
	weight := [4]float64{h / 6, h / 3, h / 3, h / 6}
	for a := from; a < n; a++ {
		ca := hhConstsOf(bt.derived, a, bt.bias)
		va, ma, ha, na := V[a], M[a], H[a], N[a]
		for s := 0; s < nsub; s++ {
			vsa, msa, hsa, nsa, va1, ma1, ha1, na1 := va, ma, ha, na, va, ma, ha, na
			for i := 0; i < 4; i++ {
				ua, wa := (vsa+40)*0.1, vsa+65 // hhRatesFast, written out
				r40a, s40a := expSplit(-ua)
				rbma, sbma := expSplit(wa*(-1.0/18) + hhLn4)
				r80a, s80a := expSplit(min(wa*(-1.0/80), hhE80Max))
				e40a, bma, e80a := s40a*expPoly(r40a), sbma*expPoly(rbma), s80a*expPoly(r80a)
				e20a := e80a * e80a
				ama, aha, bha, ana, bna := expRatioOf(ua, e40a), 0.07*(e20a*e20a), logisticOf(e40a*hhE35), 0.1*expRatioOf(ua+1.5, e40a*hhE55), 0.125*e80a
				dva := ca.dv(vsa, msa, hsa, nsa)
				dma, dha, dna := ama-(ama+bma)*msa, aha-(aha+bha)*hsa, ana-(ana+bna)*nsa
				wt, nx := weight[i], next[i]
				va1, ma1, ha1, na1 = va1+wt*dva, ma1+wt*dma, ha1+wt*dha, na1+wt*dna
				vsa, msa, hsa, nsa = va+nx*dva, ma+nx*dma, ha+nx*dha, na+nx*dna
			}
			va, ma, ha, na = va1, ma1, ha1, na1
		}
		V[a], M[a], H[a], N[a] = hhChecked(bt, a, va, ma, ha, na)
	}
}

// hhChecked returns member k's new state, or its rest state (counted) if the step blew up.
func hhChecked(bt *batch, k int, v, m, h, n float64) (float64, float64, float64, float64) {
	if !(v > -voltageBound && v < voltageBound) || !(m > -stateBound && m < stateBound) ||
		!(h > -stateBound && h < stateBound) || !(n > -stateBound && n < stateBound) {
		bt.resets++
		bt.reset[k] = true
		return bt.rest[0][k], bt.rest[1][k], bt.rest[2][k], bt.rest[3][k]
	}
	return v, m, h, n
}
