package emu

import (
	"math"
	"testing"
)

// limiterRelease is the release time constant the limiter is built with (newLimiter).
const limiterRelease = 0.1 // s

// TestLimiterReducesAndReleases drives the limiter alone with a sine burst over the
// ceiling, then quiet material. Every sample stays within the ceiling; the whole burst is
// turned down by one linked gain (the quiet parts of its cycles too, and the right
// channel with the left), not clipped; afterwards the gain recovers exponentially with
// the release time, so quiet material a second later passes unchanged.
func TestLimiterReducesAndReleases(t *testing.T) {
	const rate = 48000.0
	for _, c := range []struct {
		name         string
		loud, quiet  float64 // peak amplitude, in ceilings
		burstSeconds float64
		hz           float64
	}{
		{"3x over for 50 ms", 3, 0.3, 0.05, 220},
		{"10x over for 0.3 s", 10, 0.5, 0.3, 110},
		{"just over for 20 ms", 1.2, 0.8, 0.02, 440},
	} {
		t.Run(c.name, func(t *testing.T) {
			ceiling := safeCeiling(-1)
			lm := newLimiter(ceiling, rate)
			burst := int(c.burstSeconds * rate)
			n := burst + int(1.5*rate)
			inL, inR := make([]float64, n), make([]float64, n)
			for i := range inL {
				a := c.quiet
				if i < burst {
					a = c.loud
				}
				inL[i] = a * ceiling * math.Sin(2*math.Pi*c.hz*float64(i)/rate)
				inR[i] = inL[i] / 2
			}
			// r = 1 makes the DC blocker pass a signal that starts at 0 unchanged, so
			// the output is the limiter's alone.
			dc := [2]dcBlocker{{r: 1}, {r: 1}}
			out := makeOut(2, n)
			lm.process(out, inL, inR, &dc)

			gain := func(i int) float64 { return float64(out[0][i]) / inL[i] }
			period := int(rate / c.hz)
			worst := 0.0 // the highest gain on a quiet part of a loud cycle
			for i := range inL {
				for ch, in := range [][]float64{inL, inR} {
					if y := math.Abs(float64(out[ch][i])); y > ceiling {
						t.Fatalf("sample %d of channel %d is %g, over the ceiling %g", i, ch, y, ceiling)
					}
					if in[i] != 0 && math.Abs(float64(out[0][i])/inL[i]-float64(out[1][i])/inR[i]) > 1e-6 {
						t.Fatalf("sample %d: left gain %g, right gain %g: the channels are not linked", i,
							float64(out[0][i])/inL[i], float64(out[1][i])/inR[i])
					}
				}
				if i > period/4 && i < burst && math.Abs(inL[i]) > 0.05*ceiling && math.Abs(inL[i]) < ceiling {
					worst = math.Max(worst, gain(i))
				}
			}
			// Between two peaks the gain releases for at most a period.
			allowed := 1/c.loud + (1-1/c.loud)*(1-math.Exp(-1/(c.hz*limiterRelease))) + 1e-6
			if worst > allowed {
				t.Errorf("gain %.3f on the quiet part of a loud cycle, want at most %.3f: the burst is clipped, not turned down", worst, allowed)
			}
			checkRelease(t, inL, out[0], ceiling, rate, 0.5*c.quiet*ceiling)
			if got := gain(n - period/4 - 1); math.Abs(got-1) > 1e-3 {
				t.Errorf("quiet material %.1f s after the burst has gain %.5f, want 1", float64(n-burst)/rate, got)
			}
		})
	}
}

// checkRelease checks the limiter's release after the last sample of in (its input)
// over the ceiling: from the gain there, out/in climbs back to 1 as
// 1 - (1-g0) exp(-t/limiterRelease). It reads the gain only where |in| > floor.
func checkRelease(t *testing.T, in []float64, out []float32, ceiling, rate, floor float64) {
	t.Helper()
	last := -1
	for i, x := range in {
		if math.Abs(x) > ceiling {
			last = i
		}
	}
	if last < 0 || len(in)-last < int(rate) {
		t.Fatalf("the input is over the ceiling until frame %d of %d: no second left to hear the release", last, len(in))
	}
	g0 := float64(out[last]) / in[last]
	for _, after := range []float64{0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1} {
		i := last + int(after*rate)
		for math.Abs(in[i]) < floor { // away from a zero crossing
			i++
		}
		want := 1 - (1-g0)*math.Exp(-float64(i-last)/rate/limiterRelease)
		if got := float64(out[i]) / in[i]; math.Abs(got-want) > 0.01 {
			t.Errorf("%.3f s after the last sample over the ceiling the gain is %.4f, want %.4f (from %.4f, release %g s)",
				float64(i-last)/rate, got, want, g0, limiterRelease)
		}
	}
	for i := last + int(rate); i < len(in); i++ { // ten release times later: unchanged
		if d := math.Abs(float64(out[i]) - in[i]); d > 1e-4 {
			t.Fatalf("%.2f s after the last sample over the ceiling the output is %g for an input of %g",
				float64(i-last)/rate, out[i], in[i])
		}
	}
}

// TestEngineLimiterHoldsTheCeiling drives the engine over its ceiling (a firing neuron at
// the largest gain) and then turns it down, against a twin at 1/64 of the gain that
// never reaches the ceiling: the mix is linear in the gain and 1/64 scales floats
// exactly, so the twin times 64 is what the loud engine sends to its limiter, and the
// loud output divided by it is the limiter's gain. Loud, every sample is within the
// ceiling and the gain is down on every part of the waveform; turned down, the gain
// recovers with the release time and the output is the unlimited one.
func TestEngineLimiterHoldsTheCeiling(t *testing.T) {
	const rate, block, k = 48000, 64, 1.0 / 64
	const switchAt = 24000 // frame of the turn-down, after 0.5 s of loud firing
	const loudGain, quietGain = MaxGain, 0.1
	spec := presetSpec(t, "inapk", "snic", 10)
	render := func(g float64) []float32 {
		s := spec
		s.Gain = g * loudGain
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{s}, Channels: 1}, rate, block)
		e.Schedule([]Event{{Frame: switchAt, Kind: EventSet, Neuron: 0, Control: ControlGain, Value: g * quietGain}})
		var all []float32
		out := makeOut(1, block)
		for len(all) < 2*rate {
			e.Process(out)
			all = append(all, out[0]...)
		}
		return all
	}
	loud, twin := render(1), render(k)
	unlimited := make([]float64, len(twin))
	ceiling := math.Pow(10, -1.0/20)
	peak := 0.0
	for i, y := range twin {
		unlimited[i] = float64(y) / k
		peak = math.Max(peak, math.Abs(unlimited[i]))
		if math.Abs(float64(y)) >= ceiling/2 {
			t.Fatalf("the twin reaches %g at frame %d: it must stay under the ceiling", y, i)
		}
	}
	if peak < 2*ceiling {
		t.Fatalf("the loud engine peaks at %g before its limiter, want at least twice the ceiling %g", peak, ceiling)
	}
	worst := 0.0 // the highest gain, while loud, on a part of the waveform under the ceiling
	for i, y := range loud {
		if math.Abs(float64(y)) > ceiling {
			t.Fatalf("frame %d is %g, over the ceiling %g", i, y, ceiling)
		}
		u := math.Abs(unlimited[i])
		if i > rate/20 && i < switchAt && u > 0.05 && u < ceiling {
			worst = math.Max(worst, float64(y)/unlimited[i])
		}
	}
	if worst > 0.5 {
		t.Errorf("while loud, parts of the waveform under the ceiling keep a gain of %.3f, want under 0.5: the limiter clips instead of turning down", worst)
	}
	checkRelease(t, unlimited, loud, ceiling, rate, 0.05)
}
