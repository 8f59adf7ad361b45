package midimap

import (
	"math"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

func softMap(cc int, start float64) CCMap {
	return CCMap{Target: "a.current", CC: cc, LSB: -1, Neuron: 0, Control: emu.ControlCurrent,
		Min: 0, Max: 127, Soft: true, Start: start, Smoothing: 0.05}
}

// values feeds CC moves and returns the target values of the events they cause (NaN
// where a move caused none).
func values(c *Controls, cc int, moves ...int) []float64 {
	var out []float64
	for _, v := range moves {
		evs := c.Handle(nil, ControlChange(1, cc, v), 0)
		if len(evs) == 0 {
			out = append(out, math.NaN())
			continue
		}
		out = append(out, evs[0].Value)
	}
	return out
}

func sameValues(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(a[i] == b[i] || math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// TestSoftTakeover: a knob whose position disagrees with the target's value takes over
// only once it reaches or passes the value; then it follows every move.
func TestSoftTakeover(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name  string
		start float64
		moves []int
		want  []float64
	}{
		{"below, rising through", 60, []int{10, 30, 58, 61, 70}, []float64{nan, nan, nan, 61, 70}},
		{"above, falling through", 60, []int{100, 90, 50, 40}, []float64{nan, nan, 50, 40}},
		{"jump across in one move", 60, []int{0, 127, 100}, []float64{nan, 127, 100}},
		{"within one step", 60, []int{61, 62}, []float64{61, 62}},
		{"first move already past cannot count", 60, []int{127}, []float64{nan}},
	}
	for _, c := range cases {
		ctl := NewControls(Config{CC: []CCMap{softMap(1, c.start)}})
		if got := values(ctl, 1, c.moves...); !sameValues(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// Without soft takeover every move counts at once.
	m := softMap(1, 60)
	m.Soft = false
	ctl := NewControls(Config{CC: []CCMap{m}})
	if got := values(ctl, 1, 0, 127); !sameValues(got, []float64{0, 127}) {
		t.Errorf("jump mode: got %v", got)
	}
}

// TestSoftTakeoverSyncAndSharedTargets: a ramp (Sync) or another knob moving the target
// makes a soft knob wait again.
func TestSoftTakeoverSyncAndSharedTargets(t *testing.T) {
	nan := math.NaN()
	ctl := NewControls(Config{CC: []CCMap{softMap(1, 0), softMap(2, 0)}})
	if got := values(ctl, 1, 0, 50); !sameValues(got, []float64{0, 50}) {
		t.Fatalf("knob 1 should take over at once: %v", got)
	}
	// Knob 2 still sits at 0: it must wait for 50.
	if got := values(ctl, 2, 10, 40, 55, 60); !sameValues(got, []float64{nan, nan, 55, 60}) {
		t.Errorf("knob 2: got %v, want to wait for 50", got)
	}
	// Now knob 1 (at 50) disagrees with 60.
	if got := values(ctl, 1, 52, 61); !sameValues(got, []float64{nan, 61}) {
		t.Errorf("knob 1 after knob 2 moved: got %v", got)
	}
	ctl.Sync(0, emu.ControlCurrent, 100)
	if got := values(ctl, 1, 80, 101); !sameValues(got, []float64{nan, 101}) {
		t.Errorf("after Sync(100): got %v", got)
	}
}

// TestPitchBendMap: a bend map reads 14 bits (LSB first) and ignores controllers.
func TestPitchBendMap(t *testing.T) {
	m := CCMap{Target: "a.current", Bend: true, LSB: -1, Neuron: 0, Control: emu.ControlCurrent, Min: -1, Max: 1}
	ctl := NewControls(Config{CC: []CCMap{m}})
	cases := []struct {
		lsb, msb byte
		want     float64
	}{{0, 0, -1}, {0x7F, 0x7F, 1}, {0, 0x40, -1 + 2*8192.0/16383}}
	for _, c := range cases {
		evs := ctl.Handle(nil, Msg{0xE0, c.lsb, c.msb}, 5)
		if len(evs) != 1 || math.Abs(evs[0].Value-c.want) > 1e-12 || evs[0].Frame != 5 {
			t.Errorf("bend %d/%d: events %+v, want one at %g", c.msb, c.lsb, evs, c.want)
		}
	}
	if evs := ctl.Handle(nil, ControlChange(1, 0, 64), 0); len(evs) != 0 {
		t.Errorf("a bend map answered a controller: %+v", evs)
	}
	// 16384 distinct steps.
	seen := map[float64]bool{}
	for v := 0; v < 16384; v++ {
		evs := ctl.Handle(nil, Msg{0xE0, byte(v & 0x7F), byte(v >> 7)}, 0)
		seen[evs[0].Value] = true
	}
	if len(seen) != 16384 {
		t.Errorf("pitch bend gives %d distinct values, want 16384", len(seen))
	}
}
