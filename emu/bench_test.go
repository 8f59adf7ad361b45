package emu

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkStepINaPK measures the engine's cost per neuron per sample for N neurons of the
// snic preset at one RK4 step of 1000/48000 ms (48 kHz, biological time), currents spread
// over 5..45 µA/cm² as in ../shared/bench/inapk_ref.c. The cost includes everything
// Process does per sample (events, spike detection, mixing, limiter), not just the kernel.
func BenchmarkStepINaPK(b *testing.B) {
	for _, n := range []int{1, 64, 256, 1024} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			specs := make([]NeuronSpec, n)
			for i := range specs {
				specs[i] = presetSpec(b, "inapk", "snic", 5+40*float64(i)/float64(n))
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

// BenchmarkEngineRealtime reports how many times faster than real time one neuron of each
// model runs at 48 kHz, speed 1: with its inline batch kernel, and (generic/) with the
// generic kernel a model built outside the package gets, calling Deriv at every stage.
func BenchmarkEngineRealtime(b *testing.B) {
	var names []string
	for _, name := range ModelNames() {
		names = append(names, name)
	}
	for _, name := range ModelNames() {
		names = append(names, "generic/"+name)
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			m, _ := LookupModel(strings.TrimPrefix(name, "generic/"))
			if strings.HasPrefix(name, "generic/") {
				inner := m.Deriv
				m.Deriv = func(dx, x, p []float64, I float64) { inner(dx, x, p, I) }
			}
			s := NewNeuronSpec("a", m, &m.Presets[0])
			e := newTestEngine(b, Config{Neurons: []NeuronSpec{s}}, 48000, 512)
			out := makeOut(2, 512)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.Process(out)
			}
			sound := float64(b.N) * 512 / 48000
			b.ReportMetric(sound/b.Elapsed().Seconds(), "x-realtime")
		})
	}
}

// processAndDrain renders one block and empties the spike ring, as a consumer would.
func processAndDrain(e *Engine, out [][]float32) {
	e.Process(out)
	for {
		if _, ok := e.Spikes().Pop(); !ok {
			return
		}
	}
}
