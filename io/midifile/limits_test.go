package midifile_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midifile"
)

// smfFile is a format 1 file at ppq ticks per quarter note (120 bpm unless a track sets
// a tempo) holding the given track bodies.
func smfFile(ppq uint16, tracks ...string) []byte {
	f := []byte("MThd\x00\x00\x00\x06\x00\x01")
	f = append(f, byte(len(tracks)>>8), byte(len(tracks)), byte(ppq>>8), byte(ppq))
	for _, body := range tracks {
		n := len(body)
		f = append(f, "MTrk"...)
		f = append(f, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		f = append(f, body...)
	}
	return f
}

// vlq encodes a delta time.
func vlq(v uint32) string {
	b := []byte{byte(v & 0x7F)}
	for v >>= 7; v > 0; v >>= 7 {
		b = append([]byte{byte(v&0x7F) | 0x80}, b...)
	}
	return string(b)
}

const endOfTrack = "\x00\xFF\x2F\x00"

// allocated returns the bytes f allocates (no other goroutine of the test runs meanwhile).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestScoreLongerThanADayIsRefused: a score may last 24 hours (MaxLength); one tick
// more, whether an event or the end of a track, a slow tempo or the largest delta time
// a file can hold (388 hours at 96 ticks per quarter note), is refused with the file,
// track, tick and time.
func TestScoreLongerThanADayIsRefused(t *testing.T) {
	const day = 24 * 3600 * 2 * 96 // ticks in 24 h at 120 bpm and 96 per quarter note
	note := "\x90\x3C\x64"
	cases := []struct {
		name   string
		tracks []string
		want   string // "" reads
	}{
		{"a note at 24 h", []string{vlq(day) + note + endOfTrack}, ""},
		{"a note a tick later", []string{vlq(day+1) + note + endOfTrack},
			"long.mid: track 1 has an event at tick 16588801, 86400.01 s (24.0 hours) into the score; a score may last at most 24 hours"},
		{"the largest delta time", []string{"\x00" + note + "\xFF\xFF\xFF\x7F\x80\x3C\x00" + endOfTrack},
			"long.mid: track 1 has an event at tick 268435455, 1398101.33 s (388.4 hours) into the score"},
		{"a silent second track", []string{"\x00" + note + endOfTrack, "\x00\x80\x3C\x00" + vlq(day+1) + "\xFF\x2F\x00"},
			"long.mid: track 2 ends at tick 16588801, 86400.01 s (24.0 hours) into the score"},
		{"a slow tempo", []string{"\x00\xFF\x51\x03\xFF\xFF\xFF" + vlq(day/16) + note + endOfTrack}, // 16.8 s a quarter
			"long.mid: track 1 has an event at tick 1036800, 181193.92 s (50.3 hours) into the score"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := midifile.ParseScore("long.mid", bytes.NewReader(smfFile(96, c.tracks...)))
			if c.want == "" {
				if err != nil || sc.Length > midifile.MaxLength {
					t.Fatalf("ParseScore = %v (length %v s), want a score of at most %g s", err, sc, midifile.MaxLength)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("ParseScore = %v, want %q...", err, c.want)
			}
		})
	}
}

// TestScoreWithTooManyEventsIsRefused: MaxEvents events read; one more is refused while
// the file is checked, before the MIDI library (about 650 bytes an event) sees it.
func TestScoreWithTooManyEventsIsRefused(t *testing.T) {
	track := func(events int) string { // note-ons in running status, then End of Track
		return "\x00\x90\x3C\x64" + strings.Repeat("\x00\x3C\x64", events-2) + endOfTrack
	}
	if testing.Short() {
		t.Log("not reading the file at the limit (a second, 0.7 GB allocated)")
	} else if sc, err := midifile.ParseScore("dense.mid", bytes.NewReader(smfFile(96, track(midifile.MaxEvents)))); err != nil || len(sc.Events) != midifile.MaxEvents-1 {
		t.Fatalf("%d events: ParseScore = %v, want them read", midifile.MaxEvents, err)
	}
	data := smfFile(96, track(midifile.MaxEvents/2), track(midifile.MaxEvents/2+1))
	var err error
	alloc := allocated(func() { _, err = midifile.ParseScore("dense.mid", bytes.NewReader(data)) })
	want := fmt.Sprintf("dense.mid: track 2 takes the file past %d events", midifile.MaxEvents)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("ParseScore = %v, want %q...", err, want)
	}
	if limit := uint64(4*len(data) + 64<<10); alloc > limit {
		t.Errorf("refusing %d bytes allocated %d bytes, want at most %d", len(data), alloc, limit)
	}
}
