package emu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// NeuronSpec describes one neuron of an engine. Build it with NewNeuronSpec, then change
// what the patch overrides.
type NeuronSpec struct {
	Name    string
	Model   *Model
	Params  []float64 // in Model.Params order
	Init    []float64 // initial state, in Model.Vars order; also where resets put it
	Current float64   // injected current at the start, in Model.CurrentUnit

	Gain float64 // linear, 0..MaxGain
	Pan  float64 // -1 (left) .. +1 (right)

	Centre, Span        float64 // sound = gain * (V - Centre) / Span
	SpikeHigh, SpikeLow float64 // spike thresholds: see Preset.SpikeHigh

	Noise    float64 // Ornstein-Uhlenbeck current noise: standard deviation, current units (ControlRange)
	NoiseTau float64 // its correlation time, ms of model time, MinTimeConstant to MaxTimeConstant

	// Pulses is how many pulses a kick fires (1 to MaxPulses; 0 means 1), Interval the
	// ms of model time between their onsets (MinInterval to MaxInterval; 0 means
	// DefaultInterval): a pair or a short train per kick. Both are controls a knob can
	// turn (ControlPulses, ControlInterval).
	Pulses   int
	Interval float64

	// Population, if its Count is above 1, makes this one neuron many (population.go).
	Population Population

	// Preset names the preset the values started from, and Sweep is its range of
	// current holding the bifurcations; the engine uses neither (analysis does).
	Preset string
	Sweep  [2]float64
}

// NewNeuronSpec returns the spec of a neuron playing the given preset of m with unity gain,
// centred, at zero current.
func NewNeuronSpec(name string, m *Model, preset *Preset) NeuronSpec {
	return NeuronSpec{
		Name: name, Model: m,
		Params: m.Values(nil, preset),
		Init:   append([]float64(nil), preset.Init...),
		Gain:   1, Centre: preset.Centre, Span: preset.Span,
		SpikeHigh: preset.SpikeHigh, SpikeLow: preset.SpikeLow,
		Preset: preset.Name, Sweep: preset.Sweep,
		NoiseTau: 5,
		Pulses:   1, Interval: DefaultInterval,
	}
}

// Config is everything an engine is built from.
type Config struct {
	Neurons  []NeuronSpec
	Gaps     []Gap
	Synapses []Synapse
	// Speed is how many ms of model time pass per ms of sound: 1 (the default, for 0) is
	// biological time, MaxSpeed the fastest.
	Speed float64
	// CeilingDB is the limiter's ceiling in dBFS, MinCeilingDB to MaxCeilingDB (0:
	// DefaultCeilingDB). No event can raise it.
	CeilingDB float64
	Channels  int    // 1 or 2
	Seed      uint64 // noise seed: the same seed gives the same samples
	// Ring sizes; zero picks a default.
	EventCapacity, SpikeCapacity int
	// TapRate, if not 0, makes Process publish every neuron's state this many times a
	// second of sound through Tap (for a live view); TapCapacity is the tap's size in
	// records (0: a second's worth).
	TapRate     float64
	TapCapacity int
}

// New builds an engine. It validates the configuration; nothing is allocated later
// except by Prepare.
func New(cfg Config) (*Engine, error) {
	if len(cfg.Neurons) == 0 {
		return nil, errors.New("emu: an engine needs at least one neuron")
	}
	if err := checkSize(&cfg); err != nil {
		return nil, err
	}
	// The engine keeps its own neurons and models (one copy of each model, shared as
	// the caller shared it): what the caller changes afterwards changes no engine.
	cfg.Neurons = append([]NeuronSpec(nil), cfg.Neurons...)
	copies := map[*Model]*Model{}
	for i, s := range cfg.Neurons {
		if s.Model == nil {
			continue
		}
		if _, ok := copies[s.Model]; !ok {
			copies[s.Model] = s.Model.clone()
		}
		cfg.Neurons[i].Model = copies[s.Model]
	}
	if cfg.Speed == 0 {
		cfg.Speed = 1
	}
	if !(cfg.Speed > 0 && cfg.Speed <= MaxSpeed) {
		return nil, fmt.Errorf("emu: speed %g is outside 0 to %d", cfg.Speed, MaxSpeed)
	}
	if cfg.CeilingDB == 0 {
		cfg.CeilingDB = DefaultCeilingDB
	}
	if !(cfg.CeilingDB <= MaxCeilingDB && cfg.CeilingDB >= MinCeilingDB) {
		return nil, fmt.Errorf("emu: ceiling %g dBFS is outside %d to %g", cfg.CeilingDB, MinCeilingDB, MaxCeilingDB)
	}
	if cfg.Channels == 0 {
		cfg.Channels = 2
	}
	if cfg.Channels != 1 && cfg.Channels != 2 {
		return nil, fmt.Errorf("emu: %d channels; only 1 or 2 are supported", cfg.Channels)
	}
	if cfg.EventCapacity == 0 {
		cfg.EventCapacity = 4096
	}
	if cfg.SpikeCapacity == 0 {
		cfg.SpikeCapacity = 8192
	}
	n := len(cfg.Neurons)
	e := &Engine{cfg: cfg, n: n}
	e.events = NewRing[Event](cfg.EventCapacity)
	e.spikes = NewRing[Spike](cfg.SpikeCapacity)
	e.rng = rand.New(rand.NewPCG(cfg.Seed, 0x5e9a7a1c))
	f := func() []float64 { return make([]float64, n) }
	e.batchOf, e.slot = make([]int, n), make([]int, n)
	e.current, e.kick, e.kickLeft = f(), f(), make([]int64, n)
	e.kickWidth, e.pulsesLeft = make([]int64, n), make([]int32, n)
	e.nextPulse, e.trainStep = make([]int64, n), make([]int64, n)
	e.pulses, e.interval, e.held = f(), f(), f()
	e.gain, e.pan = f(), f()
	e.count = make([]int, n)
	e.spikedNow = make([]spikeRef, 0, cfg.Members()) // every member could spike at once
	e.popDirty = make([]bool, n)
	e.noiseSigma, e.noiseTau, e.noise, e.noiseA, e.noiseB = f(), f(), f(), f(), f()
	e.curMin, e.curMax, e.synCap = f(), f(), f()
	e.isLive, e.live = make([]bool, n), make([]int32, 0, n)
	for i := 0; i < n; i++ {
		e.markLive(i) // every input is loaded on the first sample
	}
	e.stats.spikes = make([]atomic.Uint64, n)
	e.stats.current = make([]atomic.Uint64, n)

	// Neurons that step alike share a batch: copies of one built-in model (every lookup
	// is a copy) share its kernel; a model built elsewhere steps with the generic kernel
	// over its own Deriv, in a batch of its neurons.
	type batchKey struct {
		builtin *builtin
		model   *Model // with builtin nil
		maxStep float64
		pop     int // a population has a batch of its own: 1 + its neuron's index
	}
	byModel := map[batchKey]int{}
	for i, s := range cfg.Neurons {
		if err := checkSpec(s); err != nil {
			return nil, fmt.Errorf("emu: neuron %q: %w", s.Name, err)
		}
		for j := 0; j < i; j++ {
			if cfg.Neurons[j].Name == s.Name && s.Name != "" {
				return nil, fmt.Errorf("emu: two neurons are named %q", s.Name)
			}
		}
		if err := checkPopulation(&cfg.Neurons[i]); err != nil {
			return nil, fmt.Errorf("emu: neuron %q: %w", s.Name, err)
		}
		key := batchKey{builtin: builtinOf(s.Model), maxStep: s.Model.MaxStep}
		if key.builtin == nil {
			key.model = s.Model
		}
		if s.members() > 1 {
			key.pop = 1 + i
		}
		bi, ok := byModel[key]
		if !ok {
			bi = len(e.batches)
			byModel[key] = bi
			e.batches = append(e.batches, newBatch(s.Model, key.builtin))
		}
		e.batchOf[i] = bi
		if key.pop != 0 {
			e.slot[i] = e.batches[bi].addPopulation(i, &cfg.Neurons[i])
		} else {
			e.slot[i] = e.batches[bi].add(i, &cfg.Neurons[i])
		}
		e.count[i] = s.members()
		e.current[i] = s.Current
		e.gain[i], e.pan[i] = s.Gain, s.Pan
		e.noiseSigma[i], e.noiseTau[i] = s.Noise, s.NoiseTau
		e.pulses[i], e.interval[i] = float64(max(s.Pulses, 1)), s.Interval
		if s.Interval == 0 {
			e.interval[i] = DefaultInterval
		}
		e.curMin[i], e.curMax[i] = s.Model.CurrentMin, s.Model.CurrentMax
		if np := ControlParam + int32(len(s.Params)); int(np) > e.nControl {
			e.nControl = int(np)
		}
		e.setPan(i)
	}
	gapTotal := make([]float64, n)
	for _, g := range cfg.Gaps {
		if g.A < 0 || g.A >= n || g.B < 0 || g.B >= n || g.A == g.B {
			return nil, fmt.Errorf("emu: gap junction between neurons %d and %d: no such pair", g.A, g.B)
		}
		if !(g.G >= 0 && g.G <= MaxCoupling) {
			return nil, fmt.Errorf("emu: gap junction conductance %g is outside 0 to %d", g.G, MaxCoupling)
		}
		if e.count[g.A] > 1 || e.count[g.B] > 1 {
			return nil, fmt.Errorf("emu: gap junction between %q and %q: %w", cfg.Neurons[g.A].Name, cfg.Neurons[g.B].Name, errPopulationGap)
		}
		for _, i := range [2]int{g.A, g.B} {
			if gapTotal[i] += g.G; gapTotal[i] > MaxCoupling {
				return nil, fmt.Errorf("emu: neuron %q's gap junctions add up to %g mS/cm², more than the %d one neuron may have in all",
					cfg.Neurons[i].Name, gapTotal[i], MaxCoupling)
			}
		}
	}
	for i, g := range gapTotal {
		e.synCap[i] = MaxCoupling - g
	}
	e.gaps = append([]Gap(nil), cfg.Gaps...)
	if len(e.gaps) > 0 {
		e.setupCoupled()
	}
	for _, s := range cfg.Synapses {
		if s.From < 0 || s.From >= n || s.To < 0 || s.To >= n {
			return nil, fmt.Errorf("emu: synapse from neuron %d to %d: no such neuron", s.From, s.To)
		}
		if !(s.G >= 0 && s.G <= MaxCoupling) {
			return nil, fmt.Errorf("emu: synapse conductance %g is outside 0 to %d", s.G, MaxCoupling)
		}
		if !(s.Tau >= MinTimeConstant && s.Tau <= MaxTimeConstant) {
			return nil, fmt.Errorf("emu: synapse time constant %g ms is outside %g to %d", s.Tau, MinTimeConstant, MaxTimeConstant)
		}
		if !(s.Reversal >= MinReversal && s.Reversal <= MaxReversal) {
			return nil, fmt.Errorf("emu: synapse reversal %g mV is outside %d to %d", s.Reversal, MinReversal, MaxReversal)
		}
	}
	// Synapses sorted by presynaptic neuron (CSR) so a spike opens its synapses directly,
	// and indexed by postsynaptic neuron, so loading a neuron's input sums its own.
	var bySource []int
	e.synStart, bySource = groupBy(n, len(cfg.Synapses), func(i int) int { return cfg.Synapses[i].From })
	e.syn = make([]Synapse, len(cfg.Synapses))
	for j, i := range bySource {
		e.syn[j] = cfg.Synapses[i]
	}
	e.synIntoStart, e.synInto = groupBy(n, len(e.syn), func(i int) int { return e.syn[i].To })
	e.synTarget = make([]bool, n)
	for i := range e.synTarget {
		e.synTarget[i] = e.synIntoStart[i+1] > e.synIntoStart[i]
	}
	e.synG = make([]float64, len(e.syn))
	e.synDecay = make([]float64, len(e.syn))
	e.rampSlot = make([]int32, n*e.nControl)
	for i := range e.rampSlot {
		e.rampSlot[i] = -1
	}
	e.ramps = make([]ramp, 0, n*e.nControl)
	return e, nil
}

// groupBy groups m items by their keys, 0 to n-1 (compressed sparse rows): key k's items
// are order[start[k]:start[k+1]], in their own order.
func groupBy(n, m int, key func(i int) int) (start, order []int) {
	start = make([]int, n+1)
	for i := range m {
		start[key(i)+1]++
	}
	for k := range n {
		start[k+1] += start[k]
	}
	order = make([]int, m)
	fill := append([]int(nil), start[:n]...)
	for i := range m {
		order[fill[key(i)]] = i
		fill[key(i)]++
	}
	return start, order
}

func checkSpec(s NeuronSpec) error {
	m := s.Model
	if m == nil {
		return errors.New("no model")
	}
	if err := checkModel(m); err != nil {
		return err
	}
	if len(s.Params) != len(m.Params) {
		return fmt.Errorf("%d parameter values for %d parameters of %s", len(s.Params), len(m.Params), m.Name)
	}
	for i, v := range s.Params {
		if err := m.CheckParam(i, v); err != nil {
			return err
		}
	}
	if len(s.Init) != len(m.Vars) {
		return fmt.Errorf("%d initial values for %d state variables of %s", len(s.Init), len(m.Vars), m.Name)
	}
	for i, v := range s.Init {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > voltageBound {
			return fmt.Errorf("initial %s = %g is not a usable value", m.Vars[i].Name, v)
		}
	}
	if !(s.Current >= m.CurrentMin && s.Current <= m.CurrentMax) {
		return fmt.Errorf("current %g is outside %g to %g %s", s.Current, m.CurrentMin, m.CurrentMax, m.CurrentUnit)
	}
	if !(s.Gain >= 0 && s.Gain <= MaxGain) {
		return fmt.Errorf("gain %g is outside 0 to %d", s.Gain, MaxGain)
	}
	if !(s.Pan >= -1 && s.Pan <= 1) {
		return fmt.Errorf("pan %g is outside -1 to 1", s.Pan)
	}
	if !(s.Span > 0 || s.Span < 0) || math.IsInf(s.Span, 0) || math.IsNaN(s.Centre) || math.IsInf(s.Centre, 0) {
		return fmt.Errorf("voltage-to-sound centre %g and span %g: span must be a non-zero number", s.Centre, s.Span)
	}
	if !(s.SpikeLow < s.SpikeHigh) {
		return fmt.Errorf("spike re-arm level %g must be below the spike threshold %g", s.SpikeLow, s.SpikeHigh)
	}
	if !(s.Noise >= 0 && s.Noise <= maxNoise(m)) {
		return fmt.Errorf("noise %g is outside 0 to %g %s", s.Noise, maxNoise(m), m.CurrentUnit)
	}
	if !(s.NoiseTau >= MinTimeConstant && s.NoiseTau <= MaxTimeConstant) {
		return fmt.Errorf("noise time constant %g ms is outside %g to %d", s.NoiseTau, MinTimeConstant, MaxTimeConstant)
	}
	if s.Pulses < 0 || s.Pulses > MaxPulses {
		return fmt.Errorf("%d pulses per kick is outside 1 to %d", s.Pulses, MaxPulses)
	}
	if s.Interval != 0 && !(s.Interval >= MinInterval && s.Interval <= MaxInterval) {
		return fmt.Errorf("pulse interval %g ms is outside %g to %d", s.Interval, MinInterval, MaxInterval)
	}
	return nil
}

// checkModel refuses a model the engine cannot step or bound, such as one built
// outside this package with a field left out.
func checkModel(m *Model) error {
	if m.Name == "" {
		return errors.New("the model has no name")
	}
	if m.Deriv == nil {
		return fmt.Errorf("model %s has no derivative (Deriv)", m.Name)
	}
	if len(m.Vars) == 0 {
		return fmt.Errorf("model %s has no state variables (the first is the voltage)", m.Name)
	}
	if !(m.MaxStep > 0) || math.IsInf(m.MaxStep, 0) {
		return fmt.Errorf("model %s: MaxStep %g ms is not a positive number", m.Name, m.MaxStep)
	}
	if !(m.CurrentMin < m.CurrentMax) || math.IsInf(m.CurrentMin, 0) || math.IsInf(m.CurrentMax, 0) {
		return fmt.Errorf("model %s: the current range %g to %g is not two numbers in order", m.Name, m.CurrentMin, m.CurrentMax)
	}
	for i, v := range m.Vars {
		if v.Name == "" || m.Var(v.Name) != i {
			return fmt.Errorf("model %s: state variable %d has no name or the name of another (%q)", m.Name, i, v.Name)
		}
	}
	for i, p := range m.Params {
		if p.Name == "" || m.Param(p.Name) != i {
			return fmt.Errorf("model %s: parameter %d has no name or the name of another (%q)", m.Name, i, p.Name)
		}
		if c, err := ControlIndex(nil, p.Name); err == nil && c < ControlParam {
			return fmt.Errorf("model %s: parameter %q has the name of a control every neuron has: rename it", m.Name, p.Name)
		}
		if !(p.Min <= p.Max) || math.IsInf(p.Min, 0) || math.IsInf(p.Max, 0) {
			return fmt.Errorf("model %s: parameter %s's range %g to %g is not two numbers in order", m.Name, p.Name, p.Min, p.Max)
		}
	}
	return nil
}

func maxNoise(m *Model) float64 { return maxNoiseFraction * (m.CurrentMax - m.CurrentMin) }

// Prepare readies the engine for blocks of at most maxBlock frames at sampleRate. It is
// the only place besides New that allocates; call it again to change the rate.
func (e *Engine) Prepare(sampleRate float64, maxBlock int) error {
	if !(sampleRate >= 1000 && sampleRate <= 768000) {
		return fmt.Errorf("emu: sample rate %g Hz is outside 1000 to 768000", sampleRate)
	}
	if maxBlock < 1 || maxBlock > 1<<20 {
		return fmt.Errorf("emu: block size %d is outside 1 to %d", maxBlock, 1<<20)
	}
	e.sampleRate, e.maxBlock = sampleRate, maxBlock
	e.dtModel = e.cfg.Speed * 1000 / sampleRate
	e.cSub = 1
	for _, b := range e.batches {
		b.nsub = SubSteps(e.dtModel, b.model.MaxStep)
		b.h = e.dtModel / float64(b.nsub)
		e.cSub = max(e.cSub, b.nsub)
	}
	e.cH = e.dtModel / float64(e.cSub)
	for i := range e.syn {
		e.synDecay[i] = math.Exp(-e.dtModel / e.syn[i].Tau)
	}
	for i := 0; i < e.n; i++ {
		e.setNoise(i)
	}
	for c := range e.scratch {
		e.scratch[c] = make([]float64, maxBlock)
	}
	fc := 5.0 // Hz: DC blocker corner, below any pitch worth hearing
	for c := range e.dc {
		e.dc[c] = dcBlocker{r: math.Exp(-2 * math.Pi * fc / sampleRate)}
	}
	e.lim = newLimiter(safeCeiling(e.cfg.CeilingDB), sampleRate)
	e.prepareTap(sampleRate)
	e.prepared = true
	return nil
}
