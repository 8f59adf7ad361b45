package emu

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestModelsAreReadOnly: what a caller does to a model it looked up changes no other
// lookup, no other caller's copy and no engine built before.
func TestModelsAreReadOnly(t *testing.T) {
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		want, _ := LookupModel(name)
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{NewNeuronSpec("a", m, &m.Presets[0])}}, 48000, 64)
		h := e.batches[0].h
		p0 := m.Params[0]

		m.Name = "changed"
		m.MaxStep /= 100
		m.CurrentMax = 1e9
		m.Vars[0].Name = "X"
		m.Params[0].Min, m.Params[0].Max = p0.Max, p0.Max
		m.Presets[0].Init[0] = 1234
		m.Presets[0].Values = map[string]float64{"C": 99}
		m.Presets = append(m.Presets[:0], Preset{Name: "only"})

		again, _ := LookupModel(name)
		if again == m {
			t.Fatalf("%s: two lookups return the same model", name)
		}
		if !reflect.DeepEqual(stripDeriv(again), stripDeriv(want)) {
			t.Errorf("%s: changing a looked-up model changed the next lookup", name)
		}
		if err := e.Prepare(48000, 64); err != nil || e.batches[0].h != h {
			t.Errorf("%s: changing a looked-up model changed the step of an engine built before (%g, was %g)", name, e.batches[0].h, h)
		}
		e.Schedule([]Event{{Kind: EventSet, Control: ControlParam, Value: p0.Min}}) // in range before the change
		e.Process(makeOut(2, 64))
		if got := e.Param(0, 0); got != p0.Min || e.Stats().Clamped != 0 {
			t.Errorf("%s: changing a looked-up model changed the range of an engine built before: %s set to %g, clamped %d times",
				name, p0.Name, got, e.Stats().Clamped)
		}
		if e.Spec(0).Model.Name != name {
			t.Errorf("%s: the engine's spec names the model %q", name, e.Spec(0).Model.Name)
		}
	}
	byFunc := map[string]func() *Model{"inapk": INaPK, "hh": HH, "morris-lecar": MorrisLecar, "fitzhugh-nagumo": FitzHughNagumo}
	for name, f := range byFunc {
		a, b := f(), f()
		if a == b || a.Name != name || &a.Params[0] == &b.Params[0] {
			t.Errorf("%s: the accessor does not return a fresh copy of the model", name)
		}
	}
}

func stripDeriv(m *Model) Model {
	c := *m
	c.Deriv = nil
	return c
}

func kernelName(k kernel) string {
	switch reflect.ValueOf(k).Pointer() {
	case reflect.ValueOf(kernel(genericKernel)).Pointer():
		return "generic"
	case reflect.ValueOf(models["inapk"].kernel).Pointer():
		return "inapk"
	case reflect.ValueOf(models["hh"].kernel).Pointer():
		return "hh"
	}
	return "another"
}

// TestKernelChoice: copies of a built-in model share its inline kernel and one batch; a
// copy whose Deriv was replaced, or a model built here, steps with the generic kernel.
func TestKernelChoice(t *testing.T) {
	a, b := INaPK(), INaPK()
	wrapped := INaPK()
	inner := wrapped.Deriv
	wrapped.Deriv = func(dx, x, p []float64, I float64) { inner(dx, x, p, I) }
	slow := INaPK()
	slow.MaxStep /= 2
	specs := []NeuronSpec{
		NewNeuronSpec("a", a, &a.Presets[0]),
		NewNeuronSpec("b", b, &b.Presets[1]),
		NewNeuronSpec("wrapped", wrapped, &wrapped.Presets[0]),
		NewNeuronSpec("slow", slow, &slow.Presets[0]),
		NewNeuronSpec("hh", HH(), &HH().Presets[0]),
	}
	e := newTestEngine(t, Config{Neurons: specs}, 48000, 64)
	want := []struct {
		batch  int
		kernel string
	}{{0, "inapk"}, {0, "inapk"}, {1, "generic"}, {2, "inapk"}, {3, "hh"}}
	for i, w := range want {
		b := e.batches[e.batchOf[i]]
		if e.batchOf[i] != w.batch || kernelName(b.kernel) != w.kernel {
			t.Errorf("neuron %s: batch %d with the %s kernel, want batch %d with the %s kernel",
				specs[i].Name, e.batchOf[i], kernelName(b.kernel), w.batch, w.kernel)
		}
	}
	if got := e.batches[2].nsub; got != 2*e.batches[0].nsub {
		t.Errorf("a copy with half the MaxStep takes %d steps a sample, the original %d", got, e.batches[0].nsub)
	}
}

// hindmarshRose is a model built outside the built-ins, with no batch kernel: the
// two-variable Hindmarsh-Rose neuron (Hindmarsh & Rose 1982), dimensionless,
//
//	x' = y - x³ + 3x² + I,  y' = 1 - 5x² - y,
//
// which rests at x = -1.62 at zero current and fires from I = 0.185, where the rest
// state meets the saddle at x = -4/3 (a saddle-node on invariant circle).
func hindmarshRose() *Model {
	return &Model{
		Name: "hindmarsh-rose",
		Vars: []Var{{"x", ""}, {"y", ""}},
		Params: []Param{
			{Name: "a", Doc: "cubic term", Default: 1, Min: 0.1, Max: 10},
			{Name: "b", Doc: "quadratic term", Default: 3, Min: 0, Max: 10},
		},
		Presets: []Preset{{
			Name: "classic", Init: []float64{-1.618, -12.09}, SpikeHigh: 1, SpikeLow: -0.5,
			Centre: 0, Span: 2,
		}},
		CurrentMin: -10, CurrentMax: 10,
		MaxStep: 0.05,
		Deriv: func(dx, x, p []float64, I float64) {
			dx[0] = x[1] - p[0]*x[0]*x[0]*x[0] + p[1]*x[0]*x[0] + I
			dx[1] = 1 - 5*x[0]*x[0] - x[1]
		},
	}
}

// TestGenericKernelMatchesReference: a model with no batch kernel plays, its neurons
// (two, to step every member) following the reference StepRK4 over its Deriv step for
// step, and firing.
func TestGenericKernelMatchesReference(t *testing.T) {
	m := hindmarshRose()
	for _, c := range []struct {
		current, speed float64
	}{{2, 1}, {2, 10}, {0.1, 10}, {4, 3}} {
		spec := NewNeuronSpec("a", m, &m.Presets[0])
		spec.Current = c.current
		twin := spec
		twin.Name = "b"
		e := newTestEngine(t, Config{Neurons: []NeuronSpec{spec, twin}, Speed: c.speed}, 48000, 64)
		b := e.batches[0]
		if kernelName(b.kernel) != "generic" {
			t.Fatalf("the model has the %s kernel, want the generic one", kernelName(b.kernel))
		}
		x := append([]float64(nil), spec.Init...)
		scratch := make([]float64, 5*len(x))
		f := func(dx, x []float64) { m.Deriv(dx, x, spec.Params, spec.Current) }
		out := makeOut(2, 64)
		worst := 0.0
		for blk := 0; blk < 150; blk++ {
			e.Process(out)
			for s := 0; s < 64*b.nsub; s++ {
				StepRK4(x, b.h, f, scratch)
			}
			for v := range x {
				for k := 0; k < 2; k++ {
					worst = math.Max(worst, math.Abs(b.x[v][k]-x[v])/(1+math.Abs(x[v])))
				}
			}
		}
		if worst > 1e-9 {
			t.Errorf("I=%g, speed %g: the generic kernel departs from the reference by %g (relative)", c.current, c.speed, worst)
		}
		s := e.Stats()
		fires := c.current > 0.185
		if (s.Spikes[0] > 0) != fires || s.Spikes[0] != s.Spikes[1] || s.Resets != 0 {
			t.Errorf("I=%g, speed %g: %v spikes, %d resets; want firing %v, both alike", c.current, c.speed, s.Spikes, s.Resets, fires)
		}
	}
}

// TestGenericKernelMatchesInlineKernel: every built-in model stepped by the generic
// kernel (its Deriv wrapped, so the engine cannot know it) plays what its inline kernel
// plays, coupled by a synapse and reset after a blow-up as the inline kernels are.
func TestGenericKernelMatchesInlineKernel(t *testing.T) {
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		wrapped, _ := LookupModel(name)
		inner := wrapped.Deriv
		wrapped.Deriv = func(dx, x, p []float64, I float64) { inner(dx, x, p, I) }
		pr := &m.Presets[0]
		key := name + "/" + pr.Name
		render := func(model *Model) (*Engine, [][]float64) {
			drive := NewNeuronSpec("drive", m, pr)
			drive.Current = firingCurrent[key]
			s := NewNeuronSpec("a", model, &model.Presets[0])
			s.Current = firingCurrent[key] / 2
			cfg := Config{
				Neurons:  []NeuronSpec{drive, s},
				Synapses: []Synapse{{From: 0, To: 1, G: 0.2, Tau: 3, Reversal: pr.SpikeHigh}},
			}
			e := newTestEngine(t, cfg, 48000, 64)
			out := makeOut(2, 64)
			var trace [][]float64
			for blk := 0; blk < 300; blk++ {
				if blk == 150 {
					b := e.batches[e.batchOf[1]]
					b.x[0][e.slot[1]] = math.NaN() // blows up on the next step
				}
				e.Process(out)
				trace = append(trace, e.State(nil, 1))
			}
			return e, trace
		}
		inline, want := render(m)
		generic, got := render(wrapped)
		if kernelName(generic.batches[generic.batchOf[1]].kernel) != "generic" {
			t.Fatalf("%s: the wrapped model is not stepped by the generic kernel", name)
		}
		worst := 0.0
		for i := range want {
			for v := range want[i] {
				worst = math.Max(worst, math.Abs(got[i][v]-want[i][v])/(1+math.Abs(want[i][v])))
			}
		}
		// The inline kernels use expFast (within 1.1e-8): 1e-5 over 0.4 s; a change of
		// input or coupling handled differently would show at 1e-3 or more.
		if worst > 1e-5 {
			t.Errorf("%s: the generic kernel departs from the inline one by %g (relative)", name, worst)
		}
		si, sg := inline.Stats(), generic.Stats()
		if si.Spikes[1] != sg.Spikes[1] || sg.Resets != 1 || si.Resets != 1 {
			t.Errorf("%s: %d spikes and %d resets with the generic kernel, %d and %d with the inline one",
				name, sg.Spikes[1], sg.Resets, si.Spikes[1], si.Resets)
		}
	}
}

// TestNewRefusesABrokenModel: a model built outside the package with a field left out or
// out of order is refused by New with an error that names the neuron and what to fix.
func TestNewRefusesABrokenModel(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(m *Model)
		want   string
	}{
		{"no derivative", func(m *Model) { m.Deriv = nil }, `neuron "a": model hindmarsh-rose has no derivative (Deriv)`},
		{"no variables", func(m *Model) { m.Vars = nil }, "no state variables"},
		{"no name", func(m *Model) { m.Name = "" }, "the model has no name"},
		{"no MaxStep", func(m *Model) { m.MaxStep = 0 }, "MaxStep 0 ms is not a positive number"},
		{"MaxStep NaN", func(m *Model) { m.MaxStep = math.NaN() }, "MaxStep NaN ms"},
		{"current range reversed", func(m *Model) { m.CurrentMin, m.CurrentMax = 10, -10 }, "the current range 10 to -10 is not two numbers in order"},
		{"parameter range reversed", func(m *Model) { m.Params[1].Min = 20 }, "parameter b's range 20 to 10"},
		{"two parameters named alike", func(m *Model) { m.Params[1].Name = "a" }, `parameter 1 has no name or the name of another ("a")`},
		{"a parameter named as a control", func(m *Model) { m.Params[0].Name = "gain" }, `parameter "gain" has the name of a control every neuron has: rename it`},
		{"two variables named alike", func(m *Model) { m.Vars[1].Name = "x" }, `state variable 1 has no name or the name of another ("x")`},
	} {
		m := hindmarshRose()
		spec := NewNeuronSpec("a", m, &m.Presets[0])
		c.change(m)
		_, err := New(Config{Neurons: []NeuronSpec{spec}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: New says %v, want %q", c.name, err, c.want)
		}
	}
}
