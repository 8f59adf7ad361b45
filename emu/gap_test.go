package emu

import (
	"fmt"
	"math"
	"testing"
)

// gapReference integrates two gap-coupled neurons with RK4 at step h, the coupling
// evaluated at every stage, and returns each neuron's spike times (ms).
func gapReference(a, b NeuronSpec, g, h, duration float64) [2][]float64 {
	m := a.Model
	x := append(append([]float64(nil), a.Init...), b.Init...)
	nv := len(a.Init)
	scratch := make([]float64, 5*len(x))
	f := func(dx, x []float64) {
		va, vb := x[0], x[nv]
		m.Deriv(dx[:nv], x[:nv], a.Params, a.Current+g*(vb-va))
		m.Deriv(dx[nv:], x[nv:], b.Params, b.Current+g*(va-vb))
	}
	var out [2][]float64
	d := [2]SpikeDetector{NewSpikeDetector(a.SpikeHigh, a.SpikeLow, x[0]), NewSpikeDetector(b.SpikeHigh, b.SpikeLow, x[nv])}
	for s := 0; s < int(math.Round(duration/h)); s++ {
		prev := [2]float64{x[0], x[nv]}
		level := [2]float64{d[0].Threshold(), d[1].Threshold()}
		StepRK4(x, h, f, scratch)
		for n, v := range [2]float64{x[0], x[nv]} {
			if d[n].Step(v) {
				out[n] = append(out[n], (float64(s)+math.Max(0, level[n]-prev[n])/(v-prev[n]))*h)
			}
		}
	}
	return out
}

// TestGapJunctionAccuracy: gap-coupled neurons are stepped as one system, so their spike
// times match a fine reference within 0.1 ms (plus the one-sample resolution of the
// engine's spike frames), at speed 1 and at high speed with strong coupling, where
// holding the neighbour's voltage over a sample used to flip sign every sample.
func TestGapJunctionAccuracy(t *testing.T) {
	for _, c := range []struct{ g, speed float64 }{{0.5, 1}, {5, 1}, {20, 20}, {50, 10}} {
		t.Run(fmt.Sprintf("g=%g,speed=%g", c.g, c.speed), func(t *testing.T) {
			a := presetSpec(t, "inapk", "snic", 10)
			b := presetSpec(t, "inapk", "snic", 0)
			b.Name = "b"
			const duration = 200.0 // ms of model time
			ref := gapReference(a, b, c.g, 0.0005, duration)
			e := newTestEngine(t, Config{Neurons: []NeuronSpec{a, b}, Gaps: []Gap{{A: 0, B: 1, G: c.g}}, Speed: c.speed}, 48000, 64)
			frames := int(math.Round(duration / e.ModelTimeStep()))
			out := makeOut(2, 1)
			var got [2][]float64
			for f := 0; f < frames; f++ {
				e.Process(out)
				for {
					s, ok := e.Spikes().Pop()
					if !ok {
						break
					}
					got[s.Neuron] = append(got[s.Neuron], float64(s.Frame+1)*e.ModelTimeStep())
				}
			}
			tol := 0.1 + e.ModelTimeStep()
			for n := 0; n < 2; n++ {
				if len(got[n]) != len(ref[n]) {
					t.Fatalf("neuron %d: %d spikes, reference %d", n, len(got[n]), len(ref[n]))
				}
				for k := range ref[n] {
					if d := math.Abs(got[n][k] - ref[n][k]); d > tol {
						t.Fatalf("neuron %d spike %d at %.4f ms, reference %.4f (tolerance %.3f)", n, k, got[n][k], ref[n][k], tol)
					}
				}
			}
			if len(ref[0]) < 5 {
				t.Fatalf("reference fires %d spikes: not a useful test", len(ref[0]))
			}
		})
	}
}
