//go:build goexperiment.simd && amd64

package emu

import "simd/archsimd"

// The vector kernel of Hodgkin-Huxley: eight neurons per AVX2 vector in float32, with
// FMA, as inapk_simd.go does for I_Na,p+I_K (whose load8, store8, expSplit8, expPoly8,
// finish8 and sum8 it uses) and with Morris-Lecar's logistic8. Float32 is enough here
// too: TestKernelsFollowTheReference holds its spike times to the float64 reference, and
// the rates' float32 bound (hhRate32Bound) holds for the lanes (TestFastMathModels).

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		useVectorKernel("hh", hhAVX2)
		vectorHelpers["expRatio"] = func(out *[2][8]float32, x *[8]float32) {
			u := archsimd.LoadFloat32x8(x)
			r, s := expSplit8(archsimd.Float32x8{}.Sub(u))
			expRatio8(u, s.Mul(expPoly8(r))).Store(&out[0])
		}
		for i, name := range []string{"hh/am", "hh/bm", "hh/ah", "hh/bh", "hh/an", "hh/bn"} {
			vectorHelpers[name] = func(out *[2][8]float32, x *[8]float32) {
				rates := [6]archsimd.Float32x8{}
				rates[0], rates[1], rates[2], rates[3], rates[4], rates[5] = hhRates8(archsimd.LoadFloat32x8(x))
				rates[i].Store(&out[0])
			}
		}
	}
}

// expRatio8 is expRatioOf on eight lanes: u/(1-e) where |u| >= 1, the series (through
// u⁸, as expRatio32Bound assumes) where |u| < 1; both are computed and the lanes choose.
func expRatio8(u, e archsimd.Float32x8) archsimd.Float32x8 {
	one := archsimd.BroadcastFloat32x8(1)
	u2 := u.Mul(u)
	p := u2.MulAdd(archsimd.BroadcastFloat32x8(-1.0/1209600), archsimd.BroadcastFloat32x8(1.0/30240))
	p = u2.MulAdd(p, archsimd.BroadcastFloat32x8(-1.0/720))
	p = u2.MulAdd(p, archsimd.BroadcastFloat32x8(1.0/12))
	series := u2.MulAdd(p, u.MulAdd(archsimd.BroadcastFloat32x8(0.5), one))
	near := u.Greater(archsimd.BroadcastFloat32x8(-expRatioCut)).And(u.Less(archsimd.BroadcastFloat32x8(expRatioCut)))
	return series.Merge(u.Div(one.Sub(e)), near)
}

// hhRates8 is hhRatesFast on eight lanes, for the tests; the kernel writes it out (it
// would not inline).
func hhRates8(v archsimd.Float32x8) (am, bm, ah, bh, an, bn archsimd.Float32x8) {
	nu, w := v.Add(archsimd.BroadcastFloat32x8(40)).Mul(archsimd.BroadcastFloat32x8(-0.1)), v.Add(archsimd.BroadcastFloat32x8(65))
	r40, s40 := expSplit8(nu)
	rbm, sbm := expSplit8(w.MulAdd(archsimd.BroadcastFloat32x8(-1.0/18), archsimd.BroadcastFloat32x8(hhLn4)))
	r80, s80 := expSplit8(w.Mul(archsimd.BroadcastFloat32x8(-1.0 / 80)).Min(archsimd.BroadcastFloat32x8(hhE80Max32)))
	e40, e80 := s40.Mul(expPoly8(r40)), s80.Mul(expPoly8(r80))
	bm = sbm.Mul(expPoly8(rbm))
	u := archsimd.Float32x8{}.Sub(nu)
	e20 := e80.Mul(e80)
	am = expRatio8(u, e40)
	ah = e20.Mul(e20).Mul(archsimd.BroadcastFloat32x8(0.07))
	bh = logistic8(e40.Mul(archsimd.BroadcastFloat32x8(hhE35)))
	an = expRatio8(u.Add(archsimd.BroadcastFloat32x8(1.5)), e40.Mul(archsimd.BroadcastFloat32x8(hhE55))).Mul(archsimd.BroadcastFloat32x8(0.1))
	bn = e80.Mul(archsimd.BroadcastFloat32x8(0.125))
	return
}

// hh8 is one vector's constants over a sample, B negated so that A - B v is one FMA.
type hh8 struct{ A, nB, gNaC, ENa, gKC, EK archsimd.Float32x8 }

// load reads members a to a+7's constants into c, a struct the caller keeps (see
// inapk8.load: a returned struct costs SSE zeroing between AVX code).
func (c *hh8) load(bt *batch, a int) {
	d := bt.derived32
	ld := func(k int) archsimd.Float32x8 { return archsimd.LoadFloat32x8Slice(d[k][a:]) }
	c.A, c.nB = ld(hhIC).MulAdd(archsimd.BroadcastFloat32x8(float32(bt.bias)), ld(hhA)), archsimd.Float32x8{}.Sub(ld(hhB))
	c.gNaC, c.ENa, c.gKC, c.EK = ld(hhGNaC), ld(hhENa), ld(hhGKC), ld(hhEK)
}

// dv is dV/dt on eight lanes, as hhConsts.dv.
func (c *hh8) dv(v, m, h, n archsimd.Float32x8) archsimd.Float32x8 {
	n2 := n.Mul(n)
	return c.nB.MulAdd(v, c.A).Sub(c.gNaC.Mul(m.Mul(m).Mul(m).Mul(h)).Mul(v.Sub(c.ENa))).Sub(c.gKC.Mul(n2.Mul(n2)).Mul(v.Sub(c.EK)))
}

// gate is dx/dt = α - (α + β) x on eight lanes.
func gate8(alpha, beta, x archsimd.Float32x8) archsimd.Float32x8 {
	return archsimd.Float32x8{}.Sub(alpha.Add(beta)).MulAdd(x, alpha)
}

// hhAVX2 steps the batch sixteen members at a time, two vectors whose instructions
// interleave: the same arithmetic as hhKernel (hhRates8's written out), the constants
// from derived32, the four RK4 stages one loop over their coefficients. An odd last
// vector is stepped as both; members past the last full vector go to the portable
// kernel. It detects and mixes the full vectors itself while their voltages are in
// registers.
func hhAVX2(bt *batch, h float64, nsub int) {
	V, M, H, N := bt.x[0], bt.x[1], bt.x[2], bt.x[3]
	n := len(V)
	full := n &^ 7
	if full == 0 { // fewer than eight: the vector path's set-up and AVX state cost 7-15 ns a sample
		hhPortableFrom(bt, h, nsub, 0)
		return
	}
	next, weight := rk4Coefficients8(h)
	c40, c65, cm01 := archsimd.BroadcastFloat32x8(40), archsimd.BroadcastFloat32x8(65), archsimd.BroadcastFloat32x8(-0.1)
	cm18, cln4 := archsimd.BroadcastFloat32x8(-1.0/18), archsimd.BroadcastFloat32x8(hhLn4)
	cm80, cmax := archsimd.BroadcastFloat32x8(-1.0/80), archsimd.BroadcastFloat32x8(hhE80Max32)
	c15, c35, c55 := archsimd.BroadcastFloat32x8(1.5), archsimd.BroadcastFloat32x8(hhE35), archsimd.BroadcastFloat32x8(hhE55)
	c007, c01, c0125 := archsimd.BroadcastFloat32x8(0.07), archsimd.BroadcastFloat32x8(0.1), archsimd.BroadcastFloat32x8(0.125)
	var zero, accL, accR archsimd.Float32x8
	var ca, cb hh8
	for a := 0; a < full; a += 16 {
		b := min(a+8, full-8)
		ca.load(bt, a)
		cb.load(bt, b)
		va, ma, ha, na := load8(V[a:]), load8(M[a:]), load8(H[a:]), load8(N[a:])
		vb, mb, hb, nb := load8(V[b:]), load8(M[b:]), load8(H[b:]), load8(N[b:])
		for s := 0; s < nsub; s++ {
			vsa, msa, hsa, nsa, va1, ma1, ha1, na1 := va, ma, ha, na, va, ma, ha, na
			vsb, msb, hsb, nsb, vb1, mb1, hb1, nb1 := vb, mb, hb, nb, vb, mb, hb, nb
			for i := 0; i < 4; i++ {
				// hhRates8, written out for a and b side by side.
				nua, wa := vsa.Add(c40).Mul(cm01), vsa.Add(c65)
				nub, wb := vsb.Add(c40).Mul(cm01), vsb.Add(c65)
				r40a, s40a := expSplit8(nua)
				r40b, s40b := expSplit8(nub)
				rbma, sbma := expSplit8(wa.MulAdd(cm18, cln4))
				rbmb, sbmb := expSplit8(wb.MulAdd(cm18, cln4))
				r80a, s80a := expSplit8(wa.Mul(cm80).Min(cmax))
				r80b, s80b := expSplit8(wb.Mul(cm80).Min(cmax))
				e40a, e80a, bma := s40a.Mul(expPoly8(r40a)), s80a.Mul(expPoly8(r80a)), sbma.Mul(expPoly8(rbma))
				e40b, e80b, bmb := s40b.Mul(expPoly8(r40b)), s80b.Mul(expPoly8(r80b)), sbmb.Mul(expPoly8(rbmb))
				ua, ub := zero.Sub(nua), zero.Sub(nub)
				e20a, e20b := e80a.Mul(e80a), e80b.Mul(e80b)
				ama, amb := expRatio8(ua, e40a), expRatio8(ub, e40b)
				aha, ahb := e20a.Mul(e20a).Mul(c007), e20b.Mul(e20b).Mul(c007)
				bha, bhb := logistic8(e40a.Mul(c35)), logistic8(e40b.Mul(c35))
				ana, anb := expRatio8(ua.Add(c15), e40a.Mul(c55)).Mul(c01), expRatio8(ub.Add(c15), e40b.Mul(c55)).Mul(c01)
				bna, bnb := e80a.Mul(c0125), e80b.Mul(c0125)

				dva, dvb := ca.dv(vsa, msa, hsa, nsa), cb.dv(vsb, msb, hsb, nsb)
				dma, dha, dna := gate8(ama, bma, msa), gate8(aha, bha, hsa), gate8(ana, bna, nsa)
				dmb, dhb, dnb := gate8(amb, bmb, msb), gate8(ahb, bhb, hsb), gate8(anb, bnb, nsb)
				wt, nx := archsimd.BroadcastFloat32x8(weight[i]), archsimd.BroadcastFloat32x8(next[i])
				va1, ma1, ha1, na1 = wt.MulAdd(dva, va1), wt.MulAdd(dma, ma1), wt.MulAdd(dha, ha1), wt.MulAdd(dna, na1)
				vb1, mb1, hb1, nb1 = wt.MulAdd(dvb, vb1), wt.MulAdd(dmb, mb1), wt.MulAdd(dhb, hb1), wt.MulAdd(dnb, nb1)
				vsa, msa, hsa, nsa = nx.MulAdd(dva, va), nx.MulAdd(dma, ma), nx.MulAdd(dha, ha), nx.MulAdd(dna, na)
				vsb, msb, hsb, nsb = nx.MulAdd(dvb, vb), nx.MulAdd(dmb, mb), nx.MulAdd(dhb, hb), nx.MulAdd(dnb, nb)
			}
			va, ma, ha, na = va1, ma1, ha1, na1
			vb, mb, hb, nb = vb1, mb1, hb1, nb1
		}
		store8(V[b:], vb)
		store8(M[b:], mb)
		store8(H[b:], hb)
		store8(N[b:], nb)
		store8(V[a:], va)
		store8(M[a:], ma)
		store8(H[a:], ha)
		store8(N[a:], na)
		accL, accR = hhFinish8(bt, a, va, ma, ha, na, accL, accR)
		if b != a {
			accL, accR = hhFinish8(bt, b, vb, mb, hb, nb, accL, accR)
		}
	}
	endVectors(bt, full, accL, accR)
	if full < n {
		hhPortableFrom(bt, h, nsub, full)
	}
}

// hhFinish8 is finish8 for HH's four variables: where a lane of members a to a+7 blew
// up, it resets that lane's whole state (hhChecked) and detects the eight one at a time;
// otherwise finish8 detects and mixes them.
func hhFinish8(bt *batch, a int, v, m, h, n, accL, accR archsimd.Float32x8) (archsimd.Float32x8, archsimd.Float32x8) {
	vb, sb := archsimd.BroadcastFloat32x8(voltageBound), archsimd.BroadcastFloat32x8(stateBound)
	nvb, nsb := archsimd.BroadcastFloat32x8(-voltageBound), archsimd.BroadcastFloat32x8(-stateBound)
	ok := v.Greater(nvb).And(v.Less(vb)).And(m.Greater(nsb)).And(m.Less(sb)).
		And(h.Greater(nsb)).And(h.Less(sb)).And(n.Greater(nsb)).And(n.Less(sb))
	if ok.ToBits() != 0xff {
		V, M, H, N := bt.x[0], bt.x[1], bt.x[2], bt.x[3]
		for k := a; k < a+8; k++ {
			V[k], M[k], H[k], N[k] = hhChecked(bt, k, V[k], M[k], H[k], N[k])
			bt.detectLane32(k)
		}
		return accL, accR
	}
	return finish8(bt, a, v, m, accL, accR)
}
