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

// load8 reads eight float64 values as a float32 vector.
func load8(s []float64) archsimd.Float32x8 {
	lo := archsimd.LoadFloat64x4Slice(s[:4]).ConvertToFloat32()
	hi := archsimd.LoadFloat64x4Slice(s[4:8]).ConvertToFloat32()
	return archsimd.Float32x8{}.SetLo(lo).SetHi(hi)
}

// store8 writes a float32 vector as eight float64 values.
func store8(s []float64, x archsimd.Float32x8) {
	x.GetLo().ConvertToFloat64().StoreSlice(s[:4])
	x.GetHi().ConvertToFloat64().StoreSlice(s[4:8])
}

// expSplit8 and expPoly8 are expSplit32 and expPoly32 on eight lanes (fastmath.go has
// the bound and its proof); each is small enough to inline, one function would not be.
func expSplit8(x archsimd.Float32x8) (r, pow2k archsimd.Float32x8) {
	x = x.Min(archsimd.BroadcastFloat32x8(exp32MaxArg)).Max(archsimd.BroadcastFloat32x8(exp32MinArg))
	magic := archsimd.BroadcastFloat32x8(round23)
	t := x.MulAdd(archsimd.BroadcastFloat32x8(log2E32), magic)
	k := t.Sub(magic)
	r = k.MulAdd(archsimd.BroadcastFloat32x8(-ln2Hi32), x)
	r = k.MulAdd(archsimd.BroadcastFloat32x8(-ln2Lo32), r)
	return r, t.AsInt32x8().Add(archsimd.BroadcastInt32x8(127 - round23Bits)).ShiftAllLeft(23).AsFloat32x8()
}

// expPoly8 is degree 6 by Estrin's scheme: (1 + r) + r² ((1/2 + r/6) + r² ((1/24 + r/120) + r²/720)).
func expPoly8(r archsimd.Float32x8) archsimd.Float32x8 {
	r2 := r.Mul(r)
	p := r2.MulAdd(archsimd.BroadcastFloat32x8(1.0/720), r.MulAdd(archsimd.BroadcastFloat32x8(1.0/120), archsimd.BroadcastFloat32x8(1.0/24)))
	p = r2.MulAdd(p, r.MulAdd(archsimd.BroadcastFloat32x8(1.0/6), archsimd.BroadcastFloat32x8(1.0/2)))
	return r2.MulAdd(p, r.Add(archsimd.BroadcastFloat32x8(1)))
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
	// Stage i is evaluated at x + next[i] k_i's predecessor and weighs weight[i] in the step.
	next := [4]float32{float32(h / 2), float32(h / 2), float32(h), 0}
	weight := [4]float32{float32(h / 6), float32(h / 3), float32(h / 3), float32(h / 6)}
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
		store8(V[b:], vb)
		store8(N[b:], wb)
		store8(V[a:], va)
		store8(N[a:], wa)
		accL, accR = finish8(bt, a, va, wa, accL, accR)
		if b != a {
			accL, accR = finish8(bt, b, vb, wb, accL, accR)
		}
	}
	bt.detected = full
	bt.mixL += sum8(accL) // += : a lane done one at a time (detectLane32) added there
	bt.mixR += sum8(accR)
	archsimd.ClearAVXUpperBits() // the portable kernel and the rest of the engine are SSE
	if full < n {
		inapkPortableFrom(bt, h, nsub, full)
	}
}

// finish8 checks the new state (v, w) of members a to a+7, already stored, and detects
// their spikes and adds their sound to the mix accumulators: spike.go's rule on eight
// lanes in float32 (batch.ext32 and armed32), spikes appended to spiked in member order.
// A lane that blew up is reset, and the eight are then done one at a time.
func finish8(bt *batch, a int, v, w, accL, accR archsimd.Float32x8) (archsimd.Float32x8, archsimd.Float32x8) {
	vb, sb := archsimd.BroadcastFloat32x8(voltageBound), archsimd.BroadcastFloat32x8(stateBound)
	ok := v.Greater(vb.Mul(archsimd.BroadcastFloat32x8(-1))).And(v.Less(vb)).And(w.Greater(sb.Mul(archsimd.BroadcastFloat32x8(-1)))).And(w.Less(sb))
	if ok.ToBits() != 0xff {
		V, N := bt.x[0], bt.x[1]
		for k := a; k < a+8; k++ {
			V[k], N[k] = bt.checked(k, V[k], N[k])
			bt.detectLane32(k)
		}
		return accL, accR
	}
	ld := func(s []float32) archsimd.Float32x8 { return archsimd.LoadFloat32x8Slice(s[a:]) }
	half, one, zero := archsimd.BroadcastFloat32x8(0.5), archsimd.BroadcastFloat32x8(1), archsimd.Float32x8{}
	armedF, ext, high, depth := ld(bt.armed32), ld(bt.ext32), ld(bt.high32), ld(bt.depth32)
	armed, waiting := armedF.Greater(half), armedF.Less(half)
	lo, hi := ext.Min(v), ext.Max(v)
	// Armed: the trough so far is lo; a spike is a rise through high at least depth above it.
	spike := armed.And(v.GreaterEqual(high)).And(v.Sub(lo).GreaterEqual(depth))
	noSpike := v.Less(high).Or(v.Sub(lo).Less(depth))
	// Waiting: the peak so far is hi; it re-arms once V has fallen depth below it.
	rearm := waiting.And(hi.Sub(v).GreaterEqual(depth))
	extNext := lo.Merge(hi, armed)              // armed ? lo : hi
	extNext = v.Merge(extNext, spike.Or(rearm)) // a spike or a re-arm restarts at v
	armedNext := one.Merge(zero, armed.And(noSpike).Or(rearm))
	extNext.StoreSlice(bt.ext32[a:])
	armedNext.StoreSlice(bt.armed32[a:])
	if bits := spike.ToBits(); bits != 0 {
		for lane := 0; lane < 8; lane++ {
			if bits&(1<<lane) != 0 {
				bt.spiked = append(bt.spiked, int32(a+lane))
			}
		}
	}
	x := v.Sub(ld(bt.centre32))
	return x.MulAdd(ld(bt.gainL32), accL), x.MulAdd(ld(bt.gainR32), accR)
}

// sum8 adds the eight lanes in float64.
func sum8(x archsimd.Float32x8) float64 {
	q := x.GetLo().Add(x.GetHi())
	return float64(q.GetElem(0)) + float64(q.GetElem(1)) + float64(q.GetElem(2)) + float64(q.GetElem(3))
}
