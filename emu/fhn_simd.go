//go:build goexperiment.simd && amd64

package emu

import "simd/archsimd"

// The vector kernel of FitzHugh-Nagumo: eight neurons per AVX2 vector in float32, with
// FMA, as inapk_simd.go does for I_Na,p+I_K (whose load8, store8, finish8 and sum8 it
// uses). Its variables are of order 1, so float32's rounding (6e-8) is far below RK4's
// error at the engine's step, and TestKernelsFollowTheReference holds its spike times to
// the float64 reference.

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		useVectorKernel("fitzhugh-nagumo", fhnAVX2)
	}
}

// fhn8 is one vector's constants over a sample, eps b negated so that each of dv/dt's
// and dw/dt's terms is one FMA.
type fhn8 struct{ A, B, eps, epsA, nepsB archsimd.Float32x8 }

// load reads members a to a+7's constants into c, a struct the caller keeps (see
// inapk8.load: a returned struct costs SSE zeroing between AVX code).
func (c *fhn8) load(bt *batch, a int) {
	d := bt.derived32
	ld := func(k int) archsimd.Float32x8 { return archsimd.LoadFloat32x8Slice(d[k][a:]) }
	c.A, c.B = ld(fhnA).Add(archsimd.BroadcastFloat32x8(float32(bt.bias))), ld(fhnB)
	c.eps, c.epsA, c.nepsB = ld(fhnEps), ld(fhnEpsA), archsimd.Float32x8{}.Sub(ld(fhnEpsB))
}

// slope is dv/dt and dw/dt on eight lanes, as fhnConsts.slope: A + B v - v³/3 - w and
// eps v + eps a - eps b w.
func (c *fhn8) slope(v, w archsimd.Float32x8) (dv, dw archsimd.Float32x8) {
	v3 := v.Mul(v).Mul(v)
	dv = c.B.MulAdd(v, c.A).Sub(w).Sub(v3.Mul(archsimd.BroadcastFloat32x8(1.0 / 3)))
	return dv, c.nepsB.MulAdd(w, c.eps.MulAdd(v, c.epsA))
}

// fhnAVX2 steps the batch sixteen members at a time, two vectors whose instructions
// interleave: the same arithmetic as fhnKernel, the constants from derived32, the four
// RK4 stages one loop over their coefficients. An odd last vector is stepped as both;
// members past the last full vector go to the portable kernel. It detects and mixes the
// full vectors itself (finish8) while their voltages are in registers.
func fhnAVX2(bt *batch, h float64, nsub int) {
	V, W := bt.x[0], bt.x[1]
	n := len(V)
	full := n &^ 7
	if full == 0 { // fewer than eight: the vector path's set-up and AVX state cost 7-15 ns a sample
		fhnPortableFrom(bt, h, nsub, 0)
		return
	}
	next, weight := rk4Coefficients8(h)
	var accL, accR archsimd.Float32x8
	var ca, cb fhn8
	for a := 0; a < full; a += 16 {
		b := min(a+8, full-8)
		ca.load(bt, a)
		cb.load(bt, b)
		va, wa, vb, wb := load8(V[a:]), load8(W[a:]), load8(V[b:]), load8(W[b:])
		for s := 0; s < nsub; s++ {
			vsa, wsa, va1, wa1 := va, wa, va, wa
			vsb, wsb, vb1, wb1 := vb, wb, vb, wb
			for i := 0; i < 4; i++ {
				dva, dwa := ca.slope(vsa, wsa)
				dvb, dwb := cb.slope(vsb, wsb)
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
		fhnPortableFrom(bt, h, nsub, full)
	}
}
