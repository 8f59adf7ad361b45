package osc

import (
	"math"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/patches"
)

func load(t testing.TB, name string) *patches.Patch {
	t.Helper()
	p, err := patches.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func msg(addr string, args ...Arg) Message { return Message{addr, args} }

func TestRoute(t *testing.T) {
	hys := load(t, "hysteresis") // one inapk neuron "a", kicked up and down
	ff := load(t, "flip-flop")   // inapk neurons "a" and "b"
	gK := emu.ControlParam + int32(hys.Engine.Neurons[0].Model.Param("gK"))
	gKlo, gKhi, _ := emu.ControlRange(hys.Engine.Neurons[0].Model, gK)
	curLo, curHi, _ := emu.ControlRange(hys.Engine.Neurons[0].Model, emu.ControlCurrent)
	// The kicks are the patch's: up (positive amplitudes) first, then down.
	up, down := hys.MIDI.Kicks[0], hys.MIDI.Kicks[1]
	if up.MinAmp <= 0 || down.MaxAmp >= 0 || up.Hold || down.Hold || up.Pulses != 0 || down.Duration != up.Duration {
		t.Fatalf("hysteresis's kicks are no longer one up, one down, alike: %+v", hys.MIDI.Kicks)
	}
	upKick := func(s float64, clamped bool) Action {
		return Action{Kind: ActionKick, Value: up.MinAmp + s*(up.MaxAmp-up.MinAmp), Duration: up.Duration, Clamped: clamped}
	}
	ffb := ff.MIDI.Kicks[1]
	if ffb.Neuron != 1 || ffb.Hold || ffb.MaxAmp <= 0 {
		t.Fatalf("flip-flop's second kick is no longer neuron b's, up: %+v", ffb)
	}
	cases := []struct {
		name string
		p    *patches.Patch
		m    Message
		want Action
	}{
		{"raw value", hys, msg("/separatrix/a/current", Float(10)), Action{Kind: ActionSet, Control: emu.ControlCurrent, Value: 10}},
		{"int for float", hys, msg("/separatrix/a/current", Int(-3)), Action{Kind: ActionSet, Control: emu.ControlCurrent, Value: -3}},
		{"parameter", hys, msg("/separatrix/a/gK", Float(12)), Action{Kind: ActionSet, Control: gK, Value: 12}},
		{"second neuron", ff, msg("/separatrix/b/pan", Float(-0.5)), Action{Kind: ActionSet, Neuron: 1, Control: emu.ControlPan, Value: -0.5}},
		{"above the range", hys, msg("/separatrix/a/current", Float(1e6)), Action{Kind: ActionSet, Control: emu.ControlCurrent, Value: curHi, Clamped: true}},
		{"below the range", hys, msg("/separatrix/a/current", Int(math.MinInt32)), Action{Kind: ActionSet, Control: emu.ControlCurrent, Value: curLo, Clamped: true}},
		{"normalized middle", hys, msg("/separatrix/a/gK/normalized", Float(0.5)), Action{Kind: ActionSet, Control: gK, Value: (gKlo + gKhi) / 2}},
		{"normalized ends", hys, msg("/separatrix/a/current/normalized", Int(1)), Action{Kind: ActionSet, Control: emu.ControlCurrent, Value: curHi}},
		{"normalized too far", hys, msg("/separatrix/a/current/normalized", Float(-0.25)), Action{Kind: ActionSet, Control: emu.ControlCurrent, Value: curLo, Clamped: true}},
		{"kick full", hys, msg("/separatrix/a/kick", Float(1)), upKick(1, false)},
		{"kick half", hys, msg("/separatrix/a/kick", Float(0.5)), upKick(0.5, false)},
		{"kick without argument", hys, msg("/separatrix/a/kick"), upKick(1, false)},
		{"kick T", hys, msg("/separatrix/a/kick", Bool(true)), upKick(1, false)},
		{"kick int", hys, msg("/separatrix/a/kick", Int(1)), upKick(1, false)},
		{"kick too strong", hys, msg("/separatrix/a/kick", Float(3)), upKick(1, true)},
		{"kick negative", hys, msg("/separatrix/a/kick", Float(-1)), Action{Kind: ActionKick, Value: down.MaxAmp, Duration: down.Duration}},
		{"kick negative weak", hys, msg("/separatrix/a/kick", Float(-0.25)), Action{Kind: ActionKick, Value: down.MinAmp + 0.25*(down.MaxAmp-down.MinAmp), Duration: down.Duration}},
		{"kick released", hys, msg("/separatrix/a/kick", Float(0)), Action{}},
		{"kick F", hys, msg("/separatrix/a/kick", Bool(false)), Action{}},
		{"kick second neuron", ff, msg("/separatrix/b/kick", Float(1)), Action{Kind: ActionKick, Neuron: 1, Value: ffb.MaxAmp, Duration: ffb.Duration}},
		{"program", hys, msg("/separatrix/program", Int(3)), Action{Kind: ActionProgram, Program: 3}},
		{"program as float", hys, msg("/separatrix/program", Float(2)), Action{Kind: ActionProgram, Program: 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Route(c.p, c.m)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Value-c.want.Value) <= 1e-9*math.Abs(c.want.Value) {
				got.Value = c.want.Value // within rounding
			}
			if got != c.want {
				t.Fatalf("Route(%v) = %+v, want %+v", c.m, got, c.want)
			}
		})
	}
}

func TestRouteErrors(t *testing.T) {
	hys := load(t, "hysteresis")
	ff := load(t, "flip-flop")
	// Neuron b has no kick map; a has only positive kicks.
	two, err := patches.Parse("two.toml", []byte(`format = 1
[[neuron]]
name = "a"
model = "inapk"
[[neuron]]
name = "b"
model = "hh"
[[midi.kick]]
note = 60
neuron = "a"
amplitude = [10, 20]
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		p    *patches.Patch
		m    Message
		want string // a fragment of the error
	}{
		{"not ours", hys, msg("/synth/a/current", Float(1)), "not a Separatrix address"},
		{"unknown neuron", ff, msg("/separatrix/c/current", Float(1)), `no neuron "c" (its neurons: a, b)`},
		{"no control", hys, msg("/separatrix/a", Float(1)), "names no control"},
		{"empty control", hys, msg("/separatrix/a/", Float(1)), "names no control"},
		{"unknown control", hys, msg("/separatrix/a/gk", Float(1)), `did you mean "gK"`},
		{"too deep", hys, msg("/separatrix/a/current/extra", Float(1)), "not an address Separatrix knows"},
		{"no value", hys, msg("/separatrix/a/current"), "takes one number (f or i), not 0 arguments"},
		{"two values", hys, msg("/separatrix/a/current", Float(1), Float(2)), "not 2 arguments"},
		{"string value", hys, msg("/separatrix/a/current", String("10")), "not ,s"},
		{"NaN", hys, msg("/separatrix/a/current", Float(float32(math.NaN()))), "not a number"},
		{"infinity", hys, msg("/separatrix/a/gK/normalized", Float(float32(math.Inf(1)))), "not a number"},
		{"kick NaN", hys, msg("/separatrix/a/kick", Float(float32(math.NaN()))), "not a number"},
		{"kick string", hys, msg("/separatrix/a/kick", String("hard")), "takes a strength"},
		{"kick two args", hys, msg("/separatrix/a/kick", Float(1), Float(1)), "not 2 arguments"},
		{"kick without a map", two, msg("/separatrix/b/kick", Float(1)), "has no [[midi.kick]] for neuron b"},
		{"kick of a missing sign", two, msg("/separatrix/a/kick", Float(-1)), "no negative amplitudes"},
		{"program fraction", hys, msg("/separatrix/program", Float(1.5)), "not a whole number from 0 to 127"},
		{"program negative", hys, msg("/separatrix/program", Int(-1)), "not a whole number"},
		{"program too high", hys, msg("/separatrix/program", Int(128)), "not a whole number"},
		{"program NaN", hys, msg("/separatrix/program", Float(float32(math.NaN()))), "not a whole number"},
		{"program string", hys, msg("/separatrix/program", String("hh")), "takes a program number"},
		{"program without number", hys, msg("/separatrix/program"), "not 0 arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Route(c.p, c.m)
			if err == nil {
				t.Fatalf("Route(%v) = %+v, want an error", c.m, a)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "osc: ") {
				t.Errorf("error %q, want one starting \"osc: \" that contains %q", err, c.want)
			}
		})
	}
}

// Every built-in patch routes a set and a kick on each of its neurons.
func TestRouteBuiltins(t *testing.T) {
	for _, p := range patches.Builtins() {
		for _, n := range p.NeuronNames {
			if _, err := Route(p, msg(Prefix+n+"/current/normalized", Float(0.5))); err != nil {
				t.Errorf("%s: %v", p.Name, err)
			}
		}
		if _, err := Route(p, msg(Prefix+p.NeuronNames[0]+"/kick", Float(1))); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
}

func TestActionEvent(t *testing.T) {
	set := Action{Kind: ActionSet, Neuron: 1, Control: emu.ControlGain, Value: 0.5}
	if ev, ok := set.Event(480, 0.02); !ok || ev != (emu.Event{Frame: 480, Kind: emu.EventSet, Neuron: 1, Control: emu.ControlGain, Value: 0.5, Time: 0.02}) {
		t.Errorf("set: %+v, %v", ev, ok)
	}
	kick := Action{Kind: ActionKick, Value: -40, Duration: 5, Pulses: 2}
	if ev, ok := kick.Event(7, 0.02); !ok || ev != (emu.Event{Frame: 7, Kind: emu.EventKick, Value: -40, Time: 5, Pulses: 2}) {
		t.Errorf("kick: %+v, %v", ev, ok)
	}
	for _, a := range []Action{{}, {Kind: ActionProgram, Program: 1}} {
		if _, ok := a.Event(0, 0); ok {
			t.Errorf("%v gives an event", a.Kind)
		}
	}
}

func TestBuilders(t *testing.T) {
	cases := []struct {
		packet []byte
		want   Message
	}{
		{AppendSpike(nil, "a"), msg("/separatrix/a/spike")},
		{AppendRate(nil, "cell-2", 12.5), msg("/separatrix/cell-2/rate", Float(12.5))},
		{AppendState(nil, "b", -65.5, 0.25), msg("/separatrix/b/state", Float(-65.5), Float(0.25))},
		{AppendEcho(nil, "a", "gK", 9), msg("/separatrix/a/gK", Float(9))},
	}
	for _, c := range cases {
		got, err := collect(c.packet)
		if err != nil {
			t.Fatalf("%s: %v", c.want.Address, err)
		}
		if !equalMessages(got, []Message{c.want}) {
			t.Errorf("got %v, want %v", got, c.want)
		}
		if enc := AppendMessage(nil, c.want); string(enc) != string(c.packet) {
			t.Errorf("%s: the builder's bytes differ from AppendMessage's", c.want.Address)
		}
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() {
		buf = AppendState(buf[:0], "a", -60, 0.1)
		buf = AppendEcho(buf, "a", "current", 3)
	}); n != 0 {
		t.Errorf("the builders allocate %v times with room in dst", n)
	}
	for _, bad := range []string{"", "a b", "a/b", "é", strings.Repeat("x", MaxAddress)} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("AppendEcho with the name %q does not panic", bad)
				}
			}()
			AppendEcho(nil, bad, "current", 0)
		}()
	}
}

// An echoed value routes back to the same control: what TouchOSC sends and receives
// are one address space.
func TestEchoRoundTrip(t *testing.T) {
	p := load(t, "flip-flop")
	got, err := collect(AppendEcho(nil, "b", "current", 7))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Route(p, got[0])
	if err != nil {
		t.Fatal(err)
	}
	if a != (Action{Kind: ActionSet, Neuron: 1, Control: emu.ControlCurrent, Value: 7}) {
		t.Errorf("echo routes to %+v", a)
	}
}

func BenchmarkRoute(b *testing.B) {
	p := load(b, "hysteresis")
	m := msg("/separatrix/a/gK/normalized", Float(0.5))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Route(p, m); err != nil {
			b.Fatal(err)
		}
	}
}
