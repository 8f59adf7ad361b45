package emu

// Fast math for the Hodgkin-Huxley and Morris-Lecar kernels, built on expSplit and expPoly
// (fastmath.go), each with a proven relative error bound that TestFastMathModels checks
// over the whole range the models reach and beyond. FitzHugh-Nagumo needs none (a cubic).
//
// The kernels write the exponentials out themselves (expSplit then expPoly, which
// inline) and hand them to the small helpers here, which inline too: one function from
// argument to result would not. The composites logisticFast, expRatioFast, mlGateFast and
// hhRatesFast put the pieces together as the kernels do, for the tests and for anyone
// who wants the value.
//
// Notation: ε is expFast's bound (expFastBound, expFast32Bound) and u the unit roundoff
// (2^-53 in float64, 2^-24 in float32); every bound below is the first-order sum of ε and
// the roundings, with a margin for the second-order terms (ε² is below 1e-12).
//
// Where the vector kernels evaluate the same formulas in float32 lanes with FMA, the
// float32 bounds (…32Bound) hold: an FMA rounds once where a multiply and an add round
// twice, so it only tightens them. A build with vector kernels registers its lane
// versions in vectorHelpers and the test holds them to these bounds.

const (
	// logisticBound bounds logisticOf(e) against 1/(1+e^{-x}) when e is e^{-x} within
	// ε + 2u (an exponential, or one times a rounded constant: HH's β_h). The logistic
	// damps e's error: 1/(1+e(1+δ)) = 1/(1+e) / (1 + δ e/(1+e)), and e/(1+e) < 1, so the
	// error is at most |δ|, plus the roundings of the sum and the quotient: ε + 4u.
	logisticBound   = 1.2e-8 // float64: 1.1e-8 + 4.4e-16
	logistic32Bound = 9e-7   // float32: 6e-7 + 2.4e-7

	// expRatioBound bounds expRatioOf(u, e) against u/(1-e^{-u}) when e is e^{-u} within
	// ε + 2u. For |u| >= 1 it divides: 1-e(1+δ) = (1-e)(1 - δ e/(1-e)), and
	// |e/(1-e)| = 1/|e^u - 1| <= 1/(1 - e^{-1}) for |u| >= 1, so the error is at most
	// (ε + 2u)/(1 - e^{-1}) plus the roundings of the difference and the quotient. For
	// |u| < 1 it sums the series u/2 + (u/2) coth(u/2) = 1 + u/2 + Σ B_2n u^2n/(2n)!, whose
	// terms alternate in sign and fall in size for |u| < 2π (B_2n u^2n/(2n)! =
	// (-1)^(n+1) 2 ζ(2n) (u/2π)^2n), so the first term left out bounds the remainder:
	// 2 ζ(12) (1/2π)^12 = 5.3e-10 in float64 (through u^10), 2 ζ(10) (1/2π)^10 = 2.1e-8 in
	// float32 (through u^8), relative to the smallest value there, f(-1) = 1/(e-1) = 0.58:
	// 9.1e-10 and 3.6e-8, plus under ten roundings. The division's bound is the larger.
	expRatioBound   = 1.75e-8 // float64: (1.1e-8 + 2.2e-16)/0.632 + 2.2e-16
	expRatio32Bound = 1.3e-6  // float32: (6e-7 + 1.2e-7)/0.632 + 1.2e-7
	expRatioCut     = 1.0     // |u| below it: the series; above: the division

	// mlGateBounds bound mlGateOf(f) against (1 + tanh(2y))/2 and cosh(y) when f is e^{-y}
	// within ε. The first is 1/(1+f⁴): f⁴ errs by at most 4ε + 3u (two squarings), which
	// the logistic damps as above, plus 2u: 4ε + 5u. The second is (f + 1/f)/2: 1/f errs
	// by ε/(1-ε) + u, the sum of two positive terms by the larger error plus u, the
	// halving is exact: ε + 3u.
	mlGateInfBound    = 4.5e-8 // float64: 4.4e-8 + 5.6e-16
	mlGateInf32Bound  = 2.7e-6 // float32: 2.4e-6 + 3e-7
	mlGateCoshBound   = 1.2e-8 // float64: 1.1e-8 + 3.3e-16
	mlGateCosh32Bound = 8e-7   // float32: 6e-7 + 1.8e-7
)

// logisticOf returns 1/(1+e): the logistic function 1/(1+e^{-x}) = (1 + tanh(x/2))/2,
// given e = e^{-x}, within logisticBound. It never cancels, and it saturates cleanly:
// an infinite e gives 0, a zero e gives 1.
func logisticOf(e float64) float64 { return 1 / (1 + e) }

// logisticFast returns 1/(1+e^{-x}) within logisticBound for x in [-708, 709]. Beyond,
// it is 0 or 1 to within 1e-307, and NaN gives 1; never NaN, never out of [0, 1].
func logisticFast(x float64) float64 {
	r, s := expSplit(-x)
	return logisticOf(s * expPoly(r))
}

// expRatioOf returns u/(1 - e^{-u}), given e = e^{-u}, within expRatioBound: through its
// removable singularity at u = 0 (where it is 1) by the series, beyond |u| = 1 by the
// quotient. It is positive for every finite u; NaN gives NaN.
func expRatioOf(u, e float64) float64 {
	if u > -expRatioCut && u < expRatioCut {
		u2 := u * u
		return 1 + u*0.5 + u2*(1.0/12+u2*(-1.0/720+u2*(1.0/30240+u2*(-1.0/1209600+u2*(1.0/47900160)))))
	}
	return u / (1 - e)
}

// expRatioFast returns u/(1 - e^{-u}) within expRatioBound for u >= -708; below, where
// the value is under 1e-304, it is positive and smaller still.
func expRatioFast(u float64) float64 {
	r, s := expSplit(-u)
	return expRatioOf(u, s*expPoly(r))
}

// mlGateOf returns Morris-Lecar's (1 + tanh(2y))/2 and cosh(y) given f = e^{-y}, within
// mlGateInfBound and mlGateCoshBound: 1/(1+f⁴) and (f + 1/f)/2, one exponential for both.
// Where f⁴ overflows the first is 0 (its value is below 1e-307), never NaN.
func mlGateOf(f float64) (inf, cosh float64) {
	f2 := f * f
	return 1 / (1 + f2*f2), 0.5 * (f + 1/f)
}

// mlGateFast returns (1 + tanh(2y))/2 and cosh(y) within mlGateInfBound and
// mlGateCoshBound for y in [-177, 708] and [-708, 708] (beyond, the first is 0 or 1 to
// within 1e-307 and cosh saturates at e^709/2; NaN gives 1 and e^708/2): finite always.
func mlGateFast(y float64) (inf, cosh float64) {
	r, s := expSplit(-y)
	return mlGateOf(s * expPoly(r))
}

// Hodgkin-Huxley's rates (hh.go's hhRates) with three exponentials instead of six, from
// u = (v+40)/10 and w = v+65:
//
//	e40 = e^{-u}, whence α_m = u/(1-e40), e^{-(v+55)/10} = e40 e^{-3/2}, e^{-(v+35)/10} = e40 e^{1/2}
//	β_m = 4 e^{-w/18} = e^{ln 4 - w/18}
//	e80 = e^{-w/80}, whence α_h = 0.07 e80⁴ and β_n = 0.125 e80
//
// Each rate is within hhRateBound of the reference for v in [-150, 150] mV (float64; the
// largest is α_h's 4ε + 5u). Float32 lanes are within hhRate32Bound, which also covers
// the rounding of the exponentials' arguments: up to 11 in size there, an error of 1.3e-6
// relative to the result at -150 mV, growing with |v|.
const (
	hhLn4 = 1.3862943611198906  // ln 4
	hhE55 = 0.22313016014842982 // e^{-3/2}
	hhE35 = 1.6487212707001282  // e^{1/2}

	hhRateBound   = 4.5e-8
	hhRate32Bound = 4.2e-6

	// e80's argument is held at most hhE80Max (hhE80Max32 in float32), so α_h = 0.07 e80⁴
	// stays finite (e^708, e^88) below v = -14225 mV (-1825 mV): far past voltageBound.
	hhE80Max   = 177
	hhE80Max32 = 22
)

// hhRatesFast returns Hodgkin-Huxley's six rates at v as the kernels compute them, each
// within hhRateBound of hhRates for v in [-150, 150] mV; finite and positive for every
// finite v.
func hhRatesFast(v float64) (am, bm, ah, bh, an, bn float64) {
	u, w := (v+40)*0.1, v+65
	r40, s40 := expSplit(-u)
	rbm, sbm := expSplit(w*(-1.0/18) + hhLn4)
	r80, s80 := expSplit(min(w*(-1.0/80), hhE80Max))
	bm = sbm * expPoly(rbm)
	am, ah, bh, an, bn = hhRatesOf(u, s40*expPoly(r40), s80*expPoly(r80))
	return
}

// hhRatesOf returns the rates other than β_m, given u = (v+40)/10, e40 = e^{-u} and
// e80 = e^{-(v+65)/80}. It does not inline: the kernels write its one line out.
func hhRatesOf(u, e40, e80 float64) (am, ah, bh, an, bn float64) {
	e20 := e80 * e80
	return expRatioOf(u, e40), 0.07 * (e20 * e20), logisticOf(e40 * hhE35), 0.1 * expRatioOf(u+1.5, e40*hhE55), 0.125 * e80
}

// vectorHelpers holds the vector kernels' versions of these helpers, registered by the
// files that build them (none without), each evaluating eight float32 lanes of x into
// out[0] and out[1], so TestFastMathModels holds them to the float32 bounds: "logistic",
// "expRatio", "mlGate" (both outputs), and "hh/am" ... "hh/bn".
var vectorHelpers = map[string]func(out *[2][8]float32, x *[8]float32){}
