package emu

import (
	"math"
	"runtime"
	"strings"
	"testing"
)

// popSpec is a population of n snic neurons, currents evenly spread over centre ± width.
func popSpec(t testing.TB, n int, centre, width float64) NeuronSpec {
	s := presetSpec(t, "inapk", "snic", centre)
	s.Name = "p"
	s.Population = Population{Count: n, Spread: []Spread{{Control: ControlCurrent, Dist: SpreadEven, Width: width}}, Seed: 1}
	return s
}

// runSpikes renders seconds of sound and returns the spikes per neuron and member.
func runSpikes(t testing.TB, e *Engine, seconds float64) map[[2]int32]int {
	out := makeOut(2, 256)
	counts := map[[2]int32]int{}
	for f := 0.0; f < seconds*e.SampleRate(); f += 256 {
		e.Process(out)
		for {
			s, ok := e.Spikes().Pop()
			if !ok {
				break
			}
			counts[[2]int32{s.Neuron, s.Member}]++
		}
	}
	return counts
}

// TestPopulationMembersAreTheirSingles: each member of a population fires as a single
// neuron at its own current does (within a spike in a second), and a knob moving the
// population's current moves every member's with it, keeping the spread.
func TestPopulationMembersAreTheirSingles(t *testing.T) {
	const n = 20
	pop := popSpec(t, n, 8, 4) // members at 4 to 12 µA/cm²: the first ones silent (SNIC at 4.51)
	singles := make([]NeuronSpec, n)
	for k := range singles {
		singles[k] = presetSpec(t, "inapk", "snic", 4+8*float64(k)/(n-1))
		singles[k].Name = string(rune('a' + k))
	}
	for _, step := range []float64{0, 2} { // 2: the knob moved up by 2 before the start
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{pop}}, 48000, 256)
		if step != 0 {
			e.Events().Push(Event{Kind: EventSet, Neuron: 0, Control: ControlCurrent, Value: 8 + step})
			for k := range singles {
				singles[k].Current = 4 + step + 8*float64(k)/(n-1)
			}
		}
		ref := newTestEngine(t, Config{Neurons: singles}, 48000, 256)
		got, want := runSpikes(t, e, 1), runSpikes(t, ref, 1)
		total := 0
		for k := 0; k < n; k++ {
			g, w := got[[2]int32{0, int32(k)}], want[[2]int32{int32(k), 0}]
			if math.Abs(float64(g-w)) > 1 {
				t.Errorf("knob +%g: member %d (%.2f µA/cm²) fired %d times in 1 s, a single neuron at that current %d", step, k, singles[k].Current, g, w)
			}
			total += g
		}
		if s := e.Stats().Spikes[0]; s != uint64(total) {
			t.Errorf("Stats counts %d spikes for the population, its members %d", s, total)
		}
		if got[[2]int32{0, 0}] != 0 && step == 0 {
			t.Errorf("member 0 at 4 µA/cm² (below the SNIC) fired")
		}
		if got[[2]int32{0, n - 1}] < 20 {
			t.Errorf("the last member fired %d times in 1 s at %g µA/cm²", got[[2]int32{0, n - 1}], 12+step)
		}
	}
}

// TestPopulationParameterKeepsItsSpread: a spread parameter's members sit at the
// population's value plus their offsets, within range, and stay so when it moves.
func TestPopulationParameterKeepsItsSpread(t *testing.T) {
	s := popSpec(t, 9, 8, 0)
	gK := int32(ControlParam + int32(s.Model.Param("gK")))
	s.Population.Spread = []Spread{{Control: gK, Dist: SpreadEven, Width: 2}}
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{s}}, 48000, 64)
	b := e.batches[0]
	check := func(centre float64) {
		t.Helper()
		for k := 0; k < 9; k++ {
			want := centre - 2 + 4*float64(k)/8
			if got := b.p[gK-ControlParam][k]; math.Abs(got-want) > 1e-12 {
				t.Errorf("member %d: gK = %g, want %g", k, got, want)
			}
		}
		if v := e.controlValue(0, gK); v != centre {
			t.Errorf("the population's gK reads %g, want %g", v, centre)
		}
	}
	check(10)
	e.Events().Push(Event{Kind: EventSet, Neuron: 0, Control: gK, Value: 12, Time: 0.01})
	e.Process(makeOut(2, 64))
	for i := 0; i < 20; i++ {
		e.Process(makeOut(2, 64))
	}
	check(12)
}

// TestPopulationLoudnessHoldsAcrossCounts: members firing out of step sound about as
// loud whatever their number (each member's gain is the neuron's over √Count).
func TestPopulationLoudnessHoldsAcrossCounts(t *testing.T) {
	rms := func(n int) float64 {
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{popSpec(t, n, 25, 15)}, CeilingDB: -0.1}, 48000, 256)
		out := makeOut(2, 256)
		sum, frames := 0.0, 0
		for f := 0; f < 3*48000; f += 256 {
			e.Process(out)
			if f < 48000 { // skip the first second: all members start together, in step
				continue
			}
			for _, x := range out[0] {
				sum += float64(x) * float64(x)
				frames++
			}
		}
		return math.Sqrt(sum / float64(frames))
	}
	small, large := rms(16), rms(256)
	if r := large / small; !(r > 0.6 && r < 1.6) {
		t.Errorf("rms %.3g with 256 members, %.3g with 16: the level should not depend on the count", large, small)
	}
	t.Logf("rms %.3g with 16 members, %.3g with 256", small, large)
}

// TestPopulationRefusals: what the engine cannot build is refused with a reason.
func TestPopulationRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(cfg *Config)
		want string
	}{
		{"too many members", func(cfg *Config) { cfg.Neurons[0].Population.Count = MaxNeurons + 1 }, "more than the 1024"},
		{"negative count", func(cfg *Config) { cfg.Neurons[0].Population.Count = -2 }, "population of -2"},
		{"spread of gain", func(cfg *Config) { cfg.Neurons[0].Population.Spread[0].Control = ControlGain }, "only the current and the model's parameters"},
		{"spread too wide", func(cfg *Config) { cfg.Neurons[0].Population.Spread[0].Width = 1000 }, "1000 wide"},
		{"spread NaN", func(cfg *Config) { cfg.Neurons[0].Population.Spread[0].Width = math.NaN() }, "NaN wide"},
		{"spread twice", func(cfg *Config) {
			cfg.Neurons[0].Population.Spread = append(cfg.Neurons[0].Population.Spread, cfg.Neurons[0].Population.Spread[0])
		}, "spread twice"},
		{"gap junction", func(cfg *Config) { cfg.Gaps = []Gap{{A: 0, B: 1, G: 1}} }, "cannot have gap junctions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			single := presetSpec(t, "inapk", "snic", 0)
			single.Name = "s"
			cfg := Config{Neurons: []NeuronSpec{popSpec(t, 10, 5, 1), single}}
			c.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New = %v, want an error saying %q", err, c.want)
			}
		})
	}
}

// TestPopulationShowsItsCentre: State and Param show the member nearest the population's
// own values (the middle of an even spread), and spikes name members 0 to count-1.
func TestPopulationShowsItsCentre(t *testing.T) {
	s := popSpec(t, 21, 10, 5)
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{s}}, 48000, 256)
	if e.slot[0] != 10 || e.batches[0].offset[10] != 0 {
		t.Errorf("the population shows member %d (offset %g), want the middle one, 10", e.slot[0], e.batches[0].offset[e.slot[0]])
	}
	got := runSpikes(t, e, 0.5)
	for key := range got {
		if key[1] < 0 || key[1] >= 21 {
			t.Errorf("a spike of member %d of 21", key[1])
		}
	}
	if len(got) < 15 {
		t.Errorf("%d members fired in 0.5 s at 5 to 15 µA/cm²", len(got))
	}
}

// TestPopulationBesideGapJunctions: a patch whose other neurons are joined by a gap
// junction steps them as one system, and the population still by its own kernel: its
// members fire as they do with no gap in the patch, and the knob still moves them.
func TestPopulationBesideGapJunctions(t *testing.T) {
	a, b := presetSpec(t, "inapk", "snic", 8), presetSpec(t, "inapk", "snic", 3)
	a.Name, b.Name = "a", "b"
	pop := popSpec(t, 20, 8, 4)
	with := newTestEngine(t, Config{Neurons: []NeuronSpec{a, b, pop}, Gaps: []Gap{{A: 0, B: 1, G: 0.5}}}, 48000, 256)
	without := newTestEngine(t, Config{Neurons: []NeuronSpec{a, b, pop}}, 48000, 256)
	if !with.coupled {
		t.Fatal("the engine with a gap junction is not stepped as one system")
	}
	for _, e := range []*Engine{with, without} {
		e.Events().Push(Event{Kind: EventSet, Neuron: 2, Control: ControlCurrent, Value: 10})
	}
	got, want := runSpikes(t, with, 0.5), runSpikes(t, without, 0.5)
	for k := int32(0); k < 20; k++ {
		g, w := got[[2]int32{2, k}], want[[2]int32{2, k}]
		if w == 0 || math.Abs(float64(g-w)) > 1 {
			t.Errorf("member %d fired %d times beside a gap junction, %d without (want the same, and some)", k, g, w)
		}
	}
}

// TestPopulationFiringAtOnceDoesNotAllocate: from the first block on, Process allocates
// nothing even when a thousand members fire on the same sample (alike members kicked
// together), which the zero-allocation test's warm-up run would hide. The count is the
// whole program's, so the fewest of three fresh engines is taken: an allocation of
// Process's own recurs in each, one of the runtime's does not.
func TestPopulationFiringAtOnceDoesNotAllocate(t *testing.T) {
	fewest := uint64(math.MaxUint64)
	for range 3 {
		s := popSpec(t, 1000, 2, 0) // alike, at rest
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{s}, SpikeCapacity: 1 << 14}, 48000, 128)
		e.Events().Push(Event{Kind: EventKick, Neuron: 0, Value: 60, Time: 1})
		out := makeOut(2, 128)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := 0; i < 40; i++ {
			e.Process(out)
		}
		runtime.ReadMemStats(&after)
		if n := e.Spikes().Len(); n < 1000 {
			t.Fatalf("%d spikes after the kick: the members should all fire", n)
		}
		fewest = min(fewest, after.Mallocs-before.Mallocs)
	}
	if fewest != 0 {
		t.Errorf("Process allocated %d times (the fewest of three engines) while a thousand members fired at once", fewest)
	}
}
