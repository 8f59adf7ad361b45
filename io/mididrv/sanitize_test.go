package mididrv

import (
	"errors"
	"testing"
)

func TestSanitize(t *testing.T) {
	noSeq := ErrNoALSASequencer
	for _, tc := range []struct {
		name string
		in   string
		seq  error
		want string
	}{
		// Seen from rtmididrv on a machine without /dev/snd/seq.
		{"garbage, no sequencer", "can't open default MIDI in: \x05A\xe9@", noSeq, "the ALSA sequencer is not available (no /dev/snd/seq)"},
		{"garbage, no sequencer, readable", "MidiInAlsa::initialize: error creating ALSA sequencer client object.", noSeq, "the ALSA sequencer is not available (no /dev/snd/seq)"},
		{"garbage after context", "can't open default MIDI out: \x05^\xe9@", nil, "rtmidi: can't open default MIDI out: (RtMidi's error message was unreadable)"},
		{"garbage after port context", "can't open MIDI in port 0 (Midi Through:Midi Through Port-0 14:0): \x84Z\xe9@", nil,
			"rtmidi: can't open MIDI in port 0 (Midi Through:Midi Through Port-0 14:0): (RtMidi's error message was unreadable)"},
		{"all garbage", "\x84Z\xe9@", nil, "rtmidi: the MIDI system failed, and RtMidi's error message was unreadable"},
		{"printable but no word", "can't open default MIDI in: A@{", nil, "rtmidi: can't open default MIDI in: (RtMidi's error message was unreadable)"},
		{"control characters", "can't open default MIDI in: abc\x01def", nil, "rtmidi: can't open default MIDI in: (RtMidi's error message was unreadable)"},
		{"readable", "can't open default MIDI in: MidiInAlsa::initialize: error creating ALSA sequencer client object.", nil,
			"rtmidi: can't open default MIDI in: MidiInAlsa::initialize: error creating ALSA sequencer client object."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sanitize(errors.New(tc.in), tc.seq)
			if got.Error() != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if tc.seq != nil && !errors.Is(got, ErrNoALSASequencer) {
				t.Error("not ErrNoALSASequencer")
			}
		})
	}
	if sanitize(nil, noSeq) != nil {
		t.Error("sanitize(nil) != nil")
	}
}

func TestToMsg(t *testing.T) {
	for _, tc := range []struct {
		in []byte
		ok bool
	}{
		{[]byte{0x90, 60, 100}, true},
		{[]byte{0x8F, 60, 0}, true},
		{[]byte{0xC2, 5}, true},
		{[]byte{0xD0, 5}, true},
		{[]byte{0xC2, 5, 0}, false},
		{[]byte{0x90, 60}, false},
		{[]byte{0x90, 60, 200}, false},
		{[]byte{0xF0, 1, 0xF7}, false},
		{[]byte{0xF8}, false},
		{[]byte{0x3C, 100}, false},
		{nil, false},
	} {
		m, ok := toMsg(tc.in)
		if ok != tc.ok {
			t.Errorf("toMsg(% X) ok = %v", tc.in, ok)
			continue
		}
		if ok && (m.Status != tc.in[0] || m.Data1 != tc.in[1] || (len(tc.in) == 3 && m.Data2 != tc.in[2])) {
			t.Errorf("toMsg(% X) = %v", tc.in, m)
		}
	}
}
