package patches

import (
	"slices"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

const trainPatch = `format = 1
[[neuron]]
name = "a"
model = "inapk"
pulses = 2
interval = 6.5
[[neuron]]
name = "b"
model = "inapk"
[midi]
[[midi.cc]]
cc = 1
target = "interval"
min = 1
max = 10
[[midi.cc]]
cc = 2
target = "b.pulses"
min = 1
max = 4
[[midi.kick]]
notes = [60, 72]
neuron = "all"
amplitude = 4
duration = 0.5
[[midi.kick]]
note = 59
neuron = "b"
amplitude = 4
pulses = 3
[[midi.kick]]
notes = [36, 47]
neuron = "a"
amplitude = [-10, -60]
hold = true
`

// TestParsePulseTrains: a neuron's pulses and interval reach the engine spec, a knob can
// map either (for every neuron or one), a kick map may give its own pulse count, and a
// held kick has neither duration nor pulses.
func TestParsePulseTrains(t *testing.T) {
	p, err := Parse("trains.toml", []byte(trainPatch))
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Engine.Neurons[0], p.Engine.Neurons[1]
	if a.Pulses != 2 || a.Interval != 6.5 {
		t.Errorf("neuron a: pulses %d, interval %g; want 2, 6.5", a.Pulses, a.Interval)
	}
	if b.Pulses != 1 || b.Interval != emu.DefaultInterval {
		t.Errorf("neuron b: pulses %d, interval %g; want the defaults 1, %d", b.Pulses, b.Interval, emu.DefaultInterval)
	}
	wantCC := []midimap.CCMap{
		{Target: "interval", CC: 1, LSB: -1, Neuron: emu.AllNeurons, Control: emu.ControlInterval, Min: 1, Max: 10, Smoothing: defaultSmoothing, Soft: true, Start: 6.5},
		{Target: "b.pulses", CC: 2, LSB: -1, Neuron: 1, Control: emu.ControlPulses, Min: 1, Max: 4, Smoothing: defaultSmoothing, Soft: true, Start: 1},
	}
	if !slices.Equal(p.MIDI.CC, wantCC) {
		t.Errorf("cc\n got %+v\nwant %+v", p.MIDI.CC, wantCC)
	}
	wantKicks := []midimap.KickMap{
		{NoteLow: 60, NoteHigh: 72, Neuron: emu.AllNeurons, MinAmp: 4, MaxAmp: 4, Duration: 0.5},
		{NoteLow: 59, NoteHigh: 59, Neuron: 1, MinAmp: 4, MaxAmp: 4, Duration: 1, Pulses: 3},
		{NoteLow: 36, NoteHigh: 47, Neuron: 0, MinAmp: -10, MaxAmp: -60, Hold: true},
	}
	if !slices.Equal(p.MIDI.Kicks, wantKicks) {
		t.Errorf("kicks\n got %+v\nwant %+v", p.MIDI.Kicks, wantKicks)
	}
	for _, target := range []string{"interval", "pulses", "a.interval", "b.pulses"} {
		if _, _, err := ResolveTarget(p, target); err != nil {
			t.Errorf("ResolveTarget(%q): %v", target, err)
		}
	}
}

// brokenTrains: every way to get a pulse train or a held kick wrong, with the message.
var brokenTrains = []struct {
	name, src, want string
}{
	{"neuron pulses zero", with(`pulses = 0`),
		`bad.toml:5:1: pulses = 0 is outside the allowed range 1 to 16 (the pulses each kick of this neuron fires; 2 is a pair)`},
	{"neuron pulses too many", with(`pulses = 17`),
		`bad.toml:5:1: pulses = 17 is outside the allowed range 1 to 16 (the pulses each kick of this neuron fires; 2 is a pair)`},
	{"neuron pulses not whole", with(`pulses = 2.5`),
		`bad.toml:5:1: pulses must be a whole number, not 2.5`},
	{"neuron interval zero", with(`interval = 0`),
		`bad.toml:5:1: interval = 0 is outside the allowed range 0.1 to 1000 ms`},
	{"neuron interval as text", with(`interval = "6 ms"`),
		`bad.toml:5:1: interval must be a number, not the text "6 ms"`},
	{"kick interval belongs to the neuron", with(`[[midi.kick]]`, `note = 60`, `neuron = "a"`, `amplitude = 3`, `interval = 6`),
		`bad.toml:9:1: interval belongs to the neuron the kick plays: write interval = ... in its [[neuron]] table, and map a knob to it with a [[midi.cc]] whose target is "NEURON.interval" (or "interval" for every neuron)`},
	{"kick pulses too many", with(`[[midi.kick]]`, `note = 60`, `neuron = "a"`, `amplitude = 3`, `pulses = 20`),
		`bad.toml:9:1: pulses = 20 is outside the allowed range 1 to 16 (the pulses each note fires; 2 is a pair)`},
	{"held kick with a duration", with(`[[midi.kick]]`, `note = 60`, `neuron = "a"`, `amplitude = -30`, `hold = true`, `duration = 5`),
		`bad.toml:10:1: a kick with hold = true lasts as long as the note is held: leave out duration`},
	{"held kick with pulses", with(`[[midi.kick]]`, `note = 60`, `neuron = "a"`, `amplitude = -30`, `pulses = 2`, `hold = true`),
		`bad.toml:9:1: a kick with hold = true is one current held with the note: leave out pulses`},
	{"hold as text", with(`[[midi.kick]]`, `note = 60`, `neuron = "a"`, `amplitude = -30`, `hold = "yes"`),
		`bad.toml:9:1: hold must be true or false, without quotes, not the text "yes"`},
	{"knob on the interval out of range", with(`[[midi.cc]]`, `cc = 1`, `target = "a.interval"`, `min = 0`, `max = 10`),
		`bad.toml:8:1: min = 0 is outside the range of a.interval: 0.1 to 1000 ms`},
	{"interval misspelt as a target", with(`[[midi.cc]]`, `cc = 1`, `target = "a.intervall"`, `min = 1`, `max = 10`),
		`bad.toml:7:1: target "a.intervall": neuron a (inapk) has no control "intervall" (did you mean "interval"?)`},
}

func TestParseBrokenTrains(t *testing.T) {
	for _, tc := range brokenTrains {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("bad.toml", []byte(tc.src))
			if err == nil {
				t.Fatalf("parsed %+v; want error\n%s", p, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}
