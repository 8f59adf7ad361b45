package osc_test

import (
	"fmt"
	"log"

	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/patches"
)

// Encoding a message and decoding it again. A receiver keeps one Parser so that
// decoding costs no allocation once it has seen the addresses in use.
func Example() {
	packet := osc.AppendMessage(nil, osc.Message{
		Address: "/oscillator/4/frequency",
		Args:    []osc.Arg{osc.Float(440)},
	})
	fmt.Printf("% x\n", packet)

	var p osc.Parser
	err := p.Parse(packet, func(m osc.Message) {
		f, _ := m.Args[0].Float()
		fmt.Println(m.Address, f)
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2f 6f 73 63 69 6c 6c 61 74 6f 72 2f 34 2f 66 72 65 71 75 65 6e 63 79 00 2c 66 00 00 43 dc 00 00
	// /oscillator/4/frequency 440
}

// A malformed packet is refused whole, with the reason.
func ExampleParse_malformed() {
	err := osc.Parse([]byte("/foo\x00\x00\x00\x00,b\x00\x00\x00\x00\x00\x00"), func(osc.Message) {})
	fmt.Println(err)
	// Output:
	// osc: argument 1 of /foo has type tag 'b', which Separatrix does not read (it reads i, f, s, T and F)
}

// Routing messages from a controller against the hysteresis patch: its neuron a, a
// fader over gK's whole range, a knob turned past the end of current's range, a kick
// button and its release.
func ExampleRoute() {
	p, err := patches.Load("hysteresis")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range []osc.Message{
		{Address: "/separatrix/a/current", Args: []osc.Arg{osc.Float(10)}},
		{Address: "/separatrix/a/gK/normalized", Args: []osc.Arg{osc.Float(0.25)}},
		{Address: "/separatrix/a/current", Args: []osc.Arg{osc.Int(500)}},
		{Address: "/separatrix/a/kick", Args: []osc.Arg{osc.Float(1)}},
		{Address: "/separatrix/a/kick", Args: []osc.Arg{osc.Float(0)}},
		{Address: "/separatrix/b/kick", Args: []osc.Arg{osc.Float(1)}},
	} {
		a, err := osc.Route(p, m)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%v neuron %d control %d value %g clamped %v\n", a.Kind, a.Neuron, a.Control, a.Value, a.Clamped)
	}
	// Output:
	// set neuron 0 control 0 value 10 clamped false
	// set neuron 0 control 11 value 50 clamped false
	// set neuron 0 control 0 value 200 clamped true
	// kick neuron 0 control 0 value 40 clamped false
	// none neuron 0 control 0 value 0 clamped false
	// osc: /separatrix/b/kick: patch hysteresis has no neuron "b" (its neurons: a)
}

// Building what Separatrix sends: a neuron's state and the echo of a control, appended
// to one buffer the sending goroutine keeps.
func ExampleAppendState() {
	buf := make([]byte, 0, 128)
	buf = osc.AppendState(buf[:0], "a", -65.5, 0.25)
	osc.Parse(buf, func(m osc.Message) { fmt.Println(m) })
	buf = osc.AppendEcho(buf[:0], "a", "current", 10)
	osc.Parse(buf, func(m osc.Message) { fmt.Println(m) })
	// Output:
	// /separatrix/a/state ,ff -65.5 0.25
	// /separatrix/a/current ,f 10
}
