package emu

import (
	"fmt"
	"maps"
	"reflect"
	"sort"
	"strings"
)

// Var names one state variable of a model. The first variable of every model is the
// membrane voltage: the engine turns it into sound and detects spikes on it.
type Var struct {
	Name string // as written in patches and CSV headers: "V", "n"
	Unit string // "mV", "" for gating variables
}

// Param describes one model parameter. It is declared once, apart from any values:
// patches are validated against it and the engine clamps events to [Min, Max].
type Param struct {
	Name    string  // as written in patches: "gNa"
	Unit    string  // "mS/cm²"
	Doc     string  // one line a teacher can read aloud
	Default float64 // the value of the model's reference preset
	Min     float64 // smallest allowed value (inclusive)
	Max     float64 // largest allowed value (inclusive)
}

// Preset is a named set of parameter values from the literature, with what the engine
// needs to play it: a resting initial state, spike thresholds and a voltage-to-sound map.
type Preset struct {
	Name   string
	Doc    string             // what the neuron does, and the source of the values
	Values map[string]float64 // overrides of the parameters' defaults
	Init   []float64          // resting state at zero current, in Vars order

	// A spike is a rise of V through SpikeHigh by at least SpikeHigh - SpikeLow (the
	// depth) above the lowest V since the detector re-armed; it re-arms once V has fallen
	// the depth below the highest V since the spike (always so below SpikeLow). Every
	// cycle that reaches SpikeHigh and swings the depth counts once, even one whose
	// trough stays above SpikeLow; an oscillation that stays below SpikeHigh or swings
	// less than the depth (ringing, a small Hopf oscillation, noise jitter, a
	// depolarised state) never counts. See spike.go.
	SpikeHigh, SpikeLow float64
	// Sound is (V - Centre) / Span before gain and pan.
	Centre, Span float64
	// Sweep is the range of injected current that holds the preset's bifurcations: the
	// default range of analysis and bifurcation diagrams.
	Sweep [2]float64
}

// Model is a neuron model: its variables, parameter metadata, presets and derivative.
//
// Deriv writes dx/dt (per ms of model time) into dx for state x, parameter values p (in
// Params order) and injected current I. It must not allocate and must not keep x, p or dx.
//
// The built-in models (LookupModel, INaPK, HH, MorrisLecar, FitzHughNagumo) come as
// copies, so no caller can change them for another. A Model built in another package,
// or a copy whose Deriv was replaced, plays too: the engine steps it with RK4 over its
// Deriv, a call per stage and neuron, where the built-in derivatives have batch kernels
// with the arithmetic written inline and fast exponentials (1.4 to 3 times as fast for
// one neuron, see BenchmarkEngineRealtime). New refuses a model it cannot step: no name, no Deriv, no
// variables, a MaxStep that is not a positive number, ranges out of order, names used
// twice or a parameter named like a control of every neuron.
type Model struct {
	Name        string
	Doc         string
	Vars        []Var
	Params      []Param
	Presets     []Preset // the first is the model's default
	CurrentUnit string   // unit of the injected current, "µA/cm²"
	// CurrentMin and CurrentMax bound the current a control injects. With kicks, held
	// notes and noise added, a neuron's input is held within ± 4 times the larger of
	// -CurrentMin and CurrentMax; coupling is bounded apart (MaxCoupling).
	CurrentMin, CurrentMax float64
	// MaxStep is the largest RK4 step (ms of model time) that keeps spike times within
	// 0.1 ms of a tight reference over 1 s for every preset (see accuracy_test.go).
	MaxStep float64
	// VoltageRange holds every equilibrium and cycle of the presets at currents in their
	// Sweep: where analysis looks for equilibria and what portraits show.
	VoltageRange [2]float64
	Deriv        func(dx, x, p []float64, I float64)
}

// Param returns the index of the named parameter, or -1.
func (m *Model) Param(name string) int {
	for i, p := range m.Params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// Var returns the index of the named state variable, or -1.
func (m *Model) Var(name string) int {
	for i, v := range m.Vars {
		if v.Name == name {
			return i
		}
	}
	return -1
}

// Preset returns the named preset.
func (m *Model) Preset(name string) (*Preset, bool) {
	for i := range m.Presets {
		if m.Presets[i].Name == name {
			return &m.Presets[i], true
		}
	}
	return nil, false
}

// PresetNames lists the model's presets in declaration order.
func (m *Model) PresetNames() []string {
	names := make([]string, len(m.Presets))
	for i, p := range m.Presets {
		names[i] = p.Name
	}
	return names
}

// ParamNames lists the model's parameters in declaration order.
func (m *Model) ParamNames() []string {
	names := make([]string, len(m.Params))
	for i, p := range m.Params {
		names[i] = p.Name
	}
	return names
}

// Values returns the parameter values of a preset, in Params order, appended to dst.
func (m *Model) Values(dst []float64, preset *Preset) []float64 {
	for _, p := range m.Params {
		v := p.Default
		if preset != nil {
			if o, ok := preset.Values[p.Name]; ok {
				v = o
			}
		}
		dst = append(dst, v)
	}
	return dst
}

// CheckParam reports whether value is allowed for parameter i, as an error a performer
// understands.
func (m *Model) CheckParam(i int, value float64) error {
	p := m.Params[i]
	if value != value || value < p.Min || value > p.Max {
		return fmt.Errorf("%s = %g is outside the allowed range %g to %g %s", p.Name, value, p.Min, p.Max, p.Unit)
	}
	return nil
}

// kernel steps every member of a batch by nsub RK4 steps of h.
type kernel func(b *batch, h float64, nsub int)

// builtin is a model of this package and its batch kernel, which is the model's Deriv
// written out inline: it stands for Deriv only while Deriv is derivPC's function.
type builtin struct {
	model    *Model                // never handed out: lookups return copies
	kernel   kernel                // the kernel batches use: vector where this machine has one
	portable kernel                // the kernel of every build (what kernel is without a vector one)
	vector   kernel                // nil where this build or machine has none
	derive   func(b *batch, k int) // keeps the kernel's derived constants (batch.derived)
	input    func(b *batch, k int) // keeps those that depend on the input, after it changes
	derived  int                   // how many constants derive keeps per member
	derivPC  uintptr
	// takesBias: the kernels add batch.bias to every member's input (a population's
	// input); for the others the engine adds it to each member's in.
	takesBias bool
}

var models = map[string]*builtin{}

func register(m *Model, k kernel, derive, input func(b *batch, k int), derived int) *Model {
	if _, dup := models[m.Name]; dup {
		panic("emu: model " + m.Name + " registered twice")
	}
	models[m.Name] = &builtin{model: m, kernel: k, portable: k, derive: derive, input: input, derived: derived, derivPC: funcPC(m.Deriv)}
	return m
}

// useVectorKernel makes k the kernel of built-in model name: a vector kernel for this
// machine replaces the portable one at init (the tests still run both).
func useVectorKernel(name string, k kernel) { models[name].kernel, models[name].vector = k, k }

func funcPC(f func(dx, x, p []float64, I float64)) uintptr { return reflect.ValueOf(f).Pointer() }

// builtinOf returns the built-in model whose kernel can step m: one with m's Deriv and as
// many variables and parameters. It is nil for any other model.
func builtinOf(m *Model) *builtin {
	if m.Deriv == nil {
		return nil
	}
	pc := funcPC(m.Deriv)
	for _, b := range models {
		if b.derivPC == pc && len(b.model.Vars) == len(m.Vars) && len(b.model.Params) == len(m.Params) {
			return b
		}
	}
	return nil
}

// LookupModel returns a copy of the built-in model with the given name ("inapk", "hh",
// ...): changing it changes no other caller's model, nor the engines already built.
func LookupModel(name string) (*Model, bool) {
	b, ok := models[name]
	if !ok {
		return nil, false
	}
	return b.model.clone(), true
}

// clone copies m deeply: its slices, presets and their maps are its own.
func (m *Model) clone() *Model {
	c := *m
	c.Vars = append([]Var(nil), m.Vars...)
	c.Params = append([]Param(nil), m.Params...)
	c.Presets = make([]Preset, len(m.Presets))
	for i, p := range m.Presets {
		p.Values = maps.Clone(p.Values)
		p.Init = append([]float64(nil), p.Init...)
		c.Presets[i] = p
	}
	return &c
}

// ModelNames lists the known models, the reference model first.
func ModelNames() []string {
	order := map[string]int{"inapk": 0, "hh": 1, "morris-lecar": 2, "fitzhugh-nagumo": 3}
	names := make([]string, 0, len(models))
	for n := range models {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		oi, iok := order[names[i]]
		oj, jok := order[names[j]]
		if iok && jok {
			return oi < oj
		}
		if iok != jok {
			return iok
		}
		return names[i] < names[j]
	})
	return names
}

// KnownModels is ModelNames joined for error messages: "inapk, hh, morris-lecar, fitzhugh-nagumo".
func KnownModels() string { return strings.Join(ModelNames(), ", ") }
