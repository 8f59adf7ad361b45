package emu

import "testing"

// TestKickSwitchesBistableNeuron: the saddle-node preset (bistable integrator) at I = 4,
// inside its bistable range, resting. A kick of the right size carries the state across
// the saddle's separatrix into the limit cycle's basin: sustained firing. Too small a kick
// falls back to rest. And the seed's claim holds: a much larger kick overshoots the basin,
// the neuron makes one spike detour and returns to rest (kicks >= 160 µA/cm² for 1 ms).
// The basin is not a simple interval everywhere: at I = 3 a 1 ms kick of 20 returns to
// rest while 10 and 40 switch (see the table), since the cycle's basin winds around the
// stable manifold of the saddle.
func TestKickSwitchesBistableNeuron(t *testing.T) {
	cases := []struct {
		current, amp, ms float64
		firstSpikes      string // "none", "one" or "many" in the 0.5 s after the kick
		firing           bool   // firing during the following 0.5 s
	}{
		{4, 2, 1, "none", false},   // too small: back to rest
		{4, 5, 1, "many", true},    // just enough
		{4, 20, 1, "many", true},   // comfortably inside the basin
		{4, 80, 1, "many", true},   // still inside
		{4, 160, 1, "one", false},  // overshoot: one spike, then rest
		{4, 400, 1, "one", false},  // far overshoot
		{4, -80, 1, "none", false}, // hyperpolarising kicks never switch it on
		{3, 10, 1, "many", true},   // lower in the bistable range
		{3, 20, 1, "one", false},   // ...where the basins interleave
		{3, 40, 1, "many", true},
		{3, 160, 1, "one", false},
		{4, 2, 3, "many", true}, // a longer kick needs less amplitude
	}
	for _, c := range cases {
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "saddle-node", c.current)}}, 48000, 4800)
		out := makeOut(2, 4800)
		e.Process(out) // 0.1 s at rest
		if n := e.Stats().Spikes[0]; n != 0 {
			t.Fatalf("I=%g: %d spikes before the kick", c.current, n)
		}
		e.Events().Push(Event{Frame: e.Frame(), Kind: EventKick, Neuron: 0, Value: c.amp, Time: c.ms})
		for i := 0; i < 5; i++ {
			e.Process(out)
		}
		first := e.Stats().Spikes[0]
		for i := 0; i < 5; i++ {
			e.Process(out)
		}
		later := e.Stats().Spikes[0] - first
		got := "many"
		switch {
		case first == 0:
			got = "none"
		case first == 1:
			got = "one"
		}
		if got != c.firstSpikes || (later > 100) != c.firing || (later > 0 && later < 100) {
			t.Errorf("I=%g, kick %g for %g ms: %d spikes then %d; want %s then firing=%v",
				c.current, c.amp, c.ms, first, later, c.firstSpikes, c.firing)
		}
	}
}
