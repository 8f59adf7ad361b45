package render

import (
	"math"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/patches"
)

func load(t *testing.T, name string) *patches.Patch {
	t.Helper()
	p, err := patches.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sweepResult is where a slow up-and-down current sweep made the neuron fire.
type sweepResult struct {
	onset, offset  float64 // current at the first spike going up, the last going down
	upSpikes       int
	downSpikes     int
	currentAtFrame func(f int64) float64
}

// sweep ramps every neuron's current from lo to hi and back, each way over seconds of
// sound, and reports the currents at which firing started and stopped.
func sweep(t *testing.T, name string, lo, hi, seconds float64) sweepResult {
	t.Helper()
	const rate = 16000
	p := load(t, name)
	var spikes []emu.Spike
	perf := Performance{Ramps: []Ramp{
		{Target: "current", From: lo, To: hi, Seconds: seconds},
		{Target: "current", From: hi, To: lo, Seconds: seconds},
	}}
	res, err := Run(p, perf, Options{SampleRate: rate}, Sink{Spike: func(s emu.Spike) { spikes = append(spikes, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Resets != 0 {
		t.Errorf("%s: %d resets during a plain sweep", name, res.Stats.Resets)
	}
	half := int64(seconds * rate)
	current := func(f int64) float64 {
		if f < half {
			return lo + (hi-lo)*float64(f)/float64(half)
		}
		return hi + (lo-hi)*float64(f-half)/float64(half)
	}
	r := sweepResult{onset: math.NaN(), offset: math.NaN(), currentAtFrame: current}
	for _, s := range spikes {
		if s.Frame < half {
			if r.upSpikes == 0 {
				r.onset = current(s.Frame)
			}
			r.upSpikes++
		} else {
			r.downSpikes++
			r.offset = current(s.Frame)
		}
	}
	t.Logf("%s: sweep %g..%g over %g s each way: firing from %.3f going up (%d spikes), until %.3f going down (%d spikes)",
		name, lo, hi, seconds, r.onset, r.upSpikes, r.offset, r.downSpikes)
	return r
}

// The snic patch is a monostable integrator: firing starts and stops at the same current,
// the saddle-node on invariant circle at I = 4.51 (Izhikevich 2007, fig. 6.6).
func TestSNICStartsAndStopsAt451(t *testing.T) {
	r := sweep(t, "snic", 3.5, 5.5, 20)
	if math.Abs(r.onset-4.51) > 0.1 || math.Abs(r.offset-4.51) > 0.1 {
		t.Errorf("snic fires from %.3f up and until %.3f down; want both 4.51 +- 0.1", r.onset, r.offset)
	}
}

// The saddle-node patch is a bistable integrator: firing starts at the saddle-node (4.51)
// going up, and on the way down goes on far below it, until the limit cycle runs into
// the saddle (a homoclinic orbit) at I = -0.30: that is where this sweep stops firing,
// and where a quasi-static sweep in steps of 0.001 stopped too (patches/builtin/
// hysteresis.toml). The tolerance allows for the sweep's speed.
func TestSaddleNodeHysteresis(t *testing.T) {
	r := sweep(t, "saddle-node", -2, 6, 30)
	if math.Abs(r.onset-4.51) > 0.1 {
		t.Errorf("saddle-node starts firing at %.3f going up; want 4.51 +- 0.1", r.onset)
	}
	if math.Abs(r.offset-(-0.30)) > 0.1 {
		t.Errorf("saddle-node stops firing at %.3f going down, want -0.30 +- 0.1 (far below the onset: hysteresis)", r.offset)
	}
}

// The hopf-sub patch is a bistable resonator: rest loses stability in a subcritical Hopf
// bifurcation going up; going down, the large firing cycle persists below it until a
// fold of limit cycles.
func TestHopfSubHysteresis(t *testing.T) {
	r := sweep(t, "hopf-sub", 30, 60, 30)
	if r.upSpikes == 0 || r.downSpikes == 0 {
		t.Fatalf("hopf-sub never fired: up %d, down %d spikes", r.upSpikes, r.downSpikes)
	}
	if !(r.offset < r.onset-1) {
		t.Errorf("hopf-sub fires from %.3f up and until %.3f down: want a hysteresis loop (stop well below start)", r.onset, r.offset)
	}
}

// The hopf-super patch is a monostable resonator: oscillations are born with zero
// amplitude and grow continuously with the current (no jump), and come back the same way.
func TestHopfSuperAmplitudeGrowsContinuously(t *testing.T) {
	const rate = 16000
	p := load(t, "hopf-super")
	var v []float64 // V once per ms of sound
	perf := Performance{Ramps: []Ramp{{Target: "current", From: 5, To: 35, Seconds: 30}}}
	_, err := Run(p, perf, Options{SampleRate: rate}, Sink{Table: func(row []float64) error {
		v = append(v, row[1])
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Peak-to-peak amplitude in windows of 0.5 s of sound.
	const window = 500
	var amp []float64
	for i := 0; i+window <= len(v); i += window {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range v[i : i+window] {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		amp = append(amp, hi-lo)
	}
	first := -1
	for i := 1; i < len(amp); i++ { // window 0 holds the start-up transient
		if amp[i] > 1 {
			first = i
			break
		}
	}
	if first < 3 {
		t.Fatalf("hopf-super oscillates from the start (amplitudes %v): the sweep should start below the Hopf point", amp)
	}
	if amp[first] > 8 {
		t.Errorf("the first oscillation is %.1f mV peak to peak: born large, not small (amplitudes %.1f)", amp[first], amp)
	}
	grow, maxStep := amp[len(amp)-1], 0.0
	for i := first; i < len(amp); i++ {
		maxStep = math.Max(maxStep, amp[i]-amp[i-1])
		if amp[i] < amp[i-1]-1 {
			t.Errorf("amplitude shrinks from %.1f to %.1f mV at window %d while the current grows", amp[i-1], amp[i], i)
		}
	}
	if grow < 20 || maxStep > grow/4 {
		t.Errorf("amplitude grows to %.1f mV with a largest step of %.1f mV between windows: want a large, gradual growth (%.1f)", grow, maxStep, amp)
	}
	// Near a supercritical Hopf point the amplitude grows as sqrt(I - I_Hopf): its square
	// grows linearly, by about the same amount per window.
	var inc []float64
	for i := first + 1; i <= first+5 && i < len(amp); i++ {
		inc = append(inc, amp[i]*amp[i]-amp[i-1]*amp[i-1])
	}
	mean := 0.0
	for _, d := range inc {
		mean += d / float64(len(inc))
	}
	for _, d := range inc {
		if math.Abs(d-mean) > 0.35*mean {
			t.Errorf("amplitude² increments %.1f after onset: not the linear growth of a supercritical Hopf", inc)
			break
		}
	}
}

// Hodgkin-Huxley fires repetitively at I = 10 µA/cm² and rests at I = 5.
func TestHHFiresAt10RestsAt5(t *testing.T) {
	p := load(t, "hh")
	for _, c := range []struct {
		current float64
		firing  bool
	}{{10, true}, {5, false}} {
		var late int
		const rate = 16000
		perf := Performance{Ramps: []Ramp{{Target: "current", From: 0, To: c.current, Seconds: 0.5}}}
		_, err := Run(p, perf, Options{SampleRate: rate, Duration: 2}, Sink{Spike: func(s emu.Spike) {
			if s.Frame >= rate { // the last second
				late++
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if c.firing && late < 10 || !c.firing && late != 0 {
			t.Errorf("HH at I=%g: %d spikes in the last second, want firing=%v", c.current, late, c.firing)
		}
	}
}

func loadB(b *testing.B, name string) (*patches.Patch, error) {
	b.Helper()
	return patches.Load(name)
}

// A kick inside the bistable range of saddle-node switches it from rest to sustained
// firing; a much larger kick overshoots the firing cycle's basin: one spike, then rest
// (see emu.TestKickSwitchesBistableNeuron for the whole table).
func TestKickSwitchesOrOvershoots(t *testing.T) {
	p := load(t, "saddle-node")
	const rate = 16000
	for _, c := range []struct {
		amp          float64
		before, late int // spikes before the kick; spikes in the last second
		firing       bool
	}{{2, 0, 0, false}, {20, 0, 0, true}, {200, 0, 0, false}} {
		var before, after, late int
		perf := Performance{Sets: []Set{{Target: "current", Value: 4}}, Kicks: []Kick{{Neuron: "a", Amplitude: c.amp, Ms: 1, At: 1}}}
		_, err := Run(p, perf, Options{SampleRate: rate, Duration: 3}, Sink{Spike: func(s emu.Spike) {
			switch {
			case s.Frame < rate:
				before++
			case s.Frame >= 2*rate:
				late++
				after++
			default:
				after++
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if before != 0 || (late > 100) != c.firing || (!c.firing && late != 0) {
			t.Errorf("kick %g: %d spikes before, %d after (%d in the last second); want firing=%v", c.amp, before, after, late, c.firing)
		}
		if c.amp == 200 && after != 1 {
			t.Errorf("kick 200: %d spikes after it, want exactly one spike detour", after)
		}
	}
}
