package patches

import (
	"errors"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// FuzzParse: Parse never panics, and either returns a patch that emu.New and midimap
// accept, or an error whose every line starts with the source name.
func FuzzParse(f *testing.F) {
	for _, n := range BuiltinNames() {
		src, _ := BuiltinSource(n)
		f.Add(string(src))
	}
	for _, tc := range brokenPatches {
		f.Add(tc.src)
	}
	f.Add(fullPatch)
	f.Add(locatorDoc)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse("fuzz.toml", []byte(src))
		if err != nil {
			if p != nil {
				t.Fatalf("patch and error both returned: %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.toml:") {
					t.Fatalf("error line %q does not start with the source name", line)
				}
			}
			var l ErrorList
			if !errors.As(err, &l) || len(l) == 0 {
				t.Fatalf("error %v is not an ErrorList", err)
			}
			rows := strings.Count(src, "\n") + 1
			for _, e := range l {
				if e.Line < 1 || e.Line > rows || e.Col < 1 {
					t.Fatalf("%v: position outside the %d-line file", e, rows)
				}
			}
			return
		}
		if _, err := emu.New(p.Engine); err != nil {
			t.Fatalf("Parse accepted a patch emu.New refuses: %v", err)
		}
		if err := p.MIDI.Validate(); err != nil {
			t.Fatalf("Parse accepted a MIDI mapping midimap refuses: %v", err)
		}
		if len(p.NeuronNames) != len(p.Engine.Neurons) {
			t.Fatalf("%d names for %d neurons", len(p.NeuronNames), len(p.Engine.Neurons))
		}
		for _, m := range p.MIDI.CC {
			if n, c, err := ResolveTarget(p, m.Target); err != nil || n != m.Neuron || c != m.Control {
				t.Fatalf("cc target %q resolves to %d, %d, %v; the map says %d, %d", m.Target, n, c, err, m.Neuron, m.Control)
			}
		}
	})
}
