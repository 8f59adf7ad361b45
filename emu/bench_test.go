package emu

import (
	"strings"
	"testing"
)

// BenchmarkStepINaPK measures the engine's cost per neuron per sample for N neurons of the
// snic preset at one RK4 step of 1000/48000 ms (48 kHz, biological time), currents spread
// over 5..45 µA/cm² as in ../shared/bench/inapk_ref.c. The cost includes everything
// Process does per sample (events, spike detection, mixing, limiter), not just the kernel.
func BenchmarkStepINaPK(b *testing.B) { benchmarkStep(b, "inapk", "snic", 5, 45) }

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
