package emu

import (
	"fmt"
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
type Model struct {
	Name        string
	Doc         string
	Vars        []Var
	Params      []Param
	Presets     []Preset // the first is the model's default
	CurrentUnit string   // unit of the injected current, "µA/cm²"
	// CurrentMin and CurrentMax bound the injected current (after kicks, noise and
	// coupling are added the total is bounded by the same range, widened 4x).
	CurrentMin, CurrentMax float64
	// MaxStep is the largest RK4 step (ms of model time) that keeps spike times within
	// 0.1 ms of a tight reference over 1 s for every preset (see accuracy_test.go).
	MaxStep float64
	// VoltageRange holds every equilibrium and cycle of the presets at currents in their
	// Sweep: where analysis looks for equilibria and what portraits show.
	VoltageRange [2]float64
	Deriv        func(dx, x, p []float64, I float64)

	// kernel steps a batch of neurons of this model; see batch.go.
	kernel func(b *batch, h float64, nsub int)
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

var models = map[string]*Model{}

func register(m *Model) *Model {
	if _, dup := models[m.Name]; dup {
		panic("emu: model " + m.Name + " registered twice")
	}
	models[m.Name] = m
	return m
}

// LookupModel returns the model with the given name ("inapk", "hh", ...).
func LookupModel(name string) (*Model, bool) {
	m, ok := models[name]
	return m, ok
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
