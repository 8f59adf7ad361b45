package emu

import (
	"math"
	"sort"
	"testing"
)

// TestFastMathModelsBoundsAreDerived recomputes each bound of fastmath_models.go from its
// stated derivation, so neither the constants nor their comments can drift from it.
func TestFastMathModelsBoundsAreDerived(t *testing.T) {
	const u64, u32 = 0x1p-53, 0x1p-24
	eps64, eps32 := expFastBound, expFast32Bound
	cut := 1 - math.Exp(-expRatioCut) // 1 - e^{-1}: the division's worst amplification is 1/cut
	twoPi := 2 * math.Pi
	zeta := func(s float64) float64 { // ζ(s) for s >= 10: a few terms reach double precision
		z := 0.0
		for k := 1.0; k < 50; k++ {
			z += math.Pow(k, -s)
		}
		return z
	}
	fm1 := 1 / (math.E - 1) // the smallest value of u/(1-e^{-u}) on |u| <= 1, at u = -1
	for _, c := range []struct {
		name           string
		derived, bound float64
	}{
		{"logistic", eps64 + 4*u64, logisticBound},
		{"logistic32", eps32 + 4*u32, logistic32Bound},
		{"expRatio (division)", (eps64+2*u64)/cut + 2*u64, expRatioBound},
		{"expRatio32 (division)", (eps32+2*u32)/cut + 2*u32, expRatio32Bound},
		{"expRatio (series)", 2*zeta(12)*math.Pow(expRatioCut/twoPi, 12)/fm1 + 10*u64, expRatioBound},
		{"expRatio32 (series)", 2*zeta(10)*math.Pow(expRatioCut/twoPi, 10)/fm1 + 10*u32, expRatio32Bound},
		{"mlGate inf", 4*eps64 + 5*u64, mlGateInfBound},
		{"mlGate inf32", 4*eps32 + 5*u32, mlGateInf32Bound},
		{"mlGate cosh", eps64 + 3*u64, mlGateCoshBound},
		{"mlGate cosh32", eps32 + 3*u32, mlGateCosh32Bound},
		{"hh rates", max(expRatioBound, logisticBound, 4*eps64+5*u64), hhRateBound},
		// float32 rates: the worst of the above plus the argument's rounding, 11 in size at
		// -150 mV, rounded at most twice (the product and the sum, or one FMA and the
		// constants): 2·11u relative to the result.
		{"hh rates32", max(expRatio32Bound, logistic32Bound, 4*eps32+5*u32) + 22*u32, hhRate32Bound},
	} {
		// The stated bound covers the derivation and is not loose by more than a quarter.
		if !(c.derived <= c.bound && (c.bound < 1.25*c.derived || c.name == "expRatio (series)" || c.name == "expRatio32 (series)")) {
			t.Errorf("%s: derived bound %.4g, stated %g", c.name, c.derived, c.bound)
		}
	}
}

// worstRel tracks the largest relative error seen and where.
type worstRel struct {
	err, at float64
}

func (w *worstRel) see(got, want, at float64) float64 {
	rel := math.Abs(got/want - 1)
	if want == 0 {
		rel = math.Abs(got)
	}
	if !(rel <= w.err) { // NaN too
		w.err, w.at = rel, at
	}
	return rel
}

// sweep returns n+1 points evenly from lo to hi, and the points where the helpers change
// branch (|u| = 1 and 0, with neighbours), so both sides of each are checked.
func sweep(lo, hi float64, n int) []float64 {
	xs := make([]float64, 0, n+16)
	for i := 0; i <= n; i++ {
		xs = append(xs, lo+(hi-lo)*float64(i)/float64(n))
	}
	for _, x := range []float64{-1, 0, 1} {
		for _, d := range []float64{-1e-9, -1e-15, 0, 1e-15, 1e-9} {
			if x+d >= lo && x+d <= hi {
				xs = append(xs, x+d)
			}
		}
	}
	sort.Float64s(xs)
	return xs
}

// TestFastMathModels holds each helper of fastmath_models.go (and the vector kernels'
// lane versions, where this build has them) to its bound over the whole range the models
// reach and beyond, checks saturation (finite, in range) past it, and checks that the
// composites agree with the reference formulas the models' Deriv use.
func TestFastMathModels(t *testing.T) {
	const n = 400_000
	check := func(name string, bound float64, w *worstRel) {
		t.Helper()
		if !(w.err <= bound) {
			t.Errorf("%s: relative error %.3g at %g, bound %g", name, w.err, w.at, bound)
		} else {
			t.Logf("%s: worst relative error %.3g at %g (bound %g)", name, w.err, w.at, bound)
		}
	}

	// Each reference is the function computed without cancellation, to a few ulps.
	logisticRef := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	expRatioRef := func(u float64) float64 {
		if u == 0 {
			return 1
		}
		return u / -math.Expm1(-u)
	}

	var wl, we, wi, wc worstRel
	for _, x := range sweep(-708, 708, n) {
		wl.see(logisticFast(x), logisticRef(x), x)
		we.see(expRatioFast(x), expRatioRef(x), x)
		_, c := mlGateFast(x)
		wc.see(c, math.Cosh(x), x)
	}
	for _, y := range sweep(-177, 708, n) {
		inf, _ := mlGateFast(y)
		wi.see(inf, logisticRef(4*y), y)
	}
	for _, u := range sweep(-2, 2, n) { // the cut-over, densely
		we.see(expRatioFast(u), expRatioRef(u), u)
	}
	check("logisticFast", logisticBound, &wl)
	check("expRatioFast", expRatioBound, &we)
	check("mlGateFast inf", mlGateInfBound, &wi)
	check("mlGateFast cosh", mlGateCoshBound, &wc)

	// The composites are the models' own formulas: Morris-Lecar's 0.5 (1 + tanh(x)) and
	// cosh(x/2), Hodgkin-Huxley's expRatio.
	var wt worstRel
	for _, x := range sweep(-20, 20, 10_000) {
		// 0.5 (1 + tanh x) cancels for x < 0, losing about 1e-16/(1 + tanh x) relative:
		// 1e-12 at x = -5; beyond, only the logistic form is good.
		if x >= -5 {
			inf, _ := mlGateFast(x / 2)
			wt.see(inf, 0.5*(1+math.Tanh(x)), x)
		}
		if x > -1e-4 && x < 1e-4 {
			continue // expRatio's own three-term series there is good to 1e-16 only absolutely
		}
		if got, want := expRatioFast(x/10)*10, expRatio(x, 10); math.Abs(got/want-1) > expRatioBound+1e-12 {
			t.Errorf("expRatioFast(%g/10)·10 = %g, hh.go's expRatio %g", x, got, want)
		}
	}
	check("mlGateFast inf against 0.5 (1 + tanh)", mlGateInfBound+1e-12, &wt)

	var wr [6]worstRel
	for _, v := range sweep(-150, 150, n) {
		got := [6]float64{}
		got[0], got[1], got[2], got[3], got[4], got[5] = hhRatesFast(v)
		want := [6]float64{}
		want[0], want[1], want[2], want[3], want[4], want[5] = hhRates(v)
		for i := range got {
			wr[i].see(got[i], want[i], v)
		}
	}
	for i, name := range []string{"α_m", "β_m", "α_h", "β_h", "α_n", "β_n"} {
		check("hhRatesFast "+name, hhRateBound, &wr[i])
	}

	// Beyond the range: saturated, finite, in range; never NaN for a finite input.
	huge := []float64{-1e300, -1e4, -1000, -710, 710, 1000, 1e4, 1e300}
	for _, x := range append(huge, math.Inf(-1), math.Inf(1), math.NaN()) {
		if y := logisticFast(x); !(y >= 0 && y <= 1) {
			t.Errorf("logisticFast(%g) = %g, want within [0, 1]", x, y)
		}
		inf, c := mlGateFast(x)
		if !(inf >= 0 && inf <= 1) || !(c >= 1 && c <= math.MaxFloat64) {
			t.Errorf("mlGateFast(%g) = %g, %g: want within [0, 1] and finite >= 1", x, inf, c)
		}
	}
	for _, x := range huge {
		if y := expRatioFast(x); !(y >= 0 && y <= math.MaxFloat64) {
			t.Errorf("expRatioFast(%g) = %g, want finite and not negative", x, y)
		}
		rates := [6]float64{}
		rates[0], rates[1], rates[2], rates[3], rates[4], rates[5] = hhRatesFast(x)
		for i, r := range rates {
			if !(r >= 0 && r <= math.MaxFloat64) {
				t.Errorf("hhRatesFast(%g): rate %d is %g, want finite and not negative", x, i, r)
			}
		}
	}

	// The vector kernels' lane versions, against the same references in float32.
	type vcase struct {
		lo, hi float64
		bounds [2]float64
		refs   func(x float64) (float64, float64) // NaN: no second output
	}
	hhRef := func(i int) func(x float64) (float64, float64) {
		return func(v float64) (float64, float64) {
			r := [6]float64{}
			r[0], r[1], r[2], r[3], r[4], r[5] = hhRates(v)
			return r[i], math.NaN()
		}
	}
	hhCase := func(i int) vcase { return vcase{-150, 150, [2]float64{hhRate32Bound}, hhRef(i)} }
	cases := map[string]vcase{
		"logistic": {-87, 87, [2]float64{logistic32Bound}, func(x float64) (float64, float64) { return logisticRef(x), math.NaN() }},
		"expRatio": {-87, 87, [2]float64{expRatio32Bound}, func(x float64) (float64, float64) { return expRatioRef(x), math.NaN() }},
		"mlGate": {-21, 87, [2]float64{mlGateInf32Bound, mlGateCosh32Bound}, func(y float64) (float64, float64) {
			return logisticRef(4 * y), math.Cosh(y)
		}},
		"hh/am": hhCase(0), "hh/bm": hhCase(1), "hh/ah": hhCase(2), "hh/bh": hhCase(3), "hh/an": hhCase(4), "hh/bn": hhCase(5),
	}
	for name, f := range vectorHelpers {
		c, ok := cases[name]
		if !ok {
			t.Errorf("vector helper %q has no test case", name)
			continue
		}
		var w [2]worstRel
		var x [8]float32
		var out [2][8]float32
		xs := sweep(c.lo, c.hi, n)
		for i := 0; i < len(xs); i += 8 {
			for l := range x {
				x[l] = float32(xs[min(i+l, len(xs)-1)])
			}
			f(&out, &x)
			for l := range x {
				r0, r1 := c.refs(float64(x[l]))
				w[0].see(float64(out[0][l]), r0, float64(x[l]))
				if !math.IsNaN(r1) {
					w[1].see(float64(out[1][l]), r1, float64(x[l]))
				}
			}
		}
		check("vector "+name, c.bounds[0], &w[0])
		if c.bounds[1] != 0 {
			check("vector "+name+" (second)", c.bounds[1], &w[1])
		}
		// Beyond the range: finite and not negative.
		for i, v := range []float32{-1e30, -1e4, -1000, -200, 200, 1000, 1e4, 1e30} {
			x[i] = v
		}
		f(&out, &x)
		for l := range x {
			for o := range out {
				if y := out[o][l]; !(y >= 0 && y <= math.MaxFloat32) {
					t.Errorf("vector %s(%g): output %d is %g, want finite and not negative", name, x[l], o, y)
				}
			}
		}
	}
}
