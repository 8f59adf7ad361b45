package emu

import "math"

// Fast exponentials for the batch kernels. math.Exp is exact to an ulp but is a call the
// compiler cannot inline or vectorise, and it was more than half of a neuron-step. The
// kernels need far less: RK4 at the engine's step already errs by about 1e-6 relative
// per step, so an exp within 1e-8 (float64) or 6e-7 (float32) changes nothing audible and
// moves spike times by under 0.01 ms over a second (TestKernelsFollowTheReference).
//
// Both work the same way. Range reduction: x = k ln2 + r with k = round(x log2(e)), so
// |r| <= ln2/2 (plus the rounding of x log2(e), under 1e-13 here), and e^x = 2^k e^r.
// ln2 is split in two (Cody and Waite) so k ln2 is subtracted without losing r's bits;
// k is rounded with the 1.5·2^p trick (adding and subtracting a constant that pushes the
// fraction out of the mantissa), which needs no call and leaves k in t's low bits; 2^k is
// built from its bits. e^r is its Taylor polynomial of degree d, whose remainder (Lagrange)
// is e^ξ r^(d+1)/(d+1)! for some |ξ| <= |r|, so the relative error is at most
//
//	e^(2|r|) |r|^(d+1) / (d+1)!  <=  2 (ln2/2)^(d+1) / (d+1)!
//
// which is 1.03e-8 for d = 7 and 2.39e-7 for d = 6. Rounding adds a few ulps: 1e-15 in
// float64, about 3.6e-7 in float32 (six roundings of 6e-8). TestExpFastBound checks the
// totals, expFastBound and expFast32Bound, over the whole range and beyond. Inputs beyond
// the range saturate (e^709 and e^88 are finite; below -708 and -87 the result is tiny
// and positive); NaN gives the tiny value, never NaN, so a kernel's state stays finite
// unless its own arithmetic overflows (which the kernels check).
//
// Each is split in two small functions so both inline (one would exceed Go's inlining
// budget): kernels call expSplit and expPoly; expFast is the same for everyone else.

const (
	expFastBound   = 1.1e-8 // relative, float64, over [-708, 709]
	expFast32Bound = 6e-7   // relative, float32, over [-87, 88]

	log2E   = 1.4426950408889634
	ln2Hi   = 6.93147180369123816490e-01 // ln2Hi + ln2Lo = ln2; k*ln2Hi is exact for |k| < 2^20
	ln2Lo   = 1.90821492927058770002e-10
	round52 = 0x1.8p52 // x + round52 - round52 rounds x to an integer (|x| < 2^51)
	// round52's bits: those of round52 + k are round52Bits + k (uint64 arithmetic wraps)
	round52Bits = 0x4338000000000000
	expMaxArg   = 709.0
	expMinArg   = -708.0

	log2E32     float32 = 1.44269504
	ln2Hi32     float32 = 0.693359375 // 355/512: k*ln2Hi32 is exact for |k| < 2^15
	ln2Lo32     float32 = -2.12194440e-4
	round23     float32 = 0x1.8p23
	round23Bits         = 0x4b400000
	exp32MaxArg float32 = 88
	exp32MinArg float32 = -87
)

// expFast returns e^x within a relative error of expFastBound for x in [-708, 709]. It
// does not inline: kernels write expSplit and expPoly out, which do.
func expFast(x float64) float64 {
	r, s := expSplit(x)
	return s * expPoly(r)
}

// expSplit clamps x to [-708, 709] and splits it as x = k ln2 + r, returning r and 2^k.
func expSplit(x float64) (r, pow2k float64) {
	if x > expMaxArg {
		x = expMaxArg
	}
	if !(x > expMinArg) { // also NaN
		x = expMinArg
	}
	t := x*log2E + round52
	k := t - round52
	return x - k*ln2Hi - k*ln2Lo, math.Float64frombits((math.Float64bits(t) + (1<<64 + 1023 - round52Bits)) << 52)
}

// expPoly is e^r's Taylor polynomial of degree 7, for |r| <= ln2/2, evaluated by
// Estrin's scheme: pairs of terms first, so the dependency chain is 3 multiply-adds deep
// instead of Horner's 7 (the kernels are bound by latency, not by arithmetic).
func expPoly(r float64) float64 {
	r2 := r * r
	return (1 + r) + r2*((1.0/2+r*(1.0/6))+r2*((1.0/24+r*(1.0/120))+r2*(1.0/720+r*(1.0/5040))))
}

// expFast32 returns e^x within a relative error of expFast32Bound for x in [-87, 88].
func expFast32(x float32) float32 {
	r, s := expSplit32(x)
	return s * expPoly32(r)
}

// expSplit32 clamps x to [-87, 88] and splits it as x = k ln2 + r, returning r and 2^k.
func expSplit32(x float32) (r, pow2k float32) {
	if x > exp32MaxArg {
		x = exp32MaxArg
	}
	if !(x > exp32MinArg) {
		x = exp32MinArg
	}
	t := x*log2E32 + round23
	k := t - round23
	return x - k*ln2Hi32 - k*ln2Lo32, math.Float32frombits((math.Float32bits(t) + (1<<32 + 127 - round23Bits)) << 23)
}

// expPoly32 is e^r's Taylor polynomial of degree 6, for |r| <= ln2/2.
func expPoly32(r float32) float32 {
	return 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
}
