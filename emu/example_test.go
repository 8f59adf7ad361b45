package emu_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
)

// A bistable neuron at rest inside its bistable range: a kick switches it into
// repetitive firing, and it keeps firing after the kick is over.
func ExampleEngine() {
	m, _ := emu.LookupModel("inapk")
	preset, _ := m.Preset("saddle-node")
	a := emu.NewNeuronSpec("a", m, preset)
	a.Current = 4

	e, err := emu.New(emu.Config{Neurons: []emu.NeuronSpec{a}})
	if err != nil {
		panic(err)
	}
	if err := e.Prepare(48000, 480); err != nil {
		panic(err)
	}
	out := [][]float32{make([]float32, 480), make([]float32, 480)}
	second := func() uint64 {
		before := e.Stats().Spikes[0]
		for i := 0; i < 100; i++ {
			e.Process(out)
			for {
				if _, ok := e.Spikes().Pop(); !ok {
					break
				}
			}
		}
		return e.Stats().Spikes[0] - before
	}
	fmt.Println("at rest:", second() == 0)
	e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventKick, Neuron: 0, Value: 30, Time: 1})
	fmt.Println("firing after a kick:", second() > 500)
	// Output:
	// at rest: true
	// firing after a kick: true
}

func ExampleStepRK4() {
	// Relax the snic preset to rest at zero current with the reference integrator.
	m, _ := emu.LookupModel("inapk")
	preset, _ := m.Preset("snic")
	p := m.Values(nil, preset)
	x := []float64{-50, 0.1}
	scratch := make([]float64, 5*len(x))
	f := func(dx, x []float64) { m.Deriv(dx, x, p, 0) }
	for i := 0; i < 20000; i++ {
		emu.StepRK4(x, 0.01, f, scratch)
	}
	fmt.Printf("rest at V = %.1f mV\n", x[0])
	// Output: rest at V = -66.0 mV
}

// A tap publishes the neurons' state a few hundred times a second for a live view: here
// the V range of each record shows a ~900 Hz firing cycle that 500 records a second
// could not follow point by point.
func ExampleEngine_Tap() {
	m, _ := emu.LookupModel("inapk")
	preset, _ := m.Preset("saddle-node")
	a := emu.NewNeuronSpec("a", m, preset)
	a.Current = 5 // past the saddle-node: firing

	e, err := emu.New(emu.Config{Neurons: []emu.NeuronSpec{a}, TapRate: 500})
	if err != nil {
		panic(err)
	}
	if err := e.Prepare(48000, 480); err != nil {
		panic(err)
	}
	out := [][]float32{make([]float32, 480), make([]float32, 480)}
	for range 100 { // a second
		e.Process(out)
	}
	rec := make([]float32, e.Tap().Stride())
	records, spikes := 0, 0.0
	var lo, hi float32 = 0, -100
	for {
		_, ok := e.Tap().Pop(rec)
		if !ok {
			break
		}
		records++
		spikes += float64(rec[emu.TapSpikes])
		lo, hi = min(lo, rec[emu.TapVMin]), max(hi, rec[emu.TapVMax])
	}
	fmt.Println("records:", records)
	fmt.Println("every spike counted:", uint64(spikes) == e.Stats().Spikes[0])
	fmt.Println("full swing below -60 mV and above -20 mV:", lo < -60 && hi > -20)
	// Output:
	// records: 500
	// every spike counted: true
	// full swing below -60 mV and above -20 mV: true
}
