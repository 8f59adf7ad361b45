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

// A model of your own plays like a built-in one: here the two-variable Hindmarsh-Rose
// neuron, which fires from I = 0.185. The engine steps it with RK4 over its Deriv.
func ExampleModel() {
	hr := &emu.Model{
		Name:   "hindmarsh-rose",
		Vars:   []emu.Var{{Name: "x"}, {Name: "y"}},
		Params: []emu.Param{{Name: "a", Default: 1, Min: 0.1, Max: 10}, {Name: "b", Default: 3, Min: 0, Max: 10}},
		Presets: []emu.Preset{{Name: "classic", Init: []float64{-1.618, -12.09},
			SpikeHigh: 1, SpikeLow: -0.5, Centre: 0, Span: 2}},
		CurrentMin: -10, CurrentMax: 10,
		MaxStep: 0.05,
		Deriv: func(dx, x, p []float64, I float64) {
			dx[0] = x[1] - p[0]*x[0]*x[0]*x[0] + p[1]*x[0]*x[0] + I // x' = y - ax³ + bx² + I
			dx[1] = 1 - 5*x[0]*x[0] - x[1]                          // y' = 1 - 5x² - y
		},
	}
	for _, current := range []float64{0.1, 2} {
		a := emu.NewNeuronSpec("a", hr, &hr.Presets[0])
		a.Current = current
		e, err := emu.New(emu.Config{Neurons: []emu.NeuronSpec{a}, Speed: 10})
		if err != nil {
			panic(err)
		}
		if err := e.Prepare(48000, 480); err != nil {
			panic(err)
		}
		out := [][]float32{make([]float32, 480), make([]float32, 480)}
		for i := 0; i < 100; i++ { // a second of sound, 10 s of model time
			e.Process(out)
		}
		fmt.Printf("I = %g: firing %v\n", current, e.Stats().Spikes[0] > 0)
	}
	// Output:
	// I = 0.1: firing false
	// I = 2: firing true
}

// A population of 101 snic neurons whose currents are spread evenly over ±2 µA/cm²
// around the neuron's: at 4.5 (the SNIC is at 4.51) about half of them fire, and moving
// the one current to 6.6 recruits them all.
func ExamplePopulation() {
	m, _ := emu.LookupModel("inapk")
	preset, _ := m.Preset("snic")
	p := emu.NewNeuronSpec("p", m, preset)
	p.Current = 4.5
	p.Population = emu.Population{Count: 101, Spread: []emu.Spread{{Control: emu.ControlCurrent, Dist: emu.SpreadEven, Width: 2}}}

	e, err := emu.New(emu.Config{Neurons: []emu.NeuronSpec{p}})
	if err != nil {
		panic(err)
	}
	if err := e.Prepare(48000, 480); err != nil {
		panic(err)
	}
	out := [][]float32{make([]float32, 480), make([]float32, 480)}
	firing := func() int { // members that fire in half a second
		seen := map[int32]bool{}
		for i := 0; i < 50; i++ {
			e.Process(out)
			for {
				s, ok := e.Spikes().Pop()
				if !ok {
					break
				}
				seen[s.Member] = true
			}
		}
		return len(seen)
	}
	fmt.Println("members firing at 4.5:", firing())
	e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventSet, Neuron: 0, Control: emu.ControlCurrent, Value: 6.6})
	firing() // the last ones take a while to start
	fmt.Println("members firing at 6.6:", firing())
	// Output:
	// members firing at 4.5: 50
	// members firing at 6.6: 101
}
