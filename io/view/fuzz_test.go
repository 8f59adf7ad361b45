package view

import (
	"math"
	"testing"
)

// FuzzParseRequest: whatever a page sends, parsing never panics, and what it lets
// through names a slider, kick, patch or neuron that exists, with a finite value inside
// the slider's range.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"t":"ready","lagMs":12.5}`, `{"t":"select","neuron":0,"traces":[0,1]}`, `{"t":"auth","pin":"123456"}`,
		`{"t":"set","slider":0,"value":2.5}`, `{"t":"set","slider":1,"value":-1e308}`, `{"t":"kick","kick":0}`,
		`{"t":"reset"}`, `{"t":"patch","index":1}`, `{"t":"set","slider":0,"value":1e999}`, `{}`, `null`, `"x"`,
		`{"t":"select","neuron":1,"traces":[1,1,1,1,1,1,1,1]}`,
	} {
		f.Add([]byte(s))
	}
	patches := []PatchInfo{
		{Neurons: make([]NeuronInfo, 2), Sliders: []Slider{{Min: -2, Max: 6}, {Min: 1, Max: -1}}, Kicks: []Kick{{Amplitude: 30}}},
		{Neurons: make([]NeuronInfo, 1)},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseRequest(data, patches, 0)
		if err != nil {
			return
		}
		info := patches[0]
		switch r.kind {
		case "select":
			if len(r.sel.traces) == 0 || len(r.sel.traces) > maxTraces || r.sel.traces[0] != r.sel.neuron {
				t.Fatalf("select %+v", r.sel)
			}
			for _, k := range r.sel.traces {
				if k < 0 || k >= len(info.Neurons) {
					t.Fatalf("select traces neuron %d of %d", k, len(info.Neurons))
				}
			}
		case "command":
			c := r.cmd
			switch c.Kind {
			case CommandSet:
				if c.Index < 0 || c.Index >= len(info.Sliders) {
					t.Fatalf("set slider %d of %d", c.Index, len(info.Sliders))
				}
				sl := info.Sliders[c.Index]
				if math.IsNaN(c.Value) || c.Value < math.Min(sl.Min, sl.Max) || c.Value > math.Max(sl.Min, sl.Max) {
					t.Fatalf("set slider %d to %g, outside [%g, %g]", c.Index, c.Value, sl.Min, sl.Max)
				}
			case CommandKick:
				if c.Index < 0 || c.Index >= len(info.Kicks) {
					t.Fatalf("kick %d of %d", c.Index, len(info.Kicks))
				}
			case CommandSwitch:
				if c.Index < 0 || c.Index >= len(patches) {
					t.Fatalf("switch to patch %d of %d", c.Index, len(patches))
				}
			case CommandReset:
			default:
				t.Fatalf("command kind %d", c.Kind)
			}
		case "ready", "auth":
		default:
			t.Fatalf("request kind %q", r.kind)
		}
	})
}
