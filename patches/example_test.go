package patches_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/patches"
)

func ExampleLoad() {
	p, err := patches.Load("hysteresis") // a built-in; a path such as ./my.toml loads a file
	if err != nil {
		fmt.Println(err)
		return
	}
	knob := p.MIDI.CC[0]
	fmt.Printf("%s at speed %g: CC %d/%d moves %s from %g to %g\n",
		p.Name, p.Speed, knob.CC, knob.LSB, knob.Target, knob.Min, knob.Max)
	eng, err := emu.New(p.Engine)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(eng.Len(), "neuron:", p.NeuronNames[0])
	// Output:
	// hysteresis at speed 1: CC 1/33 moves a.current from -2 to 6
	// 1 neuron: a
}

func ExampleParse() {
	src := `format = 1
speed = 10

[[neuron]]
name = "a"
model = "inapk"
preset = "hopf-super"

[[midi.cc]]
cc = 1
target = "a.current"
min = 0
max = 50
`
	p, err := patches.Parse("resonator.toml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name, p.Speed, p.Engine.Neurons[0].Model.Name, p.MIDI.CC[0].Max)

	// Mistakes come back as sentences, at the line and column of the key.
	_, err = patches.Parse("resonator.toml", []byte(`format = 1

[[neuron]]
name = "a"
model = "inapk"
presett = "hopf-super"
current = 500
`))
	fmt.Println(err)
	// Output:
	// resonator 10 inapk 50
	// resonator.toml:6:1: unknown key "presett" in [[neuron]] (did you mean "preset"?)
	// resonator.toml:7:1: current = 500 is outside the allowed range -200 to 200 µA/cm²
}

func ExampleBuiltinNames() {
	for _, n := range patches.BuiltinNames() {
		fmt.Print(n, " ")
	}
	fmt.Println()
	// Output:
	// snic saddle-node hysteresis hopf-super hopf-sub timing rebound fitzhugh-nagumo hh morris-lecar-snic morris-lecar-homoclinic morris-lecar-hopf flip-flop swarm
}

func ExampleResolveTarget() {
	p, _ := patches.Load("flip-flop")
	for _, target := range []string{"current", "b.gK", "c.current"} {
		n, c, err := patches.ResolveTarget(p, target)
		fmt.Println(target, n, c, err)
	}
	// Output:
	// current -1 0 <nil>
	// b.gK 1 11 <nil>
	// c.current 0 0 target "c.current" names neuron "c", but there is no such neuron (neurons: a, b)
}
