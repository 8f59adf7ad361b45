package probe

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
)

// maxTracePoints bounds an example trace: enough for a picture, small in JSON.
const maxTracePoints = 2000

// rig is one neuron set up for experiments: its rest state at the holding current, the
// rest state's time scales, and the RK4 step the engine would take.
type rig struct {
	spec   emu.NeuronSpec
	model  *emu.Model
	params []float64
	I      float64 // holding current
	sys    *analysis.System
	rest   analysis.Equilibrium
	h      float64   // RK4 step, ms: the model's MaxStep
	scale  []float64 // a typical size of each variable, to tell "back at rest"

	// The rest state's linearisation: λ = μ ± iω for a focus (omega > 0), else the
	// slowest and fastest real decay rates.
	mu, omega  float64
	slow, fast float64 // 1/ms, both > 0
}

// newRig finds the neuron's rest state at its holding current: the stable equilibrium
// nearest its initial state. It fails if there is none (the neuron fires there).
func newRig(n Neuron) (*rig, error) {
	m := n.Spec.Model
	if m == nil {
		return nil, errors.New("probe: the neuron has no model")
	}
	if !(n.Current >= m.CurrentMin && n.Current <= m.CurrentMax) {
		return nil, fmt.Errorf("probe: a holding current of %g %s is outside %s's range %g to %g",
			n.Current, m.CurrentUnit, m.Name, m.CurrentMin, m.CurrentMax)
	}
	if !(n.Spec.SpikeHigh > n.Spec.SpikeLow) {
		return nil, fmt.Errorf("probe: %s: the spike thresholds (high %g, low %g) need high above low",
			who(n), n.Spec.SpikeHigh, n.Spec.SpikeLow)
	}
	sys, err := analysis.NewSystem(m, n.Spec.Params)
	if err != nil {
		return nil, fmt.Errorf("probe: %s: %w", who(n), err)
	}
	r := &rig{spec: n.Spec, model: m, params: sys.Params, sys: sys, I: n.Current, h: m.MaxStep}
	r.scale = make([]float64, len(m.Vars))
	r.scale[0] = (m.VoltageRange[1] - m.VoltageRange[0]) / 10
	for j := 1; j < len(r.scale); j++ {
		r.scale[j] = 0.1
	}
	init := n.Spec.Init
	if len(init) != len(m.Vars) {
		init = m.Presets[0].Init
	}
	best := math.Inf(1)
	for _, e := range sys.Equilibria(n.Current) {
		if !e.Stable() {
			continue
		}
		if d := r.distance(e.State, init); d < best {
			best, r.rest = d, e
		}
	}
	if r.rest.State == nil {
		return nil, noRest(sys, n)
	}
	r.slow, r.fast = math.Inf(1), 0
	for _, l := range r.rest.Eigenvalues {
		if imag(l) > 1e-9 && r.omega == 0 {
			r.mu, r.omega = real(l), imag(l)
		}
		a := cmplx.Abs(l)
		r.slow, r.fast = min(r.slow, -real(l)), max(r.fast, a)
	}
	if !(r.slow > 0) || math.IsInf(r.slow, 0) || !(r.fast > 0) {
		return nil, fmt.Errorf("probe: %s at %g %s: the rest state's eigenvalues %v are not those of a stable state",
			who(n), n.Current, m.CurrentUnit, r.rest.Eigenvalues)
	}
	return r, nil
}

// who names the neuron in messages: `neuron "a" (hopf-super)`.
func who(n Neuron) string {
	name := n.Spec.Name
	if name == "" {
		name = "the neuron"
	} else {
		name = fmt.Sprintf("neuron %q", name)
	}
	if n.Spec.Preset != "" {
		return fmt.Sprintf("%s (%s)", name, n.Spec.Preset)
	}
	if n.Spec.Model != nil {
		return fmt.Sprintf("%s (%s)", name, n.Spec.Model.Name)
	}
	return name
}

// noRest explains why a neuron has no rest state at its current, naming the bifurcation
// where rest is lost nearest that current.
func noRest(sys *analysis.System, n Neuron) error {
	m := n.Spec.Model
	lo, hi := min(n.Spec.Sweep[0], n.Current), max(n.Spec.Sweep[1], n.Current)
	if !(hi > lo) {
		lo, hi = m.CurrentMin, m.CurrentMax
	}
	pad := (hi - lo) / 4
	var near *analysis.Bifurcation
	bifs := sys.Bifurcations(lo-pad, hi+pad)
	for i := range bifs {
		if near == nil || math.Abs(bifs[i].Current-n.Current) < math.Abs(near.Current-n.Current) {
			near = &bifs[i]
		}
	}
	msg := fmt.Sprintf("probe: at %g %s %s has no rest state: it fires", n.Current, m.CurrentUnit, who(n))
	if near == nil {
		return fmt.Errorf("%s; give a --current at which it rests", msg)
	}
	side := "below"
	if near.Current > n.Current {
		side = "above"
	}
	kind := map[string]string{
		"hopf":        "Hopf point",
		"snic":        "saddle-node on invariant circle",
		"saddle-node": "saddle-node",
	}[near.Kind]
	if kind == "" {
		kind = near.Kind
	}
	return fmt.Errorf("%s; give a --current %s its %s at %.4g %s", msg, side, kind, near.Current, m.CurrentUnit)
}

// distance is the largest difference of two states, each variable in units of its scale.
func (r *rig) distance(a, b []float64) float64 {
	var d float64
	for j := range r.scale {
		d = max(d, math.Abs(a[j]-b[j])/r.scale[j])
	}
	return d
}

// atRest is how close (in scaled units, 0.03 mV for I_Na,p+I_K) a state must come to
// rest, after the input has ended, for a trial to end without waiting longer: well
// inside the basin of any stable state, and too close for a spike to follow.
const atRest = 2e-3

// rings reports whether the rest state is a focus that rings: λ = μ ± iω with ω > |μ|
// (a damping ratio below 1/√2, where a second-order system's response to a sine has a
// resonance peak; its ringing keeps at least e^{-2π}, 0.2%, per period). A more heavily
// damped focus (inapk snic near 3 µA/cm², where the two real eigenvalues meet and turn
// into a slow pair that loses all but e^{-38} per period) answers inputs like a node.
func (r *rig) rings() bool { return r.omega > 0 && r.omega > -r.mu }

// dampedPeriod is 2π/ω of a ringing focus (ms), or 0.
func (r *rig) dampedPeriod() float64 {
	if !r.rings() {
		return 0
	}
	return 2 * math.Pi / r.omega
}

// natural is the rest state's natural period 2π/|λ| (ms) of its slowest mode by modulus:
// the time scale on which it answers an input, a focus's or a node's.
func (r *rig) natural() float64 {
	m := math.Inf(1)
	for _, l := range r.rest.Eigenvalues {
		m = min(m, cmplx.Abs(l))
	}
	return 2 * math.Pi / m
}

// lead is the quiet time before a trial's first input (ms), for the pictures.
func (r *rig) lead() float64 { return r.natural() / 4 }

// wait is how long a trial runs after its input ends (ms) at most: twenty natural
// periods, bounded so one trial stays cheap. A trial that is back at rest ends sooner.
// A node's slowest decay takes less than a natural period; a focus near its Hopf point
// rings for longer, but its ringing only dies away after the input: if twenty swings
// have not fired it, none will.
func (r *rig) wait() float64 { return min(20*r.natural(), 20000*r.h) }

// timeScale is how much slower the model runs than I_Na,p+I_K, the reference for the
// default pulse widths and frequencies: the ratio of their largest RK4 steps, which each
// model sets from its fastest dynamics.
func (r *rig) timeScale() float64 { return r.model.MaxStep / emu.INaPK().MaxStep }

// defaultWidth is a brief pulse: 0.5 ms for I_Na,p+I_K, scaled for other models.
func (r *rig) defaultWidth() float64 { return 0.5 * r.timeScale() }

// dcThreshold is how much a steady current must rise above the holding current for the
// rest state to be lost (at the nearest bifurcation above it), or 1% of the model's
// current range if there is none.
func (r *rig) dcThreshold() float64 {
	for _, b := range r.sys.Bifurcations(r.I, r.model.CurrentMax) {
		if b.Current > r.I {
			return b.Current - r.I
		}
	}
	return (r.model.CurrentMax - r.model.CurrentMin) / 100
}

// maxAmplitude is the strongest pulse the engine could deliver on top of the holding
// current (it bounds the total at four times the model's current range).
func (r *rig) maxAmplitude() float64 {
	return 4*max(-r.model.CurrentMin, r.model.CurrentMax) - math.Abs(r.I)
}

// trial is one run from rest with an input.
type trial struct {
	pulses []Pulse // square pulses added to the holding current; their edges end steps
	// sine, if not nil, is a smooth current added too, as its mean over [t0, t1].
	sine  func(t0, t1 float64) float64
	from  float64 // ms: spikes and the peak count from here on
	quiet float64 // ms: from here on, the trial ends once the state is back at rest
	end   float64 // ms: the trial's length at most
	// untilSpike ends the trial at the first spike; with hasUntilV, it ends as soon as
	// V reaches untilV.
	untilSpike bool
	hasUntilV  bool
	untilV     float64
	record     bool
}

// input is the current added to the holding current over [t0, t1], a span that no
// pulse edge cuts.
func (tr *trial) input(t0, t1 float64) float64 {
	var I float64
	m := (t0 + t1) / 2
	for _, p := range tr.pulses {
		if m >= p.Start && m < p.Start+p.Width {
			I += p.Amplitude
		}
	}
	if tr.sine != nil {
		I += tr.sine(t0, t1)
	}
	return I
}

// edges returns the times at which the pulses switch, in order.
func (tr *trial) edges() []float64 {
	var e []float64
	for _, p := range tr.pulses {
		e = append(e, p.Start, p.Start+p.Width)
	}
	sort.Float64s(e)
	return e
}

// outcome is what a trial did.
type outcome struct {
	spikes  int
	first   float64 // ms, the first spike counted (interpolated to the detector's level); NaN if none
	peak    float64 // highest V from trial.from on
	trough  float64 // lowest V of the whole trial
	t, v, i []float64
}

// run integrates one trial with the engine's RK4 step and counts spikes with the
// engine's detector. A step that a pulse edge would cut is cut there into two shorter
// RK4 steps, so the pulse's current is exact and the result converges at RK4's order
// (the engine itself changes its input only between samples).
func (r *rig) run(tr trial) (outcome, error) {
	d := len(r.rest.State)
	x := append([]float64(nil), r.rest.State...)
	scratch := make([]float64, 5*d)
	var I float64
	f := func(dx, x []float64) { r.model.Deriv(dx, x, r.params, I) }
	det := emu.NewSpikeDetector(r.spec.SpikeHigh, r.spec.SpikeLow, x[0])
	o := outcome{first: math.NaN(), peak: math.Inf(-1), trough: x[0]}
	if tr.record {
		n := int(tr.end/r.h) + 2*len(tr.pulses) + 2
		o.t, o.v, o.i = make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n)
		o.t, o.v, o.i = append(o.t, 0), append(o.v, x[0]), append(o.i, r.I+tr.input(0, min(r.h, tr.end)))
	}
	edges := tr.edges()
	const eps = 1e-9 // ms: closer than this, two times are one
	t := 0.0
	for k := 0; t < tr.end-eps; k++ {
		t1 := min(t+r.h, tr.end)
		for len(edges) > 0 && edges[0] <= t+eps {
			edges = edges[1:]
		}
		if len(edges) > 0 && edges[0] < t1-eps {
			t1 = edges[0]
		}
		I = r.I + tr.input(t, t1)
		level, vPrev, t0 := det.Threshold(), x[0], t
		emu.StepRK4(x, t1-t0, f, scratch)
		t = t1
		v := x[0]
		if !(math.Abs(v) < 1e6) {
			return o, fmt.Errorf("the integration diverged at %.3g ms (V = %g): the input is too strong for the model", t, v)
		}
		if tr.record {
			o.t, o.v, o.i = append(o.t, t), append(o.v, v), append(o.i, I)
		}
		spike := det.Step(v)
		o.trough = min(o.trough, v)
		if t < tr.from {
			continue
		}
		o.peak = max(o.peak, v)
		if spike {
			o.spikes++
			if o.spikes == 1 {
				o.first = t0 + (t-t0)*(level-vPrev)/(v-vPrev)
				if math.IsNaN(o.first) || o.first < t0 || o.first > t {
					o.first = t
				}
			}
			if tr.untilSpike {
				break
			}
		}
		if tr.hasUntilV && v >= tr.untilV {
			break
		}
		// Back at rest after the input: nothing more will happen. The detector must be
		// armed (no spike under way); every 8th step is often enough.
		if t >= tr.quiet && k%8 == 0 && det.Threshold() < math.Inf(1) && r.distance(x, r.rest.State) < atRest {
			break
		}
	}
	return o, nil
}

// trace turns a recorded outcome into an example trace of at most maxTracePoints
// points. It keeps each bucket's lowest and highest V, in time order, so spikes and
// the envelope of a fast oscillation survive.
func trace(o outcome, label string, fired bool, ps []Pulse) Trace {
	tr := Trace{Label: label, Fired: fired, Pulses: ps}
	n := len(o.v)
	if n <= maxTracePoints {
		tr.T, tr.V, tr.I = o.t, o.v, o.i
		return tr
	}
	size := (n + maxTracePoints/2 - 1) / (maxTracePoints / 2)
	for b := 0; b < n; b += size {
		e := min(b+size, n)
		lo, hi := b, b
		for k := b; k < e; k++ {
			if o.v[k] < o.v[lo] {
				lo = k
			}
			if o.v[k] > o.v[hi] {
				hi = k
			}
		}
		first, second := min(lo, hi), max(lo, hi)
		tr.T, tr.V, tr.I = append(tr.T, o.t[first]), append(tr.V, o.v[first]), append(tr.I, o.i[first])
		if second != first {
			tr.T, tr.V, tr.I = append(tr.T, o.t[second]), append(tr.V, o.v[second]), append(tr.I, o.i[second])
		}
	}
	return tr
}

// parallel calls f(0) ... f(n-1) on as many goroutines as there are CPUs and returns the
// error of the lowest index that failed, so the result does not depend on scheduling.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = f(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// bisect finds the smallest amplitude in [lo, hi] at which fires holds, to a relative
// tolerance tol, given that it fails at lo and holds at hi.
func bisect(fires func(a float64) (bool, error), lo, hi, tol float64) (float64, error) {
	for hi-lo > tol*math.Abs(hi) {
		m := (lo + hi) / 2
		ok, err := fires(m)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = m
		} else {
			lo = m
		}
	}
	return hi, nil
}

// lowest finds the smallest amplitude at which fires holds, to a relative tolerance
// tol: below guess (halving it while it fires), then up in steps of step until it fires,
// then bisected. Scanning up rather than bisecting one wide bracket matters for a
// resonator: a pair of pulses can fire it over a range of amplitudes, fail just above
// (the first pulse's own large response shifts the phase of its ringing) and fire again
// from one pulse's threshold on; a bisection can land in that gap and return the upper
// threshold. ok is false if nothing up to max fires.
func lowest(fires func(a float64) (bool, error), guess, step, max, tol float64) (a float64, ok bool, err error) {
	lo := guess
	for k := 0; k < 40; k++ {
		f, err := fires(lo)
		if err != nil {
			return 0, false, err
		}
		if !f {
			break
		}
		lo /= 2
	}
	for hi := lo + step; lo < max; lo, hi = hi, hi+step {
		hi = min(hi, max)
		f, err := fires(hi)
		if err != nil {
			return 0, false, err
		}
		if f {
			a, err := bisect(fires, lo, hi, tol)
			return a, err == nil, err
		}
	}
	return 0, false, nil
}

// bracket finds lo < hi with fires false at lo and true at hi, starting from a guess and
// halving or doubling it; ok is false if nothing up to max fires.
func bracket(fires func(a float64) (bool, error), guess, max float64) (lo, hi float64, ok bool, err error) {
	a := guess
	f, err := fires(a)
	if err != nil {
		return 0, 0, false, err
	}
	if f {
		for k := 0; k < 40; k++ {
			lo = a / 2
			if f, err = fires(lo); err != nil || !f {
				return lo, a, err == nil, err
			}
			a = lo
		}
		return 0, a, true, nil
	}
	for a < max {
		lo, a = a, min(2*a, max)
		if f, err = fires(a); err != nil || f {
			return lo, a, err == nil, err
		}
	}
	return a, 0, false, nil
}

func ptr(x float64) *float64 { return &x }
