package jackmidi

import (
	"fmt"
	"strings"
	"testing"
)

func TestSplitter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      [][]byte // fed one slice at a time
		want    string   // messages emitted, one per line
		dropped uint64
	}{
		{"complete", [][]byte{{0x90, 60, 100, 0x80, 60, 64}}, "90 3C 64|80 3C 40", 0},
		{"running status", [][]byte{{0x92, 0x41, 0x78}, {0x37, 0x78}, {0x41, 0x00}}, "92 41 78|92 37 78|92 41 00", 0},
		{"running status in one slice", [][]byte{{0xB0, 1, 2, 3, 4}}, "B0 01 02|B0 03 04", 0},
		{"two-byte messages", [][]byte{{0xC3, 5, 6, 0xD0, 7}}, "C3 05|C3 06|D0 07", 0},
		{"cut across calls", [][]byte{{0x90}, {60}, {100}}, "90 3C 64", 0},
		{"real time inside a message", [][]byte{{0x90, 0xF8, 60, 0xFE, 100}}, "F8|FE|90 3C 64", 0},
		{"sysex whole", [][]byte{{0xF0, 0x7E, 0x02, 0x09, 0x01, 0xF7}}, "F0 7E 02 09 01 F7", 0},
		{"sysex in pieces", [][]byte{{0xF0, 0x7E}, {0x02, 0x09}, {0x01, 0xF7}}, "F0 7E 02 09 01 F7", 0},
		{"sysex cancels running status", [][]byte{{0x90, 1, 2, 0xF0, 1, 0xF7, 3, 4}}, "90 01 02|F0 01 F7", 2},
		{"sysex broken by a status", [][]byte{{0xF0, 1, 2, 0x90, 60, 1}}, "90 3C 01", 1},
		{"message cut off", [][]byte{{0x90, 60, 0xB0, 7, 100}}, "B0 07 64", 1},
		{"stray data", [][]byte{{1, 2, 0x90, 60, 1}}, "90 3C 01", 2},
		{"unpaired F7", [][]byte{{0xF7}}, "", 1},
		{"undefined system common", [][]byte{{0xF4, 1, 0xF5}}, "", 3},
		{"system common", [][]byte{{0xF1, 0x12, 0xF2, 1, 2, 0xF3, 4, 0xF6}}, "F1 12|F2 01 02|F3 04|F6", 0},
		{"system common cancels running status", [][]byte{{0x90, 1, 2, 0xF6, 3, 4}}, "90 01 02|F6", 2},
		{"sysex too long", [][]byte{{0xF0, 1, 2, 3, 4, 5, 6, 7, 0xF7, 0xFA}}, "FA", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			s := splitter{maxSysex: 8}
			s.emit = func(m []byte) { got = append(got, fmt.Sprintf("% X", m)) }
			for _, b := range tc.in {
				s.feed(b)
			}
			if g := strings.Join(got, "|"); g != tc.want {
				t.Errorf("got %q, want %q", g, tc.want)
			}
			if s.dropped != tc.dropped {
				t.Errorf("dropped %d, want %d", s.dropped, tc.dropped)
			}
		})
	}
}

func TestSplitterAllocs(t *testing.T) {
	s := splitter{maxSysex: 64, emit: func([]byte) {}}
	msgs := [][]byte{{0x90, 60, 100}, {0x80, 60, 0}, {0xB0, 1, 2, 3, 4}, {0xF8}, {0xF0, 1, 2, 0xF7}}
	s.feed(msgs[4]) // the sysex buffer grows once
	if n := testing.AllocsPerRun(100, func() {
		for _, m := range msgs {
			s.feed(m)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}
