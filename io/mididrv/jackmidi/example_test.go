package jackmidi_test

import (
	"fmt"
	"log"

	"github.com/separatrix-audio/separatrix/io/mididrv/jackmidi"
	"gitlab.com/gomidi/midi/v2"
)

// List the MIDI ports of a running JACK server.
func ExampleNew() {
	d, err := jackmidi.New()
	if err != nil {
		log.Fatal(err) // jackmidi: no JACK server is running
	}
	defer d.Close()
	ins, err := d.Ins()
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range ins {
		fmt.Println("source:", in) // e.g. seq:out
	}
	outs, err := d.Outs()
	if err != nil {
		log.Fatal(err)
	}
	for _, out := range outs {
		fmt.Println("destination:", out) // e.g. dump:input
	}
}

// A port a DAW connects to, "separatrix:in", read through gomidi.
func ExampleDriver_OpenVirtualIn() {
	d, err := jackmidi.New()
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	in, err := d.OpenVirtualIn("in")
	if err != nil {
		log.Fatal(err)
	}
	stop, err := midi.ListenTo(in, func(msg midi.Message, ms int32) {
		fmt.Println(ms, msg)
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	log.Printf("jack_connect seq:out %s", in)
}

// Send to another client's input, through gomidi.
func ExampleDriver_Outs() {
	d, err := jackmidi.New(jackmidi.ClientName("player"))
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	outs, err := d.Outs()
	if err != nil || len(outs) == 0 {
		log.Fatal("no MIDI destinations", err)
	}
	send, err := midi.SendTo(outs[0])
	if err != nil {
		log.Fatal(err)
	}
	send(midi.NoteOn(0, 60, 100))
	send(midi.NoteOff(0, 60))
}
