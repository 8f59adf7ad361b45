//go:build goexperiment.simd && amd64

package emu

import "simd/archsimd"

// The vector kernel of Morris-Lecar: eight neurons per AVX2 vector in float32, with FMA,
// as inapk_simd.go does for I_Na,p+I_K (whose load8, store8, expSplit8, expPoly8, finish8
// and sum8 it uses). Float32 is enough here too: TestKernelsFollowTheReference holds its
// spike times to the float64 reference, and the fast math's float32 bounds
// (fastmath_models.go) hold for the lane versions below (TestFastMathModels).

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		useVectorKernel("morris-lecar", morrisLecarAVX2)
		vectorHelpers["logistic"] = func(out *[2][8]float32, x *[8]float32) {
			r, s := expSplit8(archsimd.Float32x8{}.Sub(archsimd.LoadFloat32x8(x)))
			logistic8(s.Mul(expPoly8(r))).Store(&out[0])
		}
		vectorHelpers["mlGate"] = func(out *[2][8]float32, x *[8]float32) {
			r, s := expSplit8(archsimd.Float32x8{}.Sub(archsimd.LoadFloat32x8(x)))
			inf, cosh := mlGate8(s.Mul(expPoly8(r)))
			inf.Store(&out[0])
			cosh.Store(&out[1])
		}
	}
}

// logistic8 is logisticOf on eight lanes: 1/(1+e).
func logistic8(e archsimd.Float32x8) archsimd.Float32x8 {
	one := archsimd.BroadcastFloat32x8(1)
	return one.Div(one.Add(e))
}

// mlGate8 is mlGateOf on eight lanes: 1/(1+f⁴) and (f + 1/f)/2.
func mlGate8(f archsimd.Float32x8) (inf, cosh archsimd.Float32x8) {
	one := archsimd.BroadcastFloat32x8(1)
	f2 := f.Mul(f)
	return one.Div(f2.MulAdd(f2, one)), f.Add(one.Div(f)).Mul(archsimd.BroadcastFloat32x8(0.5))
}

// ml8 is one vector's constants over a sample, with B and the exponents' slopes negated
// so that each of A - B v, am - v ikm and aw - v ikw is one FMA.
type ml8 struct {
	A, nB, gCaC, ECa, gKC, EK, am, nikm, aw, nikw, phi archsimd.Float32x8
}

// load reads members a to a+7's constants into c, a struct the caller keeps (see
// inapk8.load: a returned struct costs SSE zeroing between AVX code).
func (c *ml8) load(bt *batch, a int) {
	d := bt.derived32
	ld := func(k int) archsimd.Float32x8 { return archsimd.LoadFloat32x8Slice(d[k][a:]) }
	var zero archsimd.Float32x8
	c.A, c.nB = ld(mlIC).MulAdd(archsimd.BroadcastFloat32x8(float32(bt.bias)), ld(mlA)), zero.Sub(ld(mlB))
	c.gCaC, c.ECa, c.gKC, c.EK = ld(mlGCaC), ld(mlECa), ld(mlGKC), ld(mlEK)
	c.am, c.nikm, c.aw, c.nikw, c.phi = ld(mlAm), zero.Sub(ld(mlIkm)), ld(mlAw), zero.Sub(ld(mlIkw)), ld(mlPhi)
}

// morrisLecarAVX2 steps the batch sixteen members at a time, two vectors whose
// instructions interleave: the same arithmetic as morrisLecarKernel, the constants from
// derived32, the four RK4 stages one loop over their coefficients. An odd last vector
// is stepped as both; members past the last full vector go to the portable kernel. It
// detects and mixes the full vectors itself (finish8) while their voltages are in
// registers.
func morrisLecarAVX2(bt *batch, h float64, nsub int) {
	V, W := bt.x[0], bt.x[1]
	n := len(V)
	full := n &^ 7
	if full == 0 { // fewer than eight: the vector path's set-up and AVX state cost 7-15 ns a sample
		morrisLecarPortableFrom(bt, h, nsub, 0)
		return
	}
	next, weight := rk4Coefficients8(h)
	var accL, accR archsimd.Float32x8
	var ca, cb ml8
	for a := 0; a < full; a += 16 {
		b := min(a+8, full-8)
		ca.load(bt, a)
		cb.load(bt, b)
		va, wa, vb, wb := load8(V[a:]), load8(W[a:]), load8(V[b:]), load8(W[b:])
		for s := 0; s < nsub; s++ {
			vsa, wsa, va1, wa1 := va, wa, va, wa
			vsb, wsb, vb1, wb1 := vb, wb, vb, wb
			for i := 0; i < 4; i++ {
				// mlConsts.slope on eight lanes, for a and b side by side (a function
				// would not inline).
				rma, sma := expSplit8(ca.nikm.MulAdd(vsa, ca.am))
				rmb, smb := expSplit8(cb.nikm.MulAdd(vsb, cb.am))
				rwa, swa := expSplit8(ca.nikw.MulAdd(vsa, ca.aw))
				rwb, swb := expSplit8(cb.nikw.MulAdd(vsb, cb.aw))
				minfa, minfb := logistic8(sma.Mul(expPoly8(rma))), logistic8(smb.Mul(expPoly8(rmb)))
				winfa, cosha := mlGate8(swa.Mul(expPoly8(rwa)))
				winfb, coshb := mlGate8(swb.Mul(expPoly8(rwb)))
				dva := ca.nB.MulAdd(vsa, ca.A).Sub(ca.gCaC.Mul(vsa.Sub(ca.ECa)).Mul(minfa)).Sub(ca.gKC.Mul(wsa).Mul(vsa.Sub(ca.EK)))
				dvb := cb.nB.MulAdd(vsb, cb.A).Sub(cb.gCaC.Mul(vsb.Sub(cb.ECa)).Mul(minfb)).Sub(cb.gKC.Mul(wsb).Mul(vsb.Sub(cb.EK)))
				dwa, dwb := ca.phi.Mul(winfa.Sub(wsa)).Mul(cosha), cb.phi.Mul(winfb.Sub(wsb)).Mul(coshb)
				wt, nx := archsimd.BroadcastFloat32x8(weight[i]), archsimd.BroadcastFloat32x8(next[i])
				va1, wa1, vb1, wb1 = wt.MulAdd(dva, va1), wt.MulAdd(dwa, wa1), wt.MulAdd(dvb, vb1), wt.MulAdd(dwb, wb1)
				vsa, wsa, vsb, wsb = nx.MulAdd(dva, va), nx.MulAdd(dwa, wa), nx.MulAdd(dvb, vb), nx.MulAdd(dwb, wb)
			}
			va, wa, vb, wb = va1, wa1, vb1, wb1
		}
		accL, accR = finishPair8(bt, a, b, V, W, va, wa, vb, wb, accL, accR)
	}
	endVectors(bt, full, accL, accR)
	if full < n {
		morrisLecarPortableFrom(bt, h, nsub, full)
	}
}
