//go:build goexperiment.simd && amd64

package emu

import "simd/archsimd"

// What the vector kernels share (inapk_simd.go, hh_simd.go, morrislecar_simd.go,
// fhn_simd.go): float64 state in and out of float32 lanes, the exponential, the RK4
// coefficients, and spike detection and mixing on eight lanes.

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

// rk4Coefficients8 are RK4's for a step of h in float32: stage i is evaluated at x +
// next[i] times the stage before's slope, and weighs weight[i] in the step.
func rk4Coefficients8(h float64) (next, weight [4]float32) {
	return [4]float32{float32(h / 2), float32(h / 2), float32(h), 0},
		[4]float32{float32(h / 6), float32(h / 3), float32(h / 3), float32(h / 6)}
}

// finishPair8 stores the new state (v, w) of the vectors at members a and b (b == a
// for a last vector stepped as both) and detects and mixes them (finish8).
func finishPair8(bt *batch, a, b int, V, W []float64, va, wa, vb, wb, accL, accR archsimd.Float32x8) (archsimd.Float32x8, archsimd.Float32x8) {
	store8(V[b:], vb)
	store8(W[b:], wb)
	store8(V[a:], va)
	store8(W[a:], wa)
	accL, accR = finish8(bt, a, va, wa, accL, accR)
	if b != a {
		accL, accR = finish8(bt, b, vb, wb, accL, accR)
	}
	return accL, accR
}

// endVectors hands the detection and mix of members [0, full), done in the kernel, to
// batch.detectAndMix, and leaves the AVX state clean for the SSE code that follows (the
// portable kernel, the rest of the engine).
func endVectors(bt *batch, full int, accL, accR archsimd.Float32x8) {
	bt.detected = full
	bt.mixL += sum8(accL) // += : a lane done one at a time (detectLane32) added there
	bt.mixR += sum8(accR)
	archsimd.ClearAVXUpperBits()
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
