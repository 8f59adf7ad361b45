package midifile_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

func Example() {
	// Record two spikes of a neuron as 10 ms notes, stamped with engine frames.
	const rate = 48000
	w := midifile.NewWriter(rate)
	for _, frame := range []int64{4800, 12345} {
		w.Add(midimap.Timed{Frame: frame, Msg: midimap.Msg{Status: 0x90, Data1: 60, Data2: 100}})
		w.Add(midimap.Timed{Frame: frame + rate/100, Msg: midimap.Msg{Status: 0x80, Data1: 60}})
	}
	w.SetLength(rate)
	var file bytes.Buffer
	if _, err := w.WriteTo(&file); err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.TicksPerQuarter(), "ticks per quarter note")

	// Read it back: every message on its frame.
	sc, err := midifile.ParseScore("spikes.mid", &file)
	if err != nil {
		log.Fatal(err)
	}
	for _, ev := range sc.Events {
		fmt.Printf("%.6f s = frame %5.0f: % X\n", ev.Seconds, ev.Seconds*rate, []byte{ev.Msg.Status, ev.Msg.Data1, ev.Msg.Data2})
	}
	fmt.Printf("length %g s\n", sc.Length)
	// Output:
	// 24000 ticks per quarter note
	// 0.100000 s = frame  4800: 90 3C 64
	// 0.110000 s = frame  5280: 80 3C 00
	// 0.257188 s = frame 12345: 90 3C 64
	// 0.267188 s = frame 12825: 80 3C 00
	// length 1 s
}

func ExampleParseScore_error() {
	_, err := midifile.ParseScore("song.mid", bytes.NewReader([]byte("MThd\x00\x00\x00\x06\x00\x02\x00\x01\x00\x60")))
	fmt.Println(err)
	// Output:
	// song.mid: format 2 (independent sequences) is not supported, only formats 0 and 1
}
