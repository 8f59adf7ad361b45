package patches

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// lines joins its arguments as the lines of a file, so a case's line numbers can be read
// off its position in the list.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// one is a valid single-neuron patch: broken cases append to it, from line 5.
var one = []string{
	`format = 1`,
	`[[neuron]]`,
	`name = "a"`,
	`model = "inapk"`,
}

func with(extra ...string) string { return lines(append(append([]string(nil), one...), extra...)...) }

// brokenPatches is every way to get a patch wrong that the checker knows, each with the
// exact message a performer sees.
var brokenPatches = []struct {
	name, src, want string
}{
	{"syntax: unterminated string", lines(`format = 1`, `name = "x`, `speed = 2`),
		`bad.toml:2:10: this is not valid TOML: strings cannot contain newlines`},
	{"syntax: unquoted text", with(`preset = snic`),
		`bad.toml:5:10: this is not valid TOML: expected value but found "snic" instead (text needs quotes, like model = "inapk")`},
	{"syntax: duplicate key", lines(`format = 1`, `format = 1`),
		`bad.toml:2:1: this is not valid TOML: Key 'format' has already been defined.`},
	{"missing format", lines(`name = "x"`),
		`bad.toml:1:1: a patch must say which format it is written in: add format = 1 as its first line`},
	{"wrong format", lines(`# a comment`, `format = 2`, `speed = -1`),
		`bad.toml:2:1: format = 2 is not a patch format this version of Separatrix reads: it reads format = 1`},
	{"format as text", lines(`format = "1"`),
		`bad.toml:1:1: format must be a whole number, not the text "1"`},
	{"no neurons", lines(`format = 1`, `speed = 2`),
		`bad.toml:1:1: the patch has no neurons: add a [[neuron]] table with a name and a model, like name = "a" and model = "inapk"`},
	{"unknown model", lines(`format = 1`, `[[neuron]]`, `  name = "a"`, `  model = "inapk2"`),
		`bad.toml:4:3: unknown model "inapk2" (known: inapk, hh, morris-lecar, fitzhugh-nagumo)`},
	{"missing model", lines(`format = 1`, `[[neuron]]`, `name = "a"`),
		`bad.toml:2:3: this [[neuron]] needs a model (known: inapk, hh, morris-lecar, fitzhugh-nagumo)`},
	{"unknown preset", with(`preset = "snik"`),
		`bad.toml:5:1: unknown preset "snik" for model inapk (known: snic, saddle-node, hopf-super, hopf-sub)`},
	{"unknown parameter with hint", with(`[neuron.params]`, `gKK = 1`),
		`bad.toml:6:1: unknown parameter "gKK" for model inapk (did you mean "gK"?)`},
	{"unknown parameter without hint", with(`params.zzz = 1`),
		`bad.toml:5:8: unknown parameter "zzz" for model inapk (known: C, gL, EL, gNa, ENa, gK, EK, Vm, km, Vn, kn, tau)`},
	{"parameter out of range", with(`[neuron.params]`, `tau = 200`),
		`bad.toml:6:1: tau = 200 is outside the allowed range 0.01 to 100 ms`},
	{"parameter out of range in inline table", lines(`format = 1`, `neuron = [{name = "a", model = "inapk", params = {tau = -1}}]`),
		`bad.toml:2:51: tau = -1 is outside the allowed range 0.01 to 100 ms`},
	{"unknown state variable", with(`[neuron.init]`, `w = 0`),
		`bad.toml:6:1: unknown state variable "w" for model inapk (known: V, n)`},
	{"unknown key with hint", with(`modle = "hh"`),
		`bad.toml:5:1: unknown key "modle" in [[neuron]] (did you mean "model"?)`},
	{"unknown key listing keys", with(`colour = "red"`),
		`bad.toml:5:1: unknown key "colour" in [[neuron]] (known keys: name, model, preset, current, gain, pan, noise, noise_tau, pulses, interval, centre, span, spike_high, spike_low, params, init, count, seed, spread)`},
	{"unknown top-level key", lines(`format = 1`, `sped = 2`, `[[neuron]]`, `name = "a"`, `model = "inapk"`),
		`bad.toml:2:1: unknown key "sped" in the top level of the patch (did you mean "speed"?)`},
	{"empty neuron list", lines(`format = 1`, `neuron = []`),
		`bad.toml:2:1: the patch has no neurons: add a [[neuron]] table with a name and a model, like name = "a" and model = "inapk"`},
	{"controller mapping outside [midi]", with(`[[cc]]`, `cc = 1`),
		`bad.toml:5:3: unknown key "cc" in the top level of the patch (it belongs under [midi]: write [[midi.cc]])`},
	{"neuron key at the top", lines(`format = 1`, `model = "hh"`, `[[neuron]]`, `name = "a"`, `model = "hh"`),
		`bad.toml:2:1: unknown key "model" in the top level of the patch (it belongs in a [[neuron]] table)`},
	{"top-level key under a table", with(`speed = 2`),
		`bad.toml:5:1: unknown key "speed" in [[neuron]] (speed belongs at the top of the file, above the first [table] header)`},
	{"wrong type", with(`current = "5"`),
		`bad.toml:5:1: current must be a number, not the text "5"`},
	{"not finite", with(`gain = nan`),
		`bad.toml:5:1: gain = NaN is not a usable number`},
	{"current out of range", with(`current = 1000`),
		`bad.toml:5:1: current = 1000 is outside the allowed range -200 to 200 µA/cm²`},
	{"gain out of range", with(`gain = 5`),
		`bad.toml:5:1: gain = 5 is outside the allowed range 0 to 4`},
	{"noise out of range", with(`noise = 500`),
		`bad.toml:5:1: noise = 500 is outside the allowed range 0 to 200 µA/cm²`},
	{"spike thresholds crossed", with(`spike_low = 0`),
		`bad.toml:5:1: spike_low (0) must be below spike_high (-20): a spike is a rise through spike_high by at least spike_high - spike_low, counted again once V has fallen that much below its peak`},
	{"zero span", with(`span = 0`),
		`bad.toml:5:1: span = 0 will not do: it is the voltage swing that plays at full scale (the preset's is 40)`},
	{"duplicate neuron", with(`[[neuron]]`, `name = "a"`, `model = "hh"`),
		`bad.toml:6:1: there is already a neuron named "a" (line 3): each neuron needs its own name`},
	{"bad neuron name", lines(`format = 1`, `[[neuron]]`, `name = "my cell"`, `model = "hh"`),
		`bad.toml:3:1: neuron name "my cell" will not do: use a short word of letters, digits, - and _ that starts with a letter, like "a" or "cell-2"`},
	{"reserved neuron name", lines(`format = 1`, `[[neuron]]`, `name = "all"`, `model = "hh"`),
		`bad.toml:3:1: neuron name "all" is reserved (a kick with neuron = "all" plays every neuron): choose another`},
	{"missing name", lines(`format = 1`, `[[neuron]]`, `model = "hh"`),
		`bad.toml:2:3: this [[neuron]] needs a name, like name = "a"`},
	{"single brackets for neuron", lines(`format = 1`, `[neuron]`, `name = "a"`, `model = "hh"`),
		`bad.toml:2:2: neuron must be written [[neuron]], with double brackets: a patch can have several`},
	{"bad speed", lines(`format = 1`, `speed = 0`, `[[neuron]]`, `name = "a"`, `model = "inapk"`),
		`bad.toml:2:1: speed = 0 is outside the allowed range: more than 0, at most 1000 (1 plays the neuron in real time)`},
	{"speed too fast", lines(`format = 1`, `speed = 1e4`, `[[neuron]]`, `name = "a"`, `model = "inapk"`),
		`bad.toml:2:1: speed = 10000 is outside the allowed range: more than 0, at most 1000 (1 plays the neuron in real time)`},
	{"negative seed", lines(`format = 1`, `seed = -3`, `[[neuron]]`, `name = "a"`, `model = "inapk"`),
		`bad.toml:2:1: seed = -3 must not be negative`},
	{"ceiling above -0.1", with(`[output]`, `ceiling_db = 0`),
		`bad.toml:6:1: ceiling_db = 0 is outside the allowed range -60 to -0.1 dBFS`},
	{"three channels", with(`[output]`, `channels = 3`),
		`bad.toml:6:1: channels = 3: a patch plays in 1 (mono) or 2 (stereo) channels`},
	{"synapse to unknown neuron", with(`[[synapse]]`, `from = "a"`, `to = "c"`, `g = 1`, `reversal = -80`),
		`bad.toml:7:1: synapse names neuron "c", but there is no such neuron (neurons: a)`},
	{"synapse without reversal", with(`[[synapse]]`, `from = "a"`, `to = "a"`, `g = 1`),
		`bad.toml:5:3: this [[synapse]] needs its reversal potential: reversal = -80 inhibits, reversal = 0 excites (mV)`},
	{"synapse too strong", with(`[[synapse]]`, `from = "a"`, `to = "a"`, `g = 101`, `reversal = 0`),
		`bad.toml:8:1: g = 101 is outside the allowed range 0 to 100 mS/cm²`},
	{"gap to unknown neuron", with(`[[gap]]`, `neurons = ["a", "b"]`, `g = 1`),
		`bad.toml:6:1: gap names neuron "b", but there is no such neuron (neurons: a)`},
	{"gap to itself", with(`[[gap]]`, `neurons = ["a", "a"]`, `g = 1`),
		`bad.toml:6:1: a gap junction joins two different neurons, not "a" to itself`},
	{"gap with one neuron", with(`[[gap]]`, `neurons = ["a"]`, `g = 1`),
		`bad.toml:6:1: neurons must list the two neurons the gap junction joins, like neurons = ["a", "b"]`},
	{"spike on unknown neuron", with(`[[midi.spike]]`, `neuron = "x"`, `note = 60`),
		`bad.toml:6:1: spike mapping names neuron "x", but there is no such neuron (neurons: a)`},
	{"spike on all", with(`[[midi.spike]]`, `neuron = "all"`, `note = 60`),
		`bad.toml:6:1: a spike mapping follows one neuron, not "all" (neurons: a)`},
	{"kick on unknown neuron with hint", lines(`format = 1`, `[[neuron]]`, `name = "cell1"`, `model = "hh"`,
		`[[midi.kick]]`, `note = 60`, `neuron = "cel1"`, `amplitude = 10`),
		`bad.toml:7:1: kick names neuron "cel1", but there is no such neuron (did you mean "cell1"?)`},
	{"target on unknown neuron", with(`[[midi.cc]]`, `cc = 1`, `target = "b.current"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: target "b.current" names neuron "b", but there is no such neuron (neurons: a)`},
	{"target with unknown control", with(`[[midi.cc]]`, `cc = 1`, `target = "a.gKK"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: target "a.gKK": neuron a (inapk) has no control "gKK" (did you mean "gK"?)`},
	{"target parameter on every neuron", with(`[[midi.cc]]`, `cc = 1`, `target = "gK"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: target "gK" is not a control of every neuron (name one: NEURON.gK)`},
	{"target misspelt", with(`[[midi.cc]]`, `cc = 1`, `target = "curent"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: unknown target "curent" (did you mean "current"?)`},
	{"target is a neuron", with(`[[midi.cc]]`, `cc = 1`, `target = "a"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: target "a" is a neuron; name one of its controls, like a.current`},
	{"cc range outside control", with(`[[midi.cc]]`, `cc = 1`, `target = "a.current"`, `min = 0`, `max = 1000`),
		`bad.toml:9:1: max = 1000 is outside the range of a.current: -200 to 200 µA/cm²`},
	{"cc range empty", with(`[[midi.cc]]`, `cc = 1`, `target = "a.current"`, `min = 3`, `max = 3`),
		`bad.toml:9:1: min and max are both 3: the controller would do nothing`},
	{"cc without min and max", with(`[[midi.cc]]`, `cc = 1`, `target = "a.current"`),
		`bad.toml:5:3: this [[midi.cc]] needs min and max, the values the controller's two ends give`},
	{"bad takeover", with(`[[midi.cc]]`, `cc = 1`, `target = "a.current"`, `min = 0`, `max = 1`, `takeover = "slow"`),
		`bad.toml:10:1: takeover = "slow": use "soft" (the knob takes over when it passes the present value) or "jump"`},
	{"bend without target", with(`[[midi.bend]]`, `min = 0`, `max = 1`),
		`bad.toml:5:3: this [[midi.bend]] needs a target, like target = "a.current" or target = "current" (every neuron)`},
	{"bad curve", with(`[[midi.cc]]`, `cc = 1`, `target = "a.current"`, `min = 0`, `max = 1`, `curve = "cubic"`),
		`bad.toml:10:1: unknown curve "cubic" (known: linear, exp, log)`},
	{"cc and lsb equal", with(`[[midi.cc]]`, `cc = 1`, `lsb = 1`, `target = "a.current"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: lsb = 1 is the same controller as cc: a 14-bit pair needs two controllers, usually lsb = cc + 32 (lsb = 33)`},
	{"lsb out of range", with(`[[midi.cc]]`, `cc = 1`, `lsb = 200`, `target = "a.current"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: lsb = 200 is not a controller number you can map: use 0 to 119 (120 to 127 are channel-mode messages)`},
	{"cc out of range", with(`[[midi.cc]]`, `cc = 128`, `target = "a.current"`, `min = 0`, `max = 1`),
		`bad.toml:6:1: cc = 128 is not a controller number you can map: use 0 to 119 (120 to 127 are channel-mode messages)`},
	{"cc as a fraction", with(`[[midi.cc]]`, `cc = 1.0`, `target = "a.current"`, `min = 0`, `max = 1`),
		`bad.toml:6:1: cc must be a whole number, like cc = 1`},
	{"cc channel 17", with(`[[midi.cc]]`, `cc = 1`, `channel = 17`, `target = "a.current"`, `min = 0`, `max = 1`),
		`bad.toml:7:1: channel = 17 is not a MIDI channel: use 1 to 16, or 0 for any channel`},
	{"spike channel 0", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `channel = 0`),
		`bad.toml:8:1: channel = 0 is not a MIDI channel to send on: use 1 to 16`},
	{"bad mode", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `mode = "toggle"`),
		`bad.toml:8:1: unknown spike mode "toggle" (known: spike, gate)`},
	{"spike note out of range", with(`[[midi.spike]]`, `neuron = "a"`, `note = 128`),
		`bad.toml:7:1: note = 128 is not a MIDI note (0 to 127)`},
	{"velocity zero", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `velocity = 0`),
		`bad.toml:8:1: velocity = 0 is not a note-on velocity (1 to 127)`},
	{"duration in gate mode", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `mode = "gate"`, `duration = 1`),
		`bad.toml:9:1: duration only applies in mode = "spike"; in gate mode the note lasts while the neuron fires (see release)`},
	{"release in spike mode", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `release = 1`),
		`bad.toml:8:1: release only applies in mode = "gate"; in spike mode each note lasts duration seconds`},
	{"rate_max without rate_cc", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `rate_max = 10`),
		`bad.toml:8:1: rate_max needs rate_cc, the controller that carries the firing rate`},
	{"two spike maps on one note", with(`[[midi.spike]]`, `neuron = "a"`, `note = 60`, `[[midi.spike]]`, `neuron = "a"`, `note = 60`),
		`bad.toml:10:1: note 60 on channel 1 is already played by the [[midi.spike]] at line 5: give each mapping its own note or channel`},
	{"kick notes out of range", with(`[[midi.kick]]`, `notes = [36, 200]`, `neuron = "a"`, `amplitude = 3`),
		`bad.toml:6:1: notes = [36, 200]: 200 is not a MIDI note (0 to 127)`},
	{"kick notes backwards", with(`[[midi.kick]]`, `notes = [84, 36]`, `neuron = "a"`, `amplitude = 3`),
		`bad.toml:6:1: notes = [84, 36] runs backwards: write the lowest note first`},
	{"kick note and notes", with(`[[midi.kick]]`, `note = 60`, `notes = [1, 2]`, `neuron = "a"`, `amplitude = 3`),
		`bad.toml:7:1: give note or notes, not both`},
	{"kick without notes", with(`[[midi.kick]]`, `neuron = "a"`, `amplitude = 3`),
		`bad.toml:5:3: this [[midi.kick]] needs the notes that play it: note = 60, or notes = [36, 84] for a range`},
	{"kick too strong", with(`[[midi.kick]]`, `note = 60`, `neuron = "all"`, `amplitude = [1, 500]`),
		`bad.toml:8:1: amplitude reaches 500, but a kick on neuron "a" (inapk) can be at most ±400 µA/cm²`},
	{"kick duration zero", with(`[[midi.kick]]`, `note = 60`, `neuron = "a"`, `amplitude = 1`, `duration = 0`),
		`bad.toml:9:1: duration = 0 is outside the allowed range: more than 0, at most 10000 ms`},
	{"note cap negative", with(`[midi]`, `max_notes_per_second = -1`),
		`bad.toml:6:1: max_notes_per_second = -1 is outside the allowed range 0 to 100000`},
	{"engine refuses initial state", with(`[neuron.init]`, `V = 1e9`),
		`bad.toml:2:3: the engine cannot play neuron "a": initial V = 1e+09 is not a usable value`},
	{"population too large", with(`count = 2000`),
		`bad.toml:5:1: count = 2000 is outside the allowed range 1 to 1024 (members of this population; every member counts towards the 1024 neurons of a patch)`},
	{"population count not whole", with(`count = 10.5`),
		`bad.toml:5:1: count must be a whole number, not 10.5`},
	{"populations past the limit together", lines(`format = 1`, `[[neuron]]`, `name = "a"`, `model = "inapk"`, `count = 1000`,
		`[[neuron]]`, `name = "b"`, `model = "inapk"`, `count = 100`),
		`bad.toml:9:1: the patch's neurons reach 1100 here, counting each member of a population: a patch may have at most 1024`},
	{"spread without a population", with(`[neuron.spread]`, `current = { even = 1 }`),
		`bad.toml:5:2: [neuron.spread] spreads the members of a population: it needs count = 2 or more in this [[neuron]]`},
	{"seed without a population", with(`seed = 3`),
		`bad.toml:5:1: seed draws the members of a population: it needs count = 2 or more`},
	{"spread of an unknown control", with(`count = 10`, `[neuron.spread]`, `gKK = { even = 1 }`),
		`bad.toml:7:1: cannot spread "gKK": spread current or a parameter of inapk (did you mean "gK"?)`},
	{"spread with no distribution", with(`count = 10`, `[neuron.spread]`, `current = { wide = 1 }`),
		`bad.toml:7:1: current = { ... } must name one distribution with its width: { even = W } (members evenly across ±W), { uniform = W } (drawn in ±W) or { normal = SD }`},
	{"spread not a table", with(`count = 10`, `[neuron.spread]`, `current = 1`),
		`bad.toml:7:1: current must be a table, written current = { even = WIDTH }, not the number 1`},
	{"spread too wide", with(`count = 10`, `[neuron.spread]`, `gK = { normal = 500 }`),
		`bad.toml:7:8: a spread of gK normal = 500 will not do: it must be between 0 and the width of its range, 200`},
	{"spike notes on one neuron", with(`[[midi.spike]]`, `neuron = "a"`, `notes = [60, 72]`),
		`bad.toml:7:1: notes = [60, 72] spreads a population's members over a range of keys, but this neuron is one neuron (count = 1): write note = 60`},
	{"spike note and notes", with(`count = 10`, `[[midi.spike]]`, `neuron = "a"`, `note = 60`, `notes = [60, 72]`),
		`bad.toml:9:1: give note = N (every spike plays it) or notes = [LOW, HIGH] (a population's members spread over the keys), not both`},
	{"spike notes in gate mode", with(`count = 10`, `[[midi.spike]]`, `neuron = "a"`, `mode = "gate"`, `notes = [60, 72]`),
		`bad.toml:8:1: a range of notes plays a note per member's spike: it needs mode = "spike"`},
	{"gap junction to a population", lines(`format = 1`, `[[neuron]]`, `name = "a"`, `model = "inapk"`, `count = 10`,
		`[[neuron]]`, `name = "b"`, `model = "inapk"`, `[[gap]]`, `neurons = ["b", "a"]`, `g = 1`),
		`bad.toml:10:1: "a" is a population (count = 10): a population cannot have gap junctions (they need each member's voltage at every step); use a [[synapse]]`},
	{"spike notes with a bad mode", with(`count = 10`, `[[midi.spike]]`, `neuron = "a"`, `mode = "spik"`, `notes = [60, 72]`),
		`bad.toml:8:1: unknown spike mode "spik" (known: spike, gate)`},
	{"several problems, in file order", lines(`format = 1`, `speed = 0`, `[output]`, `ceiling_db = 0`, `[[neuron]]`, `name = "a"`, `model = "x"`),
		"bad.toml:2:1: speed = 0 is outside the allowed range: more than 0, at most 1000 (1 plays the neuron in real time)\n" +
			"bad.toml:4:1: ceiling_db = 0 is outside the allowed range -60 to -0.1 dBFS\n" +
			`bad.toml:7:1: unknown model "x" (known: inapk, hh, morris-lecar, fitzhugh-nagumo)`},
}

func TestParseBroken(t *testing.T) {
	for _, tc := range brokenPatches {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("bad.toml", []byte(tc.src))
			if err == nil {
				t.Fatalf("parsed %+v; want error\n%s", p, tc.want)
			}
			if p != nil {
				t.Errorf("a failed Parse returned a patch")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Source != "bad.toml" || pe.Line < 1 || pe.Col < 1 {
				t.Errorf("errors.As(*Error) = %+v", pe)
			}
		})
	}
}

func TestSyntaxErrorUnwraps(t *testing.T) {
	_, err := Parse("bad.toml", []byte("format = 1\nx = [\n"))
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("%v does not unwrap to toml.ParseError", err)
	}
}

func TestErrorListCapsLines(t *testing.T) {
	src := with()
	for i := 0; i < 15; i++ {
		src += "bogus" + string(rune('a'+i)) + " = 1\n"
	}
	_, err := Parse("bad.toml", []byte(src))
	var l ErrorList
	if !errors.As(err, &l) || len(l) != 15 {
		t.Fatalf("want 15 problems, got %v", err)
	}
	msg := err.Error()
	if n := strings.Count(msg, "\n") + 1; n != maxShown+1 {
		t.Errorf("%d lines, want %d:\n%s", n, maxShown+1, msg)
	}
	if !strings.HasSuffix(msg, "\nbad.toml: 5 more problems not shown") {
		t.Errorf("last line of\n%s", msg)
	}
}

// A full patch using every key, checked field by field against what it should build.
const fullPatch = `# every key, once
format = 1
name = "full"
description = """
  Two neurons.
"""
speed = 2.5
seed = 42

[output]
ceiling_db = -3
channels = 1

[[neuron]]
name = "a"
model = "inapk"
preset = "saddle-node"
current = 1.5
gain = 0.5
pan = -0.25
noise = 0.1
noise_tau = 7
centre = -40
span = 30
spike_high = -25
spike_low = -50
[neuron.params]
gK = 12
[neuron.init]
V = -60

[[neuron]]
name = "b-2"
model = "hh"

[[gap]]
neurons = ["a", "b-2"]
g = 0.3

[[synapse]]
from = "b-2"
to = "a"
g = 1
tau = 4
reversal = -80

[midi]
max_notes_per_second = 0

[[midi.cc]]
cc = 1
lsb = 33
channel = 2
target = "a.gK"
min = 20
max = 5
curve = "exp"
smoothing = 0

[[midi.cc]]
cc = 7
target = "gain"
min = 0
max = 2
takeover = "jump"

[[midi.bend]]
channel = 5
target = "a.current"
min = -1
max = 3

[[midi.kick]]
note = 60
channel = 3
neuron = "all"
amplitude = [-2, 40]
duration = 2.5

[[midi.spike]]
neuron = "b-2"
mode = "gate"
channel = 4
note = 61
velocity = 90
release = 0.2
rate_cc = 21
rate_max = 80
`

func TestParseFull(t *testing.T) {
	p, err := Parse("dir/full.toml", []byte(fullPatch))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "full" || p.Description != "Two neurons." || p.Source != "dir/full.toml" || p.Speed != 2.5 || p.Seed != 42 {
		t.Errorf("header: %q %q %q %g %d", p.Name, p.Description, p.Source, p.Speed, p.Seed)
	}
	cfg := p.Engine
	if cfg.Speed != 2.5 || cfg.Seed != 42 || cfg.CeilingDB != -3 || cfg.Channels != 1 || len(cfg.Neurons) != 2 {
		t.Fatalf("engine config: %+v", cfg)
	}
	a, b := cfg.Neurons[0], cfg.Neurons[1]
	if a.Name != "a" || a.Model.Name != "inapk" || a.Current != 1.5 || a.Gain != 0.5 || a.Pan != -0.25 ||
		a.Noise != 0.1 || a.NoiseTau != 7 || a.Centre != -40 || a.Span != 30 || a.SpikeHigh != -25 || a.SpikeLow != -50 {
		t.Errorf("neuron a: %+v", a)
	}
	if a.Params[emu.INaPK().Param("gK")] != 12 || a.Params[emu.INaPK().Param("tau")] != 0.152 || a.Init[0] != -60 {
		t.Errorf("neuron a params %v init %v", a.Params, a.Init)
	}
	if b.Name != "b-2" || b.Model.Name != "hh" || b.Gain != 1 || b.NoiseTau != 5 || b.Init[0] != emu.HH().Presets[0].Init[0] {
		t.Errorf("neuron b: %+v", b)
	}
	if len(cfg.Gaps) != 1 || cfg.Gaps[0] != (emu.Gap{A: 0, B: 1, G: 0.3}) {
		t.Errorf("gaps %+v", cfg.Gaps)
	}
	if len(cfg.Synapses) != 1 || cfg.Synapses[0] != (emu.Synapse{From: 1, To: 0, G: 1, Tau: 4, Reversal: -80}) {
		t.Errorf("synapses %+v", cfg.Synapses)
	}
	if got := p.NeuronNames; len(got) != 2 || got[0] != "a" || got[1] != "b-2" || p.Neuron("b-2") != 1 || p.Neuron("c") != -1 {
		t.Errorf("names %v", got)
	}
	m := p.MIDI
	wantCC := []midimap.CCMap{
		{Target: "a.gK", Channel: 2, CC: 1, LSB: 33, Neuron: 0, Control: emu.ControlParam + int32(emu.INaPK().Param("gK")), Min: 20, Max: 5, Curve: midimap.Exp, Smoothing: 0, Soft: true, Start: 12},
		{Target: "gain", Channel: 0, CC: 7, LSB: -1, Neuron: emu.AllNeurons, Control: emu.ControlGain, Min: 0, Max: 2, Curve: midimap.Linear, Smoothing: defaultSmoothing, Start: 0.5},
		{Target: "a.current", Channel: 5, LSB: -1, Neuron: 0, Control: emu.ControlCurrent, Min: -1, Max: 3, Smoothing: defaultSmoothing, Bend: true, Soft: true, Start: 1.5},
	}
	if !slices.Equal(m.CC, wantCC) {
		t.Errorf("cc\n got %+v\nwant %+v", m.CC, wantCC)
	}
	wantKick := midimap.KickMap{Channel: 3, NoteLow: 60, NoteHigh: 60, Neuron: emu.AllNeurons, MinAmp: -2, MaxAmp: 40, Duration: 2.5}
	if len(m.Kicks) != 1 || m.Kicks[0] != wantKick {
		t.Errorf("kicks %+v", m.Kicks)
	}
	wantSpike := midimap.SpikeMap{Neuron: 1, Mode: midimap.ModeGate, Channel: 4, Note: 61, Velocity: 90, Release: 0.2, RateCC: 21, RateMax: 80}
	if len(m.Spikes) != 1 || m.Spikes[0] != wantSpike {
		t.Errorf("spikes %+v", m.Spikes)
	}
	if m.MaxNotesPerSecond != 0 {
		t.Errorf("note cap %g", m.MaxNotesPerSecond)
	}
	if _, err := emu.New(p.Engine); err != nil {
		t.Errorf("emu.New: %v", err)
	}
	if err := p.MIDI.Validate(); err != nil {
		t.Errorf("midimap: %v", err)
	}
}

func TestParseDefaults(t *testing.T) {
	p, err := Parse("some/where/minimal.toml", []byte(with()))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "minimal" || p.Speed != 1 || p.Engine.Speed != 1 || p.Engine.CeilingDB != -1 || p.Engine.Channels != 2 {
		t.Errorf("defaults: %+v", p)
	}
	pr := emu.INaPK().Presets[0]
	if s := p.Engine.Neurons[0]; s.Centre != pr.Centre || s.SpikeHigh != pr.SpikeHigh || s.Current != 0 {
		t.Errorf("neuron defaults: %+v", s)
	}
	if p.MIDI.MaxNotesPerSecond != defaultNotesPerSecond || len(p.MIDI.CC)+len(p.MIDI.Kicks)+len(p.MIDI.Spikes) != 0 {
		t.Errorf("midi defaults: %+v", p.MIDI)
	}
	// A spike mapping's defaults.
	p, err = Parse("x.toml", []byte(with(`[[midi.spike]]`, `neuron = "a"`, `note = 64`)))
	if err != nil {
		t.Fatal(err)
	}
	want := midimap.SpikeMap{Mode: midimap.ModeSpike, Channel: 1, Note: 64, Velocity: 100, Duration: 0.05, RateCC: -1, RateMax: 100}
	if p.MIDI.Spikes[0] != want {
		t.Errorf("spike defaults %+v", p.MIDI.Spikes[0])
	}
}

func TestParseByteOrderMark(t *testing.T) {
	_, err := Parse("bom.toml", []byte("\ufeff"+with(`modle = 1`)))
	if err == nil || err.Error() != `bom.toml:5:1: unknown key "modle" in [[neuron]] (did you mean "model"?)` {
		t.Errorf("got %v", err)
	}
}

func TestResolveTarget(t *testing.T) {
	p, err := Parse("full.toml", []byte(fullPatch))
	if err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		target          string
		neuron, control int32
	}{
		{"current", emu.AllNeurons, emu.ControlCurrent},
		{"noise", emu.AllNeurons, emu.ControlNoise},
		{"a.current", 0, emu.ControlCurrent},
		{"a.pan", 0, emu.ControlPan},
		{"a.gK", 0, emu.ControlParam + int32(emu.INaPK().Param("gK"))},
		{"b-2.gNa", 1, emu.ControlParam + int32(emu.HH().Param("gNa"))},
	}
	for _, tc := range ok {
		n, c, err := ResolveTarget(p, tc.target)
		if err != nil || n != tc.neuron || c != tc.control {
			t.Errorf("ResolveTarget(%q) = %d, %d, %v; want %d, %d", tc.target, n, c, err, tc.neuron, tc.control)
		}
	}
	bad := map[string]string{
		"gK":        `target "gK" is not a control of every neuron (name one: NEURON.gK)`,
		"c.current": `target "c.current" names neuron "c", but there is no such neuron (neurons: a, b-2)`,
		"b-2.tau":   `target "b-2.tau": no control "tau" on a hh neuron (known: current, gain, pan, noise, pulses, interval, C, gNa, ENa, gK, EK, gL, EL)`,
		"volume":    `unknown target "volume" (every neuron: current, gain, pan, noise, pulses, interval; one neuron: NEURON.CONTROL, like a.current)`,
		"":          `unknown target "" (every neuron: current, gain, pan, noise, pulses, interval; one neuron: NEURON.CONTROL, like a.current)`,
	}
	for target, want := range bad {
		if _, _, err := ResolveTarget(p, target); err == nil || err.Error() != want {
			t.Errorf("ResolveTarget(%q): %v\nwant %s", target, err, want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"model", "preset", "gK", "gNa", "current", "a"}
	for name, want := range map[string]string{
		"modle": "model", "Model": "model", "prest": "preset", "gk": "gK", "GNA": "gNa",
		"curent": "current", "c": "", "b": "", "": "", "colour": "", "x": "",
	} {
		if got := closest(name, known); got != want {
			t.Errorf("closest(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestEditDistance holds the allocation-free distance to hand-counted edits.
func TestEditDistance(t *testing.T) {
	long := strings.Repeat("a", 65)
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"abc", "abc", 0},
		{"ab", "ba", 1},          // a swap of neighbours
		{"kitten", "sitting", 3}, // two substitutions and an insertion
		{"ca", "abc", 3},         // optimal string alignment: no edit of a swapped pair
		{"µa", "ua", 1},          // runes, not bytes
		{"current", "curent", 1}, // a deletion
		{long, long, 1 << 30},    // too long to be a typo
		{"noise_tau", "noisetau", 1},
	} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { editDistance("midi.cc", "midi_cc") }); n != 0 {
		t.Errorf("editDistance allocates %v times a call, want 0", n)
	}
}

// TestManyUnknownKeysAreSummed: a table's first maxUnknownKeys unknown keys are reported
// one by one and the rest in one line at the first of them, so that a file of 300000
// stray keys costs no more than its decoding.
func TestManyUnknownKeysAreSummed(t *testing.T) {
	src := "format = 1\n"
	for k := 0; k < maxUnknownKeys+5; k++ {
		src += fmt.Sprintf("k%d = 1\n", k)
	}
	const neuron = "[[neuron]]\nname = \"a\"\nmodel = \"inapk\"\n"
	_, err := Parse("stray.toml", []byte(src+neuron))
	var l ErrorList
	if !errors.As(err, &l) || len(l) != maxUnknownKeys+1 {
		t.Fatalf("Parse = %v, want %d errors", err, maxUnknownKeys+1)
	}
	want := fmt.Sprintf("stray.toml:%d:1: and 5 more unknown keys in the top level of the patch from here on", maxUnknownKeys+2)
	if last := l[len(l)-1].Error(); !strings.HasPrefix(last, want) {
		t.Errorf("last error %q, want %q...", last, want)
	}
	var many strings.Builder
	many.WriteString("format = 1\n")
	for k := 0; many.Len() < MaxFileSize-64; k++ {
		fmt.Fprintf(&many, "k%d=1\n", k)
	}
	data := []byte(many.String() + neuron)
	alloc := allocated(func() { _, err = Parse("stray.toml", data) })
	if !errors.As(err, &l) || len(l) != maxUnknownKeys+1 {
		t.Fatalf("%d bytes of stray keys: Parse = %d errors, want %d", len(data), len(l), maxUnknownKeys+1)
	}
	// What the decoder itself takes (about 75 bytes a byte), and no more.
	if limit := uint64(128 * len(data)); alloc > limit {
		t.Errorf("%d bytes of stray keys allocated %d bytes, want at most %d", len(data), alloc, limit)
	}
}

// TestParsePopulation: count, seed and [neuron.spread] make the neuron a population with
// those spreads, in the engine's terms, and the engine builds it.
func TestParsePopulation(t *testing.T) {
	p, err := Parse("pop.toml", []byte(with(`preset = "snic"`, `current = 4.5`, `count = 100`, `seed = 3`,
		`[neuron.spread]`, `current = { even = 2 }`, `gK = { normal = 0.5 }`, `tau = { uniform = 0.1 }`)))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Engine.Neurons[0].Population
	want := emu.Population{Count: 100, Seed: 3, Spread: []emu.Spread{
		{Control: emu.ControlCurrent, Dist: emu.SpreadEven, Width: 2},
		{Control: emu.ControlParam + 5, Dist: emu.SpreadNormal, Width: 0.5},
		{Control: emu.ControlParam + 11, Dist: emu.SpreadUniform, Width: 0.1},
	}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("population %+v, want %+v", got, want)
	}
	if _, err := emu.New(p.Engine); err != nil {
		t.Errorf("the engine refuses the population: %v", err)
	}

	// Its spike map knows the members: a range of keys, and the rate averaged over them.
	p, err = Parse("pop.toml", []byte(with(`count = 100`, `[[midi.spike]]`, `neuron = "a"`, `notes = [48, 72]`, `rate_cc = 20`)))
	if err != nil {
		t.Fatal(err)
	}
	if m := p.MIDI.Spikes[0]; m.Note != 48 || m.NoteTop != 72 || m.Members != 100 || m.RateCC != 20 {
		t.Errorf("spike map %+v, want notes 48 to 72 over 100 members, rate on CC 20", m)
	}
}
