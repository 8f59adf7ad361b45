package patches

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// tourRate is the sample rate tours are rendered at in the tests: the rate the built-ins'
// numbers were measured at.
const tourRate = 48000

// tourSpikes plays p's tour on a fresh engine, the way an installation does (each ramp an
// EventSet over Over seconds, each kick p.TourKick, at its step's frame), and returns
// each neuron's spike times in seconds of sound.
func tourSpikes(t *testing.T, p *Patch) [][]float64 {
	t.Helper()
	cfg := p.Engine
	cfg.EventCapacity, cfg.SpikeCapacity = 1024, 1<<16
	eng, err := emu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const block = 512
	if err := eng.Prepare(tourRate, block); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Tour.Steps {
		frame := int64(math.Round(s.At * tourRate))
		if s.Target != "" {
			eng.Events().Push(emu.Event{Frame: frame, Kind: emu.EventSet, Neuron: int32(s.Neuron), Control: int32(s.Control), Value: s.To, Time: s.Over})
		}
		if s.Kick >= 0 {
			ev, ok := p.TourKick(s.Kick)
			if !ok {
				t.Fatalf("step at %g s kicks neuron %d, which has no kick", s.At, s.Kick)
			}
			ev.Frame = frame
			eng.Events().Push(ev)
		}
	}
	if d := eng.Events().Dropped(); d > 0 {
		t.Fatalf("%d tour events dropped", d)
	}
	out := make([][]float32, eng.Channels())
	for i := range out {
		out[i] = make([]float32, block)
	}
	spikes := make([][]float64, len(p.Engine.Neurons))
	for n := int(math.Ceil(p.Tour.Length * tourRate)); n > 0; n -= block {
		for i := range out {
			out[i] = out[i][:min(n, block)]
		}
		eng.Process(out)
		for {
			s, ok := eng.Spikes().Pop()
			if !ok {
				break
			}
			spikes[s.Neuron] = append(spikes[s.Neuron], float64(s.Frame)/tourRate)
		}
	}
	if d := eng.Spikes().Dropped(); d > 0 {
		t.Fatalf("%d spikes dropped", d)
	}
	return spikes
}

// tourWindow is a stretch of a tour and what a neuron does in it: fires (at least
// min spikes) or rests (none).
type tourWindow struct {
	from, to float64 // seconds of the tour
	neuron   string  // "" for any neuron
	fires    bool
	most     int // when fires and not 0: at most this many spikes (a slow start)
}

func rest(from, to float64) tourWindow  { return tourWindow{from: from, to: to} }
func fires(from, to float64) tourWindow { return tourWindow{from: from, to: to, fires: true} }
func restN(n string, from, to float64) tourWindow {
	return tourWindow{from: from, to: to, neuron: n}
}
func firesN(n string, from, to float64) tourWindow {
	return tourWindow{from: from, to: to, neuron: n, fires: true}
}

// tourChecks says what each built-in's tour does, as its captions tell it: every tour
// starts at rest, crosses its bifurcation (or threshold) into firing, and comes back to
// rest at its end; the bistable ones also rest and fire again at one current.
var tourChecks = map[string][]tourWindow{
	"snic":        {rest(0, 11.5), {from: 12, to: 14, fires: true, most: 20}, fires(14, 30), rest(33, 40)},
	"saddle-node": {rest(0, 11), fires(12.5, 25), rest(28, 34), fires(35, 40.5), rest(43, 48)},
	"hysteresis":  {rest(0, 16.5), fires(18, 33), rest(35, 48)},
	"hopf-super":  {rest(0, 24), fires(27, 31), rest(36, 48)},
	"hopf-sub":    {rest(0, 12), fires(17, 30), rest(32, 39), fires(39.2, 44), rest(46, 52)},
	"timing": {rest(0, 3), firesN("a", 3, 10), restN("b", 3, 10), rest(11, 18),
		firesN("b", 19, 26), restN("a", 19, 26), rest(27, 34), firesN("a", 35, 40), restN("b", 35, 40), rest(40.5, 44)},
	"rebound":                 {rest(0, 9), firesN("b", 9, 9.5), rest(9.5, 32), restN("a", 32, 44), firesN("b", 32, 32.5), rest(32.5, 44)},
	"fitzhugh-nagumo":         {rest(0, 8), fires(12, 20), rest(23, 28), fires(31, 35), rest(40, 44)},
	"hh":                      {rest(0, 11), fires(14, 28), rest(31, 36), fires(36.2, 42), rest(45, 48)},
	"morris-lecar-snic":       {rest(0, 11.5), fires(12.5, 36), rest(38, 44)},
	"morris-lecar-homoclinic": {rest(0, 12), fires(14, 26), rest(28, 46)},
	"morris-lecar-hopf":       {rest(0, 12), fires(16, 26), rest(28, 34), fires(34.2, 40), rest(43, 46)},
	"flip-flop": {rest(0, 3), firesN("a", 3.2, 10), restN("b", 3.5, 10), firesN("b", 10.2, 17), restN("a", 10.5, 17),
		firesN("a", 17.2, 24), restN("b", 17.5, 24), rest(27, 36)},
	"swarm": {rest(0, 8), fires(20, 28), rest(38, 44)},
}

// TestBuiltinTours: every built-in has a tour, and the tour does what its captions say:
// rendered on the engine, each neuron fires or rests in the windows tourChecks gives.
func TestBuiltinTours(t *testing.T) {
	for _, p := range Builtins() {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			if p.Tour == nil {
				t.Fatal("no tour: every built-in needs one, for museum installations")
			}
			checks, ok := tourChecks[p.Name]
			if !ok {
				t.Fatal("no checks in tourChecks for this built-in's tour")
			}
			if testing.Short() && p.Engine.Members() > 1 {
				t.Skip("a population's tour takes long to render")
			}
			if n := &p.Engine.Neurons[0]; n.Population.Count > 20 {
				n.Population.Count = 20 // the same spread, sampled less finely: fifty times faster
			}
			spikes := tourSpikes(t, p)
			for _, w := range checks {
				for i, name := range p.NeuronNames {
					if w.neuron != "" && w.neuron != name {
						continue
					}
					n := 0
					for _, s := range spikes[i] {
						if s >= w.from && s < w.to {
							n++
						}
					}
					switch {
					case w.fires && n == 0 && (w.neuron != "" || !anyFires(spikes, w)):
						t.Errorf("%g to %g s: %s fires; the tour says it does (%s)", w.from, w.to, who(w), summary(spikes, p.NeuronNames))
					case w.fires && w.most > 0 && n > w.most:
						t.Errorf("%g to %g s: %s fires %d times; the tour says it starts slowly, at most %d (%s)", w.from, w.to, name, n, w.most, summary(spikes, p.NeuronNames))
					case !w.fires && n > 0:
						t.Errorf("%g to %g s: %s fires %d times; the tour says it rests (%s)", w.from, w.to, name, n, summary(spikes, p.NeuronNames))
					}
				}
			}
		})
	}
}

func anyFires(spikes [][]float64, w tourWindow) bool {
	for _, ss := range spikes {
		for _, s := range ss {
			if s >= w.from && s < w.to {
				return true
			}
		}
	}
	return false
}

func who(w tourWindow) string {
	if w.neuron != "" {
		return "neuron " + w.neuron + " never"
	}
	return "no neuron"
}

// summary lists each neuron's spikes per second of the tour, for a failure message.
func summary(spikes [][]float64, names []string) string {
	s := ""
	for i, ss := range spikes {
		counts := map[int]int{}
		last := 0
		for _, x := range ss {
			counts[int(x)]++
			last = max(last, int(x))
		}
		s += names[i] + ":"
		for k := 0; k <= last; k++ {
			s += fmt.Sprintf(" %d", counts[k])
		}
		s += "; "
	}
	return s
}

// tourBase is a valid two-neuron patch with a kick for a only: broken tours append to
// it, from line 16.
var tourBase = []string{
	`format = 1`,
	`[[neuron]]`,
	`name = "a"`,
	`model = "inapk"`,
	`[[neuron]]`,
	`name = "b"`,
	`model = "hh"`,
	`[[midi.kick]]`,
	`note = 60`,
	`neuron = "a"`,
	`amplitude = 20`,
	`[tour]`,
	`length = 30`,
	`[[tour.step]]`,
	`at = 0`,
}

func withTour(extra ...string) string {
	return lines(append(append([]string(nil), tourBase...), extra...)...)
}

// brokenTours is every way to get a tour wrong that the checker knows, each with the
// exact message.
var brokenTours = []struct {
	name, src, want string
}{
	{"step does nothing", withTour(),
		`bad.toml:14:3: this [[tour.step]] does nothing: give it a caption, a target with to, or a kick`},
	{"unknown target", withTour(`target = "a.curent"`, `to = 1`),
		`bad.toml:16:1: target "a.curent": neuron a (inapk) has no control "curent" (did you mean "current"?)`},
	{"to outside the range", withTour(`target = "a.current"`, `to = 1000`),
		`bad.toml:17:1: to = 1000 is outside the range of a.current: -200 to 200 µA/cm²`},
	{"to outside one neuron's range", withTour(`target = "gain"`, `to = 9`),
		`bad.toml:17:1: to = 9 is outside the range of a.gain: 0 to 4`},
	{"target without to", withTour(`target = "b.gK"`),
		`bad.toml:14:3: this [[tour.step]] moves b.gK: it needs to = VALUE, where the control goes`},
	{"to without target", withTour(`to = 3`),
		`bad.toml:16:1: to moves a control: it needs target = "NEURON.CONTROL", like target = "a.current"`},
	{"over negative", withTour(`target = "a.current"`, `to = 1`, `over = -1`),
		`bad.toml:18:1: over = -1 must not be negative: it is the seconds the ramp takes (0: at once)`},
	{"over past the end", withTour(`caption = "x"`, `[[tour.step]]`, `at = 20`, `target = "a.current"`, `to = 1`, `over = 11`),
		`bad.toml:21:1: over = 11 runs past the tour's end: this step starts at 20 and the tour lasts 30 s`},
	{"at beyond the length", withTour(`caption = "x"`, `[[tour.step]]`, `at = 31`, `caption = "y"`),
		`bad.toml:18:1: at = 31 is outside the tour: 0 to its length, 30 s`},
	{"at negative", lines(append(append([]string(nil), tourBase[:14]...), `at = -1`, `caption = "x"`)...),
		`bad.toml:15:1: at = -1 is outside the tour: 0 to its length, 30 s`},
	{"out of order", withTour(`caption = "x"`, `[[tour.step]]`, `at = 10`, `caption = "y"`, `[[tour.step]]`, `at = 5`, `caption = "z"`),
		`bad.toml:21:1: at = 5 comes before the step above it (at = 10): write the steps in time order`},
	{"kick without a kick map", withTour(`kick = "b"`),
		`bad.toml:16:1: kick = "b": the patch has no [[midi.kick]] for neuron "b" to say how strong a kick is (a tour kicks as its first one that plays the neuron, at velocity 127): add one`},
	{"kick of no neuron", withTour(`kick = "c"`),
		`bad.toml:16:1: tour's kick names neuron "c", but there is no such neuron (neurons: a, b)`},
	{"kick all", withTour(`kick = "all"`),
		`bad.toml:16:1: a tour's kick follows one neuron, not "all" (neurons: a, b)`},
	{"long caption", withTour(`caption = "` + strings.Repeat("x", MaxCaption+1) + `"`),
		`bad.toml:16:1: this caption is 121 characters long, more than the 120 a screen shows at a glance: shorten it`},
	{"caption with a line break", withTour(`caption = "one\ntwo"`),
		`bad.toml:16:1: a caption is one line of text, without line breaks or tabs: the screen wraps it`},
	{"empty caption", withTour(`caption = " "`),
		`bad.toml:16:1: caption is empty: leave it out to keep the caption shown`},
	{"too long", lines(append(append([]string(nil), tourBase[:12]...), `length = 601`, `[[tour.step]]`, `at = 0`, `caption = "x"`)...),
		`bad.toml:13:1: length = 601 is outside the allowed range: more than 0, at most 600 s`},
	{"no length", lines(append(append([]string(nil), tourBase[:12]...), `[[tour.step]]`, `at = 0`, `caption = "x"`)...),
		`bad.toml:12:2: this [tour] needs its length in seconds, like length = 60`},
	{"no steps", lines(tourBase[:13]...),
		`bad.toml:12:2: this [tour] has no steps: add [[tour.step]] tables, each with at = SECONDS and a caption, a target with to, or a kick`},
	{"unknown key", withTour(`captoin = "x"`),
		`bad.toml:16:1: unknown key "captoin" in [[tour.step]] (did you mean "caption"?)`},
	{"step at the top", lines(`format = 1`, `[[neuron]]`, `name = "a"`, `model = "inapk"`, `[[step]]`, `at = 1`),
		`bad.toml:5:3: unknown key "step" in the top level of the patch (it belongs under [tour]: write [[tour.step]])`},
	{"single step table", lines(append(append([]string(nil), tourBase[:13]...), `[tour.step]`, `at = 0`, `caption = "x"`)...),
		`bad.toml:14:2: step must be written [[tour.step]], with double brackets: a patch can have several`},
}

func TestParseTourErrors(t *testing.T) {
	for _, tc := range brokenTours {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("bad.toml", []byte(tc.src))
			if err == nil {
				t.Fatalf("parsed, with tour %+v; want %s", p.Tour, tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestParseTour: a tour's steps reach the Patch resolved, in file order, and a patch
// without a [tour] has none.
func TestParseTour(t *testing.T) {
	p, err := Parse("ok.toml", []byte(withTour(`caption = "Rest."`,
		`[[tour.step]]`, `at = 2`, `target = "b.gK"`, `to = 30`, `over = 5`,
		`[[tour.step]]`, `at = 2`, `target = "current"`, `to = 3`, `kick = "a"`, `caption = " It fires. "`)))
	if err != nil {
		t.Fatal(err)
	}
	gK := p.Engine.Neurons[1].Model.Param("gK")
	want := &Tour{Length: 30, Steps: []TourStep{
		{At: 0, Caption: "Rest.", Kick: -1},
		{At: 2, Target: "b.gK", Neuron: 1, Control: int(emu.ControlParam) + gK, To: 30, Over: 5, Kick: -1},
		{At: 2, Caption: "It fires.", Target: "current", Neuron: emu.AllNeurons, Control: int(emu.ControlCurrent), To: 3, Kick: 0},
	}}
	if !reflect.DeepEqual(p.Tour, want) {
		t.Errorf("tour\n%+v\nwant\n%+v", p.Tour, want)
	}
	ev, ok := p.TourKick(0)
	if wantEv := (emu.Event{Kind: emu.EventKick, Value: 20, Time: 1}); !ok || ev != wantEv {
		t.Errorf("TourKick(0) = %+v, %v; want %+v, true", ev, ok, wantEv)
	}
	if _, ok := p.TourKick(1); ok {
		t.Error("TourKick(1): neuron b has no kick map, yet a kick")
	}
	p, err = Parse("none.toml", []byte(lines(tourBase[:11]...)))
	if err != nil || p.Tour != nil {
		t.Errorf("a patch without [tour]: tour %+v, error %v; want none", p.Tour, err)
	}
}
