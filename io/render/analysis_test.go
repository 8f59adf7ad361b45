package render

import (
	"math"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
)

// ramped sweeps the patch's current from lo to hi and back, each way over seconds, with
// the given extra settings, and returns the currents of the first spike going up and
// the last going down.
func ramped(t *testing.T, name string, lo, hi, seconds float64, sets ...Set) (onset, offset float64) {
	t.Helper()
	const rate = 16000
	p := load(t, name)
	var spikes []emu.Spike
	// Bring the neuron to rest at lo slowly first: a jump in current is a kick.
	const warm = 10
	start := p.Engine.Neurons[0].Current
	perf := Performance{Sets: sets, Ramps: []Ramp{
		{Target: "current", From: start, To: lo, Seconds: warm},
		{Target: "current", From: lo, To: hi, Seconds: seconds},
		{Target: "current", From: hi, To: lo, Seconds: seconds},
	}}
	if _, err := Run(p, perf, Options{SampleRate: rate}, Sink{Spike: func(s emu.Spike) { spikes = append(spikes, s) }}); err != nil {
		t.Fatal(err)
	}
	w, half := int64(warm*rate), int64(seconds*rate)
	onset, offset = math.NaN(), math.NaN()
	for _, s := range spikes {
		f := s.Frame - w
		if f < 0 {
			t.Errorf("%s: spike %.3f s into the warm-up from %g to %g", name, float64(s.Frame)/rate, start, lo)
			continue
		}
		if f < half {
			if math.IsNaN(onset) {
				onset = lo + (hi-lo)*float64(f)/float64(half)
			}
		} else {
			offset = hi + (lo-hi)*float64(f-half)/float64(half)
		}
	}
	return onset, offset
}

// analyzePatch analyses the first neuron of a built-in patch over its preset's range,
// as separatrix analyze does.
func analyzePatch(t *testing.T, name string) *analysis.Report {
	t.Helper()
	spec := load(t, name).Engine.Neurons[0]
	s, err := analysis.NewSystem(spec.Model, spec.Params)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Analyze(spec.Current, spec.Sweep[0], spec.Sweep[1])
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The bistable range analyze reports is what a listener hears on slow up and down
// ramps: firing starts at its top going up and stops at its bottom going down, within 1%
// (of the value; of the range's width for an end near zero, where 1% of the value would
// be below the ramp's resolution).
//
// Resonators get a touch of current noise (as a real membrane has). Without it a slow
// ramp through a Hopf point overshoots it: the rest state, already unstable, takes time
// to grow an oscillation from a perturbation that has decayed to rounding error (the
// delayed bifurcation of slow passage through a Hopf point; Baer, Erneux & Rinzel 1989,
// SIAM J. Appl. Math. 49:55). Measured here over 30 s ramps without noise: hopf-sub
// fired from 50.14 (Hopf at 48.90), HH from 10.41 (9.78), Morris-Lecar from 94.57
// (93.86). A saddle-node has no such delay, and noise would blur the homoclinic end of
// the integrators, so they get none.
func TestBistableRangeMatchesRender(t *testing.T) {
	for _, c := range []struct {
		patch   string
		noise   float64
		seconds float64
	}{
		{"saddle-node", 0, 30},
		{"morris-lecar-homoclinic", 0, 30},
		{"hopf-sub", 0.02, 60},
		{"hh", 0.02, 60},
		{"morris-lecar-hopf", 0.02, 30},
		{"fitzhugh-nagumo", 0, 30},
	} {
		t.Run(c.patch, func(t *testing.T) {
			r := analyzePatch(t, c.patch)
			if r.Bistable == nil {
				t.Fatalf("analyze finds no bistable range for %s", c.patch)
			}
			lo, hi := r.Bistable[0], r.Bistable[1]
			w := hi - lo
			on, off := ramped(t, c.patch, lo-w/4, hi+w/4, c.seconds, Set{Target: "noise", Value: c.noise})
			t.Logf("%s: analyze says bistable from %.4f to %.4f; ramps over %g s (noise %g) fire from %.4f up and until %.4f down",
				c.patch, lo, hi, c.seconds, c.noise, on, off)
			tol := func(v float64) float64 { return 0.01 * math.Max(math.Abs(v), w) }
			if !(math.Abs(on-hi) <= tol(hi)) {
				t.Errorf("firing starts at %.4f going up; analyze says rest is lost at %.4f (tolerance %.3g)", on, hi, tol(hi))
			}
			if !(math.Abs(off-lo) <= tol(lo)) {
				t.Errorf("firing stops at %.4f going down; analyze says the firing cycle ends at %.4f (tolerance %.3g)", off, lo, tol(lo))
			}
		})
	}
}
