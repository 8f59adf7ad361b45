package mididrv_test

import (
	"errors"
	"testing"

	"github.com/separatrix-audio/separatrix/io/mididrv"
)

func TestMatch(t *testing.T) {
	ports := []string{"seq:out", "a2j:Midi Through [14] (capture): Midi Through Port-0", "Synth:in", "synth:in 2", "dump:input", "dump:input2"}
	for _, tc := range []struct {
		query, want, err string
	}{
		{"seq", "seq:out", ""},
		{"SEQ", "seq:out", ""},           // case
		{"through", ports[1], ""},        // substring anywhere
		{"seq:out", "seq:out", ""},       // exact
		{"dump:input", "dump:input", ""}, // exact wins over dump:input2
		{"DUMP:INPUT", "dump:input", ""}, // exact ignoring case wins too
		{"Synth:in", "Synth:in", ""},     // exact case first
		{"synth:in", "Synth:in", ""},     // then exact ignoring case
		{"synth", "", `"synth" matches more than one MIDI port: Synth:in, synth:in 2`},
		{"dump", "", `"dump" matches more than one MIDI port: dump:input, dump:input2`},
		{"piano", "", `no MIDI port matches "piano"; ports: seq:out, a2j:Midi Through [14] (capture): Midi Through Port-0, Synth:in, synth:in 2, dump:input, dump:input2`},
	} {
		got, err := mididrv.Match(ports, tc.query)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("Match(%q): %v", tc.query, err)
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("Match(%q) error\n got %v\nwant %s", tc.query, err, tc.err)
		case got != tc.want:
			t.Errorf("Match(%q) = %q, want %q", tc.query, got, tc.want)
		}
		var me *mididrv.MatchError
		if err != nil && !errors.As(err, &me) {
			t.Errorf("Match(%q): error %T, want *MatchError", tc.query, err)
		}
	}
	if _, err := mididrv.Match([]string{"A:x", "a:X"}, "a:x"); err == nil || err.Error() != `"a:x" matches more than one MIDI port: A:x, a:X` {
		t.Errorf("equal ignoring case, twice: %v", err)
	}
	if _, err := mididrv.Match(nil, "x"); err == nil || err.Error() != `no MIDI port matches "x"; there are no ports` {
		t.Errorf("no ports: %v", err)
	}
}

func TestMatchErrorKinds(t *testing.T) {
	e := &mididrv.MatchError{Kind: "input", Query: "synth", Names: []string{"seq:out", "a2j:Midi Through"}}
	if got, want := e.Error(), `no MIDI input matches "synth"; inputs: seq:out, a2j:Midi Through`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
