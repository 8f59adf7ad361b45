package emu_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
)

// Count spikes in a trace integrated outside the engine, by the engine's rule: the
// saddle-node preset at 15 µA/cm² fires a 1.3 kHz cycle between about -44 and -13 mV,
// whose trough never falls below SpikeLow (-45 mV), and every cycle counts.
func ExampleSpikeDetector() {
	m, _ := emu.LookupModel("inapk")
	preset, _ := m.Preset("saddle-node")
	p := m.Values(nil, preset)
	x := append([]float64(nil), preset.Init...)
	scratch := make([]float64, 5*len(x))
	f := func(dx, x []float64) { m.Deriv(dx, x, p, 15) }

	d := emu.NewSpikeDetector(preset.SpikeHigh, preset.SpikeLow, x[0])
	spikes := 0
	const h = 0.01 // ms
	for step := 0; step < 100/h; step++ {
		emu.StepRK4(x, h, f, scratch)
		if d.Step(x[0]) {
			spikes++
		}
	}
	fmt.Println("spikes in 100 ms:", spikes)
	// Output: spikes in 100 ms: 132
}
