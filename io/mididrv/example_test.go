package mididrv_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

func ExampleMatch() {
	inputs := []string{"seq:out", "a2j:Midi Through [14] (capture): Midi Through Port-0", "nanoKEY2:out", "nanoKONTROL2:out"}
	for _, q := range []string{"SEQ", "through", "nano", "synth"} {
		name, err := mididrv.Match(inputs, q)
		fmt.Printf("%-8s %q %v\n", q, name, err)
	}
	// Output:
	// SEQ      "seq:out" <nil>
	// through  "a2j:Midi Through [14] (capture): Midi Through Port-0" <nil>
	// nano     "" "nano" matches more than one MIDI port: nanoKEY2:out, nanoKONTROL2:out
	// synth    "" no MIDI port matches "synth"; ports: seq:out, a2j:Midi Through [14] (capture): Midi Through Port-0, nanoKEY2:out, nanoKONTROL2:out
}

func ExampleStatus_String() {
	for _, s := range []mididrv.Status{
		{Event: mididrv.Gone, Dir: "input", Port: "seq:out", Query: "seq"},
		{Event: mididrv.Back, Dir: "input", Port: "seq:out", Query: "seq"},
		{Event: mididrv.Failed, Dir: "output", Port: "synth:in", Query: "synth", Err: errors.New("permission denied")},
		{Event: mididrv.Waiting, Dir: "input", Query: "nanoKEY"},
	} {
		fmt.Println(s)
	}
	// Output:
	// MIDI input "seq:out" is gone; waiting for a port matching "seq"
	// MIDI input "seq:out" connected (matches "seq")
	// MIDI output "synth:in" matches "synth" but cannot be opened: permission denied; retrying
	// no MIDI input matches "nanoKEY" yet; waiting for one
}

// Play from a keyboard: the first driver that works, the input whose name contains
// "keystation", and a queue the engine drains.
func ExampleOpenInput() {
	d, err := mididrv.Open("auto")
	if err != nil {
		log.Fatal(err) // e.g. no MIDI driver works here: rtmidi: ...; jack: no JACK server is running
	}
	defer d.Close()
	queue := make(chan midimap.Msg, 1024)
	in, err := mididrv.OpenInput(d, "keystation", func(m midimap.Msg, when time.Time) {
		select {
		case queue <- m:
		default: // the engine is behind: drop rather than block the driver
		}
	}, mididrv.Options{Status: func(s mididrv.Status) { log.Print(s) }})
	if err != nil {
		log.Fatal(err) // e.g. no MIDI input matches "keystation"; inputs: ...
	}
	defer in.Close()
	log.Printf("listening to %s", in.Port())
}

// Send spikes as notes to a synth, and silence it on the way out.
func ExampleOpenOutput() {
	d, err := mididrv.Open("jack")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	out, err := mididrv.OpenOutput(d, "synth", mididrv.Options{Wait: true, Status: func(s mididrv.Status) { log.Print(s) }})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	defer out.AllNotesOff(nil)
	if err := out.Send(midimap.NoteOn(1, 60, 100)); err != nil && !errors.Is(err, mididrv.ErrDisconnected) {
		log.Print(err)
	}
}

// List what `separatrix devices` shows.
func ExamplePorts() {
	d, err := mididrv.Open("auto")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	ins, outs, err := mididrv.Ports(d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("driver %s\ninputs:  %v\noutputs: %v\n", d, ins, outs)
}

// Offer ports for a DAW to connect to: "separatrix:in" and "separatrix:out" in JACK.
func ExampleOpenVirtualInput() {
	d, err := mididrv.Open("jack")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	in, err := mididrv.OpenVirtualInput(d, "in", func(m midimap.Msg, when time.Time) { log.Print(m) }, mididrv.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()
	out, err := mididrv.OpenVirtualOutput(d, "out", mididrv.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	log.Printf("connect to %s and from %s", in.Port(), out.Port())
}
