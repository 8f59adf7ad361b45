package midifile_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2/smf"
)

var update = flag.Bool("update", os.Getenv("SEPARATRIX_UPDATE_GOLDEN") != "", "rewrite the golden files in testdata")

func on(frame int64, key, vel byte) midimap.Timed {
	return midimap.Timed{Frame: frame, Msg: midimap.Msg{Status: 0x90, Data1: key, Data2: vel}}
}

func off(frame int64, key byte) midimap.Timed {
	return midimap.Timed{Frame: frame, Msg: midimap.Msg{Status: 0x80, Data1: key}}
}

// spikeTrain is what a recorded session looks like: one note per spike, 5 ms long, on
// neuron-specific keys, with bursts that put several notes on one frame and note-offs
// on the frames of later note-ons. The messages are in Add order, which is frame order
// within a neuron but not across neurons.
func spikeTrain(rate float64, seconds float64) []midimap.Timed {
	rng := rand.New(rand.NewPCG(7, 11))
	dur := int64(0.005 * rate)
	var msgs []midimap.Timed
	for n := range 4 {
		key := byte(60 + n)
		for f := int64(rng.IntN(100)); float64(f) < seconds*rate; {
			msgs = append(msgs, on(f, key, byte(1+rng.IntN(127))), off(f+dur, key))
			switch rng.IntN(4) {
			case 0:
				f += dur // the next note-on shares the frame of this note-off
			default:
				f += dur + 1 + int64(rng.IntN(int(rate)))
			}
		}
	}
	// Two neurons spiking on one frame.
	msgs = append(msgs, on(12345, 70, 90), on(12345, 71, 91), off(12345+dur, 70), off(12345+dur, 71))
	return msgs
}

// sorted is msgs stably sorted by frame: what the file must hold, in order.
func sorted(msgs []midimap.Timed) []midimap.Timed {
	s := append([]midimap.Timed(nil), msgs...)
	for i := 1; i < len(s); i++ { // insertion sort: stable and obviously so
		for j := i; j > 0 && s[j].Frame < s[j-1].Frame; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestWriteReadExact(t *testing.T) {
	for _, rate := range []float64{48000, 44100} {
		msgs := spikeTrain(rate, 600)
		w := midifile.NewWriter(rate)
		if got, want := w.TicksPerQuarter(), int(rate/2); got != want {
			t.Errorf("%v Hz: %d ticks per quarter note, want %d", rate, got, want)
		}
		for _, m := range msgs {
			w.Add(m)
		}
		end := int64(601 * rate)
		w.SetLength(end)
		path := filepath.Join(t.TempDir(), "spikes.mid")
		if err := w.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		want := sorted(msgs)

		// Our reader: every message on its frame, in order.
		sc, err := midifile.ReadScore(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Events) != len(want) {
			t.Fatalf("%v Hz: read %d events, wrote %d", rate, len(sc.Events), len(want))
		}
		for i, ev := range sc.Events {
			if f := int64(math.Round(ev.Seconds * rate)); f != want[i].Frame || ev.Msg != want[i].Msg {
				t.Fatalf("%v Hz: event %d is %v at %.9f s (frame %d), want %v at frame %d", rate, i, ev.Msg, ev.Seconds, f, want[i].Msg, want[i].Frame)
			}
		}
		if f := int64(math.Round(sc.Length * rate)); f != end {
			t.Errorf("%v Hz: length %.9f s is frame %d, want %d", rate, sc.Length, f, end)
		}

		// gomidi's reader: one tick per frame, the tempo and the track name.
		s, err := smf.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if s.Format() != 0 || len(s.Tracks) != 1 || s.TimeFormat != smf.MetricTicks(rate/2) {
			t.Fatalf("%v Hz: format %d, %d tracks, %v; want 0, 1, %d ticks", rate, s.Format(), len(s.Tracks), s.TimeFormat, int(rate/2))
		}
		var (
			tick int64
			i    int
			name string
			bpm  float64
		)
		for _, ev := range s.Tracks[0] {
			tick += int64(ev.Delta)
			ev.Message.GetMetaTrackName(&name)
			ev.Message.GetMetaTempo(&bpm)
			if !ev.Message.IsPlayable() {
				continue
			}
			if tick != want[i].Frame || !bytes.Equal(ev.Message.Bytes()[:2], []byte{want[i].Msg.Status, want[i].Msg.Data1}) {
				t.Fatalf("%v Hz: gomidi reads message %d as % X at tick %d, want %v at %d", rate, i, ev.Message.Bytes(), tick, want[i].Msg, want[i].Frame)
			}
			// gomidi's own clock, in whole microseconds, within a sample.
			if us := s.TimeAt(tick); math.Abs(float64(us)-float64(tick)*1e6/rate) > 1e6/rate {
				t.Fatalf("%v Hz: gomidi puts tick %d at %d µs, want %.1f", rate, tick, us, float64(tick)*1e6/rate)
			}
			i++
		}
		if i != len(want) || tick != end || name != midifile.DefaultTrackName || bpm != 120 {
			t.Errorf("%v Hz: gomidi read %d messages to tick %d, name %q, %v bpm; want %d, %d, %q, 120",
				rate, i, tick, name, bpm, len(want), end, midifile.DefaultTrackName)
		}
	}
}

// Above 65534 Hz the division cannot hold a tick per frame: frames round to the nearest
// of 48000 ticks a second.
func TestWriteHighRate(t *testing.T) {
	for _, rate := range []float64{96000, 192000, 88200, 11025} {
		w := midifile.NewWriter(rate)
		if w.TicksPerQuarter() != midifile.FallbackPPQ {
			t.Errorf("%v Hz: %d ticks per quarter note, want %d", rate, w.TicksPerQuarter(), midifile.FallbackPPQ)
		}
		msgs := spikeTrain(rate, 30)
		for _, m := range msgs {
			w.Add(m)
		}
		var b bytes.Buffer
		if _, err := w.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		sc, err := midifile.ParseScore("high.mid", &b)
		if err != nil {
			t.Fatal(err)
		}
		want := sorted(msgs)
		tol := 0.5/48000 + 1e-12 // half a tick
		for i, ev := range sc.Events {
			if d := math.Abs(ev.Seconds - float64(want[i].Frame)/rate); d > tol || ev.Msg != want[i].Msg {
				t.Fatalf("%v Hz: event %d is %v at %.9f s, want %v at %.9f s", rate, i, ev.Msg, ev.Seconds, want[i].Msg, float64(want[i].Frame)/rate)
			}
		}
	}
}

func TestWriteOrder(t *testing.T) {
	w := midifile.NewWriter(48000)
	add := []midimap.Timed{
		on(100, 60, 1),
		off(200, 60), // note-off added before the note-on on its frame stays before it
		on(200, 60, 2),
		on(50, 61, 3),  // added late, sorts first
		on(300, 62, 4), // note-on added before the note-off on its frame stays before it
		off(300, 62),
		{Frame: 300, Msg: midimap.Msg{Status: 0xC3, Data1: 9}},
	}
	for _, m := range add {
		w.Add(m)
	}
	var b bytes.Buffer
	w.WriteTo(&b)
	w.Add(on(300, 63, 5)) // a later Add on a frame already written goes after the others
	var b2 bytes.Buffer
	w.WriteTo(&b2)
	sc, err := midifile.ParseScore("order.mid", &b2)
	if err != nil {
		t.Fatal(err)
	}
	want := []midimap.Timed{add[3], add[0], add[1], add[2], add[4], add[5], add[6], on(300, 63, 5)}
	if len(sc.Events) != len(want) {
		t.Fatalf("read %d events, want %d", len(sc.Events), len(want))
	}
	for i, ev := range sc.Events {
		if ev.Msg != want[i].Msg || ev.Seconds != float64(want[i].Frame)/48000 {
			t.Errorf("event %d: %v at %g s, want %v at frame %d", i, ev.Msg, ev.Seconds, want[i].Msg, want[i].Frame)
		}
	}
}

func TestWriteDeterministic(t *testing.T) {
	write := func() []byte {
		w := midifile.NewWriter(44100)
		for _, m := range spikeTrain(44100, 5) {
			w.Add(m)
		}
		var b bytes.Buffer
		if _, err := w.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if a, b := write(), write(); !bytes.Equal(a, b) {
		t.Error("two writes of the same messages differ")
	}
}

// The small file is written out by hand from the SMF specification: one tick per frame.
func TestSmallFileBytes(t *testing.T) {
	w := midifile.NewWriter(48000)
	for _, m := range []midimap.Timed{
		on(0, 60, 100),
		{Frame: 0, Msg: midimap.Msg{Status: 0xB0, Data1: 7, Data2: 64}},
		on(24000, 61, 0), // velocity 0 stays a note-on
		off(24000, 60),
		{Frame: 48000, Msg: midimap.Msg{Status: 0xE1, Data1: 0, Data2: 0x40}},
		{Frame: 48000, Msg: midimap.Msg{Status: 0xC1, Data1: 5}},
		{Frame: 48001, Msg: midimap.Msg{Status: 0xD1, Data1: 0x40}},
		{Frame: 48002, Msg: midimap.Msg{Status: 0xA1, Data1: 60, Data2: 0x30}},
		{Frame: 48002, Msg: midimap.Msg{Status: 0xA1, Data1: 61, Data2: 0x31}},
	} {
		w.Add(m)
	}
	w.SetLength(96000)
	var b bytes.Buffer
	n, err := w.WriteTo(&b)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(b.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d bytes", n, b.Len())
	}
	want, _ := hex.DecodeString(strings.Join(strings.Fields(`
		4d546864 00000006 0000 0001 5dc0
		4d54726b 00000040
		00 ff 03 0a 53 65 70 61 72 61 74 72 69 78
		00 ff 51 03 07 a1 20
		00 90 3c 64
		00 b0 07 40
		81 bb 40 90 3d 00
		00 80 3c 00
		81 bb 40 e1 00 40
		00 c1 05
		01 d1 40
		01 a1 3c 30
		00 3d 31
		82 f6 7e ff 2f 00`), ""))
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("bytes differ\n got % x\nwant % x", b.Bytes(), want)
	}
}

// The golden file is a longer session; regenerate it with go test -update (or
// SEPARATRIX_UPDATE_GOLDEN=1) when a change to the output is meant.
func TestGolden(t *testing.T) {
	w := midifile.NewWriter(48000)
	w.SetTrackName("golden spike train")
	for _, m := range spikeTrain(48000, 3) {
		w.Add(m)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "spikes48k.mid")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("output differs from %s (run go test -update if the change is meant)", golden)
	}
}

func TestWriterErrors(t *testing.T) {
	tests := []struct {
		name string
		add  []midimap.Timed
		end  int64
		want string
	}{
		{"system message", []midimap.Timed{on(0, 60, 1), {Frame: 5, Msg: midimap.Msg{Status: 0xF8}}}, 0,
			"message 1 (frame 5) has status byte 0xF8, not a channel voice message"},
		{"data byte", []midimap.Timed{{Frame: 0, Msg: midimap.Msg{Status: 0x3C, Data1: 0x40}}}, 0, "status byte 0x3C"},
		{"data above 127", []midimap.Timed{on(7, 60, 200)}, 0, "message 0 (frame 7, 90 3C C8) has a data byte above 127"},
		{"long silence", []midimap.Timed{on(0, 60, 1), on(0x10000000, 60, 1)}, 0, "silence before frame 268435456 are longer than a MIDI file can hold"},
		{"long end", []midimap.Timed{on(0, 60, 1)}, 0x10000000, "silence at the end are longer than a MIDI file can hold"},
	}
	for _, tt := range tests {
		w := midifile.NewWriter(48000)
		for _, m := range tt.add {
			w.Add(m)
		}
		w.SetLength(tt.end)
		var b bytes.Buffer
		n, err := w.WriteTo(&b)
		if err == nil || !strings.HasPrefix(err.Error(), "midifile: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error saying %q", tt.name, err, tt.want)
		}
		if n != 0 || b.Len() != 0 {
			t.Errorf("%s: wrote %d bytes despite the error", tt.name, b.Len())
		}
		path := filepath.Join(t.TempDir(), "bad.mid")
		if err := w.WriteFile(path); err == nil || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("%s: WriteFile: got %v, want an error naming the path", tt.name, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: WriteFile left a file behind", tt.name)
		}
	}
	w := midifile.NewWriter(48000)
	if err := w.WriteFile(filepath.Join(t.TempDir(), "missing", "x.mid")); err == nil {
		t.Error("WriteFile into a missing directory: no error")
	}
}

func TestWriterPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r == nil || !strings.HasPrefix(r.(string), "midifile: ") {
				t.Errorf("%s: recovered %v, want a midifile panic", name, r)
			}
		}()
		f()
	}
	mustPanic("rate 0", func() { midifile.NewWriter(0) })
	mustPanic("rate NaN", func() { midifile.NewWriter(math.NaN()) })
	mustPanic("rate Inf", func() { midifile.NewWriter(math.Inf(1)) })
	mustPanic("negative frame", func() { midifile.NewWriter(48000).Add(on(-1, 60, 1)) })
}

// An empty Writer writes a valid file with only the name, the tempo and the end.
func TestWriteEmpty(t *testing.T) {
	w := midifile.NewWriter(48000)
	w.SetLength(48000)
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	sc, err := midifile.ParseScore("empty.mid", &b)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Events) != 0 || sc.Length != 1 || w.Len() != 0 {
		t.Errorf("%d events, length %g s, Len %d; want 0, 1, 0", len(sc.Events), sc.Length, w.Len())
	}
}
