package emu

import (
	"math"
	"testing"
)

// TestTapRecordsTheEngineState: each record holds the state the engine had at the
// record's frame, the V range of every sample since the previous record and every spike.
func TestTapRecordsTheEngineState(t *testing.T) {
	fast := presetSpec(t, "inapk", "saddle-node", 5) // a ~900 Hz cycle: far faster than the tap
	hh := presetSpec(t, "hh", "classic", 10)
	hh.Name = "c"
	cfg := Config{Neurons: []NeuronSpec{fast, hh}, TapRate: 500}
	e := newTestEngine(t, cfg, 48000, 1024)
	tap := e.Tap()
	if tap.Every() != 96 {
		t.Fatalf("a 500/s tap at 48 kHz records every %d frames, want 96", tap.Every())
	}
	// One frame at a time, so the test sees every sample the tap summarises.
	out := makeOut(2, 1)
	rec := make([]float32, tap.Stride())
	lo, hi := []float64{math.Inf(1), math.Inf(1)}, []float64{math.Inf(-1), math.Inf(-1)}
	var spikes [2]float64
	records := 0
	var state []float64
	for f := int64(0); f < 48000; f++ {
		e.Process(out)
		for i := range 2 {
			v := e.State(state[:0], i)[0]
			lo[i], hi[i] = math.Min(lo[i], v), math.Max(hi[i], v)
		}
		frame, ok := tap.Pop(rec)
		if !ok {
			continue
		}
		records++
		if frame != f {
			t.Fatalf("record %d is stamped frame %d, taken after frame %d", records, frame, f)
		}
		for i := range 2 {
			r := rec[i*TapFields : (i+1)*TapFields]
			state = e.State(state[:0], i)
			y := state[len(state)-1]
			near := func(got float32, want float64) bool {
				return math.Abs(float64(got)-want) <= 1e-6*math.Max(1, math.Abs(want))
			}
			if !near(r[TapV], state[0]) || !near(r[TapY], y) || !near(r[TapI], e.Injected(i)) {
				t.Fatalf("neuron %d at frame %d: record V=%g Y=%g I=%g, engine V=%g Y=%g I=%g",
					i, f, r[TapV], r[TapY], r[TapI], state[0], y, e.Injected(i))
			}
			if !near(r[TapVMin], lo[i]) || !near(r[TapVMax], hi[i]) {
				t.Fatalf("neuron %d at frame %d: record V range [%g, %g], samples [%g, %g]", i, f, r[TapVMin], r[TapVMax], lo[i], hi[i])
			}
			spikes[i] += float64(r[TapSpikes])
			lo[i], hi[i] = math.Inf(1), math.Inf(-1)
		}
	}
	if records != 500 {
		t.Errorf("a second gave %d records, want 500", records)
	}
	st := e.Stats()
	for i := range 2 {
		// The last spikes may fall after the last record.
		if got := uint64(spikes[i]); got == 0 || got > st.Spikes[i] || st.Spikes[i]-got > 1 {
			t.Errorf("neuron %d: the records count %d spikes, the engine %d", i, got, st.Spikes[i])
		}
	}
	if hi := st.Spikes[0]; hi < 800 {
		t.Errorf("the fast neuron spiked %d times in a second: the test needs it faster than the tap", hi)
	}
}

// TestTapFullDropsAndCounts: a reader that stops reading loses records, counted; the
// engine goes on.
func TestTapFullDropsAndCounts(t *testing.T) {
	cfg := Config{Neurons: []NeuronSpec{presetSpec(t, "inapk", "snic", 10)}, TapRate: 1000, TapCapacity: 16}
	e := newTestEngine(t, cfg, 48000, 480)
	out := makeOut(2, 480)
	for range 10 { // 100 ms: 100 records into a ring of 16
		e.Process(out)
	}
	if n, d := e.Tap().Len(), e.Tap().Dropped(); n != 16 || d != 84 {
		t.Fatalf("ring holds %d records and dropped %d; want 16 and 84", n, d)
	}
	rec := make([]float32, e.Tap().Stride())
	if f, ok := e.Tap().Pop(rec); !ok || f != 47 {
		t.Fatalf("oldest record kept is frame %d (%v), want 47", f, ok)
	}
}

func TestTapConfigLimits(t *testing.T) {
	spec := presetSpec(t, "inapk", "snic", 0)
	for _, cfg := range []Config{
		{Neurons: []NeuronSpec{spec}, TapRate: -1},
		{Neurons: []NeuronSpec{spec}, TapRate: math.NaN()},
		{Neurons: []NeuronSpec{spec}, TapRate: MaxTapRate + 1},
		{Neurons: []NeuronSpec{spec}, TapRate: 100, TapCapacity: MaxTapCapacity + 1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New accepted TapRate %g, TapCapacity %d", cfg.TapRate, cfg.TapCapacity)
		}
	}
	e, err := New(Config{Neurons: []NeuronSpec{spec}})
	if err != nil || e.Tap() != nil {
		t.Fatalf("an engine without TapRate has a tap (%v)", err)
	}
}
