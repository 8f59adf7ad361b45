package midifile_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// encodeSMF writes s with gomidi's own writer, independent of ours.
func encodeSMF(t testing.TB, s *smf.SMF) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type want struct {
	sec float64
	msg midimap.Msg
}

func checkScore(t *testing.T, sc *midifile.Score, length float64, events ...want) {
	t.Helper()
	if len(sc.Events) != len(events) {
		t.Fatalf("read %d events, want %d: %v", len(sc.Events), len(events), sc.Events)
	}
	for i, ev := range sc.Events {
		if math.Abs(ev.Seconds-events[i].sec) > 1e-12 || ev.Msg != events[i].msg {
			t.Errorf("event %d: %v at %.12g s, want %v at %.12g s", i, ev.Msg, ev.Seconds, events[i].msg, events[i].sec)
		}
	}
	if math.Abs(sc.Length-length) > 1e-12 {
		t.Errorf("length %.12g s, want %.12g s", sc.Length, length)
	}
}

func noteOn(key byte) midimap.Msg { return midimap.Msg{Status: 0x90, Data1: key, Data2: 100} }

// tempoFile is a format 1 file at 480 ticks per quarter: 120 bpm, then 240 bpm from tick
// 960 (1 s), then 60 bpm from tick 1920 (1.5 s), all in the tempo track, and a note
// every quarter note in the second track.
func tempoFile(t testing.TB) []byte {
	s := smf.NewSMF1()
	s.TimeFormat = smf.MetricTicks(480)
	var tempo smf.Track
	tempo.Add(0, smf.MetaTrackSequenceName("tempo"))
	tempo.Add(0, smf.MetaTempo(120))
	tempo.Add(960, smf.MetaTempo(240))
	tempo.Add(960, smf.MetaTempo(60))
	tempo.Close(0)
	var notes smf.Track
	for i := range 6 {
		notes.Add(480*uint32(min(i, 1)), midi.NoteOn(0, byte(60+i), 100))
	}
	notes.Close(480)
	s.Add(tempo)
	s.Add(notes)
	return encodeSMF(t, s)
}

func TestTempoChanges(t *testing.T) {
	sc, err := midifile.ParseScore("tempo.mid", bytes.NewReader(tempoFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	checkScore(t, sc, 3.5,
		want{0, noteOn(60)}, want{0.5, noteOn(61)},
		want{1, noteOn(62)}, want{1.25, noteOn(63)}, // 240 bpm: a quarter takes 0.25 s
		want{1.5, noteOn(64)}, want{2.5, noteOn(65)}, // 60 bpm: a quarter takes 1 s
	)
}

// In a format 0 file the tempo changes sit between the notes, and a tempo change on
// a note's tick does not move that note.
func TestTempoChangesFormat0(t *testing.T) {
	s := smf.New()
	s.TimeFormat = smf.MetricTicks(96)
	var tr smf.Track
	tr.Add(0, midi.NoteOn(1, 60, 100))
	tr.Add(96, smf.MetaTempo(60)) // at 0.5 s
	tr.Add(0, midi.NoteOn(1, 61, 100))
	tr.Add(48, midi.NoteOff(1, 61))
	tr.Add(0, smf.MetaTempo(30), smf.MetaTempo(120)) // two changes on one tick: the last wins
	tr.Add(96, midi.NoteOn(1, 62, 100))
	tr.Close(0)
	s.Add(tr)
	sc, err := midifile.ParseScore("tempo0.mid", bytes.NewReader(encodeSMF(t, s)))
	if err != nil {
		t.Fatal(err)
	}
	checkScore(t, sc, 1.5,
		want{0, midimap.Msg{Status: 0x91, Data1: 60, Data2: 100}},
		want{0.5, midimap.Msg{Status: 0x91, Data1: 61, Data2: 100}},
		want{1, midimap.Msg{Status: 0x81, Data1: 61}},
		want{1.5, midimap.Msg{Status: 0x91, Data1: 62, Data2: 100}},
	)
}

func TestSMPTE(t *testing.T) {
	for _, tc := range []struct {
		tf   smf.TimeCode
		rate float64 // ticks per second
	}{
		{smf.SMPTE25(40), 1000},
		{smf.SMPTE24(4), 96},
		{smf.SMPTE30(80), 2400},
		{smf.SMPTE30DropFrame(100), 30000.0 / 1001 * 100},
	} {
		s := smf.New()
		s.TimeFormat = tc.tf
		var tr smf.Track
		tr.Add(0, midi.NoteOn(0, 60, 100))
		tr.Add(0, smf.MetaTempo(60)) // no meaning in SMPTE time: ignored
		tr.Add(1000, midi.NoteOn(0, 61, 100))
		tr.Add(1500, midi.NoteOn(0, 62, 100))
		tr.Close(10)
		s.Add(tr)
		sc, err := midifile.ParseScore("smpte.mid", bytes.NewReader(encodeSMF(t, s)))
		if err != nil {
			t.Fatalf("%v: %v", tc.tf, err)
		}
		checkScore(t, sc, 2510/tc.rate, want{0, noteOn(60)}, want{1000 / tc.rate, noteOn(61)}, want{2500 / tc.rate, noteOn(62)})
	}
}

// Only channel voice messages come through, all seven kinds, running status or not;
// sysex and meta events do not.
func TestChannelVoiceOnly(t *testing.T) {
	s := smf.NewSMF1()
	s.TimeFormat = smf.MetricTicks(960)
	var a, b smf.Track
	a.Add(0, midi.SysEx([]byte{0x7E, 0x7F, 0x09, 0x01}))
	a.Add(0, smf.MetaText("hello"), smf.MetaMarker("m"))
	a.Add(0, midi.NoteOn(2, 60, 0)) // velocity 0: kept as a note-on
	a.Add(960, midi.NoteOff(2, 60), midi.NoteOffVelocity(2, 61, 64))
	a.Add(0, midi.ControlChange(3, 1, 127), midi.ControlChange(3, 2, 0)) // running status
	a.Close(0)
	b.Add(0, midi.Pitchbend(4, -8192), midi.ProgramChange(5, 7), midi.AfterTouch(6, 33), midi.PolyAfterTouch(7, 64, 44))
	b.Add(960, smf.MetaLyric("la"))
	b.Close(0)
	s.Add(a)
	s.Add(b)
	sc, err := midifile.ParseScore("kinds.mid", bytes.NewReader(encodeSMF(t, s)))
	if err != nil {
		t.Fatal(err)
	}
	m := func(st, d1, d2 byte) midimap.Msg { return midimap.Msg{Status: st, Data1: d1, Data2: d2} }
	checkScore(t, sc, 0.5,
		want{0, m(0x92, 60, 0)}, // track 1 before track 2 on the same tick
		want{0, m(0xE4, 0, 0)},
		want{0, m(0xC5, 7, 0)},
		want{0, m(0xD6, 33, 0)},
		want{0, m(0xA7, 64, 44)},
		want{0.5, m(0x82, 60, 0)},
		want{0.5, m(0x82, 61, 64)},
		want{0.5, m(0xB3, 1, 127)},
		want{0.5, m(0xB3, 2, 0)},
	)
}

func TestEmptyScore(t *testing.T) {
	for _, ntracks := range []int{0, 1} {
		s := smf.NewSMF1()
		s.TimeFormat = smf.MetricTicks(96)
		for range ntracks {
			var tr smf.Track
			tr.Close(0)
			s.Add(tr)
		}
		b := []byte("MThd\x00\x00\x00\x06\x00\x01\x00\x00\x00\x60")
		if ntracks > 0 {
			b = encodeSMF(t, s)
		}
		sc, err := midifile.ParseScore("empty.mid", bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%d tracks: %v", ntracks, err)
		}
		if len(sc.Events) != 0 || sc.Length != 0 {
			t.Errorf("%d tracks: %d events, length %g", ntracks, len(sc.Events), sc.Length)
		}
	}
}

// Unknown chunks are skipped, a header longer than 6 bytes is allowed, and events
// after an End of Track are not part of the track.
func TestLenientStructure(t *testing.T) {
	file := []byte("MThd\x00\x00\x00\x08\x00\x00\x00\x01\x00\x60\xAB\xCD" +
		"XFIH\x00\x00\x00\x03abc" +
		"MTrk\x00\x00\x00\x0C" + "\x00\x90\x3C\x40" + "\x60\xFF\x2F\x00" + "\x00\x3D\x40\x00")
	sc, err := midifile.ParseScore("lenient.mid", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	checkScore(t, sc, 0.5, want{0, midimap.Msg{Status: 0x90, Data1: 0x3C, Data2: 0x40}})
}

func TestParseErrors(t *testing.T) {
	hdr := func(format, ntracks, div uint16) string {
		return "MThd\x00\x00\x00\x06" + string([]byte{byte(format >> 8), byte(format), byte(ntracks >> 8), byte(ntracks), byte(div >> 8), byte(div)})
	}
	trk := func(body string) string {
		n := len(body)
		return "MTrk" + string([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) + body
	}
	tests := []struct {
		name, file, want string
	}{
		{"empty", "", "only 0 bytes long, too short to be a MIDI file"},
		{"wav", "RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00", `not a MIDI file (it starts with "RIFF", not "MThd")`},
		{"rmid", "RIFF\x24\x00\x00\x00RMIDdata\x10\x00\x00\x00", "an RMID file (MIDI wrapped in RIFF) is not supported"},
		{"short header", "MThd\x00\x00\x00\x04\x00\x00\x00\x01\x00\x60", "the MThd header chunk is 4 bytes long"},
		{"format 2", hdr(2, 1, 96) + trk("\x00\xFF\x2F\x00"), "format 2 (independent sequences) is not supported"},
		{"format 7", hdr(7, 1, 96), "unknown SMF format 7"},
		{"division 0", hdr(0, 1, 0), "0 ticks per quarter note"},
		{"smpte 31", hdr(0, 1, 0xE1<<8|4), "unknown SMPTE frame rate 31"},
		{"smpte 0 subframes", hdr(0, 1, 0xE7<<8), "0 ticks per SMPTE frame"},
		{"missing track", hdr(1, 2, 96) + trk("\x00\xFF\x2F\x00"), "announces 2 tracks but the file holds 1 (truncated?)"},
		{"truncated track", (hdr(0, 1, 96) + trk("\x00\x90\x3C\x40\x00\xFF\x2F\x00"))[:24], "track 1 at byte 14 claims 8 bytes but only 2 remain (truncated?)"},
		{"stray bytes", hdr(0, 0, 96) + "MTr", "the file ends inside a chunk header at byte 14"},
		{"no status", hdr(0, 1, 96) + trk("\x00\x3C\x40"), "track 1, byte 23: data byte 0x3C without a status byte"},
		{"status after meta", hdr(0, 1, 96) + trk("\x00\x90\x3C\x40\x00\xFF\x01\x00\x00\x3D\x40"), "byte 31: data byte 0x3D without a status byte"},
		{"realtime", hdr(0, 1, 96) + trk("\x00\xF8"), "status byte 0xF8 (a system common or real-time message) is not allowed"},
		{"cut message", hdr(0, 1, 96) + trk("\x00\x90\x3C"), "byte 23: a channel message is cut off by the end of the track"},
		{"status in data", hdr(0, 1, 96) + trk("\x00\x90\x3C\x90"), "byte 25: status byte 0x90 where a data byte of message 0x90 belongs"},
		{"long meta", hdr(0, 1, 96) + trk("\x00\xFF\x01\xFF\xFF\xFF\x7Fab"), "byte 23: a meta event claims 268435455 bytes but only 2 remain in the track"},
		{"long sysex", hdr(0, 1, 96) + trk("\x00\xF0\x05\x01"), "a system exclusive event claims 5 bytes but only 1 remain"},
		{"bad delta", hdr(0, 1, 96) + trk("\xFF\xFF\xFF\xFF\x00"), "byte 22: a malformed (over 4 bytes) delta time"},
		{"cut delta", hdr(0, 1, 96) + trk("\x81"), "byte 22: a cut-off delta time"},
		{"delta only", hdr(0, 1, 96) + trk("\x00"), "the track ends after a delta time, without its event"},
		{"cut meta", hdr(0, 1, 96) + trk("\x00\xFF"), "a meta event is cut off by the end of the track"},
		{"cut meta length", hdr(0, 1, 96) + trk("\x00\xFF\x51\x83"), "a meta event has a cut-off length"},
		{"tempo length", hdr(0, 1, 96) + trk("\x00\xFF\x51\x02\x07\xA1\x00\xFF\x2F\x00"), "track 1 has a tempo event of 2 bytes at tick 0 (want 3)"},
		{"tempo zero", hdr(0, 1, 96) + trk("\x10\xFF\x51\x03\x00\x00\x00\x00\xFF\x2F\x00"), "track 1 sets a tempo of 0 µs per quarter note at tick 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := midifile.ParseScore("song.mid", strings.NewReader(tt.file))
			if err == nil {
				t.Fatalf("no error, want one saying %q", tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "song.mid: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to start with the name and say %q", msg, tt.want)
			}
		})
	}
}

func TestReadScoreErrors(t *testing.T) {
	if _, err := midifile.ReadScore(filepath.Join(t.TempDir(), "none.mid")); err == nil || !strings.Contains(err.Error(), "none.mid") {
		t.Errorf("missing file: got %v", err)
	}
	big := bytes.NewReader(make([]byte, midifile.MaxFileSize+1))
	if _, err := midifile.ParseScore("big.mid", big); err == nil || !strings.Contains(err.Error(), "too large for a MIDI file") {
		t.Errorf("huge file: got %v", err)
	}
}

// Every proper prefix of a valid file is an error, never a panic.
func TestTruncated(t *testing.T) {
	w := midifile.NewWriter(48000)
	for _, m := range spikeTrain(48000, 0.5) {
		w.Add(m)
	}
	var b bytes.Buffer
	w.WriteTo(&b)
	for _, file := range [][]byte{b.Bytes(), tempoFile(t)} {
		if _, err := midifile.ParseScore("whole.mid", bytes.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		for n := range len(file) {
			if _, err := midifile.ParseScore("cut.mid", bytes.NewReader(file[:n])); err == nil {
				t.Errorf("cut to %d of %d bytes: no error", n, len(file))
			}
		}
	}
}

func FuzzParseScore(f *testing.F) {
	f.Add(tempoFile(f))
	for _, tf := range []smf.TimeFormat{smf.SMPTE25(40), smf.SMPTE30DropFrame(4)} {
		s := smf.New()
		s.TimeFormat = tf
		var tr smf.Track
		tr.Add(10, midi.NoteOn(0, 60, 100), midi.SysEx([]byte{1, 2}), midi.ControlChange(1, 2, 3))
		tr.Close(0)
		s.Add(tr)
		f.Add(encodeSMF(f, s))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "spikes48k.mid")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("MThd\x00\x00\x00\x06\x00\x01\x00\x02\x00\x60MTrk\x00\x00\x00\x04\x00\xFF\x2F\x00MTrk\x00\x00\x00\x08\x00\xC0\x05\x83\x60\xFF\x2F\x00"))
	f.Add(smfFile(96, "\x00\x90\x3C\x64\xFF\xFF\xFF\x7F\x80\x3C\x00"+endOfTrack))         // 388 hours
	f.Add(smfFile(96, "\x00\xFF\x51\x03\xFF\xFF\xFF\x83\x80\x00\x90\x3C\x64"+endOfTrack)) // a slow tempo
	f.Add(smfFile(96, "\x00\x90\x3C\x64"+strings.Repeat("\x00\x3C\x64", 100)+endOfTrack)) // dense
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := midifile.ParseScore("fuzz.mid", bytes.NewReader(b))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.mid: ") {
				t.Errorf("error does not name the file: %v", err)
			}
			if strings.Contains(msg, "MIDI library failed") {
				t.Errorf("the sanitizer let through a file gomidi cannot read: %v", err)
			}
			return
		}
		prev := 0.0
		for i, ev := range sc.Events {
			if !(ev.Seconds >= prev) || math.IsInf(ev.Seconds, 0) {
				t.Fatalf("event %d at %g s after %g s", i, ev.Seconds, prev)
			}
			if ev.Msg.Status < 0x80 || ev.Msg.Status > 0xEF || ev.Msg.Data1 > 0x7F || ev.Msg.Data2 > 0x7F {
				t.Fatalf("event %d is not a channel voice message: %v", i, ev.Msg)
			}
			prev = ev.Seconds
		}
		if sc.Length < prev {
			t.Fatalf("length %g s before the last event at %g s", sc.Length, prev)
		}
		if sc.Length > midifile.MaxLength || len(sc.Events) > midifile.MaxEvents {
			t.Fatalf("read %d events over %g s, beyond the limits", len(sc.Events), sc.Length)
		}
	})
}

// A track the header does not count is read all the same.
func TestUncountedTrack(t *testing.T) {
	file := []byte("MThd\x00\x00\x00\x06\x00\x01\x00\x01\x00\x60" +
		"MTrk\x00\x00\x00\x04\x00\xFF\x2F\x00" +
		"MTrk\x00\x00\x00\x07\x60\xC0\x05\x00\xFF\x2F\x00")
	sc, err := midifile.ParseScore("extra.mid", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	checkScore(t, sc, 0.5, want{0.5, midimap.Msg{Status: 0xC0, Data1: 5}})
}
