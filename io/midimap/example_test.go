package midimap_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// A 14-bit controller drives a neuron's current; a drum pad kicks it.
func ExampleControls() {
	c := midimap.NewControls(midimap.Config{
		CC: []midimap.CCMap{{
			Target: "current", Channel: 1, CC: 1, LSB: 33,
			Neuron: 0, Control: emu.ControlCurrent, Min: 0, Max: 20, Smoothing: 0.01,
		}},
		Kicks: []midimap.KickMap{{Channel: 10, NoteLow: 36, NoteHigh: 36, Neuron: 0, MinAmp: 1, MaxAmp: 8, Duration: 2}},
	})
	var events []emu.Event
	for _, m := range []midimap.Msg{
		midimap.ControlChange(1, 1, 64),  // MSB: 64·128 of 16383
		midimap.ControlChange(1, 33, 64), // LSB refines it
		midimap.NoteOn(10, 36, 127),      // kick at full strength
		midimap.NoteOn(10, 36, 0),        // its note-off: nothing
	} {
		events = c.Handle(events, m, 480)
	}
	for _, e := range events {
		fmt.Printf("frame %d kind %d neuron %d control %d value %.6f time %g\n",
			e.Frame, e.Kind, e.Neuron, e.Control, e.Value, e.Time)
	}
	fmt.Printf("%+v\n", c.Stats())
	// Output:
	// frame 480 kind 1 neuron 0 control 0 value 10.000610 time 0.01
	// frame 480 kind 1 neuron 0 control 0 value 10.078740 time 0.01
	// frame 480 kind 2 neuron 0 control 0 value 8.000000 time 2
	// {Handled:3 Ignored:1 Malformed:0}
}

// A player answers an incoming All Notes Off by silencing its own output.
func ExampleControls_TakeAllOff() {
	cfg := midimap.Config{Spikes: []midimap.SpikeMap{
		{Neuron: 0, Mode: midimap.ModeGate, Channel: 1, Note: 60, Velocity: 100, RateCC: -1},
	}}
	in := midimap.NewControls(cfg)
	out := midimap.NewSpikeNotes(cfg, 48000, 1.0/48)

	msgs := out.Spike(nil, emu.Spike{Frame: 100, Neuron: 0})
	_ = in.Handle(nil, midimap.ControlChange(1, 123, 0), 200)
	if frame, ok := in.TakeAllOff(); ok {
		msgs = out.AllOff(msgs, frame)
	}
	for _, m := range msgs {
		fmt.Println(m)
	}
	// Output:
	// @100 note-on ch=1 key=60 vel=100
	// @200 note-off ch=1 key=60 vel=64
	// @200 cc ch=1 ctl=123 val=0
}

// Spikes become notes: the render loop calls Spike for each spike of a block, then
// Advance with the frame the next block starts at, and AllOff at the end.
func ExampleSpikeNotes() {
	const rate = 48000
	s := midimap.NewSpikeNotes(midimap.Config{
		Spikes: []midimap.SpikeMap{{
			Neuron: 0, Mode: midimap.ModeSpike, Channel: 1, Note: 60, Velocity: 100,
			Duration: 0.05, RateCC: 74, RateMax: 20,
		}},
	}, rate, 1000.0/rate) // biological speed: 1 ms of model time per ms of sound

	var out []midimap.Timed
	spikes := []emu.Spike{
		{Frame: 1000, Neuron: 0},
		{Frame: 5800, Neuron: 0, ISI: 100},  // 10 Hz
		{Frame: 10600, Neuron: 0, ISI: 100}, // still 10 Hz: no new CC
	}
	next := 0
	for block := int64(0); block < 48000; block += 4096 {
		for next < len(spikes) && spikes[next].Frame < block+4096 {
			out = s.Spike(out, spikes[next])
			next++
		}
		out = s.Advance(out, block+4096)
	}
	out = s.AllOff(out, 48000)
	for _, m := range out {
		fmt.Println(m)
	}
	// Output:
	// @1000 note-on ch=1 key=60 vel=100
	// @3400 note-off ch=1 key=60 vel=64
	// @5800 cc ch=1 ctl=74 val=64
	// @5800 note-on ch=1 key=60 vel=100
	// @8200 note-off ch=1 key=60 vel=64
	// @10600 note-on ch=1 key=60 vel=100
	// @13000 note-off ch=1 key=60 vel=64
	// @25000 cc ch=1 ctl=74 val=0
	// @48000 cc ch=1 ctl=123 val=0
}

// In gate mode a burst of spikes is one held note.
func ExampleSpikeNotes_gate() {
	s := midimap.NewSpikeNotes(midimap.Config{
		Spikes: []midimap.SpikeMap{{Neuron: 2, Mode: midimap.ModeGate, Channel: 3, Note: 48, Velocity: 90, Release: 0.1, RateCC: -1}},
	}, 1000, 1) // 1 frame = 1 ms
	var out []midimap.Timed
	for _, f := range []int64{0, 20, 40, 60, 500, 520} {
		out = s.Spike(out, emu.Spike{Frame: f, Neuron: 2})
	}
	out = s.Advance(out, 1000)
	for _, m := range out {
		fmt.Println(m)
	}
	// Output:
	// @0 note-on ch=3 key=48 vel=90
	// @160 note-off ch=3 key=48 vel=64
	// @500 note-on ch=3 key=48 vel=90
	// @620 note-off ch=3 key=48 vel=64
}

func ExampleCurve_Apply() {
	for _, c := range []midimap.Curve{midimap.Linear, midimap.Exp, midimap.Log} {
		fmt.Printf("%-6v", c)
		for _, x := range []float64{0, 0.25, 0.5, 0.75, 1} {
			fmt.Printf(" %.3f", c.Apply(x))
		}
		fmt.Println()
	}
	// Output:
	// linear 0.000 0.250 0.500 0.750 1.000
	// exp    0.000 0.029 0.111 0.343 1.000
	// log    0.000 0.657 0.889 0.971 1.000
}

// A key pressed and held inhibits a neuron for as long as it is held (a Hold map);
// another fires a pair of pulses per note, at the neuron's interval.
func ExampleKickMap() {
	c := midimap.NewControls(midimap.Config{Kicks: []midimap.KickMap{
		{NoteLow: 48, NoteHigh: 59, Neuron: 0, MinAmp: -30, MaxAmp: -30, Hold: true},
		{NoteLow: 60, NoteHigh: 72, Neuron: 0, MinAmp: 16.5, MaxAmp: 16.5, Duration: 0.5, Pulses: 2},
	}})
	show := func(frame int64, m midimap.Msg) {
		for _, e := range c.Handle(nil, m, frame) {
			switch e.Kind {
			case emu.EventHold:
				fmt.Printf("frame %d: hold %g\n", e.Frame, e.Value)
			case emu.EventKick:
				fmt.Printf("frame %d: %d pulses of %g for %g ms\n", e.Frame, e.Pulses, e.Value, e.Time)
			}
		}
	}
	show(0, midimap.NoteOn(1, 50, 100))
	show(4800, midimap.NoteOff(1, 50))
	show(9600, midimap.NoteOn(1, 64, 100))
	// Output:
	// frame 0: hold -30
	// frame 4800: hold 0
	// frame 9600: 2 pulses of 16.5 for 0.5 ms
}
