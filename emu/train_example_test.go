package emu_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
)

// A resonator (the hopf-super preset below its Hopf point) answers to a pair of pulses
// at the rhythm of its own damped oscillation, about 3.1 ms here, and not to the same
// pair at half that interval. The interval is a control, as a knob would set it.
func ExampleEvent_pulseTrain() {
	m, _ := emu.LookupModel("inapk")
	preset, _ := m.Preset("hopf-super")
	a := emu.NewNeuronSpec("a", m, preset)
	a.Current, a.Pulses = 12, 2 // every kick fires a pair

	e, err := emu.New(emu.Config{Neurons: []emu.NeuronSpec{a}})
	if err != nil {
		panic(err)
	}
	if err := e.Prepare(48000, 480); err != nil {
		panic(err)
	}
	out := [][]float32{make([]float32, 480), make([]float32, 480)}
	run := func(blocks int) {
		for range blocks {
			e.Process(out)
		}
	}
	run(20) // settle at 12 µA/cm²
	for _, interval := range []float64{1.6, 3.3} {
		e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventSet, Control: emu.ControlInterval, Value: interval})
		before := e.Stats().Spikes[0]
		e.Events().Push(emu.Event{Frame: e.Frame() + 1, Kind: emu.EventKick, Value: 16.5, Time: 0.5})
		run(10)
		fmt.Printf("pair %g ms apart: fires %v\n", interval, e.Stats().Spikes[0] > before)
	}
	// Output:
	// pair 1.6 ms apart: fires false
	// pair 3.3 ms apart: fires true
}
