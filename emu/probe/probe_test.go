package probe

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
)

// The presets' bifurcations of rest, from emu/analysis (hopf-super: supercritical Hopf;
// snic and saddle-node: the saddle-node at the same current, on and off the invariant
// circle). Every scenario below holds the neuron under them.
const (
	hopfPoint = 14.659
	foldPoint = 4.513
)

func neuron(t testing.TB, preset string, I float64) Neuron {
	t.Helper()
	p, ok := emu.INaPK().Preset(preset)
	if !ok {
		t.Fatalf("inapk has no preset %q", preset)
	}
	return Neuron{Spec: emu.NewNeuronSpec("a", emu.INaPK(), p), Current: I}
}

// dampedPeriod is 2π/ω of the rest state, from analysis directly.
func dampedPeriod(t *testing.T, n Neuron) float64 {
	t.Helper()
	s, err := analysis.NewSystem(n.Spec.Model, n.Spec.Params)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range s.Equilibria(n.Current) {
		if e.Stable() && imag(e.Eigenvalues[0]) != 0 {
			return 2 * math.Pi / math.Abs(imag(e.Eigenvalues[0]))
		}
	}
	t.Fatalf("%s at %g: no stable focus", n.Spec.Preset, n.Current)
	return 0
}

func checkExamples(t *testing.T, what string, ex []Trace, want int) {
	t.Helper()
	if len(ex) != want {
		t.Fatalf("%s: %d example traces, want %d", what, len(ex), want)
	}
	fired := 0
	for _, tr := range ex {
		if len(tr.T) < 10 || len(tr.T) > maxTracePoints || len(tr.V) != len(tr.T) || len(tr.I) != len(tr.T) {
			t.Errorf("%s: example %q has %d times, %d voltages, %d currents (want 10 to %d of each)",
				what, tr.Label, len(tr.T), len(tr.V), len(tr.I), maxTracePoints)
		}
		if tr.Fired {
			fired++
		}
	}
	if want == 2 && fired != 1 {
		t.Errorf("%s: %d of the two examples fire, want one", what, fired)
	}
}

// A resonator's doublet fires best at the damped period of its rest state, and worse
// both shorter and longer (Izhikevich 2007, sec. 7.2.2).
func TestDoubletResonatorBestNearDampedPeriod(t *testing.T) {
	for _, I := range []float64{0, 5, 10, 13} {
		n := neuron(t, "hopf-super", I)
		res, err := Doublet(n, DoubletOptions{})
		if err != nil {
			t.Fatal(err)
		}
		T := dampedPeriod(t, n)
		if res.PredictedIntervalMs == nil || math.Abs(*res.PredictedIntervalMs-T) > 1e-6*T {
			t.Fatalf("hopf-super at %g: predicted interval %v, want 2π/ω = %.4f ms", I, deref(res.PredictedIntervalMs), T)
		}
		if res.BestIntervalMs == nil {
			t.Fatalf("hopf-super at %g: no best interval", I)
		}
		best := *res.BestIntervalMs
		t.Logf("hopf-super at %g: best interval %.3f ms, 2π/ω %.3f ms (%+.1f%%), pulses of %.3g for the trials",
			I, best, T, 100*(best/T-1), res.Amplitude)
		if math.Abs(best/T-1) > 0.15 {
			t.Errorf("hopf-super at %g: best interval %.3f ms is not within 15%% of 2π/ω = %.3f ms", I, best, T)
		}
		var bestAmp float64
		for _, tr := range res.Trials {
			if tr.IntervalMs == best {
				bestAmp = *tr.ThresholdAmplitude
			}
		}
		shorter, longer := false, false
		for _, tr := range res.Trials {
			worse := tr.ThresholdAmplitude == nil || *tr.ThresholdAmplitude > bestAmp*(1+2*doubletTolerance)
			shorter = shorter || (tr.IntervalMs < best && worse)
			longer = longer || (tr.IntervalMs > best && worse)
		}
		if !shorter || !longer {
			t.Errorf("hopf-super at %g: a shorter interval needs more (%v), a longer one needs more (%v); want both", I, shorter, longer)
		}
		if res.Verdict != Resonator {
			t.Errorf("hopf-super at %g: verdict %q, want %q", I, res.Verdict, Resonator)
		}
		checkExamples(t, "hopf-super doublet", res.Examples, 2)
	}
}

// An integrator's doublet fires best at the shortest interval, and needs more the
// longer the interval.
func TestDoubletIntegratorShortestBest(t *testing.T) {
	for _, c := range []struct {
		preset string
		I      float64
	}{{"snic", 0}, {"snic", 3}, {"saddle-node", 0}, {"saddle-node", 3}} {
		res, err := Doublet(neuron(t, c.preset, c.I), DoubletOptions{})
		if err != nil {
			t.Fatal(err)
		}
		first, last := res.Trials[0], res.Trials[len(res.Trials)-1]
		if res.BestIntervalMs == nil || *res.BestIntervalMs != first.IntervalMs {
			t.Errorf("%s at %g: best interval %v, want the shortest, %g ms", c.preset, c.I, deref(res.BestIntervalMs), first.IntervalMs)
		}
		if res.PredictedIntervalMs != nil {
			t.Errorf("%s at %g: predicted interval %g for a rest state that does not ring", c.preset, c.I, *res.PredictedIntervalMs)
		}
		for i := 1; i < len(res.Trials); i++ {
			a, b := res.Trials[i-1].ThresholdAmplitude, res.Trials[i].ThresholdAmplitude
			// Each is bisected to 0.5% from above: two equal thresholds differ by less.
			if a == nil || b == nil || *b < *a*(1-doubletTolerance) {
				t.Errorf("%s at %g: threshold %v at %.3g ms falls to %v at %.3g ms", c.preset, c.I,
					deref(a), res.Trials[i-1].IntervalMs, deref(b), res.Trials[i].IntervalMs)
			}
		}
		if *last.ThresholdAmplitude < 1.3**first.ThresholdAmplitude {
			t.Errorf("%s at %g: threshold grows only from %.4g to %.4g over the sweep", c.preset, c.I, *first.ThresholdAmplitude, *last.ThresholdAmplitude)
		}
		t.Logf("%s at %g: threshold %.4g at %.3g ms, %.4g at %.3g ms", c.preset, c.I,
			*first.ThresholdAmplitude, first.IntervalMs, *last.ThresholdAmplitude, last.IntervalMs)
		if res.Verdict != Integrator {
			t.Errorf("%s at %g: verdict %q, want %q", c.preset, c.I, res.Verdict, Integrator)
		}
		checkExamples(t, c.preset+" doublet", res.Examples, 2)
	}
}

// Post-inhibitory rebound: near its Hopf point hopf-super fires after a long enough
// inhibitory pulse; the integrators never do, at any size tried.
func TestRebound(t *testing.T) {
	huge := ReboundOptions{Amplitudes: []float64{-5, -40, -150, -300}, Widths: []float64{0.2, 2, 10, 50}}
	for _, c := range []struct {
		preset  string
		I       float64
		opt     ReboundOptions
		spike   bool
		verdict string
	}{
		{"hopf-super", 12, ReboundOptions{}, true, Resonator},
		{"hopf-super", 13, ReboundOptions{}, true, Resonator},
		{"hopf-super", 14.5, ReboundOptions{}, true, Resonator},
		// Far below its Hopf point the rebound overshoots rest by a few mV but stays
		// under the spike level: still a resonator, without a rebound spike.
		{"hopf-super", 0, ReboundOptions{}, false, Resonator},
		{"snic", 0, ReboundOptions{}, false, Integrator},
		{"snic", 0, huge, false, Integrator},
		{"snic", 4.4, ReboundOptions{}, false, Integrator},
		{"snic", 4.4, huge, false, Integrator},
		{"saddle-node", 0, ReboundOptions{}, false, Integrator},
		{"saddle-node", 4, huge, false, Integrator},
	} {
		res, err := Rebound(neuron(t, c.preset, c.I), c.opt)
		if err != nil {
			t.Fatal(err)
		}
		fired := 0
		for _, tr := range res.Trials {
			if tr.Fired {
				fired++
			}
		}
		t.Logf("%s at %g: %d of %d pulses fire on release, overshoot %.3g mV, smallest %+v", c.preset, c.I, fired, len(res.Trials), res.Overshoot, res.Smallest)
		if res.ReboundSpike != c.spike || (fired > 0) != c.spike || (res.Smallest != nil) != c.spike {
			t.Errorf("%s at %g: rebound spike %v (%d trials fire, smallest %v), want %v", c.preset, c.I, res.ReboundSpike, fired, res.Smallest, c.spike)
		}
		if res.Verdict != c.verdict {
			t.Errorf("%s at %g: verdict %q, want %q", c.preset, c.I, res.Verdict, c.verdict)
		}
		if c.verdict == Integrator && res.Overshoot > 0 {
			t.Errorf("%s at %g: V overshoots rest by %g after release", c.preset, c.I, res.Overshoot)
		}
		if c.spike {
			// "Long enough": at the smallest firing pulse's amplitude the shortest width fails.
			for _, tr := range res.Trials {
				if tr.Amplitude == res.Smallest.Amplitude && tr.WidthMs < res.Smallest.Width && tr.Fired {
					t.Errorf("%s at %g: %g for %g ms fires, shorter than the smallest pulse %+v", c.preset, c.I, tr.Amplitude, tr.WidthMs, *res.Smallest)
				}
			}
			if res.Trials[0].Fired {
				t.Errorf("%s at %g: even the weakest, shortest pulse fires", c.preset, c.I)
			}
			checkExamples(t, c.preset+" rebound", res.Examples, 2)
		} else {
			checkExamples(t, c.preset+" rebound", res.Examples, 1)
		}
	}
}

// An integrator's threshold is all-or-none, a resonator's graded; near an integrator's
// threshold the latency grows without bound.
func TestThreshold(t *testing.T) {
	widths := map[string]float64{}
	for _, c := range []struct {
		preset  string
		I       float64
		verdict string
	}{
		{"saddle-node", 0, Integrator},
		{"saddle-node", 3, Integrator},
		{"snic", 0, Integrator},
		{"snic", 3, Integrator},
		{"hopf-super", 0, Resonator},
		{"hopf-super", 10, Resonator},
	} {
		res, err := Threshold(neuron(t, c.preset, c.I), ThresholdOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ThresholdAmplitude == nil || res.ThresholdWidth == nil {
			t.Fatalf("%s at %g: threshold %v, width %v", c.preset, c.I, deref(res.ThresholdAmplitude), deref(res.ThresholdWidth))
		}
		th, w := *res.ThresholdAmplitude, *res.ThresholdWidth
		widths[c.preset] = max(widths[c.preset], w)
		var lat []float64
		for _, tr := range res.Approach {
			lat = append(lat, *tr.LatencyMs)
		}
		t.Logf("%s at %g: threshold %.6g, 10-90%% width %.3g, latency approaching it %.3g ms", c.preset, c.I, th, w, lat)
		if res.Verdict != c.verdict {
			t.Errorf("%s at %g: verdict %q, want %q", c.preset, c.I, res.Verdict, c.verdict)
		}
		// The sweep's trials fire exactly from the threshold on.
		for _, tr := range res.Trials {
			if tr.Fired != (tr.Amplitude >= th) && math.Abs(tr.Amplitude/th-1) > 2*thresholdTolerance {
				t.Errorf("%s at %g: amplitude %.6g fires %v, threshold %.6g", c.preset, c.I, tr.Amplitude, tr.Fired, th)
			}
		}
		if c.preset == "snic" {
			// Monotone over the last few amplitudes above threshold: the sweep's first
			// four that fire, and the six of the approach.
			var above []ThresholdTrial
			for _, tr := range res.Trials {
				if tr.Fired && len(above) < 4 {
					above = append(above, tr)
				}
			}
			for i := 1; i < len(above); i++ {
				if !(*above[i].LatencyMs < *above[i-1].LatencyMs) {
					t.Errorf("snic at %g: latency %.4g ms at %.5g, then %.4g ms at %.5g: not shorter further from threshold",
						c.I, *above[i-1].LatencyMs, above[i-1].Amplitude, *above[i].LatencyMs, above[i].Amplitude)
				}
			}
			for k := 1; k < len(lat); k++ {
				if !(lat[k] > lat[k-1]) {
					t.Errorf("snic at %g: latency %.4g ms, then %.4g ms closer to threshold", c.I, lat[k-1], lat[k])
				}
			}
		}
		// Without bound, or not: the latency's growth over the last decade of the approach
		// (the integrator's about the same as over the first; the resonator's saturating).
		growth := lat[len(lat)-1] - lat[len(lat)-2]
		if c.verdict == Integrator && growth < 0.5 {
			t.Errorf("%s at %g: latency grows only %.3g ms from 1e-5 to 1e-6 above threshold", c.preset, c.I, growth)
		}
		if c.verdict == Resonator && growth > 0.05 {
			t.Errorf("%s at %g: latency grows %.3g ms from 1e-5 to 1e-6 above threshold", c.preset, c.I, growth)
		}
		checkExamples(t, c.preset+" threshold", res.Examples, 2)
	}
	if !(10*widths["saddle-node"] <= widths["hopf-super"]) {
		t.Errorf("10-90%% width: saddle-node %.3g, hopf-super %.3g; want saddle-node at least ten times narrower",
			widths["saddle-node"], widths["hopf-super"])
	}
}

// A resonator's chirp response peaks near its damped frequency; an integrator's falls
// off from the lowest frequency.
func TestChirp(t *testing.T) {
	for _, c := range []struct {
		preset string
		I      float64
		peak   bool
	}{
		{"hopf-super", 0, true},
		{"hopf-super", 5, true},
		{"hopf-super", 10, true},
		{"hopf-super", 13, true},
		{"snic", 0, false},
		{"snic", 3, false},
		{"saddle-node", 0, false},
	} {
		n := neuron(t, c.preset, c.I)
		res, err := Chirp(n, ChirpOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Spikes != 0 {
			t.Errorf("%s at %g: the chirp fired %d spikes", c.preset, c.I, res.Spikes)
		}
		if (res.PeakHz != nil) != c.peak || (res.PeakGain != nil) != c.peak {
			t.Fatalf("%s at %g: peak %v (gain %v), want a peak: %v", c.preset, c.I, deref(res.PeakHz), deref(res.PeakGain), c.peak)
		}
		if c.peak {
			fd := 1000 / dampedPeriod(t, n)
			t.Logf("%s at %g: peak at %.1f Hz, %.2f times the lowest frequency's; damped frequency %.1f Hz (%+.1f%%)",
				c.preset, c.I, *res.PeakHz, *res.PeakGain, fd, 100*(*res.PeakHz/fd-1))
			if res.DampedHz == nil || math.Abs(*res.DampedHz/fd-1) > 1e-6 {
				t.Errorf("%s at %g: damped frequency %v, want %.4f Hz", c.preset, c.I, deref(res.DampedHz), fd)
			}
			if math.Abs(*res.PeakHz/fd-1) > 0.15 {
				t.Errorf("%s at %g: the response peaks at %.1f Hz, not within 15%% of the damped frequency %.1f Hz", c.preset, c.I, *res.PeakHz, fd)
			}
			if res.Verdict != Resonator {
				t.Errorf("%s at %g: verdict %q, want %q", c.preset, c.I, res.Verdict, Resonator)
			}
		} else {
			lo := res.Trials[0].Amplitude
			for _, p := range res.Trials {
				if p.Amplitude > lo*(1+1e-3) {
					t.Errorf("%s at %g: response %.4g mV at %.3g Hz above the %.4g mV at the lowest frequency", c.preset, c.I, p.Amplitude, p.Hz, lo)
					break
				}
			}
			t.Logf("%s at %g: response %.3g mV at %.3g Hz down to %.3g mV at %.3g Hz", c.preset, c.I,
				lo, res.Trials[0].Hz, res.Trials[len(res.Trials)-1].Amplitude, res.Trials[len(res.Trials)-1].Hz)
			if res.Verdict != Integrator {
				t.Errorf("%s at %g: verdict %q, want %q", c.preset, c.I, res.Verdict, Integrator)
			}
		}
		checkExamples(t, c.preset+" chirp", res.Examples, 1)
	}
}

// The numbers match scipy's DOP853 on the same equations written out independently
// (testdata/reference.py), within what the RK4 step (MaxStep) and the bisections allow.
func TestMatchesScipy(t *testing.T) {
	seen := map[string]int{}
	for _, ref := range references(t) {
		n := neuron(t, ref.preset, ref.current)
		switch ref.experiment {
		case "doublet":
			iv := ref.num(t, "interval")
			res, err := Doublet(n, DoubletOptions{Width: ref.num(t, "width"), From: iv, To: iv, Steps: 1})
			if err != nil {
				t.Fatal(err)
			}
			want := ref.num(t, "threshold")
			got := res.Trials[0].ThresholdAmplitude
			// The bisection stops within 0.5% above the threshold; RK4 adds 1e-4 either way.
			if got == nil || want > *got*(1+1e-4) || want < *got*(1-doubletTolerance-1e-4) {
				t.Errorf("%s: doublet threshold %v, scipy %.6g", ref, deref(got), want)
			}
			// And bisected tightly by the same search, the two agree closely.
			r, err := newRig(n)
			if err != nil {
				t.Fatal(err)
			}
			w := ref.num(t, "width")
			fires := func(a float64) (bool, error) {
				o, err := r.run(trial{pulses: []Pulse{{Start: 1, Width: w, Amplitude: a}, {Start: 1 + iv, Width: w, Amplitude: a}},
					quiet: 1 + iv + w, end: 1 + iv + w + r.wait(), untilSpike: true})
				return o.spikes > 0, err
			}
			tight, ok, err := lowest(fires, want/2, want/50, r.maxAmplitude(), 1e-7)
			if err != nil || !ok || math.Abs(tight/want-1) > 2e-4 {
				t.Errorf("%s: doublet threshold bisected to 1e-7 is %.7g (%v), scipy %.7g", ref, tight, err, want)
			}
			t.Logf("%s: doublet threshold %.7g, scipy %.7g", ref, tight, want)
		case "threshold":
			res, err := Threshold(n, ThresholdOptions{Width: ref.num(t, "width")})
			if err != nil {
				t.Fatal(err)
			}
			th, want := *res.ThresholdAmplitude, ref.num(t, "threshold")
			if math.Abs(th/want-1) > 1e-4 {
				t.Errorf("%s: threshold %.7g, scipy %.7g", ref, th, want)
			}
			near, err := Threshold(n, ThresholdOptions{Width: ref.num(t, "width"), From: 1.01 * th, To: 1.01 * th, Steps: 1})
			if err != nil {
				t.Fatal(err)
			}
			lat, wantLat := near.Trials[0].LatencyMs, ref.num(t, "latency_1.01")
			if lat == nil || math.Abs(*lat-wantLat) > 0.01 {
				t.Errorf("%s: latency at 1.01 times the threshold %v ms, scipy %.5f ms", ref, deref(lat), wantLat)
			}
			t.Logf("%s: threshold %.7g, scipy %.7g; latency %.5f ms, scipy %.5f ms", ref, th, want, deref(lat), wantLat)
		case "rebound":
			res, err := Rebound(n, ReboundOptions{Amplitudes: []float64{ref.num(t, "amplitude")}, Widths: []float64{ref.num(t, "width")}})
			if err != nil {
				t.Fatal(err)
			}
			tr, wantLat := res.Trials[0], ref.num(t, "latency")
			if tr.Fired != (wantLat >= 0) {
				t.Errorf("%s: fires %v, scipy latency %g", ref, tr.Fired, wantLat)
			} else if tr.Fired && math.Abs(*tr.LatencyMs-wantLat) > 0.01 {
				t.Errorf("%s: rebound latency %.5f ms, scipy %.5f ms", ref, *tr.LatencyMs, wantLat)
			}
			// Peaks are sampled at the RK4 step: a spike's top can fall between two.
			if math.Abs(tr.PeakV-ref.num(t, "peak")) > 0.2 || math.Abs(tr.MinV-ref.num(t, "min")) > 0.05 {
				t.Errorf("%s: peak V after release %.4f, lowest V %.4f; scipy %.4f, %.4f", ref, tr.PeakV, tr.MinV, ref.num(t, "peak"), ref.num(t, "min"))
			}
			t.Logf("%s: fires %v latency %v, peak %.4f, min %.4f", ref, tr.Fired, deref(tr.LatencyMs), tr.PeakV, tr.MinV)
		case "chirp":
			res, err := Chirp(n, ChirpOptions{Amplitude: ref.num(t, "amplitude"), FromHz: ref.num(t, "from"), ToHz: ref.num(t, "to"), Seconds: ref.num(t, "seconds")})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(res.Trials), int(ref.num(t, "cycles")); got != want {
				t.Fatalf("%s: %d cycles, scipy %d", ref, got, want)
			}
			if got, want := res.Trials[0].Amplitude, ref.num(t, "first"); math.Abs(got/want-1) > 0.01 {
				t.Errorf("%s: response in the first cycle %.5g mV, scipy %.5g", ref, got, want)
			}
			k := int(ref.num(t, "peak_cycle"))
			if got, want := res.Trials[k].Amplitude, ref.num(t, "peak"); math.Abs(got/want-1) > 0.01 {
				t.Errorf("%s: response in cycle %d %.5g mV, scipy %.5g", ref, k, got, want)
			}
			if res.PeakHz == nil || math.Abs(*res.PeakHz/ref.num(t, "peak_hz")-1) > 0.01 {
				t.Errorf("%s: peak at %v Hz, scipy %.5g Hz", ref, deref(res.PeakHz), ref.num(t, "peak_hz"))
			}
			t.Logf("%s: peak %v Hz, %.5g mV in cycle %d", ref, deref(res.PeakHz), res.Trials[k].Amplitude, k)
		default:
			t.Fatalf("unknown reference experiment %q", ref.experiment)
		}
		seen[ref.experiment]++
	}
	for _, e := range []string{"doublet", "rebound", "threshold", "chirp"} {
		if seen[e] == 0 {
			t.Errorf("no scipy reference for %s", e)
		}
	}
}

// reference is one line of testdata/reference.txt: experiment, preset, current, then
// name-value pairs.
type reference struct {
	experiment, preset string
	current            float64
	values             map[string]string
	line               string
}

func (r reference) String() string { return r.line }

func (r reference) num(t *testing.T, name string) float64 {
	t.Helper()
	s, ok := r.values[name]
	if !ok {
		t.Fatalf("reference %q has no %s", r.line, name)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("reference %q: %s: %v", r.line, name, err)
	}
	return x
}

func references(t *testing.T) []reference {
	t.Helper()
	f, err := os.Open("testdata/reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []reference
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 || len(fs)%2 == 0 {
			t.Fatalf("bad reference line %q", sc.Text())
		}
		I, err := strconv.ParseFloat(fs[2], 64)
		if err != nil {
			t.Fatalf("bad reference line %q: %v", sc.Text(), err)
		}
		r := reference{experiment: fs[0], preset: fs[1], current: I, values: map[string]string{}, line: sc.Text()}
		for i := 3; i+1 < len(fs); i += 2 {
			r.values[fs[i]] = fs[i+1]
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Above the bifurcation the neuron fires: there is no rest state to probe, and the
// error says where rest is lost.
func TestNoRestState(t *testing.T) {
	for _, c := range []struct {
		preset string
		I      float64
		want   []string
	}{
		{"hopf-super", 20, []string{"at 20 µA/cm²", "(hopf-super) has no rest state: it fires", "below its Hopf point at 14.66 µA/cm²"}},
		{"snic", 6, []string{"has no rest state", "below its saddle-node on invariant circle at 4.513 µA/cm²"}},
		{"saddle-node", 5, []string{"has no rest state", "below its saddle-node at 4.513 µA/cm²"}},
	} {
		_, err := Doublet(neuron(t, c.preset, c.I), DoubletOptions{})
		if err == nil {
			t.Errorf("%s at %g: no error", c.preset, c.I)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s at %g: error %q does not say %q", c.preset, c.I, err, w)
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	n := neuron(t, "snic", 0)
	for _, c := range []struct {
		name string
		run  func() error
		want string
	}{
		{"negative width", func() error { _, err := Doublet(n, DoubletOptions{Width: -1}); return err }, "width of -1 ms is not positive"},
		{"inhibitory doublet", func() error { _, err := Doublet(n, DoubletOptions{Amplitude: -5}); return err }, "positive amplitude"},
		{"backward intervals", func() error { _, err := Doublet(n, DoubletOptions{From: 5, To: 2}); return err }, "intervals 5:2:40"},
		{"excitatory rebound", func() error { _, err := Rebound(n, ReboundOptions{Amplitudes: []float64{-5, 5}}); return err }, "amplitude of 5 is not inhibitory"},
		{"backward amplitudes", func() error { _, err := Threshold(n, ThresholdOptions{From: 10, To: 5}); return err }, "amplitudes 10:5:60"},
		{"falling chirp", func() error { _, err := Chirp(n, ChirpOptions{FromHz: 100, ToHz: 10}); return err }, "rise from a positive frequency"},
		{"too fast a chirp", func() error { _, err := Chirp(n, ChirpOptions{FromHz: 10, ToHz: 1e5}); return err }, "too fast for the model's step"},
		{"no model", func() error { _, err := Chirp(Neuron{}, ChirpOptions{}); return err }, "no model"},
	} {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// The trials run on several goroutines; the result does not depend on their order.
func TestDeterministic(t *testing.T) {
	n := neuron(t, "hopf-super", 10)
	opt := DoubletOptions{From: 2, To: 5, Steps: 12}
	a, err := Doublet(n, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Doublet(n, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Trials {
		x, y := a.Trials[i], b.Trials[i]
		if *x.ThresholdAmplitude != *y.ThresholdAmplitude || x.PeakV != y.PeakV || x.Spikes != y.Spikes {
			t.Errorf("interval %g: %+v, then %+v", x.IntervalMs, x, y)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
