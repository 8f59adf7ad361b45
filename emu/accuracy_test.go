package emu

import (
	"fmt"
	"math"
	"testing"
)

// firingCurrent is, per preset, a current at which the preset fires repetitively.
var firingCurrent = map[string]float64{
	"inapk/snic": 10, "inapk/saddle-node": 5, "inapk/hopf-super": 40, "inapk/hopf-sub": 50,
	"hh/classic": 10, "morris-lecar/hopf": 100, "morris-lecar/snic": 60,
	"morris-lecar/homoclinic": 38, "fitzhugh-nagumo/classic": 0.5,
}

// firingStart is, for presets whose firing cycle coexists with rest at firingCurrent,
// a state on the cycle's side of the threshold.
var firingStart = map[string][]float64{"morris-lecar/homoclinic": {0, 0.1}}

// spikeTimes integrates a preset with the reference RK4 at step h for duration ms and
// returns its spike times (by the engine's rule), interpolated linearly within the step
// where V crossed the detector's threshold.
func spikeTimes(m *Model, pr *Preset, start []float64, I, h, duration float64) []float64 {
	p := m.Values(nil, pr)
	x := append([]float64(nil), start...)
	scratch := make([]float64, 5*len(x))
	f := func(dx, x []float64) { m.Deriv(dx, x, p, I) }
	d := NewSpikeDetector(pr.SpikeHigh, pr.SpikeLow, x[0])
	var out []float64
	steps := int(math.Round(duration / h))
	for s := 0; s < steps; s++ {
		v0, level := x[0], d.Threshold()
		StepRK4(x, h, f, scratch)
		if d.Step(x[0]) {
			out = append(out, (float64(s)+math.Max(0, level-v0)/(x[0]-v0))*h)
		}
	}
	return out
}

// TestSpikeTimeAccuracy shows the default step is accurate enough: for every preset, at a
// current where it fires, RK4 at the model's largest allowed step (MaxStep: the worst case
// the engine ever uses) puts every spike of 1 s of model time within 0.1 ms of a reference
// solution with a 64 times smaller step (whose own error is ~64^4 times smaller).
func TestSpikeTimeAccuracy(t *testing.T) {
	const tolerance = 0.1 // ms
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		for i := range m.Presets {
			pr := &m.Presets[i]
			key := name + "/" + pr.Name
			t.Run(key, func(t *testing.T) {
				I, ok := firingCurrent[key]
				if !ok {
					t.Fatalf("no firing current for preset %s: add one to firingCurrent", key)
				}
				start := pr.Init
				if s, ok := firingStart[key]; ok {
					start = s
				}
				ref := spikeTimes(m, pr, start, I, m.MaxStep/64, 1000)
				got := spikeTimes(m, pr, start, I, m.MaxStep, 1000)
				if len(ref) < 3 {
					t.Fatalf("reference fires %d spikes in 1 s at I=%g: not a firing current", len(ref), I)
				}
				if len(got) != len(ref) {
					t.Fatalf("%d spikes at step %g ms, reference %d", len(got), m.MaxStep, len(ref))
				}
				// The detector on the reference agrees with its prominent peaks, an
				// independent count (one may straddle the end of the run).
				peaks := referencePeaks(m, m.Values(nil, pr), start, I, pulse{}, m.MaxStep/2, 1100)
				if n := prominentPeaks(peaks, pr.SpikeHigh, pr.SpikeHigh-pr.SpikeLow, 0, 1000); n < len(ref)-1 || n > len(ref)+1 {
					t.Fatalf("the reference counts %d spikes in 1 s, its prominent peaks are %d", len(ref), n)
				}
				worst := 0.0
				for k := range ref {
					worst = math.Max(worst, math.Abs(got[k]-ref[k]))
				}
				if worst > tolerance {
					t.Errorf("worst spike-time error %.4f ms over %d spikes, want <= %g", worst, len(ref), tolerance)
				}
				t.Logf("%d spikes, worst error %.2g ms at step %g ms", len(ref), worst, m.MaxStep)
			})
		}
	}
}

// TestPresetsRestAtZeroCurrent checks each preset's initial state is its resting state.
func TestPresetsRestAtZeroCurrent(t *testing.T) {
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		for i := range m.Presets {
			pr := &m.Presets[i]
			p := m.Values(nil, pr)
			dx := make([]float64, len(m.Vars))
			m.Deriv(dx, pr.Init, p, 0)
			// Init is rounded to a few digits; the drift it leaves must be tiny next to
			// a spike's (hundreds of mV/ms).
			if math.Abs(dx[0]) > 0.05 {
				t.Errorf("%s/%s: dV/dt = %g at the initial state, want ~0", name, pr.Name, dx[0])
			}
			for k := range p {
				if err := m.CheckParam(k, p[k]); err != nil {
					t.Errorf("%s/%s: %v", name, pr.Name, err)
				}
			}
			for key := range pr.Values {
				if m.Param(key) < 0 {
					t.Errorf("%s/%s: preset sets unknown parameter %q", name, pr.Name, key)
				}
			}
			if len(pr.Init) != len(m.Vars) {
				t.Errorf("%s/%s: %d initial values for %d variables", name, pr.Name, len(pr.Init), len(m.Vars))
			}
			if pr.Doc == "" || !(pr.SpikeLow < pr.SpikeHigh) || pr.Span == 0 {
				t.Errorf("%s/%s: incomplete preset %+v", name, pr.Name, pr)
			}
		}
	}
	if got := fmt.Sprint(ModelNames()); got != "[inapk hh morris-lecar fitzhugh-nagumo]" {
		t.Errorf("ModelNames() = %s", got)
	}
}
