package midimap

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

const tol = 1e-12

func eventsEqual(a, b emu.Event) bool {
	return a.Frame == b.Frame && a.Kind == b.Kind && a.Neuron == b.Neuron && a.Control == b.Control &&
		math.Abs(a.Value-b.Value) <= tol*math.Max(1, math.Abs(b.Value)) && math.Abs(a.Time-b.Time) <= tol &&
		a.Pulses == b.Pulses && a.Interval == b.Interval
}

type timedMsg struct {
	frame int64
	msg   Msg
}

func set(frame int64, n, c int32, v, t float64) emu.Event {
	return emu.Event{Frame: frame, Kind: emu.EventSet, Neuron: n, Control: c, Value: v, Time: t}
}

func kick(frame int64, n int32, v, t float64) emu.Event {
	return emu.Event{Frame: frame, Kind: emu.EventKick, Neuron: n, Control: emu.ControlCurrent, Value: v, Time: t}
}

func hold(frame int64, n int32, v float64) emu.Event {
	return emu.Event{Frame: frame, Kind: emu.EventHold, Neuron: n, Control: emu.ControlCurrent, Value: v}
}

func TestControlsScenarios(t *testing.T) {
	vol := CCMap{Target: "gain", Channel: 1, CC: 7, LSB: -1, Neuron: 0, Control: emu.ControlGain, Min: 0, Max: 2, Smoothing: 0.02}
	fine := CCMap{Target: "current", CC: 1, LSB: 33, Neuron: emu.AllNeurons, Control: emu.ControlCurrent, Min: -10, Max: 10, Smoothing: 0.005}
	kicks := KickMap{Channel: 10, NoteLow: 36, NoteHigh: 47, Neuron: 2, MinAmp: 1, MaxAmp: 5, Duration: 2}
	pairs := KickMap{NoteLow: 60, NoteHigh: 72, Neuron: emu.AllNeurons, MinAmp: 4, MaxAmp: 4, Duration: 0.5, Pulses: 2}
	held := KickMap{Channel: 1, NoteLow: 48, NoteHigh: 59, Neuron: 1, MinAmp: -10, MaxAmp: -80, Hold: true}
	for _, tc := range []struct {
		name string
		cfg  Config
		in   []timedMsg
		want []emu.Event
		// stats and the all-off report after the last message
		stats      ControlStats
		allOff     bool
		allOffTime int64
	}{
		{
			name: "7-bit linear, endpoints exact",
			cfg:  Config{CC: []CCMap{vol}},
			in: []timedMsg{
				{10, ControlChange(1, 7, 0)}, {20, ControlChange(1, 7, 64)}, {30, ControlChange(1, 7, 127)},
			},
			want: []emu.Event{
				set(10, 0, emu.ControlGain, 0, 0.02),
				set(20, 0, emu.ControlGain, 2*64.0/127, 0.02),
				set(30, 0, emu.ControlGain, 2, 0.02),
			},
			stats: ControlStats{Handled: 3},
		},
		{
			name:  "channel filter",
			cfg:   Config{CC: []CCMap{vol}},
			in:    []timedMsg{{0, ControlChange(2, 7, 100)}, {1, ControlChange(1, 8, 100)}, {2, ControlChange(1, 7, 127)}},
			want:  []emu.Event{set(2, 0, emu.ControlGain, 2, 0.02)},
			stats: ControlStats{Handled: 1, Ignored: 2},
		},
		{
			name: "14-bit: LSB before MSB ignored, MSB resets LSB, LSB refines",
			cfg:  Config{CC: []CCMap{fine}},
			in: []timedMsg{
				{0, ControlChange(3, 33, 5)},   // no MSB yet
				{1, ControlChange(3, 1, 64)},   // 64·128
				{2, ControlChange(5, 33, 1)},   // any channel: 64·128+1
				{3, ControlChange(3, 1, 64)},   // LSB back to 0
				{4, ControlChange(3, 1, 127)},  // 127·128
				{5, ControlChange(3, 33, 127)}, // top
				{6, ControlChange(3, 1, 0)},    // bottom
			},
			want: []emu.Event{
				set(1, emu.AllNeurons, emu.ControlCurrent, -10+20*8192.0/16383, 0.005),
				set(2, emu.AllNeurons, emu.ControlCurrent, -10+20*8193.0/16383, 0.005),
				set(3, emu.AllNeurons, emu.ControlCurrent, -10+20*8192.0/16383, 0.005),
				set(4, emu.AllNeurons, emu.ControlCurrent, -10+20*16256.0/16383, 0.005),
				set(5, emu.AllNeurons, emu.ControlCurrent, 10, 0.005),
				set(6, emu.AllNeurons, emu.ControlCurrent, -10, 0.005),
			},
			stats: ControlStats{Handled: 6, Ignored: 1},
		},
		{
			name: "curves and a reversed range",
			cfg: Config{CC: []CCMap{
				{CC: 20, LSB: -1, Control: emu.ControlPan, Min: 1, Max: -1, Curve: Linear},
				{CC: 20, LSB: -1, Control: emu.ControlNoise, Min: 0, Max: 63, Curve: Exp},
				{CC: 20, LSB: -1, Control: emu.ControlParam, Min: 0, Max: 63, Curve: Log},
			}},
			in: []timedMsg{{7, ControlChange(16, 20, 127)}, {8, ControlChange(16, 20, 0)}},
			want: []emu.Event{
				set(7, 0, emu.ControlPan, -1, 0), set(7, 0, emu.ControlNoise, 63, 0), set(7, 0, emu.ControlParam, 63, 0),
				set(8, 0, emu.ControlPan, 1, 0), set(8, 0, emu.ControlNoise, 0, 0), set(8, 0, emu.ControlParam, 0, 0),
			},
			stats: ControlStats{Handled: 2},
		},
		{
			name: "kicks: velocity to amplitude, range, channel, note-offs",
			cfg:  Config{Kicks: []KickMap{kicks}},
			in: []timedMsg{
				{0, NoteOn(10, 36, 1)},
				{1, NoteOn(10, 47, 127)},
				{2, NoteOn(10, 40, 64)},
				{3, NoteOn(10, 48, 100)}, // above the range
				{4, NoteOn(9, 40, 100)},  // other channel
				{5, NoteOn(10, 40, 0)},   // note-off
				{6, NoteOff(10, 40)},
			},
			want:  []emu.Event{kick(0, 2, 1, 2), kick(1, 2, 5, 2), kick(2, 2, 1+4*63.0/126, 2)},
			stats: ControlStats{Handled: 3, Ignored: 4},
		},
		{
			name: "pairs: the map's pulse count rides on the kick, note-offs ignored",
			cfg:  Config{Kicks: []KickMap{pairs, kicks}},
			in:   []timedMsg{{5, NoteOn(3, 60, 90)}, {6, NoteOff(3, 60)}, {7, NoteOn(10, 40, 1)}},
			want: []emu.Event{
				{Frame: 5, Kind: emu.EventKick, Neuron: emu.AllNeurons, Control: emu.ControlCurrent, Value: 4, Time: 0.5, Pulses: 2},
				kick(7, 2, 1, 2), // Pulses 0: the neuron's own
			},
			stats: ControlStats{Handled: 2, Ignored: 1},
		},
		{
			name: "held: a current from the first note-on to the last note-off",
			cfg:  Config{Kicks: []KickMap{held, kicks}},
			in: []timedMsg{
				{10, NoteOff(1, 50)},     // nothing held: ignored
				{20, NoteOn(1, 50, 1)},   // held at -10
				{30, NoteOn(1, 52, 127)}, // a second note: the latest velocity
				{40, NoteOff(1, 50)},     // 52 still held: no event
				{50, NoteOn(1, 52, 0)},   // velocity 0 is a note-off: released
				{60, NoteOff(1, 52)},     // already released: ignored
				{70, NoteOn(2, 50, 64)},  // another channel: not this map
				{80, NoteOn(1, 60, 64)},  // outside the range
			},
			want:  []emu.Event{hold(20, 1, -10), hold(30, 1, -80), hold(50, 1, 0)},
			stats: ControlStats{Handled: 4, Ignored: 4},
		},
		{
			name: "all notes off releases held notes",
			cfg:  Config{Kicks: []KickMap{held, pairs}},
			in: []timedMsg{
				{10, NoteOn(1, 55, 127)}, {20, NoteOn(1, 62, 127)},
				{30, ControlChange(9, 123, 0)},
				{40, NoteOff(1, 55)}, // released already
			},
			want: []emu.Event{
				hold(10, 1, -80),
				{Frame: 20, Kind: emu.EventKick, Neuron: emu.AllNeurons, Control: emu.ControlCurrent, Value: 4, Time: 0.5, Pulses: 2},
				hold(30, 1, 0),
			},
			stats:      ControlStats{Handled: 3, Ignored: 1},
			allOff:     true,
			allOffTime: 30,
		},
		{
			name: "garbage",
			cfg:  Config{CC: []CCMap{vol}, Kicks: []KickMap{kicks}},
			in: []timedMsg{
				{0, Msg{0x40, 7, 10}},   // running-status data, no status
				{0, Msg{0xB0, 7, 200}},  // data byte > 127
				{0, Msg{0x99, 200, 10}}, // data byte > 127
				{0, Msg{0xF8, 0, 0}},    // clock
				{0, Msg{0xFF, 255, 255}},
				{0, Msg{0xC0, 5, 200}}, // program change: Data2 is padding
				{0, Msg{0xE0, 0, 64}},  // pitch bend, unmapped
				{0, Msg{0xB0, 121, 0}}, // reset all controllers: not mapped
			},
			stats: ControlStats{Ignored: 5, Malformed: 3},
		},
		{
			name:       "all sound off and all notes off are reported, not mapped",
			cfg:        Config{CC: []CCMap{vol}},
			in:         []timedMsg{{40, ControlChange(1, 120, 0)}, {50, ControlChange(4, 123, 0)}},
			stats:      ControlStats{Handled: 2},
			allOff:     true,
			allOffTime: 50,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewControls(tc.cfg)
			var got []emu.Event
			for _, m := range tc.in {
				got = c.Handle(got, m.msg, m.frame)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d events %+v, want %d %+v", len(got), got, len(tc.want), tc.want)
			}
			for i := range got {
				if !eventsEqual(got[i], tc.want[i]) {
					t.Errorf("event %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			if s := c.Stats(); s != tc.stats {
				t.Errorf("stats %+v, want %+v", s, tc.stats)
			}
			f, ok := c.TakeAllOff()
			if ok != tc.allOff || (ok && f != tc.allOffTime) {
				t.Errorf("TakeAllOff = %d, %v, want %d, %v", f, ok, tc.allOffTime, tc.allOff)
			}
			if _, ok := c.TakeAllOff(); ok {
				t.Error("TakeAllOff did not clear its report")
			}
		})
	}
}

// Sweeping all 16384 positions of a 14-bit pair gives 16384 distinct targets in order,
// from exactly Min to exactly Max, for every curve and for a reversed range.
// TestReleaseHeld: a player leaving a patch lets go of its held notes: one release per
// Hold map that holds any, none for the others, and the notes are forgotten (their
// note-offs, if they come, are ignored).
func TestReleaseHeld(t *testing.T) {
	a := KickMap{NoteLow: 36, NoteHigh: 47, Neuron: 0, MinAmp: -20, MaxAmp: -20, Hold: true}
	b := KickMap{NoteLow: 48, NoteHigh: 59, Neuron: 1, MinAmp: -30, MaxAmp: -30, Hold: true}
	plain := KickMap{NoteLow: 36, NoteHigh: 59, Neuron: 2, MinAmp: 5, MaxAmp: 5, Duration: 1}
	c := NewControls(Config{Kicks: []KickMap{a, b, plain}})
	var got []emu.Event
	got = c.Handle(got, NoteOn(1, 40, 100), 10)
	got = c.Handle(got, NoteOn(1, 41, 100), 11)
	got = c.ReleaseHeld(got[:0], 20)
	if want := []emu.Event{hold(20, 0, 0)}; !slices.EqualFunc(got, want, eventsEqual) {
		t.Errorf("ReleaseHeld = %+v, want %+v", got, want)
	}
	if got = c.Handle(got[:0], NoteOff(1, 40), 30); len(got) != 0 {
		t.Errorf("a note-off after the release gave %+v", got)
	}
	if got = c.ReleaseHeld(got[:0], 40); len(got) != 0 {
		t.Errorf("a second release gave %+v", got)
	}
}

func TestControls14BitSweep(t *testing.T) {
	for _, tc := range []struct {
		curve    Curve
		min, max float64
	}{
		{Linear, -10, 10}, {Exp, 0, 1}, {Log, 0, 1}, {Exp, 0.2, 40}, {Linear, 1, -1}, {Log, 5, -5},
	} {
		c := NewControls(Config{CC: []CCMap{{CC: 74, LSB: 106, Min: tc.min, Max: tc.max, Curve: tc.curve}}})
		var got []emu.Event
		for msb := range 128 {
			got = c.Handle(got, ControlChange(1, 74, msb), 0)
			got = got[:len(got)-1] // the MSB's own move; checked in TestControlsScenarios
			for lsb := range 128 {
				got = c.Handle(got, ControlChange(1, 106, lsb), 0)
			}
		}
		if len(got) != 16384 {
			t.Fatalf("%v: %d events, want 16384", tc.curve, len(got))
		}
		if got[0].Value != tc.min || got[16383].Value != tc.max {
			t.Errorf("%v [%g, %g]: endpoints %g, %g", tc.curve, tc.min, tc.max, got[0].Value, got[16383].Value)
		}
		sign := 1.0
		if tc.max < tc.min {
			sign = -1
		}
		for i := 1; i < len(got); i++ {
			if !(sign*got[i].Value > sign*got[i-1].Value) {
				t.Fatalf("%v [%g, %g]: target %d = %g does not follow %g", tc.curve, tc.min, tc.max, i, got[i].Value, got[i-1].Value)
			}
		}
	}
}

func TestCurves(t *testing.T) {
	for _, c := range []Curve{Linear, Exp, Log} {
		if c.Apply(0) != 0 || c.Apply(1) != 1 {
			t.Errorf("%v: endpoints %g, %g", c, c.Apply(0), c.Apply(1))
		}
		if c.Apply(-1) != 0 || c.Apply(2) != 1 || c.Apply(math.NaN()) != 0 {
			t.Errorf("%v: out-of-range travel not clamped", c)
		}
		const n = 100000
		prev := 0.0
		for i := 1; i <= n; i++ {
			y := c.Apply(float64(i) / n)
			if !(y > prev) {
				t.Fatalf("%v not increasing at %d/%d: %g after %g", c, i, n, y, prev)
			}
			prev = y
		}
		if got, err := ParseCurve(c.String()); err != nil || got != c {
			t.Errorf("ParseCurve(%q) = %v, %v", c.String(), got, err)
		}
	}
	for _, x := range []float64{0.1, 0.25, 0.5, 0.75, 0.9} {
		exp, log := Exp.Apply(x), Log.Apply(x)
		if want := (math.Pow(2, 6*x) - 1) / 63; math.Abs(exp-want) > tol {
			t.Errorf("Exp(%g) = %g, want %g", x, exp, want)
		}
		if !(exp < x && x < log) {
			t.Errorf("at %g: Exp %g, Linear %g, Log %g not in order", x, exp, x, log)
		}
		if mirror := 1 - Exp.Apply(1-x); math.Abs(log-mirror) > tol {
			t.Errorf("Log(%g) = %g, not the mirror of Exp %g", x, log, mirror)
		}
	}
	if got := Exp.Apply(0.5); math.Abs(got-7.0/63) > tol {
		t.Errorf("Exp(0.5) = %g, want 7/63", got)
	}
	if _, err := ParseCurve("cubic"); err == nil {
		t.Error("ParseCurve accepted an unknown curve")
	}
}

func TestControlsAllocs(t *testing.T) {
	c := NewControls(Config{
		CC:    []CCMap{{CC: 1, LSB: 33, Max: 1}, {CC: 7, LSB: -1, Max: 1, Curve: Exp}},
		Kicks: []KickMap{{NoteLow: 0, NoteHigh: 127, MaxAmp: 1, Duration: 1, Pulses: 3}, {NoteLow: 40, NoteHigh: 80, MinAmp: -1, Hold: true}},
	})
	dst := make([]emu.Event, 0, c.MaxEvents())
	msgs := []Msg{ControlChange(1, 1, 3), ControlChange(1, 33, 9), ControlChange(1, 7, 90), NoteOn(1, 60, 99), NoteOn(1, 61, 9),
		NoteOff(1, 60), {0x12, 0, 0}, ControlChange(1, 123, 0)}
	frame := int64(0)
	allocs := testing.AllocsPerRun(100, func() {
		for _, m := range msgs {
			dst = c.Handle(dst[:0], m, frame)
			frame++
		}
		c.TakeAllOff()
		_ = c.Stats()
	})
	if allocs != 0 {
		t.Errorf("Handle allocates %g times per run", allocs)
	}
}

func TestValidate(t *testing.T) {
	goodCC := CCMap{CC: 1, LSB: -1, Max: 1}
	goodKick := KickMap{NoteLow: 36, NoteHigh: 36, MaxAmp: 1, Duration: 1}
	goodSpike := SpikeMap{Channel: 1, Note: 60, Velocity: 100, Duration: 0.1, RateCC: -1}
	if err := (Config{CC: []CCMap{goodCC}, Kicks: []KickMap{goodKick}, Spikes: []SpikeMap{goodSpike}}).Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	cc := func(f func(*CCMap)) Config { m := goodCC; f(&m); return Config{CC: []CCMap{m}} }
	kk := func(f func(*KickMap)) Config { m := goodKick; f(&m); return Config{Kicks: []KickMap{m}} }
	sp := func(f func(*SpikeMap)) Config { m := goodSpike; f(&m); return Config{Spikes: []SpikeMap{m}} }
	for name, cfg := range map[string]Config{
		"cc channel":      cc(func(m *CCMap) { m.Channel = 17 }),
		"cc mode message": cc(func(m *CCMap) { m.CC = 123 }),
		"cc lsb range":    cc(func(m *CCMap) { m.LSB = 128 }),
		"cc lsb is msb":   cc(func(m *CCMap) { m.LSB = 1 }),
		"cc neuron":       cc(func(m *CCMap) { m.Neuron = -2 }),
		"cc param all":    cc(func(m *CCMap) { m.Neuron, m.Control = emu.AllNeurons, emu.ControlParam }),
		"cc nan":          cc(func(m *CCMap) { m.Max = math.NaN() }),
		"cc inf":          cc(func(m *CCMap) { m.Min = math.Inf(-1) }),
		"cc curve":        cc(func(m *CCMap) { m.Curve = 9 }),
		"cc smoothing":    cc(func(m *CCMap) { m.Smoothing = -1 }),
		"kick range":      kk(func(m *KickMap) { m.NoteLow = 50 }),
		"kick high":       kk(func(m *KickMap) { m.NoteHigh = 128 }),
		"kick amp":        kk(func(m *KickMap) { m.MaxAmp = math.Inf(1) }),
		"kick duration":   kk(func(m *KickMap) { m.Duration = -1 }),
		"kick pulses":     kk(func(m *KickMap) { m.Pulses = emu.MaxPulses + 1 }),
		"kick pulses < 0": kk(func(m *KickMap) { m.Pulses = -1 }),
		"held pulses":     kk(func(m *KickMap) { m.Hold, m.Pulses = true, 2 }),
		"spike channel":   sp(func(m *SpikeMap) { m.Channel = 0 }),
		"spike neuron":    sp(func(m *SpikeMap) { m.Neuron = emu.AllNeurons }),
		"spike note":      sp(func(m *SpikeMap) { m.Note = 128 }),
		"spike velocity":  sp(func(m *SpikeMap) { m.Velocity = 0 }),
		"spike duration":  sp(func(m *SpikeMap) { m.Duration = 0 }),
		"spike mode":      sp(func(m *SpikeMap) { m.Mode = 7 }),
		"spike release":   sp(func(m *SpikeMap) { m.Release = math.NaN() }),
		"spike rate cc":   sp(func(m *SpikeMap) { m.RateCC = 120 }),
		"spike rate max":  sp(func(m *SpikeMap) { m.RateCC = 1 }),
		"cap":             {MaxNotesPerSecond: -1},
		"shared key":      {Spikes: []SpikeMap{goodSpike, goodSpike}},
		"shared rate cc":  {Spikes: []SpikeMap{{Channel: 2, Note: 1, Velocity: 1, Duration: 1, RateCC: 9, RateMax: 10}, {Channel: 2, Note: 2, Velocity: 1, Duration: 1, RateCC: 9, RateMax: 10}}},
	} {
		err := cfg.Validate()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "midimap: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
	gate := goodSpike
	gate.Mode, gate.Duration = ModeGate, 0
	if err := (Config{Spikes: []SpikeMap{gate}}).Validate(); err != nil {
		t.Errorf("gate map without duration: %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "midimap: ") {
			t.Errorf("NewControls on a bad config: recovered %v", r)
		}
	}()
	NewControls(Config{MaxNotesPerSecond: math.NaN()})
}
