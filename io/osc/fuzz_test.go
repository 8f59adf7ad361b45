package osc

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, and that every message it accepts encodes
// back to a packet that parses to the same message.
func FuzzParse(f *testing.F) {
	for _, c := range specExamples {
		b, _ := hex.DecodeString(strings.ReplaceAll(c.hex, " ", ""))
		f.Add(b)
	}
	a := AppendMessage(nil, Message{"/separatrix/a/current", []Arg{Float(10)}})
	f.Add(a)
	f.Add(bundle(a, bundle(AppendMessage(nil, Message{"/x", []Arg{String("s"), Bool(true), Bool(false), Int(-7)}}))))
	f.Add([]byte("#bundle\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x08/a\x00\x00,\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, packet []byte) {
		var p Parser
		var got []Message
		err := p.Parse(packet, func(m Message) { got = append(got, m.Clone()) })
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("Parse visited %d messages of a packet it refused: %v", len(got), err)
			}
			return
		}
		if err := p.Parse(packet, nil); err != nil {
			t.Fatalf("Parse with visit nil refused a packet it accepts otherwise: %v", err)
		}
		for _, m := range got {
			if err := m.Validate(); err != nil {
				t.Fatalf("Parse gave a message that does not validate: %v", err)
			}
			enc := AppendMessage(nil, m)
			var again []Message
			if err := Parse(enc, func(m Message) { again = append(again, m.Clone()) }); err != nil {
				t.Fatalf("re-encoded %v does not parse: %v", m, err)
			}
			if len(again) != 1 || again[0].Address != m.Address || !slices.Equal(again[0].Args, m.Args) {
				t.Fatalf("re-encoded %v parses to %v", m, again)
			}
		}
	})
}
