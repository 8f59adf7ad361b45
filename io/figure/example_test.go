package figure_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/separatrix-audio/separatrix/io/figure"
)

func ExamplePortrait_Save() {
	dir, err := os.MkdirTemp("", "figure-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// The linear system x' = y, y' = −x − y/2: a stable focus at the origin. The
	// nullclines are straight lines, given as one piece each across the window.
	p := figure.Portrait{
		Title:  "damped oscillator",
		XLabel: "x",
		YLabel: "y",
		XMin:   -2, XMax: 2, YMin: -2, YMax: 2,
		Field: func(x, y float64) (dx, dy float64) { return y, -x - y/2 },
		Nullclines: []figure.Nullcline{
			{Label: "x-nullcline", Pieces: [][]figure.Point{{{X: -2, Y: 0}, {X: 2, Y: 0}}}},
			{Label: "y-nullcline", Pieces: [][]figure.Point{{{X: -1, Y: 2}, {X: 1, Y: -2}}}},
		},
		Equilibria: []figure.Equilibrium{{X: 0, Y: 0, Stable: true, Kind: "stable focus"}},
	}
	for _, name := range []string{"portrait.svg", "portrait.png"} {
		if err := p.Save(filepath.Join(dir, name), figure.DefaultWidth, figure.DefaultHeight); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", name)
	}

	// Any other extension is refused before anything is drawn.
	err = p.Save(filepath.Join(dir, "portrait.pdf"), figure.DefaultWidth, figure.DefaultHeight)
	fmt.Println(err != nil)
	// Output:
	// wrote portrait.svg
	// wrote portrait.png
	// true
}

func ExampleTrace_Save() {
	dir, err := os.MkdirTemp("", "figure-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	tr := figure.Trace{
		Title:     "one spike",
		TimeLabel: "t (ms)",
		VLabel:    "V (mV)",
		ILabel:    "I (µA/cm²)",
		Neurons: []figure.TraceNeuron{{
			Name:   "RS",
			T:      []float64{0, 1, 2, 3, 4, 5},
			V:      []float64{-70, -65, 30, -75, -72, -70},
			I:      []float64{0, 10, 10, 10, 0, 0},
			Spikes: []float64{1.5},
		}},
	}
	if err := tr.Save(filepath.Join(dir, "trace.png"), figure.DefaultWidth, figure.DefaultHeight); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote trace.png")
	// Output: wrote trace.png
}
