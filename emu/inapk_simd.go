//go:build goexperiment.simd && amd64

package emu

import "simd/archsimd"

// The vector kernel of I_Na,p+I_K: eight neurons per AVX2 vector in float32, with FMA.
// Float32 is enough here: its rounding (6e-8 relative per operation) is far below RK4's
// own error at the engine's step, and TestKernelsFollowTheReference holds its spike
// times to the float64 reference. The state stays float64 in the batch (everything else
// reads it there); the kernel converts eight neurons in and out per sample, which costs
// less than a tenth of the step. Members past the last full vector are stepped by the
// portable kernel, so a single neuron keeps float64.

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		useVectorKernel("inapk", inapkAVX2)
	}
}

// inapk8 is one vector's constants over a sample.
type inapk8 struct {
	A, B, gNaC, ENa, gKC, EK, am, nikm, an, nikn, itau archsimd.Float32x8
}

// load reads members a to a+7's constants into c. It fills a struct the caller keeps
// (a returned one would be zeroed with SSE moves between AVX code, which cost a quarter
// of the kernel's time here).
func (c *inapk8) load(bt *batch, a int) {
	d := bt.derived32
	ld := func(k int) archsimd.Float32x8 { return archsimd.LoadFloat32x8Slice(d[k][a:]) }
	var zero archsimd.Float32x8
	c.A = ld(inapkIC).MulAdd(archsimd.BroadcastFloat32x8(float32(bt.bias)), ld(inapkA))
	c.B = ld(inapkB)
	c.gNaC, c.ENa, c.gKC, c.EK = ld(inapkGNaC), ld(inapkENa), ld(inapkGKC), ld(inapkEK)
	c.am, c.nikm, c.an, c.nikn = ld(inapkAm), zero.Sub(ld(inapkIkm)), ld(inapkAn), zero.Sub(ld(inapkIkn))
	c.itau = ld(inapkITau)
}

// inapkAVX2 steps the batch sixteen members at a time, two vectors whose instructions
// interleave (one vector's RK4 is a chain of dependent operations; the processor
// overlaps two): the same arithmetic as inapkPortable, the constants from derived32.
// The four RK4 stages are one loop over their coefficients, so the stage is written
// once per vector and stays inline. An odd last vector is stepped as both.
func inapkAVX2(bt *batch, h float64, nsub int) {
	V, N := bt.x[0], bt.x[1]
	n := len(V)
	full := n &^ 7
	if full == 0 { // no full vector: no AVX state to set up or clear
		inapkPortableFrom(bt, h, nsub, 0)
		return
	}
	one := archsimd.BroadcastFloat32x8(1)
	next, weight := rk4Coefficients8(h)
	var accL, accR archsimd.Float32x8
	var ca, cb inapk8
	for a := 0; a < full; a += 16 {
		b := min(a+8, full-8)
		ca.load(bt, a)
		cb.load(bt, b)
		va, wa, vb, wb := load8(V[a:]), load8(N[a:]), load8(V[b:]), load8(N[b:])
		for s := 0; s < nsub; s++ {
			vsa, wsa, va1, wa1 := va, wa, va, wa
			vsb, wsb, vb1, wb1 := vb, wb, vb, wb
			for i := 0; i < 4; i++ {
				rma, sma := expSplit8(ca.nikm.MulAdd(vsa, ca.am))
				rmb, smb := expSplit8(cb.nikm.MulAdd(vsb, cb.am))
				rna, sna := expSplit8(ca.nikn.MulAdd(vsa, ca.an))
				rnb, snb := expSplit8(cb.nikn.MulAdd(vsb, cb.an))
				ema, emb := sma.Mul(expPoly8(rma)), smb.Mul(expPoly8(rmb))
				ena, enb := sna.Mul(expPoly8(rna)), snb.Mul(expPoly8(rnb))
				dva := ca.A.Sub(ca.B.Mul(vsa)).Sub(ca.gNaC.Mul(vsa.Sub(ca.ENa)).Div(one.Add(ema))).Sub(ca.gKC.Mul(wsa).Mul(vsa.Sub(ca.EK)))
				dvb := cb.A.Sub(cb.B.Mul(vsb)).Sub(cb.gNaC.Mul(vsb.Sub(cb.ENa)).Div(one.Add(emb))).Sub(cb.gKC.Mul(wsb).Mul(vsb.Sub(cb.EK)))
				dwa := one.Div(one.Add(ena)).Sub(wsa).Mul(ca.itau)
				dwb := one.Div(one.Add(enb)).Sub(wsb).Mul(cb.itau)
				wt, nx := archsimd.BroadcastFloat32x8(weight[i]), archsimd.BroadcastFloat32x8(next[i])
				va1, wa1, vb1, wb1 = wt.MulAdd(dva, va1), wt.MulAdd(dwa, wa1), wt.MulAdd(dvb, vb1), wt.MulAdd(dwb, wb1)
				vsa, wsa, vsb, wsb = nx.MulAdd(dva, va), nx.MulAdd(dwa, wa), nx.MulAdd(dvb, vb), nx.MulAdd(dwb, wb)
			}
			va, wa, vb, wb = va1, wa1, vb1, wb1
		}
		accL, accR = finishPair8(bt, a, b, V, N, va, wa, vb, wb, accL, accR)
	}
	endVectors(bt, full, accL, accR)
	if full < n {
		inapkPortableFrom(bt, h, nsub, full)
	}
}
