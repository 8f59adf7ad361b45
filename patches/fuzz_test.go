package patches

import (
	"errors"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// FuzzParse: Parse never panics, and either returns a patch that emu.New and midimap
// accept, or an error whose every line starts with the source name. Text that passes the
// limits' check on shape decodes, if it decodes, no deeper than it measured and into no
// more tables and lists than it counted.
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
	for _, n := range nested { // at the depth limit and one level beyond, every spelling
		f.Add("format = 1\n" + n.doc(MaxDepth))
		f.Add("format = 1\n" + n.doc(MaxDepth+1))
	}
	f.Add("format = 1\n[[a]]\n[a.b]\n[[a.b.c]]\n[a.b.c.d]\nx = [{y = [1]}]")
	f.Add("s = \"\"\"[[[\"\"\\\"\"\"\" # {{{\nt = '''[['''''\nu = '{{'\nv = \"[[\\\"\"")
	f.Add(network(emu.MaxNeurons+1, 0, 0, false))
	f.Add(network(3, 4, 2, true))
	f.Fuzz(func(t *testing.T, src string) {
		if sc := scanShape(src); sc.problem < 0 && len(src) <= MaxFileSize {
			if raw, err := decodeTOML(src); err == nil {
				if d := decodedDepth(raw); d > sc.deepest {
					t.Fatalf("decoded %d deep; checkShape measured %d", d, sc.deepest)
				}
				if n := containerCount(raw) - 1; n > sc.tables {
					t.Fatalf("decoded %d tables and lists; checkShape counted %d", n, sc.tables)
				}
			}
		}
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
