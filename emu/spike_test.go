package emu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The engine's spike counts are held to an independent reference: the peaks of a fine
// RK4 solution (an eighth of the model's largest step) that reach SpikeHigh with a
// topographic prominence (as scipy.signal.find_peaks defines it: the height above the
// higher of the lowest points on either side before a higher peak or the end) of at
// least SpikeHigh - SpikeLow. That criterion looks at the whole trace, both sides of
// each peak, after the fact; the engine's detector sees one sample at a time.

// refPeak is a local maximum of V in a reference solution.
type refPeak struct {
	t, v, prominence float64
}

// pulse is a square current pulse added to the holding current.
type pulse struct {
	at, ms, amp float64 // ms of model time
}

// referencePeaks integrates m with params from init at the holding current plus an
// optional pulse, with RK4 at step h for total ms, and returns every local maximum of V
// with its prominence.
func referencePeaks(m *Model, params, init []float64, current float64, kick pulse, h, total float64) []refPeak {
	x := append([]float64(nil), init...)
	scratch := make([]float64, 5*len(x))
	I := current
	f := func(dx, x []float64) { m.Deriv(dx, x, params, I) }
	// The trace's turning points in order, with the first and last sample (which bound
	// the prominence of the peaks near the ends).
	type point struct {
		t, v float64
		peak bool
	}
	pts := []point{{0, x[0], false}}
	prev, prev2 := x[0], x[0]
	steps := int(math.Round(total / h))
	for s := 0; s < steps; s++ {
		t := float64(s) * h
		I = current
		if kick.ms > 0 && t >= kick.at-h/2 && t < kick.at+kick.ms-h/2 {
			I += kick.amp
		}
		StepRK4(x, h, f, scratch)
		v := x[0]
		if s >= 1 {
			if prev > prev2 && prev >= v {
				pts = append(pts, point{t, prev, true})
			} else if prev < prev2 && prev <= v {
				pts = append(pts, point{t, prev, false})
			}
		}
		prev2, prev = prev, v
	}
	pts = append(pts, point{total, x[0], false})
	var peaks []refPeak
	for j, p := range pts {
		if !p.peak {
			continue
		}
		left, right := p.v, p.v
		for k := j - 1; k >= 0 && !(pts[k].peak && pts[k].v > p.v); k-- {
			left = math.Min(left, pts[k].v)
		}
		for k := j + 1; k < len(pts) && !(pts[k].peak && pts[k].v > p.v); k++ {
			right = math.Min(right, pts[k].v)
		}
		peaks = append(peaks, refPeak{p.t, p.v, p.v - math.Max(left, right)})
	}
	return peaks
}

// prominentPeaks counts the peaks in [from, to) that reach high with a prominence of at
// least depth.
func prominentPeaks(peaks []refPeak, high, depth, from, to float64) int {
	n := 0
	for _, p := range peaks {
		if p.t >= from && p.t < to && p.v >= high && p.prominence >= depth {
			n++
		}
	}
	return n
}

// engineSpikes runs one neuron in the engine at 48 kHz and the given speed for total ms
// of model time, with an optional kick, and returns its spike times (ms of model time,
// at the end of the sample that counted them) and the engine.
func engineSpikes(t *testing.T, spec NeuronSpec, speed float64, kick pulse, total float64) ([]float64, *Engine) {
	t.Helper()
	const block = 480
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}, Speed: speed}, 48000, block)
	dt := e.ModelTimeStep()
	if kick.ms > 0 {
		e.Events().Push(Event{Frame: int64(math.Round(kick.at / dt)), Kind: EventKick, Value: kick.amp, Time: kick.ms})
	}
	out := makeOut(2, block)
	var times []float64
	for e.Frame() < int64(math.Ceil(total/dt)) {
		e.Process(out)
		for {
			s, ok := e.Spikes().Pop()
			if !ok {
				break
			}
			times = append(times, float64(s.Frame+1)*dt)
		}
	}
	return times, e
}

func countIn(times []float64, from, to float64) int {
	n := 0
	for _, t := range times {
		if t >= from && t < to {
			n++
		}
	}
	return n
}

// spikeCase is one preset at one holding current (plus, optionally, a parameter
// changed and a kick), counted over [settle, settle+window) ms of model time.
type spikeCase struct {
	model, preset string
	params        map[string]float64
	current       float64
	kick          pulse
	fromRest      bool    // start at rest at the holding current (reached by a slow ramp), not at the preset's Init
	ringing       bool    // the kick makes V ring: the reference must show it
	speed         float64 // the built-in patch's speed: how it is played
	settle        float64 // ms of model time before counting
	window        float64 // ms of model time counted
	spikes        string  // what the reference shows: "" (no spike), "one", or "many" (firing)
	why           string
}

func (c spikeCase) name() string {
	s := fmt.Sprintf("%s/%s/I=%g", c.model, c.preset, c.current)
	for k, v := range c.params {
		s += fmt.Sprintf(",%s=%g", k, v)
	}
	if c.kick.ms > 0 {
		s += fmt.Sprintf(",kick=%g:%g", c.kick.amp, c.kick.ms)
	}
	return s
}

func (c spikeCase) spec(t *testing.T) NeuronSpec {
	t.Helper()
	s := presetSpec(t, c.model, c.preset, c.current)
	for k, v := range c.params {
		p := s.Model.Param(k)
		if p < 0 {
			t.Fatalf("%s has no parameter %s", c.model, k)
		}
		s.Params[p] = v
	}
	if c.fromRest {
		s.Init = restAt(s.Model, s.Params, s.Init, c.current)
	}
	return s
}

// restAt follows the rest state from init (rest at zero current) to current by a slow
// ramp, so that a neuron that is bistable there is not kicked into firing by a step.
func restAt(m *Model, params, init []float64, current float64) []float64 {
	x := append([]float64(nil), init...)
	scratch := make([]float64, 5*len(x))
	var I float64
	f := func(dx, x []float64) { m.Deriv(dx, x, params, I) }
	const ramp, hold = 2000.0, 2000.0 // ms
	h := m.MaxStep
	for s := 0; float64(s)*h < ramp+hold; s++ {
		I = current * math.Min(1, float64(s)*h/ramp)
		StepRK4(x, h, f, scratch)
	}
	return x
}

// spikeCases covers every preset: rest, just below and above where firing starts, high
// current, depolarisation block, sub-threshold oscillations and kicks; and the fast
// cycles whose trough stays above SpikeLow (which the fixed re-arm level missed).
var spikeCases = []spikeCase{
	{model: "inapk", preset: "snic", current: 0, speed: 1, settle: 50, window: 500, why: "rest"},
	{model: "inapk", preset: "snic", current: 4.4, speed: 1, settle: 50, window: 500, why: "just below the SNIC at 4.51"},
	{model: "inapk", preset: "snic", current: 4.7, speed: 1, settle: 50, window: 500, spikes: "many", why: "just above the SNIC: slow firing"},
	{model: "inapk", preset: "snic", current: 10, speed: 1, settle: 50, window: 500, spikes: "many"},
	{model: "inapk", preset: "snic", current: 160, speed: 1, settle: 50, window: 500, spikes: "many", why: "cycle -38..-2 mV: trough above SpikeLow"},
	{model: "inapk", preset: "snic", current: 200, speed: 1, settle: 50, window: 500, why: "2.5 mV oscillation across SpikeHigh"},
	{model: "inapk", preset: "snic", current: 0, kick: pulse{at: 50, ms: 1, amp: 3}, speed: 1, settle: 0, window: 300, why: "small kick"},
	{model: "inapk", preset: "saddle-node", current: 0, speed: 1, settle: 50, window: 500, why: "rest"},
	{model: "inapk", preset: "saddle-node", current: 4.4, speed: 1, settle: 50, window: 500, why: "just below the saddle-node at 4.51"},
	{model: "inapk", preset: "saddle-node", current: 4.6, speed: 1, settle: 50, window: 500, spikes: "many", why: "just above it"},
	{model: "inapk", preset: "saddle-node", current: 15, speed: 1, settle: 50, window: 500, spikes: "many", why: "cycle -44..-13 mV: trough above SpikeLow"},
	{model: "inapk", preset: "saddle-node", current: 30, speed: 1, settle: 50, window: 500, spikes: "many", why: "cycle -36..-17 mV"},
	{model: "inapk", preset: "saddle-node", current: 40, speed: 1, settle: 50, window: 500, why: "9.5 mV oscillation near depolarisation block"},
	{model: "inapk", preset: "saddle-node", params: map[string]float64{"EL": -79}, current: 5, speed: 1, settle: 50, window: 500, spikes: "many", why: "a user's EL: cycle -45.0..-12.6 mV"},
	{model: "inapk", preset: "saddle-node", current: 4, fromRest: true, kick: pulse{at: 50, ms: 1, amp: 2}, speed: 1, settle: 0, window: 300, why: "kick too small to switch"},
	{model: "inapk", preset: "hopf-super", current: 10, speed: 4, settle: 100, window: 500, why: "rest, a focus"},
	{model: "inapk", preset: "hopf-super", current: 16, speed: 4, settle: 300, window: 500, why: "just above the Hopf point at 14.66: small oscillation"},
	{model: "inapk", preset: "hopf-super", current: 25, speed: 4, settle: 300, window: 500, why: "22 mV oscillation below SpikeHigh"},
	{model: "inapk", preset: "hopf-super", current: 40, speed: 4, settle: 100, window: 500, spikes: "many"},
	{model: "inapk", preset: "hopf-super", current: 200, speed: 4, settle: 100, window: 500, spikes: "many"},
	{model: "inapk", preset: "hopf-super", current: 10, fromRest: true, kick: pulse{at: 100, ms: 1, amp: 10}, ringing: true, speed: 4, settle: 0, window: 300, why: "ringing after a small kick"},
	{model: "inapk", preset: "hopf-sub", current: 40, speed: 1, settle: 100, window: 500, why: "rest"},
	{model: "inapk", preset: "hopf-sub", current: 48, fromRest: true, speed: 1, settle: 100, window: 500, why: "rest, just below the subcritical Hopf at 48.9"},
	{model: "inapk", preset: "hopf-sub", current: 50, speed: 1, settle: 100, window: 500, spikes: "many"},
	{model: "inapk", preset: "hopf-sub", current: 70, speed: 1, settle: 100, window: 500, spikes: "many"},
	{model: "inapk", preset: "hopf-sub", current: 100, speed: 1, settle: 100, window: 500, why: "depolarisation block"},
	{model: "inapk", preset: "hopf-sub", current: 40, fromRest: true, kick: pulse{at: 100, ms: 1, amp: 3}, ringing: true, speed: 1, settle: 0, window: 300, why: "ringing after a small kick"},
	{model: "hh", preset: "classic", current: 0, speed: 2, settle: 100, window: 500, why: "rest"},
	{model: "hh", preset: "classic", current: 5, speed: 2, settle: 100, window: 500, why: "one spike at the step, then rest"},
	{model: "hh", preset: "classic", current: 10, speed: 2, settle: 100, window: 500, spikes: "many", why: "just above the Hopf point at 9.8"},
	{model: "hh", preset: "classic", current: 60, speed: 2, settle: 100, window: 500, spikes: "many"},
	{model: "hh", preset: "classic", current: 120, speed: 2, settle: 100, window: 500, why: "28 mV oscillation below SpikeHigh"},
	{model: "hh", preset: "classic", current: 200, speed: 2, settle: 100, window: 500, why: "depolarisation block"},
	{model: "hh", preset: "classic", current: 0, kick: pulse{at: 100, ms: 1, amp: 3}, ringing: true, speed: 2, settle: 0, window: 300, why: "ringing after a small kick"},
	{model: "hh", preset: "classic", current: 0, kick: pulse{at: 100, ms: 1, amp: 20}, ringing: true, speed: 2, settle: 0, window: 300, spikes: "one", why: "one spike, then ringing"},
	{model: "morris-lecar", preset: "hopf", current: 80, speed: 30, settle: 500, window: 2000, why: "rest"},
	{model: "morris-lecar", preset: "hopf", current: 93, fromRest: true, speed: 30, settle: 500, window: 2000, why: "rest, below the subcritical Hopf at 93.9"},
	{model: "morris-lecar", preset: "hopf", current: 100, speed: 30, settle: 500, window: 2000, spikes: "many"},
	{model: "morris-lecar", preset: "hopf", current: 200, speed: 30, settle: 500, window: 2000, spikes: "many"},
	{model: "morris-lecar", preset: "hopf", current: 300, speed: 30, settle: 500, window: 2000, why: "depolarisation block above SpikeHigh"},
	{model: "morris-lecar", preset: "hopf", current: 80, fromRest: true, kick: pulse{at: 500, ms: 5, amp: 5}, ringing: true, speed: 30, settle: 0, window: 1500, why: "ringing after a small kick"},
	{model: "morris-lecar", preset: "snic", current: 30, speed: 20, settle: 500, window: 2000, why: "rest"},
	{model: "morris-lecar", preset: "snic", current: 39.5, speed: 20, settle: 500, window: 2000, why: "just below the SNIC at 39.96"},
	{model: "morris-lecar", preset: "snic", current: 41, speed: 20, settle: 500, window: 2000, spikes: "many", why: "just above it"},
	{model: "morris-lecar", preset: "snic", current: 100, speed: 20, settle: 500, window: 2000, spikes: "many"},
	{model: "morris-lecar", preset: "snic", current: 200, speed: 20, settle: 500, window: 2000, why: "depolarisation block above SpikeHigh"},
	{model: "morris-lecar", preset: "homoclinic", current: 30, speed: 20, settle: 500, window: 2000, why: "rest"},
	{model: "morris-lecar", preset: "homoclinic", current: 39, speed: 20, settle: 500, window: 2000, why: "rest, below the saddle-node at 39.96"},
	{model: "morris-lecar", preset: "homoclinic", current: 40.3, speed: 20, settle: 500, window: 2000, spikes: "many", why: "above it: firing"},
	{model: "morris-lecar", preset: "homoclinic", current: 60, speed: 20, settle: 500, window: 2000, why: "depolarisation block near SpikeHigh"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 0, speed: 20, settle: 300, window: 2000, why: "rest"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 0.3, speed: 20, settle: 300, window: 2000, why: "rest, just below the Hopf point near 0.33"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 0.35, speed: 20, settle: 300, window: 2000, spikes: "many", why: "just above it"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 1, speed: 20, settle: 300, window: 2000, spikes: "many"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 1.4, speed: 20, settle: 300, window: 2000, spikes: "many", why: "just below depolarisation block"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 1.43, speed: 20, settle: 300, window: 2000, why: "depolarisation block: slow ringing across SpikeHigh"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 1.5, speed: 20, settle: 300, window: 2000, why: "depolarisation block at V = 1.03, just above SpikeHigh"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 5, speed: 20, settle: 300, window: 2000, why: "deep depolarisation block"},
	{model: "fitzhugh-nagumo", preset: "classic", current: 0.3, fromRest: true, kick: pulse{at: 300, ms: 1, amp: 0.05}, ringing: true, speed: 20, settle: 0, window: 1000, why: "ringing after a small kick"},
}

// TestSpikeCountMatchesReferencePeaks: over every preset, at currents across its range,
// the engine counts exactly the spikes a fine reference solution shows as prominent
// peaks (within one at the edges of the window), at speed 1 and at the built-in
// patch's speed; where the reference shows none, the engine counts none.
func TestSpikeCountMatchesReferencePeaks(t *testing.T) {
	for _, c := range spikeCases {
		t.Run(c.name(), func(t *testing.T) {
			spec := c.spec(t)
			m := spec.Model
			depth := spec.SpikeHigh - spec.SpikeLow
			end := c.settle + c.window
			// The reference runs on past the window so that the last peaks have their
			// right-hand side.
			peaks := referencePeaks(m, spec.Params, spec.Init, c.current, c.kick, m.MaxStep/8, end+0.2*c.window)
			want := prominentPeaks(peaks, spec.SpikeHigh, depth, c.settle, end)
			if c.spikes == "many" && want < 5 || c.spikes == "one" && want != 1 || c.spikes == "" && want != 0 {
				t.Fatalf("the reference shows %d spikes in %g ms: the table says %q (%s)", want, c.window, c.spikes, c.why)
			}
			if c.ringing {
				// After the kick (and its spike, if any) V rings: peaks of any size.
				if n := len(peaks) - prominentPeaks(peaks, math.Inf(-1), 0, 0, c.kick.at+c.kick.ms); n < 3 {
					t.Fatalf("the reference shows %d peaks after the kick: no ringing to test the detector on", n)
				}
			}
			speeds := []float64{1}
			if c.speed != 1 {
				speeds = append(speeds, c.speed)
			}
			for _, speed := range speeds {
				times, e := engineSpikes(t, spec, speed, c.kick, end)
				got := countIn(times, c.settle, end)
				if got < want-1 || got > want+1 || want == 0 && got != 0 {
					t.Errorf("speed %g: the engine counts %d spikes from %g to %g ms, the reference %d (%s)", speed, got, c.settle, end, want, c.why)
				}
				t.Logf("speed %g: %d spikes, reference %d", speed, got, want)
				if r := e.Stats().Resets; r != 0 {
					t.Errorf("speed %g: %d resets", speed, r)
				}
			}
		})
	}
}

// TestFastCycleCountsEveryPeriod is issue 7's case: the saddle-node preset at 15 µA/cm²
// (and a user's patch with EL = -79 mV at 5) fires a cycle of about 1.3 kHz whose trough
// stays above SpikeLow. One second of sound must count its spikes at the rate of the
// reference cycle (the mean period between the peaks of a fine solution) within 2%.
func TestFastCycleCountsEveryPeriod(t *testing.T) {
	for _, c := range []struct {
		current float64
		params  map[string]float64
	}{
		{15, nil},
		{5, map[string]float64{"EL": -79}},
		{12, nil},
		{30, nil},
	} {
		sc := spikeCase{model: "inapk", preset: "saddle-node", current: c.current, params: c.params}
		t.Run(sc.name(), func(t *testing.T) {
			spec := sc.spec(t)
			const settle, span = 20.0, 200.0 // ms
			peaks := referencePeaks(spec.Model, spec.Params, spec.Init, c.current, pulse{}, spec.Model.MaxStep/8, settle+span)
			var first, last float64
			n := 0
			for _, p := range peaks {
				if p.t >= settle && p.prominence > 1 {
					if n == 0 {
						first = p.t
					}
					last = p.t
					n++
				}
			}
			if n < 10 {
				t.Fatalf("the reference shows %d peaks in %g ms: not firing", n, span)
			}
			rate := 1000 * float64(n-1) / (last - first) // Hz of model time
			times, _ := engineSpikes(t, spec, 1, pulse{}, 1000)
			got := float64(len(times))
			if math.Abs(got-rate) > 0.02*rate {
				t.Errorf("%g spikes in 1 s; the reference cycle fires at %.1f Hz", got, rate)
			}
			t.Logf("%g spikes in 1 s, reference %.1f Hz", got, rate)
		})
	}
}

// TestNoiseAroundSpikeHighIsNoSpike: a neuron held with noise at a state that sits
// near SpikeHigh (depolarisation block, or a small oscillation across it) crosses
// SpikeHigh again and again, and never counts a spike once settled.
func TestNoiseAroundSpikeHighIsNoSpike(t *testing.T) {
	for _, c := range []struct {
		model, preset  string
		current, noise float64
		speed, settle  float64
	}{
		{"fitzhugh-nagumo", "classic", 1.5, 0.01, 20, 500}, // V = 1.03, SpikeHigh 1
		{"morris-lecar", "homoclinic", 55, 5, 20, 500},     // V = 5.8 mV, SpikeHigh 8
		{"inapk", "snic", 200, 5, 1, 50},                   // -20.9..-18.4 mV, SpikeHigh -20
	} {
		t.Run(c.model+"/"+c.preset, func(t *testing.T) {
			spec := presetSpec(t, c.model, c.preset, c.current)
			spec.Noise = c.noise
			e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}, Speed: c.speed, Seed: 7}, 48000, 1)
			out := makeOut(2, 1)
			end := int64(math.Round((c.settle + 2000) / e.ModelTimeStep()))
			settled := int64(math.Round(c.settle / e.ModelTimeStep()))
			crossings, spikes := 0, 0
			above := false
			var lo, hi float64 = math.Inf(1), math.Inf(-1)
			for e.Frame() < end {
				e.Process(out)
				for {
					s, ok := e.Spikes().Pop()
					if !ok {
						break
					}
					if s.Frame >= settled {
						spikes++
					}
				}
				if e.Frame() > settled {
					v := e.batches[0].x[0][0]
					lo, hi = math.Min(lo, v), math.Max(hi, v)
					if v >= spec.SpikeHigh && !above {
						crossings++
					}
					above = v >= spec.SpikeHigh
				}
			}
			if crossings < 20 {
				t.Fatalf("V crossed SpikeHigh %d times (range %.3g..%.3g): the noise does not test the detector", crossings, lo, hi)
			}
			if spikes != 0 {
				t.Errorf("%d spikes from %d crossings of SpikeHigh %g by V jittering over %.3g..%.3g", spikes, crossings, spec.SpikeHigh, lo, hi)
			}
			t.Logf("%d crossings of SpikeHigh, V %.3g..%.3g, no spike", crossings, lo, hi)
		})
	}
}

// TestResetIsNoSpike: a neuron firing its fast cycle is reset to rest (as after a
// numerical blow-up) at several phases of the cycle. No reset is counted as a spike, and
// after each the count goes on as a reference restarted from rest at the same time shows.
func TestResetIsNoSpike(t *testing.T) {
	spec := presetSpec(t, "inapk", "saddle-node", 15)
	e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}}, 48000, 1)
	dt := e.ModelTimeStep()
	out := makeOut(2, 1)
	// Resets at frames spaced by a number of samples that is no multiple of the period,
	// so they land at different phases.
	resets := []int64{0, 997, 1994, 2991, 3988, 4985, 5982}
	end := int64(7000)
	var frames []int64
	for r := 1; r <= len(resets); r++ {
		stop := end
		if r < len(resets) {
			stop = resets[r]
		}
		for e.Frame() < stop {
			e.Process(out)
			for {
				s, ok := e.Spikes().Pop()
				if !ok {
					break
				}
				frames = append(frames, s.Frame)
			}
		}
		if r < len(resets) {
			e.batches[0].x[0][0] = math.NaN() // the next step blows up and resets
		}
	}
	if got := e.Stats().Resets; got != uint64(len(resets)-1) {
		t.Fatalf("%d resets, want %d", got, len(resets)-1)
	}
	for k := 0; k < len(resets); k++ {
		from, to := resets[k], end
		if k+1 < len(resets) {
			to = resets[k+1]
		}
		got := 0
		for _, f := range frames {
			if f == from && k > 0 {
				t.Errorf("a spike counted on the reset at frame %d", f)
			}
			if f > from && f < to || k == 0 && f == 0 {
				got++
			}
		}
		// The reset frame's step blew up; the segment starts at rest after it.
		start := from
		if k > 0 {
			start++
		}
		peaks := referencePeaks(spec.Model, spec.Params, spec.Init, spec.Current, pulse{}, spec.Model.MaxStep/8, float64(to-start)*dt+1)
		want := prominentPeaks(peaks, spec.SpikeHigh, spec.SpikeHigh-spec.SpikeLow, 0, float64(to-start)*dt)
		if got < want-1 || got > want+1 {
			t.Errorf("frames %d to %d after a reset: %d spikes, the reference from rest %d", from, to, got, want)
		}
	}
}

// The detector on synthetic traces, with SpikeHigh -30 and SpikeLow -45 (depth 15).
func TestSpikeDetectorTraces(t *testing.T) {
	const high, low = -30.0, -45.0
	sine := func(centre, amp, period float64, n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = centre - amp*math.Cos(2*math.Pi*float64(i)/period)
		}
		return v
	}
	rng := rand.New(rand.NewPCG(3, 4))
	jitter := func(centre, amp float64, n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = centre + amp*(2*rng.Float64()-1)
		}
		return v
	}
	join := func(parts ...[]float64) []float64 {
		var v []float64
		for _, p := range parts {
			v = append(v, p...)
		}
		return v
	}
	ramp := func(from, to float64, n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = from + (to-from)*float64(i+1)/float64(n)
		}
		return v
	}
	for _, c := range []struct {
		name  string
		trace []float64
		want  int
	}{
		{"hysteresis: up, jitter around SpikeHigh, below SpikeLow, up again",
			join(ramp(-65, -30, 10), jitter(-30, 6, 500), ramp(-30, -60, 10), ramp(-60, -20, 10)), 2},
		{"full cycles below SpikeLow", sine(-30, 30, 40, 400), 10},
		{"cycle with its trough above SpikeLow (-44..-14)", sine(-29, 15.5, 40, 400), 10},
		{"cycle swinging less than the depth across SpikeHigh", join(ramp(-65, -30, 5), sine(-30, 7, 40, 400)), 1},
		{"ringing below SpikeHigh", sine(-50, 15, 40, 400), 0},
		{"noise jitter around SpikeHigh", join(ramp(-65, -30, 5), jitter(-30, 7, 5000)), 1},
		{"depolarised state with a small oscillation above SpikeHigh", join(ramp(-65, 0, 5), sine(0, 5, 40, 400)), 1},
		{"a slow fall of the depolarised state is no spike", join(ramp(-65, 0, 5), ramp(0, -40, 400), sine(-40, 5, 40, 400)), 1},
		{"then a real rise from that trough is", join(ramp(-65, 0, 5), ramp(0, -40, 400), ramp(-40, -20, 5)), 2},
		{"starting just below SpikeHigh: a rise of less than the depth, then a full one",
			join(ramp(-35, -20, 5), ramp(-20, -44, 5), ramp(-44, -20, 5)), 1},
		{"starting above SpikeHigh: no spike until a fall and a rise",
			join(ramp(-10, -15, 5), ramp(-15, -24, 5), ramp(-24, 0, 5), ramp(0, -40, 5), ramp(-40, -20, 5)), 1},
		// Re-arming as soon as V is back under SpikeHigh (hysteresis lost on the way
		// down) counts these twice.
		{"a notch on the upstroke: over SpikeHigh, back under it by less than the depth, on to the peak",
			join(ramp(-65, -28, 5), ramp(-28, -34, 3), ramp(-34, 10, 5), ramp(10, -65, 10)), 1},
		{"a resonator's ringing after its spike, across SpikeHigh by less than the depth",
			join(ramp(-65, 0, 5), ramp(0, -36, 5), sine(-30, 6, 40, 400)), 1},
	} {
		d := NewSpikeDetector(high, low, c.trace[0])
		got := 0
		for _, v := range c.trace[1:] {
			if d.Step(v) {
				got++
			}
		}
		if got != c.want {
			t.Errorf("%s: %d spikes, want %d", c.name, got, c.want)
		}
	}
}

// TestSpikeDetectorKeepsEverySpikeOfTheFixedLevel: on random traces the detector counts
// every spike the fixed re-arm level (re-armed only below SpikeLow) counted, on the same
// sample; it only adds spikes, each after a fall and a rise of the full depth.
func TestSpikeDetectorKeepsEverySpikeOfTheFixedLevel(t *testing.T) {
	const high, low = -30.0, -45.0
	rng := rand.New(rand.NewPCG(5, 6))
	added := 0
	for trial := 0; trial < 200; trial++ {
		v := -60 + 40*rng.Float64()
		step := 1 + 10*rng.Float64()
		d := NewSpikeDetector(high, low, v)
		armed := v < low
		hiSince, loSince := v, v // extremes since the last new spike
		for i := 0; i < 2000; i++ {
			v = math.Max(-90, math.Min(30, v+step*rng.NormFloat64()))
			old := false
			if armed && v >= high {
				armed, old = false, true
			} else if !armed && v < low {
				armed = true
			}
			th := d.Threshold()
			spike := d.Step(v)
			if old && !spike {
				t.Fatalf("trial %d sample %d: the fixed level counts a spike at V = %g, the detector does not", trial, i, v)
			}
			if spike && v < th {
				t.Fatalf("trial %d sample %d: a spike at V = %g below the threshold %g it reported", trial, i, v, th)
			}
			hiSince, loSince = math.Max(hiSince, v), math.Min(loSince, v)
			if spike && !old {
				added++
				if hiSince-loSince < high-low {
					t.Fatalf("trial %d sample %d: an added spike after a swing of only %g", trial, i, hiSince-loSince)
				}
			}
			if spike {
				hiSince, loSince = v, v
			}
		}
	}
	if added == 0 {
		t.Error("no trace had a cycle the fixed level missed: the test proves nothing about the new rule")
	}
}

// TestSpikeHysteresisUnderNoiseAndRinging: where V crosses SpikeHigh again and again
// without a new spike (noise riding on the up- and downstrokes near threshold, a kicked
// depolarised state ringing across SpikeHigh), the engine counts what the fixed re-arm
// level counts from the same trace: every one of its spikes on the same sample, and no
// other where every trough falls below SpikeLow. A detector that re-arms at SpikeHigh
// (no hysteresis) counts the extra crossings.
func TestSpikeHysteresisUnderNoiseAndRinging(t *testing.T) {
	for _, c := range []struct {
		name            string
		model, preset   string
		current, speed  float64
		noise, noiseTau float64
		kick            float64 // at the end of the settling time, for 0.5 ms
		settle          float64 // s of sound before counting starts
	}{
		{"integrator below its threshold, firing on noise", "inapk", "snic", 3, 1, 100, 0.02, 0, 0.1},
		{"noisy resonator below its Hopf point", "inapk", "hopf-super", 12, 1, 100, 0.02, 0, 0.1},
		{"noisy Hodgkin-Huxley axon", "hh", "classic", 5, 1, 100, 0.02, 0, 0.1},
		{"noisy FitzHugh-Nagumo", "fitzhugh-nagumo", "classic", 0.3, 10, 0.5, 0.1, 0, 0.1},
		{"kicked depolarised focus rings across SpikeHigh", "morris-lecar", "homoclinic", 45, 1, 0, 5, 250, 1},
		{"small oscillation of a depolarised state around SpikeHigh", "inapk", "snic", 200, 1, 0, 5, 10, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			const rate = 48000
			spec := presetSpec(t, c.model, c.preset, c.current)
			spec.Noise, spec.NoiseTau = c.noise, c.noiseTau
			e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec}, Speed: c.speed, Seed: 3}, rate, 1)
			start := int64(c.settle * rate)
			if c.kick != 0 {
				e.Schedule([]Event{{Frame: start, Kind: EventKick, Value: c.kick, Time: 0.5}})
			}
			out := makeOut(2, 1)
			for e.Frame() < start {
				e.Process(out)
			}
			for {
				if _, ok := e.Spikes().Pop(); !ok {
					break
				}
			}
			high, low := spec.SpikeHigh, spec.SpikeLow
			v := e.batches[0].x[0][0]
			armed := v < low // the fixed re-arm level
			var fixed []int64
			crossings := 0
			got := map[int64]bool{}
			for e.Frame() < start+2*rate {
				prev := v
				e.Process(out)
				v = e.batches[0].x[0][0]
				if prev < high && v >= high {
					crossings++
				}
				if armed && v >= high {
					fixed = append(fixed, e.Frame()-1)
					armed = false
				} else if v < low {
					armed = true
				}
				for {
					s, ok := e.Spikes().Pop()
					if !ok {
						break
					}
					got[s.Frame] = true
				}
			}
			if crossings < len(fixed)+3 {
				t.Fatalf("V crossed SpikeHigh %d times for %d spikes of the fixed level: the case does not test the hysteresis", crossings, len(fixed))
			}
			for _, f := range fixed {
				if !got[f] {
					t.Errorf("the fixed level counts a spike at frame %d, the engine does not", f)
				}
			}
			if slack := len(fixed) / 100; len(got) > len(fixed)+slack {
				t.Errorf("%d spikes from %d crossings of SpikeHigh, the fixed level counts %d", len(got), crossings, len(fixed))
			}
			t.Logf("%d crossings of SpikeHigh, %d spikes, the fixed level %d", crossings, len(got), len(fixed))
		})
	}
}
