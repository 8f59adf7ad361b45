package midimap

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// fuzzCC binds each map to its own control, so an event tells which map made it.
var fuzzCC = []CCMap{
	{CC: 1, LSB: 33, Neuron: 0, Control: emu.ControlCurrent, Min: -20, Max: 20, Curve: Linear, Smoothing: 0.01},
	{Channel: 2, CC: 7, LSB: -1, Neuron: 1, Control: emu.ControlGain, Min: 0, Max: 4, Curve: Exp},
	{Channel: 16, CC: 10, LSB: 42, Neuron: emu.AllNeurons, Control: emu.ControlPan, Min: 1, Max: -1, Curve: Log},
	{CC: 33, LSB: 1, Neuron: 2, Control: emu.ControlParam + 3, Min: 1e-3, Max: 1e3, Curve: Exp, Smoothing: 2},
	{CC: 119, LSB: 0, Neuron: 2, Control: emu.ControlNoise, Min: 0, Max: 0.5, Curve: Log},
}

var fuzzKicks = []KickMap{
	{NoteLow: 0, NoteHigh: 127, Neuron: 0, MinAmp: -3, MaxAmp: 3, Duration: 1},
	{Channel: 10, NoteLow: 36, NoteHigh: 36, Neuron: emu.AllNeurons, MinAmp: 10, MaxAmp: 0.5, Duration: 0, Pulses: 2},
	{Channel: 3, NoteLow: 30, NoteHigh: 90, Neuron: 1, MinAmp: -20, MaxAmp: -5, Hold: true},
}

func FuzzControls(f *testing.F) {
	f.Add([]byte{0xB0, 1, 64, 0xB0, 33, 127, 0x90, 60, 100})
	f.Add([]byte{0xB1, 7, 127, 0xBF, 10, 0, 0xBF, 42, 99, 0x99, 36, 1, 0x99, 36, 0})
	f.Add([]byte{0xB0, 123, 0, 0xB5, 120, 0, 0xF8, 0xFF, 0x12, 0x80, 200, 3})
	f.Add([]byte{0xB3, 33, 5, 0xB3, 1, 9, 0xB0, 119, 127, 0xB0, 0, 127})
	f.Add([]byte{0x92, 40, 9, 0x92, 41, 90, 0x82, 40, 0, 0x92, 41, 0, 0x92, 50, 1, 0xB7, 120, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewControls(Config{CC: fuzzCC, Kicks: fuzzKicks})
		byControl := map[int32]CCMap{}
		for _, m := range fuzzCC {
			byControl[m.Control] = m
		}
		dst := make([]emu.Event, 0, c.MaxEvents())
		n := 0
		held := map[int]bool{} // notes held in the Hold map, as the fuzzer played them
		for ; len(data) >= 3; data = data[3:] {
			m := Msg{data[0], data[1], data[2]}
			frame := int64(n) * 100
			n++
			dst = c.Handle(dst[:0], m, frame)
			wasHeld := len(held) > 0
			switch {
			case m.Status == 0x92 && m.Data1 >= 30 && m.Data1 <= 90 && m.Data2 > 0 && m.Data2 <= 127:
				held[int(m.Data1)] = true
			case (m.Status == 0x82 || m.Status == 0x92) && m.Data2 <= 127 && m.Data1 <= 127:
				delete(held, int(m.Data1))
			case m.Status&0xF0 == 0xB0 && (m.Data1 == 120 || m.Data1 == 123) && m.Data2 <= 127:
				clear(held)
			}
			holds := 0
			if len(dst) > c.MaxEvents() {
				t.Fatalf("%v: %d events, MaxEvents %d", m, len(dst), c.MaxEvents())
			}
			for _, e := range dst {
				if e.Frame != frame || math.IsNaN(e.Value) || math.IsInf(e.Value, 0) || math.IsNaN(e.Time) || math.IsInf(e.Time, 0) {
					t.Fatalf("%v: bad event %+v", m, e)
				}
				lo, hi := 0.0, 0.0
				switch e.Kind {
				case emu.EventSet:
					cm, ok := byControl[e.Control]
					if !ok || e.Neuron != cm.Neuron || e.Time != cm.Smoothing {
						t.Fatalf("%v: event %+v matches no map", m, e)
					}
					lo, hi = cm.Min, cm.Max
				case emu.EventKick:
					lo, hi = -3, 10
					if e.Neuron == 0 {
						hi = 3
					}
					if e.Pulses != 0 && e.Pulses != 2 {
						t.Fatalf("%v: kick %+v with a pulse count of no map", m, e)
					}
				case emu.EventHold:
					holds++
					if e.Neuron != 1 {
						t.Fatalf("%v: hold %+v on a neuron of no Hold map", m, e)
					}
					lo, hi = -20, -5
					if len(held) == 0 {
						lo, hi = 0, 0 // the release
					}
				default:
					t.Fatalf("%v: event kind %d", m, e.Kind)
				}
				if lo > hi {
					lo, hi = hi, lo
				}
				if e.Value < lo || e.Value > hi {
					t.Fatalf("%v: event %+v outside [%g, %g]", m, e, lo, hi)
				}
			}
			if wasHeld && len(held) == 0 && holds != 1 {
				t.Fatalf("%v let go of the last held note with %d hold events, want a release", m, holds)
			}
			c.TakeAllOff()
		}
		if s := c.Stats(); s.Handled+s.Ignored+s.Malformed != uint64(n) {
			t.Fatalf("stats %+v do not add up to %d messages", s, n)
		}
	})
}

// FuzzSpikeNotes drives a SpikeNotes with arbitrary calls: frames never go back, no key
// gets two note-ons, no note-off is stray, and AllOff leaves nothing sounding.
func FuzzSpikeNotes(f *testing.F) {
	f.Add([]byte{0, 0, 10, 0, 0, 1, 5, 0, 1, 0, 200, 1, 2, 0, 0, 0})
	f.Add([]byte{0, 2, 1, 0, 0, 2, 1, 0, 0, 2, 0, 0, 3, 0, 255, 255})
	cfg := Config{
		Spikes: []SpikeMap{
			{Neuron: 0, Channel: 1, Note: 60, Velocity: 100, Duration: 0.004, RateCC: 1, RateMax: 300},
			{Neuron: 1, Mode: ModeGate, Channel: 1, Note: 61, Velocity: 100, RateCC: 2, RateMax: 30},
			{Neuron: 1, Channel: 2, Note: 61, Velocity: 100, Duration: 0.5, RateCC: -1},
			{Neuron: 2, Mode: ModeGate, Channel: 16, Note: 0, Velocity: 1, Release: 0.002, RateCC: 119, RateMax: 1},
		},
		MaxNotesPerSecond: 50,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewSpikeNotes(cfg, 8000, 0.125)
		var (
			out   []Timed
			k     tracker
			frame int64
			last  = [3]int64{-1, -1, -1}
		)
		for ; len(data) >= 4; data = data[4:] {
			frame += int64(binary.LittleEndian.Uint16(data[2:]))
			switch data[0] % 4 {
			case 0, 1:
				n := int32(data[1] % 4) // neuron 3 has no map
				isi := 0.0
				if n < 3 && last[n] >= 0 {
					isi = float64(frame-last[n]) * 0.125
				}
				if n < 3 {
					last[n] = frame
				}
				if data[1]&0x80 != 0 { // spikes as a faulty caller might send them
					isi = float64(int8(data[0]))
					frame -= int64(data[1] & 0x3F)
				}
				out = s.Spike(out[:0], emu.Spike{Frame: frame, Neuron: n, ISI: isi})
			case 2:
				out = s.Advance(out[:0], frame)
			case 3:
				out = s.AllOff(out[:0], frame)
			}
			if len(out) > s.MaxAppend() {
				t.Fatalf("%d messages in one call, MaxAppend %d", len(out), s.MaxAppend())
			}
			if err := k.feed(out); err != nil {
				t.Fatal(err)
			}
		}
		if err := k.feed(s.AllOff(out[:0], frame)); err != nil {
			t.Fatal(err)
		}
		if k.sounding() != 0 {
			t.Fatalf("%d notes sounding after AllOff", k.sounding())
		}
		if st := s.Stats(); st.Notes != uint64(k.ons) {
			t.Fatalf("stats %+v, %d note-ons sent", st, k.ons)
		}
	})
}
