package emu

import (
	"math"
	"slices"
	"testing"
)

// segment is a run of samples on which a pulse was on: [from, from+n).
type segment struct{ from, n int64 }

// inputSegments runs one neuron resting at zero current frame by frame for frames
// samples with the scheduled events, and returns the runs of samples on which its input
// current was not zero, and the input on the first sample of each.
func inputSegments(t *testing.T, spec NeuronSpec, speed float64, events []Event, frames int64) ([]segment, []float64, *Engine) {
	t.Helper()
	spec.Current = 0
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}, Speed: speed}, 48000, 1)
	e.Schedule(events)
	out := makeOut(2, 1)
	var segs []segment
	var amps []float64
	on := false
	for f := int64(0); f < frames; f++ {
		e.Process(out)
		in := e.batches[0].in[0]
		switch {
		case in != 0 && !on:
			segs = append(segs, segment{f, 1})
			amps = append(amps, in)
		case in != 0:
			segs[len(segs)-1].n++
		}
		on = in != 0
	}
	return segs, amps, e
}

// train is the segments a train of count pulses of width samples, step samples apart,
// starting at from, should give.
func train(from, count, step, width int64) []segment {
	var s []segment
	for k := int64(0); k < count; k++ {
		s = append(s, segment{from + k*step, width})
	}
	return s
}

// TestKickTrainTiming: a kick fires its pulses at onsets exactly a whole number of
// samples apart (the interval rounded to the sample), each the kick's width, from the
// event's own frame; the count and the interval come from the neuron's controls unless
// the event gives its own. At 48 kHz and speed 1 a sample is 1/48 ms: 1 ms is 48
// samples, 0.25 ms is 12.
func TestKickTrainTiming(t *testing.T) {
	kick := func(frame int64, pulses int32, interval float64) Event {
		return Event{Frame: frame, Kind: EventKick, Value: 5, Time: 0.25, Pulses: pulses, Interval: interval}
	}
	set := func(frame int64, c int32, v, seconds float64) Event {
		return Event{Frame: frame, Kind: EventSet, Control: c, Value: v, Time: seconds}
	}
	cases := []struct {
		name        string
		pulses      int     // the neuron's spec
		interval    float64 // the neuron's spec, ms
		speed       float64
		events      []Event
		want        []segment
		wantClamped uint64
	}{
		{"one pulse by default", 0, 0, 1, []Event{kick(100, 0, 0)}, train(100, 1, 0, 12), 0},
		{"the spec's pair", 2, 1, 1, []Event{kick(100, 0, 0)}, train(100, 2, 48, 12), 0},
		{"the spec's train of four, 2.5 ms", 4, 2.5, 1, []Event{kick(7, 0, 0)}, train(7, 4, 120, 12), 0},
		{"the event's count and interval win", 2, 1, 1, []Event{kick(100, 3, 0.5)}, train(100, 3, 24, 12), 0},
		{"the event's count, the neuron's interval", 1, 3, 1, []Event{kick(100, 2, 0)}, train(100, 2, 144, 12), 0},
		{"controls set before the kick", 1, 0, 1,
			[]Event{set(0, ControlPulses, 3, 0), set(0, ControlInterval, 0.75, 0), kick(50, 0, 0)}, train(50, 3, 36, 12), 0},
		{"a fractional count rounds", 1, 1, 1, []Event{set(0, ControlPulses, 2.4, 0), kick(10, 0, 0)}, train(10, 2, 48, 12), 0},
		{"the interval rounds to the sample", 2, 1.01, 1, []Event{kick(0, 0, 0)}, train(0, 2, 48, 12), 0},
		{"a count above the limit is clamped", 1, 1, 1, []Event{kick(0, 40, 0)}, train(0, MaxPulses, 48, 12), 1},
		{"a count set above the limit is clamped", 1, 1, 1, []Event{set(0, ControlPulses, 99, 0), kick(0, 0, 0)}, train(0, MaxPulses, 48, 12), 1},
		{"a negative count is one pulse", 3, 1, 1, []Event{kick(0, -2, 0)}, train(0, 1, 0, 12), 1},
		{"an interval below the limit is clamped", 2, 1, 1, []Event{kick(0, 0, 0.001)}, []segment{{0, 17}}, 1}, // 0.1 ms: 5 samples, merged
		{"speed 4: the interval is model time", 2, 1, 4, []Event{kick(0, 0, 0)}, train(0, 2, 12, 3), 0},
		{"a new kick restarts the train", 4, 1, 1, []Event{kick(0, 0, 0), kick(120, 0, 0)},
			append(train(0, 3, 48, 12), train(120, 4, 48, 12)...), 0},
		{"a reset ends the train", 4, 1, 1, []Event{kick(0, 0, 0), {Frame: 60, Kind: EventReset}}, train(0, 2, 48, 12), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := presetSpec(t, "inapk", "snic", 0)
			spec.Pulses, spec.Interval = c.pulses, c.interval
			segs, amps, e := inputSegments(t, spec, c.speed, c.events, 1000)
			if !slices.Equal(segs, c.want) {
				t.Errorf("pulses on samples %v, want %v", segs, c.want)
			}
			for k, a := range amps {
				if math.Abs(a-5) > 1e-12 { // 0.25 ms is a whole number of samples here
					t.Errorf("pulse %d: amplitude %g, want 5", k, a)
				}
			}
			if got := e.Stats().Clamped; got != c.wantClamped {
				t.Errorf("%d values clamped, want %d", got, c.wantClamped)
			}
		})
	}
}

// TestKickTrainFollowsARampedInterval: a knob ramping the interval changes the trains
// of later kicks, each kick taking the interval of its own frame (the ramp's value
// there, rounded to the sample) and keeping it for its whole train.
func TestKickTrainFollowsARampedInterval(t *testing.T) {
	// The interval ramps from 1 to 3 ms over 0.5 s (24000 samples) from frame 0.
	events := []Event{
		{Frame: 0, Kind: EventSet, Control: ControlInterval, Value: 1},
		{Frame: 0, Kind: EventSet, Control: ControlInterval, Value: 3, Time: 0.5},
	}
	kicks := []int64{0, 6000, 12000, 18000, 30000}
	for _, f := range kicks {
		events = append(events, Event{Frame: f, Kind: EventKick, Value: 5, Time: 0.25, Pulses: 3})
	}
	spec := presetSpec(t, "inapk", "snic", 0)
	segs, _, e := inputSegments(t, spec, 1, events, 31000)
	var want []segment
	for _, f := range kicks {
		iv := 1 + 2*math.Min(float64(f)/24000, 1) // ms
		want = append(want, train(f, 3, int64(math.Round(iv/e.ModelTimeStep())), 12)...)
	}
	if !slices.Equal(segs, want) {
		t.Errorf("pulses on samples %v,\nwant %v", segs, want)
	}
	if got := e.controlValue(0, ControlInterval); math.Abs(got-3) > 1e-9 {
		t.Errorf("the interval ends at %g ms, want 3", got)
	}
}

// TestHoldLastsUntilReleased: a held current adds to the input from its frame until an
// EventHold of 0; kicks add on top of it; a reset ends it; Kick reports it.
func TestHoldLastsUntilReleased(t *testing.T) {
	spec := presetSpec(t, "inapk", "snic", 0)
	events := []Event{
		{Frame: 10, Kind: EventHold, Value: -30},
		{Frame: 20, Kind: EventKick, Value: 5, Time: 0.25},
		{Frame: 100, Kind: EventHold, Value: 0},
		{Frame: 200, Kind: EventHold, Value: -1e6}, // clamped to the current range's width
		{Frame: 300, Kind: EventReset},
	}
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}}, 48000, 1)
	e.Schedule(events)
	out := makeOut(2, 1)
	span := spec.Model.CurrentMax - spec.Model.CurrentMin
	for f := int64(0); f < 400; f++ {
		e.Process(out)
		want := 0.0
		switch {
		case f >= 20 && f < 32:
			want = -30 + 5
		case f >= 10 && f < 100:
			want = -30
		case f >= 200 && f < 300:
			want = -span
		}
		lim := 4 * math.Max(-spec.Model.CurrentMin, spec.Model.CurrentMax)
		if got := e.batches[0].in[0]; math.Abs(got-math.Max(-lim, want)) > 1e-9 {
			t.Fatalf("frame %d: input %g, want %g", f, got, want)
		}
		if f == 50 {
			if k := e.Kick(0); k != -30 {
				t.Errorf("Kick reports %g while the note is held, want -30", k)
			}
		}
	}
	if c := e.Stats().Clamped; c != 1 {
		t.Errorf("%d values clamped, want 1", c)
	}
}

// TestTrainFiresAsTheTheorySays: the pairs the built-in patch "timing" plays, checked
// on the engine against the two kinds of neuron. An integrator (snic at 4 µA/cm², below
// its saddle-node at 4.51) adds up the two pulses: a pair 1 ms apart fires it, one
// pulse or a pair 8 ms apart (the first pulse's effect has decayed) does not. A
// resonator (hopf-super at 12, below its Hopf point at 14.66) fires to a pair whose
// interval is near the period of its damped oscillation, 2π/ω = 3.10 ms there, and not
// to a pair at half that period (the second pulse arrives in antiphase), nor to one
// pulse.
func TestTrainFiresAsTheTheorySays(t *testing.T) {
	cases := []struct {
		preset       string
		current, amp float64
		pulses       int32
		interval     float64
		fires        bool
	}{
		{"snic", 4, 4.5, 1, 1, false},
		{"snic", 4, 4.5, 2, 1, true},
		{"snic", 4, 4.5, 2, 8, false},
		{"hopf-super", 12, 16.5, 1, 3.3, false},
		{"hopf-super", 12, 16.5, 2, 3.3, true},
		{"hopf-super", 12, 16.5, 2, 1.6, false},
		{"hopf-super", 12, 16.5, 2, 6, false},
	}
	for _, c := range cases {
		spec := presetSpec(t, "inapk", c.preset, c.current)
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}}, 48000, 480)
		out := makeOut(2, 480)
		for range 20 { // 0.2 s to settle at the holding current
			e.Process(out)
		}
		e.Events().Push(Event{Frame: e.Frame(), Kind: EventKick, Value: c.amp, Time: 0.5, Pulses: c.pulses, Interval: c.interval})
		for range 10 {
			e.Process(out)
		}
		if fired := e.Stats().Spikes[0] > 0; fired != c.fires {
			t.Errorf("%s at I=%g, %d pulses of %g, %g ms apart: fired %v, want %v",
				c.preset, c.current, c.pulses, c.amp, c.interval, fired, c.fires)
		}
	}
}

// TestTrainMatchesReference: a neuron kicked by a pair follows the reference RK4 over
// the model's Deriv fed the same current, sample by sample (the pulse on whole samples,
// with the charge-keeping amplitude), within rounding.
func TestTrainMatchesReference(t *testing.T) {
	spec := presetSpec(t, "inapk", "hopf-super", 12)
	spec.Pulses, spec.Interval = 2, 3.3
	spec.Init = restAt(spec.Model, spec.Params, spec.Init, spec.Current)
	const block = 16
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}}, 48000, block)
	dt := e.ModelTimeStep()
	e.Events().Push(Event{Frame: 100, Kind: EventKick, Value: 16.5, Time: 0.5})
	b := e.batches[0]
	x := append([]float64(nil), spec.Init...)
	scratch := make([]float64, 5*len(x))
	step := int64(math.Round(3.3 / dt))
	width := int64(math.Round(0.5 / dt))
	amp := 16.5 * 0.5 / (float64(width) * dt)
	var I float64
	f := func(dx, x []float64) { spec.Model.Deriv(dx, x, spec.Params, I) }
	out := makeOut(2, block)
	worst := 0.0
	for frame := int64(0); frame < 4800; {
		e.Process(out)
		for k := 0; k < block; k, frame = k+1, frame+1 {
			I = spec.Current
			if on := frame - 100; on >= 0 && (on < width || on >= step && on < step+width) {
				I += amp
			}
			for s := 0; s < b.nsub; s++ {
				StepRK4(x, b.h, f, scratch)
			}
		}
		for v := range x {
			worst = math.Max(worst, math.Abs(b.x[v][0]-x[v])/(1+math.Abs(x[v])))
		}
	}
	// The kernel's expFast errs by 1.1e-8 at most; a pulse one sample early or late
	// moves the state by about 1e-3.
	if worst > 1e-6 {
		t.Errorf("the engine departs from the reference by %g (relative)", worst)
	}
	if e.Stats().Spikes[0] != 1 {
		t.Errorf("%d spikes; the pair at the resonant interval should fire once", e.Stats().Spikes[0])
	}
}
