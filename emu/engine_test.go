package emu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func newTestEngine(t testing.TB, cfg Config, rate float64, block int) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Prepare(rate, block); err != nil {
		t.Fatal(err)
	}
	return e
}

func presetSpec(t testing.TB, model, preset string, current float64) NeuronSpec {
	t.Helper()
	m, ok := LookupModel(model)
	if !ok {
		t.Fatalf("no model %s", model)
	}
	pr, ok := m.Preset(preset)
	if !ok {
		t.Fatalf("no preset %s/%s", model, preset)
	}
	s := NewNeuronSpec("a", m, pr)
	s.Current = current
	return s
}

func makeOut(channels, frames int) [][]float32 {
	out := make([][]float32, channels)
	for c := range out {
		out[c] = make([]float32, frames)
	}
	return out
}

// TestProcessDoesNotAllocate: one block of the engine makes no allocation, with events
// arriving, spikes leaving, noise, ramps on several controls (a knob moving), kicks,
// pulse trains, held currents, resets and a live view's tap running, on a network
// stepped by the batch kernels (uncoupled: synapses only; the inline kernels and the
// generic one) and on one stepped as one system (coupled by a gap junction).
func TestProcessDoesNotAllocate(t *testing.T) {
	for _, c := range []struct {
		name  string
		gaps  []Gap
		extra int  // more inapk neurons: a vector kernel steps them in full vectors
		pop   bool // and a population of 40, noisy, its current and a parameter ramped
	}{
		{"uncoupled", nil, 0, false},
		{"coupled by a gap junction", []Gap{{A: 0, B: 2, G: 0.1}}, 0, false},
		{"with full vectors of every model", nil, 16, false},
		{"with a population", nil, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := presetSpec(t, "inapk", "saddle-node", 5)
			b := presetSpec(t, "inapk", "snic", 10)
			b.Name, b.Noise = "b", 1
			c2 := presetSpec(t, "hh", "classic", 10)
			c2.Name = "c"
			hr := hindmarshRose() // no batch kernel: the generic one steps it
			d := NewNeuronSpec("d", hr, &hr.Presets[0])
			d.Current, d.Noise = 2, 0.1
			neurons := []NeuronSpec{a, b, c2, d}
			for i := 0; i < c.extra; i++ {
				x := presetSpec(t, "inapk", "snic", float64(i))
				x.Name, x.Noise = fmt.Sprint("x", i), float64(i%2)
				neurons = append(neurons, x)
			}
			if c.extra > 0 { // a full vector of every other model too (and one over)
				for _, m := range []struct {
					model, preset string
					current       float64
				}{{"hh", "classic", 10}, {"morris-lecar", "hopf", 100}, {"fitzhugh-nagumo", "classic", 0.5}} {
					for i := 0; i < 9; i++ {
						x := presetSpec(t, m.model, m.preset, m.current)
						x.Name = fmt.Sprint(m.model, i)
						neurons = append(neurons, x)
					}
				}
			}
			if c.pop {
				p := presetSpec(t, "inapk", "snic", 8)
				p.Name, p.Noise = "pop", 0.5
				p.Population = Population{Count: 40, Spread: []Spread{{Control: ControlCurrent, Width: 4}, {Control: ControlParam + 5, Dist: SpreadNormal, Width: 1}}}
				neurons = append(neurons, p)
			}
			cfg := Config{
				Neurons:  neurons,
				Gaps:     c.gaps,
				Synapses: []Synapse{{From: 0, To: 1, G: 0.5, Tau: 5, Reversal: -80}, {From: 2, To: 3, G: 0.1, Tau: 2, Reversal: 0}},
				TapRate:  500, // a live view watching
			}
			e := newTestEngine(t, cfg, 48000, 128)
			if e.coupled != (len(c.gaps) > 0) {
				t.Fatalf("coupled = %v with %d gap junctions", e.coupled, len(c.gaps))
			}
			out := makeOut(2, 128)
			rec := make([]float32, e.Tap().Stride())
			var frame int64
			ramped := 0
			allocs := testing.AllocsPerRun(200, func() {
				push := func(ev Event) {
					if !e.Events().Push(ev) {
						t.Fatal("event ring full")
					}
				}
				// Ramps longer than a block, so some run through every block.
				push(Event{Frame: frame + 10, Kind: EventSet, Neuron: 0, Control: ControlCurrent, Value: 5 + float64(frame%512)/1024, Time: 0.01})
				push(Event{Frame: frame + 20, Kind: EventSet, Neuron: AllNeurons, Control: ControlPan, Value: float64(frame%256)/256 - 0.5, Time: 0.005})
				push(Event{Frame: frame + 30, Kind: EventSet, Neuron: 1, Control: ControlNoise, Value: 1 + float64(frame%128)/128, Time: 0.004})
				push(Event{Frame: frame + 50, Kind: EventKick, Neuron: 1, Value: 20, Time: 1})
				push(Event{Frame: frame + 55, Kind: EventKick, Neuron: 0, Value: 2, Time: 0.1, Pulses: 3, Interval: 0.5}) // a train
				push(Event{Frame: frame + 60, Kind: EventSet, Neuron: 2, Control: ControlParam + 1, Value: 110 + float64(frame%64), Time: 0.001})
				push(Event{Frame: frame + 70, Kind: EventHold, Neuron: 2, Value: -float64(frame%256) / 64})
				push(Event{Frame: frame + 80, Kind: EventSet, Neuron: 2, Control: ControlGain, Value: 0.5 + float64(frame%256)/512, Time: 0.003})
				if frame%(128*50) == 0 {
					push(Event{Frame: frame + 90, Kind: EventReset, Neuron: 1})
				}
				if c.pop {
					push(Event{Frame: frame + 15, Kind: EventSet, Neuron: 4, Control: ControlCurrent, Value: 6 + float64(frame%512)/256, Time: 0.01})
					push(Event{Frame: frame + 25, Kind: EventSet, Neuron: 4, Control: ControlParam + 5, Value: 9 + float64(frame%256)/256, Time: 0.005})
					push(Event{Frame: frame + 35, Kind: EventKick, Neuron: 4, Value: 10, Time: 0.5})
					if frame%(128*30) == 0 {
						push(Event{Frame: frame + 45, Kind: EventReset, Neuron: 4})
					}
				}
				e.Process(out)
				ramped += len(e.ramps)
				for {
					if _, ok := e.Spikes().Pop(); !ok {
						break
					}
				}
				for {
					if _, ok := e.Tap().Pop(rec); !ok {
						break
					}
				}
				frame += 128
			})
			if allocs != 0 {
				t.Fatalf("Process allocates %v times per block", allocs)
			}
			if s := e.Stats(); s.Spikes[0] == 0 || s.Spikes[2] == 0 || s.Spikes[3] == 0 || ramped == 0 || c.pop && s.Spikes[4] == 0 {
				t.Fatalf("the allocation test ran a silent engine or no ramps (%d ramps at block ends): %+v", ramped, s)
			}
		})
	}
}

func finiteWithin(t *testing.T, out [][]float32, ceiling float64, what string) {
	t.Helper()
	for c := range out {
		for f, x := range out[c] {
			// Strictly under the ceiling, with room for a 16-bit file's rounding.
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || math.Abs(float64(x)) > ceiling-0.5/32768 {
				t.Fatalf("%s: sample %d of channel %d is %v (ceiling %g)", what, f, c, x, ceiling)
			}
		}
	}
}

// TestAbsurdInput: absurd currents, NaN values through events and a corrupted state never
// make a non-finite or over-ceiling sample, and the neuron comes back and fires again.
func TestAbsurdInput(t *testing.T) {
	a := presetSpec(t, "inapk", "snic", 10)
	a.Gain = MaxGain
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{a}}, 48000, 256)
	ceiling := math.Pow(10, -1.0/20)
	out := makeOut(2, 256)
	run := func(blocks int, what string) {
		for i := 0; i < blocks; i++ {
			e.Process(out)
			finiteWithin(t, out, ceiling, what)
		}
	}
	push := func(ev Event) {
		ev.Frame = e.Frame()
		if !e.Events().Push(ev) {
			t.Fatal("event ring full")
		}
	}
	push(Event{Kind: EventSet, Neuron: 0, Control: ControlCurrent, Value: 1e9})
	push(Event{Kind: EventKick, Neuron: 0, Value: -1e12, Time: 5})
	run(40, "I = 1e9")
	push(Event{Kind: EventSet, Neuron: 0, Control: ControlParam + 0, Value: math.NaN()})
	push(Event{Kind: EventSet, Neuron: 0, Control: ControlParam + 3, Value: math.Inf(1)})
	push(Event{Kind: EventKick, Neuron: 0, Value: math.NaN(), Time: 1})
	push(Event{Kind: EventSet, Neuron: 7, Control: ControlCurrent, Value: 1})
	push(Event{Kind: EventSet, Neuron: 0, Control: 99, Value: 1})
	run(40, "NaN events")
	s := e.Stats()
	if s.Rejected != 5 {
		t.Errorf("rejected %d events, want 5 (NaN, Inf, NaN kick, unknown neuron, unknown control)", s.Rejected)
	}
	if s.Clamped < 2 {
		t.Errorf("clamped %d values, want the 1e9 current and the -1e12 kick", s.Clamped)
	}
	// Corrupt the state directly: the engine must notice, reset and count.
	e.batches[0].x[0][0] = math.NaN()
	run(1, "NaN state")
	e.batches[0].x[1][0] = math.Inf(-1)
	run(1, "Inf state")
	if got := e.Stats().Resets; got < 2 {
		t.Errorf("resets = %d after two corrupted states, want >= 2", got)
	}
	// Back to a sane current: the neuron must fire again.
	push(Event{Kind: EventSet, Neuron: 0, Control: ControlCurrent, Value: 10})
	before := e.Stats().Spikes[0]
	run(200, "recovery") // about 1 s
	if after := e.Stats().Spikes[0]; after-before < 10 {
		t.Errorf("%d spikes in 1 s after recovery at I=10, want dozens", after-before)
	}
}

// TestRandomParametersStayFinite drives random but allowed parameter sets of every model,
// at extreme speeds and currents, and checks the output never leaves the ceiling.
func TestRandomParametersStayFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ceiling := math.Pow(10, -3.0/20)
	for trial := 0; trial < 60; trial++ {
		names := ModelNames()
		m, _ := LookupModel(names[trial%len(names)])
		spec := NewNeuronSpec("a", m, &m.Presets[0])
		for k, p := range m.Params {
			spec.Params[k] = p.Min + (p.Max-p.Min)*rng.Float64()
		}
		spec.Current = m.CurrentMin + (m.CurrentMax-m.CurrentMin)*rng.Float64()
		spec.Gain = MaxGain
		speed := []float64{1, 10, 100}[trial%3]
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}, Speed: speed, CeilingDB: -3, Seed: uint64(trial)}, 8000, 256)
		out := makeOut(2, 256)
		for i := 0; i < 4; i++ {
			e.Process(out)
			finiteWithin(t, out, ceiling, m.Name)
		}
	}
}

// TestEventsAreSampleAccurate: a kick stamped mid-block changes the output exactly at its
// frame, whatever the block size.
func TestEventsAreSampleAccurate(t *testing.T) {
	const at = 1000
	render := func(block int, kick bool) []float32 {
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "snic", 0)}}, 48000, block)
		if kick {
			e.Events().Push(Event{Frame: at, Kind: EventKick, Neuron: 0, Value: 30, Time: 1})
		}
		var all []float32
		out := makeOut(2, block)
		for len(all) < 4096 {
			e.Process(out)
			all = append(all, out[0]...)
		}
		return all
	}
	for _, block := range []int{1, 64, 100, 4096} {
		plain, kicked := render(block, false), render(block, true)
		first := -1
		for i := range plain {
			if plain[i] != kicked[i] {
				first = i
				break
			}
		}
		if first != at {
			t.Errorf("block %d: the kick stamped at frame %d first shows at frame %d", block, at, first)
		}
	}
}

// TestRampIsLinearAndExact: a set with a ramp time moves linearly and lands exactly.
func TestRampIsLinearAndExact(t *testing.T) {
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "snic", 0)}}, 48000, 240)
	e.Events().Push(Event{Frame: 0, Kind: EventSet, Neuron: AllNeurons, Control: ControlCurrent, Value: 10, Time: 0.01}) // 480 frames
	out := makeOut(2, 240)
	e.Process(out)
	if got := e.Injected(0); math.Abs(got-5) > 1e-9 {
		t.Errorf("halfway through the ramp the current is %g, want 5", got)
	}
	e.Process(out)
	if got := e.Injected(0); got != 10 {
		t.Errorf("after the ramp the current is %g, want exactly 10", got)
	}
	// A new target mid-ramp restarts from where the ramp is, never jumps.
	e.Events().Push(Event{Frame: e.Frame(), Kind: EventSet, Neuron: 0, Control: ControlCurrent, Value: 0, Time: 0.01})
	e.Events().Push(Event{Frame: e.Frame() + 240, Kind: EventSet, Neuron: 0, Control: ControlCurrent, Value: 10, Time: 0.01})
	e.Process(out)
	mid := e.Injected(0)
	e.Process(out)
	if math.Abs(mid-5) > 1e-9 || math.Abs(e.Injected(0)-7.5) > 1e-9 {
		t.Errorf("retargeted ramp: %g then %g, want 5 then 7.5", mid, e.Injected(0))
	}
}

// TestSpikesCarryFrameAndISI: spikes leave the ring in order with consistent intervals.
func TestSpikesCarryFrameAndISI(t *testing.T) {
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "snic", 10)}}, 48000, 480)
	out := makeOut(2, 480)
	var spikes []Spike
	for i := 0; i < 100; i++ { // 1 s
		e.Process(out)
		for {
			s, ok := e.Spikes().Pop()
			if !ok {
				break
			}
			spikes = append(spikes, s)
		}
	}
	if len(spikes) < 100 || len(spikes) > 200 {
		t.Fatalf("%d spikes in 1 s at I=10, want the 140-odd of the accuracy test", len(spikes))
	}
	if spikes[0].ISI != 0 {
		t.Errorf("first spike has ISI %g, want 0", spikes[0].ISI)
	}
	for k := 1; k < len(spikes); k++ {
		want := float64(spikes[k].Frame-spikes[k-1].Frame) * 1000 / 48000
		if math.Abs(spikes[k].ISI-want) > 1e-9 || spikes[k].Frame <= spikes[k-1].Frame {
			t.Fatalf("spike %d: frame %d ISI %g, want ISI %g", k, spikes[k].Frame, spikes[k].ISI, want)
		}
	}
	if e.Stats().Spikes[0] != uint64(len(spikes)) {
		t.Errorf("spike counter %d, ring delivered %d", e.Stats().Spikes[0], len(spikes))
	}
}

// TestSpikeRingOverflowIsCounted: a full spike ring drops and counts, never blocks.
func TestSpikeRingOverflowIsCounted(t *testing.T) {
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "saddle-node", 5)}, SpikeCapacity: 16}, 48000, 4800)
	out := makeOut(2, 4800)
	for i := 0; i < 10; i++ {
		e.Process(out) // nobody drains
	}
	s := e.Stats()
	if s.DroppedSpikes == 0 || s.DroppedSpikes+16 != s.Spikes[0] {
		t.Errorf("spikes %d, dropped %d, ring 16: want dropped = spikes - 16", s.Spikes[0], s.DroppedSpikes)
	}
}

// TestNoiseIsSeeded: the same seed gives the same samples, another seed others.
func TestNoiseIsSeeded(t *testing.T) {
	render := func(seed uint64) []float32 {
		a := presetSpec(t, "inapk", "snic", 4)
		a.Noise = 3
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{a}, Seed: seed, Channels: 1}, 48000, 4800)
		out := makeOut(1, 4800)
		var all []float32
		for i := 0; i < 10; i++ {
			e.Process(out)
			all = append(all, out[0]...)
		}
		return all
	}
	x, y, z := render(7), render(7), render(8)
	same, differ := true, false
	for i := range x {
		same = same && x[i] == y[i]
		differ = differ || x[i] != z[i]
	}
	if !same || !differ {
		t.Errorf("same seed identical: %v (want true); other seed differs: %v (want true)", same, differ)
	}
}

// TestMutualInhibitionFlipFlop: two bistable neurons with mutual inhibition hold one bit;
// a kick to the silent one switches which one fires.
func TestMutualInhibitionFlipFlop(t *testing.T) {
	// Values found by a scan (see the flip-flop patch): fast, strong inhibition lets a
	// kick to the silent neuron silence the firing one; weaker or slower inhibition
	// ends with both firing or both silent.
	a := presetSpec(t, "inapk", "saddle-node", 4)
	b := a
	b.Name = "b"
	cfg := Config{
		Neurons: []NeuronSpec{a, b},
		Synapses: []Synapse{
			{From: 0, To: 1, G: 0.3, Tau: 2, Reversal: -80},
			{From: 1, To: 0, G: 0.3, Tau: 2, Reversal: -80},
		},
	}
	e := newTestEngine(t, cfg, 48000, 4800)
	out := makeOut(2, 4800)
	count := func() (uint64, uint64) {
		before := e.Stats().Spikes
		for i := 0; i < 5; i++ { // 0.5 s
			e.Process(out)
			for {
				if _, ok := e.Spikes().Pop(); !ok {
					break
				}
			}
		}
		after := e.Stats().Spikes
		return after[0] - before[0], after[1] - before[1]
	}
	kick := func(n int32) {
		e.Events().Push(Event{Frame: e.Frame(), Kind: EventKick, Neuron: n, Value: 30, Time: 5})
	}
	if na, nb := count(); na+nb != 0 {
		t.Fatalf("both should rest at first: %d, %d spikes", na, nb)
	}
	kick(0)
	count() // settle
	if na, nb := count(); na < 100 || nb != 0 {
		t.Fatalf("after kicking a: a %d spikes, b %d in 0.5 s; want a firing, b silent", na, nb)
	}
	kick(1)
	count()
	if na, nb := count(); nb < 100 || na != 0 {
		t.Fatalf("after kicking b: a %d spikes, b %d in 0.5 s; want b firing, a silent", na, nb)
	}
	kick(0)
	count()
	if na, nb := count(); na < 100 || nb != 0 {
		t.Fatalf("after kicking a again: a %d spikes, b %d in 0.5 s; want a firing, b silent", na, nb)
	}
}

// TestNoThumpAtStart: a neuron resting far from its voltage-to-sound centre starts in
// silence; the DC blocker does not turn the resting offset into a step at t = 0.
func TestNoThumpAtStart(t *testing.T) {
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "snic", 0)}}, 48000, 480)
	out := makeOut(2, 480)
	e.Process(out)
	for f, x := range out[0] {
		if math.Abs(float64(x)) > 1e-3 {
			t.Fatalf("sample %d is %g: a thump at the start", f, x)
		}
	}
}

// TestKickChargeIsKept: a kick shorter than a sample still delivers its charge.
func TestKickChargeIsKept(t *testing.T) {
	spec := presetSpec(t, "inapk", "snic", 0)
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}, Speed: 20}, 48000, 16) // 0.4167 ms per sample
	e.Events().Push(Event{Frame: 0, Kind: EventKick, Neuron: 0, Value: 10, Time: 1}) // 2.4 samples: 2
	out := makeOut(2, 1)
	e.Process(out)
	if got, want := e.Kick(0)*2*e.ModelTimeStep(), 10.0; math.Abs(got-want) > 1e-9 {
		t.Errorf("kick delivers %g µA·ms/cm², want %g", got, want)
	}
}
