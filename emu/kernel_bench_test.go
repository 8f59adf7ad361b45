package emu

import (
	"fmt"
	"testing"
)

// BenchmarkStepHH, BenchmarkStepMorrisLecar and BenchmarkStepFHN measure the engine's cost
// per neuron per sample as BenchmarkStepINaPK does: N neurons of the model's default
// preset at one RK4 step of 1000/48000 ms (48 kHz, biological time), gain 1/N, their
// currents spread evenly over the range where the preset fires repetitively (found with
// the reference: HH from 6.2 to about 80 µA/cm², Morris-Lecar's Hopf set from 88 to about
// 215, FitzHugh-Nagumo from 0.33 to about 1.42). The cost includes everything Process
// does per sample (events, spike detection, mixing, limiter), not just the kernel.
func BenchmarkStepHH(b *testing.B)          { benchmarkStep(b, "hh", "classic", 10, 70) }
func BenchmarkStepMorrisLecar(b *testing.B) { benchmarkStep(b, "morris-lecar", "hopf", 95, 205) }
func BenchmarkStepFHN(b *testing.B)         { benchmarkStep(b, "fitzhugh-nagumo", "classic", 0.35, 1.35) }

// benchmarkStep runs the sub-benchmarks N=1, 64, 256 and 1024 for a model's preset, the
// neurons' currents spread over [lo, hi).
func benchmarkStep(b *testing.B, model, preset string, lo, hi float64) {
	for _, n := range []int{1, 64, 256, 1024} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			specs := make([]NeuronSpec, n)
			for i := range specs {
				specs[i] = presetSpec(b, model, preset, lo+(hi-lo)*float64(i)/float64(n))
				specs[i].Name = fmt.Sprint("n", i)
				specs[i].Gain = 1 / float64(n)
			}
			const block = 128
			e := newTestEngine(b, Config{Neurons: specs, SpikeCapacity: 1 << 16}, 48000, block)
			if e.batches[0].nsub != 1 {
				b.Fatalf("%d sub-steps per sample, want 1", e.batches[0].nsub)
			}
			out := makeOut(2, block)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				processAndDrain(e, out)
			}
			steps := float64(b.N) * block * float64(n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/steps, "ns/neuron-step")
			b.ReportMetric(1e9/(float64(b.Elapsed().Nanoseconds())/steps)/48000, "realtime-neurons@48k")
		})
	}
}
