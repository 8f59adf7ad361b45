package patches

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// bifurcations are the currents (µA/cm², or model units) where each built-in changes
// behaviour; its current controller must span them all. The values are the ones the
// patch files quote (measured by simulation; see hysteresis_test.go for the loop).
var bifurcations = map[string][]float64{
	"snic":                    {4.51},
	"saddle-node":             {4.51},
	"hysteresis":              {-0.298, 4.51},
	"hopf-super":              {14.7},
	"hopf-sub":                {42.2, 48.9},
	"timing":                  {4.51}, // neuron a, the integrator
	"rebound":                 {4.51}, // neuron a, the integrator
	"fitzhugh-nagumo":         {0.34, 1.42},
	"hh":                      {6.2, 9.8},
	"morris-lecar-snic":       {39.96},
	"morris-lecar-homoclinic": {35.05, 39.96, 40.6},
	"morris-lecar-hopf":       {88.3, 93.9},
	"flip-flop":               {},
	"swarm":                   {2.51, 6.51}, // the first and the last member's SNIC
}

func TestBuiltinNames(t *testing.T) {
	names := BuiltinNames()
	if !slices.Equal(names, teachingOrder) {
		t.Errorf("BuiltinNames() = %v\nwant the teaching order %v (every embedded file in it, no file missing)", names, teachingOrder)
	}
	for _, n := range names {
		if _, ok := bifurcations[n]; !ok {
			t.Errorf("%s: no bifurcations listed for it in this test", n)
		}
	}
}

func TestBuiltins(t *testing.T) {
	ps := Builtins()
	if len(ps) != len(BuiltinNames()) {
		t.Fatalf("%d built-ins for %d names", len(ps), len(BuiltinNames()))
	}
	for i, p := range ps {
		name := BuiltinNames()[i]
		t.Run(name, func(t *testing.T) {
			if p.Name != name || p.Source != name+".toml" {
				t.Errorf("name %q source %q", p.Name, p.Source)
			}
			if len(p.Description) < 200 || strings.Contains(p.Description, "\n") {
				t.Errorf("description (%d chars) is not a paragraph to read aloud: %q", len(p.Description), p.Description)
			}
			src, _ := BuiltinSource(name)
			if n := strings.Count(string(src), "\n#"); n < 3 {
				t.Errorf("only %d comment lines: a built-in should teach the format", n)
			}
			if !(p.Speed > 0 && p.Speed <= 1000) || p.Engine.Speed != p.Speed {
				t.Errorf("speed %g, engine speed %g", p.Speed, p.Engine.Speed)
			}
			if _, err := emu.New(p.Engine); err != nil {
				t.Errorf("emu.New: %v", err)
			}
			if err := p.MIDI.Validate(); err != nil {
				t.Errorf("midimap: %v", err)
			}
			if p.Neuron("a") != 0 {
				t.Errorf("neurons %v: the first is not a", p.NeuronNames)
			}
			if len(p.MIDI.Spikes) == 0 || len(p.MIDI.Kicks) == 0 {
				t.Errorf("%d spike maps, %d kick maps", len(p.MIDI.Spikes), len(p.MIDI.Kicks))
			}
			if !(p.MIDI.MaxNotesPerSecond > 0 && p.MIDI.MaxNotesPerSecond <= 1000) {
				t.Errorf("note cap %g", p.MIDI.MaxNotesPerSecond)
			}
			var current *midimap.CCMap
			for k := range p.MIDI.CC {
				if m := &p.MIDI.CC[k]; m.Control == emu.ControlCurrent && (m.Neuron == 0 || m.Neuron == emu.AllNeurons) {
					current = m
					break
				}
			}
			if current == nil {
				t.Fatalf("no controller for the current")
			}
			lo, hi := min(current.Min, current.Max), max(current.Min, current.Max)
			for _, b := range bifurcations[name] {
				if !(lo < b && b < hi) {
					t.Errorf("the current controller's range %g to %g misses the bifurcation at %g", lo, hi, b)
				}
			}
		})
	}
}

func TestBuiltinsSpikeModes(t *testing.T) {
	for _, p := range Builtins() {
		want := midimap.ModeSpike
		if p.Name == "hysteresis" || p.Name == "flip-flop" {
			want = midimap.ModeGate // bistable switching as a held note
		}
		for _, s := range p.MIDI.Spikes {
			if s.Mode != want {
				t.Errorf("%s: spike map on neuron %d in %v mode, want %v", p.Name, s.Neuron, s.Mode, want)
			}
		}
	}
}

func TestHysteresisKnob(t *testing.T) {
	p, err := Load("hysteresis")
	if err != nil {
		t.Fatal(err)
	}
	cc := p.MIDI.CC[0]
	if cc.CC != 1 || cc.LSB != 33 || cc.Target != "a.current" || cc.Control != emu.ControlCurrent {
		t.Errorf("knob %+v: want CC 1 with LSB 33 on a.current", cc)
	}
	if s := p.Engine.Neurons[0]; s.Params[emu.INaPK().Param("tau")] != 0.152 {
		t.Errorf("neuron a is not the bistable saddle-node preset: %+v", s)
	}
}

func TestFlipFlop(t *testing.T) {
	p, err := Load("flip-flop")
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Neuron("a"), p.Neuron("b")
	if a != 0 || b != 1 || len(p.NeuronNames) != 2 {
		t.Fatalf("neurons %v", p.NeuronNames)
	}
	for _, s := range p.Engine.Neurons {
		if s.Model.Name != "inapk" || s.Params[emu.INaPK().Param("tau")] != 0.152 {
			t.Errorf("neuron %s is not a saddle-node (bistable) neuron", s.Name)
		}
		if !(s.Current > -0.298 && s.Current < 4.51) {
			t.Errorf("neuron %s at %g µA/cm², outside the bistable range", s.Name, s.Current)
		}
	}
	var ab, ba bool
	for _, s := range p.Engine.Synapses {
		if s.Reversal > -70 || s.Reversal < -90 || s.G <= 0 {
			t.Errorf("synapse %+v is not inhibitory (reversal about -80 mV)", s)
		}
		ab = ab || s.From == a && s.To == b
		ba = ba || s.From == b && s.To == a
	}
	if !ab || !ba {
		t.Errorf("inhibition is not mutual: %+v", p.Engine.Synapses)
	}
	notes := map[int32]int{}
	for _, s := range p.MIDI.Spikes {
		notes[s.Neuron] = s.Note
	}
	if len(notes) != 2 || notes[0] == notes[1] {
		t.Errorf("a and b need different gate notes: %v", notes)
	}
	kicked := map[int32]bool{}
	for _, k := range p.MIDI.Kicks {
		kicked[k.Neuron] = true
	}
	if !kicked[0] || !kicked[1] {
		t.Errorf("both neurons need their own kick notes: %+v", p.MIDI.Kicks)
	}
	for _, cc := range p.MIDI.CC {
		if cc.Control == emu.ControlCurrent && (min(cc.Min, cc.Max) <= -0.298 || max(cc.Min, cc.Max) >= 4.51) {
			t.Errorf("the current knob %+v leaves the bistable range", cc)
		}
	}
}

func TestLoad(t *testing.T) {
	byName, err := Load("snic")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "copy.toml")
	src, _ := BuiltinSource("snic")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	byPath, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if byPath.Source != path || byPath.Name != "snic" || byName.Source != "snic.toml" {
		t.Errorf("sources %q, %q", byPath.Source, byName.Source)
	}
	if byPath.Engine.Neurons[0].Current != byName.Engine.Neurons[0].Current || byPath.MIDI.CC[0] != byName.MIDI.CC[0] {
		t.Errorf("the file and the built-in differ")
	}

	// Errors in a file name the file.
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("format = 1\n[[neuron]]\nname = \"a\"\nmodel = \"inapk2\"\n"), 0o644)
	if _, err := Load(bad); err == nil || err.Error() != bad+`:4:1: unknown model "inapk2" (known: inapk, hh, morris-lecar, fitzhugh-nagumo)` {
		t.Errorf("Load(bad): %v", err)
	}
	missing := filepath.Join(dir, "missing.toml")
	if _, err := Load(missing); err == nil || err.Error() != missing+": cannot read the patch: no such file or directory" {
		t.Errorf("Load(missing): %v", err)
	}
	// A name with .toml is a file, even if a built-in has that name.
	if _, err := Load("snic.toml"); err == nil || !strings.HasPrefix(err.Error(), "snic.toml: cannot read the patch") {
		t.Errorf(`Load("snic.toml"): %v`, err)
	}
	want := `there is no built-in patch named "snik". Did you mean "snic"? The built-in patches are: ` +
		strings.Join(BuiltinNames(), ", ") + ". To load a file, give its path, like ./snik.toml"
	if _, err := Load("snik"); err == nil || err.Error() != want {
		t.Errorf("Load(snik):\n got %v\nwant %s", err, want)
	}
	if _, err := Load("zzzz"); err == nil || strings.Contains(err.Error(), "Did you mean") {
		t.Errorf("Load(zzzz): %v", err)
	}
	if _, ok := BuiltinSource("../parse"); ok {
		t.Errorf("BuiltinSource reads outside the built-ins")
	}
}

func TestBuiltinsAreFresh(t *testing.T) {
	a, b := Builtins(), Builtins()
	a[0].Engine.Neurons[0].Params[0] = -1
	a[0].MIDI.CC[0].Min = 99
	if b[0].Engine.Neurons[0].Params[0] == -1 || b[0].MIDI.CC[0].Min == 99 {
		t.Errorf("Builtins shares state between calls")
	}
}
