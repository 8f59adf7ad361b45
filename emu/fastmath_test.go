package emu

import (
	"math"
	"testing"
)

// TestExpFastBound holds expFast and expFast32 to their stated relative error bounds over
// their whole range, densely and at the edges, and checks the bounds are the Taylor
// remainder plus rounding (fastmath.go), so neither the code nor the comment can drift.
func TestExpFastBound(t *testing.T) {
	taylor := func(d int) float64 {
		r := math.Ln2 / 2
		return math.Exp(2*r) * math.Pow(r, float64(d+1)) / math.Gamma(float64(d+2))
	}
	if tb := taylor(7); !(tb < expFastBound && expFastBound < tb+1e-9) {
		t.Errorf("float64: Taylor remainder %.3g, stated bound %g", tb, expFastBound)
	}
	ulp32 := math.Ldexp(1, -24)
	if tb := taylor(6) + 6*ulp32; !(tb < expFast32Bound && expFast32Bound < tb+1e-7) {
		t.Errorf("float32: Taylor remainder plus rounding %.3g, stated bound %g", tb, expFast32Bound)
	}

	worst64, worst32 := 0.0, 0.0
	check64 := func(x float64) {
		rel := math.Abs(expFast(x)/math.Exp(x) - 1)
		if !(rel <= expFastBound) {
			t.Fatalf("expFast(%g) = %g, math.Exp %g: relative error %.3g > %g", x, expFast(x), math.Exp(x), rel, expFastBound)
		}
		worst64 = max(worst64, rel)
	}
	check32 := func(x float32) {
		want := math.Exp(float64(x))
		rel := math.Abs(float64(expFast32(x))/want - 1)
		if !(rel <= expFast32Bound) {
			t.Fatalf("expFast32(%g) = %g, math.Exp %g: relative error %.3g > %g", x, expFast32(x), want, rel, expFast32Bound)
		}
		worst32 = max(worst32, rel)
	}
	const steps = 2_000_000
	for i := 0; i <= steps; i++ {
		check64(expMinArg + (expMaxArg-expMinArg)*float64(i)/steps)
		check32(exp32MinArg + (exp32MaxArg-exp32MinArg)*float32(i)/steps)
	}
	// Where range reduction is worst: r near ±ln2/2, at many k.
	for k := -1000; k <= 1000; k++ {
		for _, d := range []float64{-0.5, 0.5} {
			x := (float64(k) + d) * math.Ln2
			for _, eps := range []float64{-1e-9, 0, 1e-9} {
				if x+eps > expMinArg && x+eps < expMaxArg {
					check64(x + eps)
				}
				if x32 := float32(x + eps); x32 > exp32MinArg && x32 < exp32MaxArg {
					check32(x32)
				}
			}
		}
	}
	t.Logf("worst relative error: float64 %.3g (bound %g), float32 %.3g (bound %g)", worst64, expFastBound, worst32, expFast32Bound)

	// Beyond the range: saturated, finite, positive; NaN gives a finite value too.
	for _, x := range []float64{710, 1e300, math.Inf(1), -709, -1e300, math.Inf(-1), math.NaN()} {
		if y := expFast(x); !(y > 0 && y <= math.MaxFloat64) {
			t.Errorf("expFast(%g) = %g, want finite and positive", x, y)
		}
		if y := expFast32(float32(x)); !(y > 0 && y <= math.MaxFloat32) {
			t.Errorf("expFast32(%g) = %g, want finite and positive", x, y)
		}
	}
	if y := expFast(1e300); math.Abs(y/math.Exp(expMaxArg)-1) > expFastBound {
		t.Errorf("expFast(1e300) = %g, want e^%g", y, expMaxArg)
	}
}

func BenchmarkExpFast(b *testing.B) {
	x, s := -10.0, 0.0
	for i := 0; i < b.N; i++ {
		s += expFast(x)
		x += 1e-6
	}
	sink = s
}

var sink float64
