package render_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/patches"
)

// Sweep the snic patch's current up through its SNIC bifurcation and report where the
// first spike comes.
func ExampleRun() {
	p, err := patches.Load("snic")
	if err != nil {
		panic(err)
	}
	perf := render.Performance{Ramps: []render.Ramp{{Target: "current", From: 4, To: 5, Seconds: 10}}}
	first := int64(-1)
	sink := render.Sink{Spike: func(s emu.Spike) {
		if first < 0 {
			first = s.Frame
		}
	}}
	if _, err := render.Run(p, perf, render.Options{SampleRate: 8000}, sink); err != nil {
		panic(err)
	}
	current := 4 + float64(first)/8000/10
	fmt.Printf("firing starts at I = %.1f µA/cm²\n", current)
	// Output: firing starts at I = 4.5 µA/cm²
}
