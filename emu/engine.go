package emu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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

	Gain float64 // linear, 0..4
	Pan  float64 // -1 (left) .. +1 (right)

	Centre, Span        float64 // sound = gain * (V - Centre) / Span
	SpikeHigh, SpikeLow float64 // spike thresholds: see Preset.SpikeHigh

	Noise    float64 // Ornstein-Uhlenbeck current noise: standard deviation, current units
	NoiseTau float64 // its correlation time, ms of model time

	// Pulses is how many pulses a kick fires (1 to MaxPulses; 0 means 1), Interval the
	// ms of model time between their onsets (MinInterval to MaxInterval; 0 means
	// DefaultInterval): a pair or a short train per kick. Both are controls a knob can
	// turn (ControlPulses, ControlInterval).
	Pulses   int
	Interval float64

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

// Gap is an electrical synapse: a current G (Vb - Va) into A and its opposite into B.
type Gap struct {
	A, B int
	G    float64 // conductance, mS/cm²
}

// Synapse is a chemical synapse: each spike of From opens a conductance by G, which decays
// with time constant Tau, driving To towards Reversal (about 0 mV excitatory, -80 mV
// inhibitory).
type Synapse struct {
	From, To int
	G        float64 // conductance added per presynaptic spike, mS/cm²
	Tau      float64 // decay time constant, ms of model time
	Reversal float64 // mV
}

// Config is everything an engine is built from.
type Config struct {
	Neurons  []NeuronSpec
	Gaps     []Gap
	Synapses []Synapse
	// Speed is how many ms of model time pass per ms of sound: 1 is biological time.
	Speed float64
	// CeilingDB is the limiter's ceiling in dBFS, at most MaxCeilingDB. No event can raise it.
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

// MaxCeilingDB is the highest limiter ceiling a patch may ask for.
const MaxCeilingDB = -0.1

// Limits on values that would otherwise make the explicit integrator unstable.
const (
	MaxGain          = 4
	MaxCoupling      = 100 // total coupling conductance per neuron, mS/cm²
	maxNoiseFraction = 0.5 // noise std at most this fraction of the current range
)

// Limits of a kick's pulse train (ControlPulses, ControlInterval).
const (
	MaxPulses       = 16
	MinInterval     = 0.1  // ms of model time between pulse onsets
	MaxInterval     = 1000 // ms
	DefaultInterval = 10   // ms
)

// Event kinds.
const (
	// EventSet moves a control to Value, ramping linearly over Time seconds of sound
	// (0: at once). Values outside the control's range are clamped and counted.
	EventSet uint8 = iota + 1
	// EventKick fires a train of square current pulses of amplitude Value, each
	// lasting Time ms of model time: Pulses pulses (0: the neuron's ControlPulses), their
	// onsets Interval ms of model time apart (0: the neuron's ControlInterval, read when
	// the kick starts). The first pulse starts at the event's frame; a single pulse is a
	// train of one. A new kick replaces a train still running; pulses longer than the
	// interval merge into one.
	EventKick
	// EventReset puts the neuron back to its initial state, with no kick and no held
	// current.
	EventReset
	// EventHold adds a steady current of Value to the neuron's input until the next
	// EventHold replaces it (Value 0 ends it): a current that lasts as long as a note is
	// held, where a kick lasts a fixed time. Kicks add to it.
	EventHold
)

// Controls of every neuron; a model's parameter k is ControlParam+k.
const (
	ControlCurrent int32 = iota
	ControlGain
	ControlPan
	ControlNoise
	ControlPulses   // pulses per kick, rounded to a whole number when a kick starts
	ControlInterval // ms of model time between the onsets of a kick's pulses
	ControlParam
)

// AllNeurons as an event's Neuron applies it to every neuron (controls below ControlParam
// only, since parameters differ between models).
const AllNeurons = -1

// Event is a timestamped control change. Frame counts samples since the engine started;
// an event is applied at the start of that frame (or at once if the frame has passed).
type Event struct {
	Frame   int64
	Kind    uint8
	Neuron  int32
	Control int32
	// Pulses and Interval shape an EventKick's train (see EventKick); 0 takes the
	// neuron's own control. Other kinds ignore them.
	Pulses   int32
	Value    float64
	Time     float64
	Interval float64
}

// Spike is one spike: a rise of V through SpikeHigh (see Preset.SpikeHigh).
type Spike struct {
	Frame  int64   // sample on which it was counted
	Neuron int32   // engine index
	ISI    float64 // ms of model time since this neuron's previous spike; 0 for its first
}

// Engine runs N neurons at a fixed timestep and mixes their voltages into audio.
//
// New and Prepare may allocate and fail; Process never allocates, locks, blocks or fails.
// Events are pushed by one producer goroutine and consumed by Process; spikes are pushed
// by Process and consumed by one reader goroutine. All other methods except Stats and the
// rings belong to the goroutine that calls Process, between calls.
type Engine struct {
	cfg     Config
	batches []*batch
	n       int

	// per neuron, engine index
	batchOf, slot      []int
	current            []float64
	kick               []float64 // amplitude of the running train's pulses
	kickLeft           []int64   // samples left of the pulse running now
	kickWidth          []int64   // samples per pulse of the running train
	pulsesLeft         []int32   // pulses of the train still to start
	nextPulse          []int64   // frame of the next pulse's onset
	trainStep          []int64   // frames between the train's onsets
	pulses, interval   []float64 // the controls ControlPulses and ControlInterval
	held               []float64 // held current (EventHold)
	gain, pan          []float64
	gainL, gainR       []float64
	centre, invSpan    []float64
	spikeHigh, spikeLo []float64
	armed              []bool
	spikeExt           []float64 // the extreme V the spike detector tracks (spike.go)
	lastSpike          []int64
	noiseSigma         []float64
	noiseTau           []float64
	noise, noiseA      []float64
	noiseB             []float64
	curMin, curMax     []float64
	gapG               []float64 // per neuron: total gap conductance
	gapV               []float64 // per neuron: sum of g·Vj over its gaps

	gaps      []Gap
	syn       []Synapse
	synG      []float64 // open conductance per synapse
	synDecay  []float64 // per-sample decay factor per synapse
	synOut    []int     // CSR: synapses leaving neuron i are synOut[synStart[i]:synStart[i+1]]
	synStart  []int
	synGTotal []float64 // per neuron scratch
	synGE     []float64

	// Gap junctions couple neurons within a time step, so a network with gaps is
	// stepped as one system (stage-major RK4 over every neuron, the coupling evaluated
	// at every stage) instead of by the per-model batch kernels.
	coupled  bool
	maxVars  int
	cx       []float64   // every neuron's state, neuron-major, maxVars each
	cScratch []float64   // StepRK4 scratch
	cParams  [][]float64 // per neuron: its parameter values, gathered each sample
	cGapI    []float64   // per neuron: gap current at the present stage
	cDeriv   func(dx, x []float64)
	cSub     int
	cH       float64

	ramps    []ramp
	rampSlot []int32 // per neuron*controls: index into ramps, or -1
	nControl int

	events   *Ring[Event]
	spikes   *Ring[Spike]
	schedule []Event // a scripted performance, sorted by frame
	nextSch  int
	rng      *rand.Rand

	sampleRate float64
	maxBlock   int
	dtModel    float64 // ms of model time per sample
	prepared   bool
	frame      int64

	dc      [2]dcBlocker
	lim     limiter
	scratch [2][]float64

	stats engineStats

	tap   *Tap // nil unless Config.TapRate is set
	tapSt tapState
}

type ramp struct {
	neuron, control int32
	inc, target     float64
	left            int64
}

type engineStats struct {
	frames   atomic.Int64
	resets   atomic.Uint64
	rejected atomic.Uint64
	clamped  atomic.Uint64
	peakBits atomic.Uint64
	spikes   []atomic.Uint64
	current  []atomic.Uint64 // float64 bits, published once per block
}

// Stats is a snapshot of the engine's counters, safe to take from any goroutine.
type Stats struct {
	Frames        int64
	Spikes        []uint64 // per neuron
	Current       []float64
	Resets        uint64 // non-finite or runaway states put back to rest
	Rejected      uint64 // events refused (NaN value, unknown neuron or control)
	Clamped       uint64 // event values clamped to their control's range
	DroppedEvents uint64 // control events lost to a full ring
	DroppedSpikes uint64 // spikes lost to a full ring
	Peak          float64
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
	if cfg.Speed == 0 {
		cfg.Speed = 1
	}
	if !(cfg.Speed > 0 && cfg.Speed <= 1000) {
		return nil, fmt.Errorf("emu: speed %g is outside 0 to 1000", cfg.Speed)
	}
	if cfg.CeilingDB == 0 {
		cfg.CeilingDB = -1
	}
	if !(cfg.CeilingDB <= MaxCeilingDB && cfg.CeilingDB >= -60) {
		return nil, fmt.Errorf("emu: ceiling %g dBFS is outside -60 to %g", cfg.CeilingDB, MaxCeilingDB)
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
	e.gain, e.pan, e.gainL, e.gainR = f(), f(), f(), f()
	e.centre, e.invSpan, e.spikeHigh, e.spikeLo = f(), f(), f(), f()
	e.armed, e.lastSpike = make([]bool, n), make([]int64, n)
	e.noiseSigma, e.noiseTau, e.noise, e.noiseA, e.noiseB = f(), f(), f(), f(), f()
	e.curMin, e.curMax, e.gapG, e.gapV = f(), f(), f(), f()
	e.synGTotal, e.synGE = f(), f()
	e.stats.spikes = make([]atomic.Uint64, n)
	e.stats.current = make([]atomic.Uint64, n)

	byModel := map[*Model]int{}
	for i, s := range cfg.Neurons {
		if err := checkSpec(s); err != nil {
			return nil, fmt.Errorf("emu: neuron %q: %w", s.Name, err)
		}
		for j := 0; j < i; j++ {
			if cfg.Neurons[j].Name == s.Name && s.Name != "" {
				return nil, fmt.Errorf("emu: two neurons are named %q", s.Name)
			}
		}
		bi, ok := byModel[s.Model]
		if !ok {
			bi = len(e.batches)
			byModel[s.Model] = bi
			e.batches = append(e.batches, newBatch(s.Model))
		}
		e.batchOf[i] = bi
		e.slot[i] = e.batches[bi].add(i, s.Params, s.Init)
		e.current[i] = s.Current
		e.gain[i], e.pan[i] = s.Gain, s.Pan
		e.centre[i], e.invSpan[i] = s.Centre, 1/s.Span
		e.spikeHigh[i], e.spikeLo[i] = s.SpikeHigh, s.SpikeLow
		e.lastSpike[i] = -1 // the spike detector starts in the first Prepare
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
	for _, g := range cfg.Gaps {
		if g.A < 0 || g.A >= n || g.B < 0 || g.B >= n || g.A == g.B {
			return nil, fmt.Errorf("emu: gap junction between neurons %d and %d: no such pair", g.A, g.B)
		}
		if !(g.G >= 0 && g.G <= MaxCoupling) {
			return nil, fmt.Errorf("emu: gap junction conductance %g is outside 0 to %d", g.G, MaxCoupling)
		}
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
		if !(s.Tau >= 0.01 && s.Tau <= 10000) {
			return nil, fmt.Errorf("emu: synapse time constant %g ms is outside 0.01 to 10000", s.Tau)
		}
		if !(s.Reversal >= -200 && s.Reversal <= 200) {
			return nil, fmt.Errorf("emu: synapse reversal %g mV is outside -200 to 200", s.Reversal)
		}
	}
	// Synapses sorted by presynaptic neuron (CSR) so a spike opens its synapses directly.
	e.synStart = make([]int, n+1)
	for _, s := range cfg.Synapses {
		e.synStart[s.From+1]++
	}
	for i := 0; i < n; i++ {
		e.synStart[i+1] += e.synStart[i]
	}
	e.syn = make([]Synapse, len(cfg.Synapses))
	fill := append([]int(nil), e.synStart[:n]...)
	for _, s := range cfg.Synapses {
		e.syn[fill[s.From]] = s
		fill[s.From]++
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

func checkSpec(s NeuronSpec) error {
	m := s.Model
	if m == nil {
		return errors.New("no model")
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
	if !(s.NoiseTau >= 0.01 && s.NoiseTau <= 10000) {
		return fmt.Errorf("noise time constant %g ms is outside 0.01 to 10000", s.NoiseTau)
	}
	if s.Pulses < 0 || s.Pulses > MaxPulses {
		return fmt.Errorf("%d pulses per kick is outside 1 to %d", s.Pulses, MaxPulses)
	}
	if s.Interval != 0 && !(s.Interval >= MinInterval && s.Interval <= MaxInterval) {
		return fmt.Errorf("pulse interval %g ms is outside %g to %d", s.Interval, MinInterval, MaxInterval)
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
	if e.spikeExt == nil { // the first Prepare: nothing has run, the state is Init
		e.spikeExt = make([]float64, e.n)
		for i := range e.spikeExt {
			v := e.batches[e.batchOf[i]].x[0][e.slot[i]]
			e.armed[i], e.spikeExt[i] = spikeStart(v, e.spikeHigh[i])
		}
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

// SampleRate is the rate given to Prepare.
func (e *Engine) SampleRate() float64 { return e.sampleRate }

// ModelTimeStep is the model time, in ms, that passes per sample.
func (e *Engine) ModelTimeStep() float64 { return e.dtModel }

// Channels is the number of output channels Process expects.
func (e *Engine) Channels() int { return e.cfg.Channels }

// Len is the number of neurons.
func (e *Engine) Len() int { return e.n }

// Spec returns the spec neuron i was built from.
func (e *Engine) Spec(i int) NeuronSpec { return e.cfg.Neurons[i] }

// Neuron returns the index of the named neuron, or -1.
func (e *Engine) Neuron(name string) int {
	for i, s := range e.cfg.Neurons {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// Control resolves a control name of neuron i ("current", "gain", "pan", "noise",
// "pulses", "interval" or a parameter of its model). With i == AllNeurons the model's
// parameters are not valid.
func (e *Engine) Control(i int, name string) (int32, error) {
	if i == AllNeurons {
		return ControlIndex(nil, name)
	}
	c, err := ControlIndex(e.cfg.Neurons[i].Model, name)
	if err != nil {
		return 0, fmt.Errorf("neuron %q: %w", e.cfg.Neurons[i].Name, err)
	}
	return c, nil
}

// ControlIndex resolves the name of a control of a neuron of model m: "current", "gain",
// "pan", "noise", "pulses", "interval", or one of m's parameters. With m nil (every
// neuron at once) the parameters are not valid.
func ControlIndex(m *Model, name string) (int32, error) {
	switch name {
	case "current":
		return ControlCurrent, nil
	case "gain":
		return ControlGain, nil
	case "pan":
		return ControlPan, nil
	case "noise":
		return ControlNoise, nil
	case "pulses":
		return ControlPulses, nil
	case "interval":
		return ControlInterval, nil
	}
	if m == nil {
		return 0, fmt.Errorf("%q is not a control of every neuron (name one: NEURON.%s)", name, name)
	}
	if p := m.Param(name); p >= 0 {
		return ControlParam + int32(p), nil
	}
	return 0, fmt.Errorf("no control %q on a %s neuron (known: current, gain, pan, noise, pulses, interval, %s)",
		name, m.Name, joinNames(m.ParamNames()))
}

// ControlRange is the range an event value for control c of a neuron of model m is
// clamped to.
func ControlRange(m *Model, c int32) (lo, hi float64, ok bool) {
	switch {
	case c == ControlCurrent:
		return m.CurrentMin, m.CurrentMax, true
	case c == ControlGain:
		return 0, MaxGain, true
	case c == ControlPan:
		return -1, 1, true
	case c == ControlNoise:
		return 0, maxNoise(m), true
	case c == ControlPulses:
		return 1, MaxPulses, true
	case c == ControlInterval:
		return MinInterval, MaxInterval, true
	case c >= ControlParam && int(c-ControlParam) < len(m.Params):
		p := m.Params[c-ControlParam]
		return p.Min, p.Max, true
	}
	return 0, 0, false
}

func joinNames(s []string) string { return strings.Join(s, ", ") }

// Schedule gives the engine a scripted performance: events sorted by frame, applied at
// their frames alongside the ring's (at the same frame, scheduled events first). The
// engine keeps the slice and never modifies it. Call it before Process starts, or
// between Process calls from the same goroutine; it replaces any earlier schedule,
// skipping events whose frames have passed. Live play and render both script this way,
// so both apply the same events at the same samples.
func (e *Engine) Schedule(events []Event) {
	for i := 1; i < len(events); i++ {
		if events[i].Frame < events[i-1].Frame {
			panic("emu: Schedule needs events sorted by frame")
		}
	}
	e.schedule, e.nextSch = events, 0
	for e.nextSch < len(events) && events[e.nextSch].Frame < e.frame {
		e.nextSch++
	}
}

// Events is the control ring: one producer pushes, Process consumes.
func (e *Engine) Events() *Ring[Event] { return e.events }

// Spikes is the spike ring: Process pushes, one reader drains.
func (e *Engine) Spikes() *Ring[Spike] { return e.spikes }

// Frame is the number of frames processed so far (safe from any goroutine).
func (e *Engine) Frame() int64 { return e.stats.frames.Load() }

// State appends neuron i's state variables to dst. Call only between Process calls, from
// the goroutine that calls Process.
func (e *Engine) State(dst []float64, i int) []float64 {
	b, k := e.batches[e.batchOf[i]], e.slot[i]
	for v := range b.x {
		dst = append(dst, b.x[v][k])
	}
	return dst
}

// Injected is the current injected into neuron i by its control (without kicks, noise or
// coupling). Call only between Process calls, from the goroutine that calls Process.
func (e *Engine) Injected(i int) float64 { return e.current[i] }

// Kick is the current that kicks and held notes add to neuron i on the next sample:
// the amplitude of a kick's pulse running now (0 between the pulses of a train) plus the
// held current. Same rule as State.
func (e *Engine) Kick(i int) float64 {
	k := e.held[i]
	if e.kickLeft[i] > 0 || e.pulsesLeft[i] > 0 && e.frame >= e.nextPulse[i] {
		k += e.kick[i]
	}
	return k
}

// Param is the present value of parameter p of neuron i. Same rule as State.
func (e *Engine) Param(i, p int) float64 { return e.batches[e.batchOf[i]].p[p][e.slot[i]] }

// Stats takes a snapshot of the counters. It allocates; never call it from the audio path.
func (e *Engine) Stats() Stats {
	s := Stats{
		Frames:        e.stats.frames.Load(),
		Spikes:        make([]uint64, e.n),
		Current:       make([]float64, e.n),
		Resets:        e.stats.resets.Load(),
		Rejected:      e.stats.rejected.Load(),
		Clamped:       e.stats.clamped.Load(),
		DroppedEvents: e.events.Dropped(),
		DroppedSpikes: e.spikes.Dropped(),
		Peak:          math.Float64frombits(e.stats.peakBits.Load()),
	}
	for i := range s.Spikes {
		s.Spikes[i] = e.stats.spikes[i].Load()
		s.Current[i] = math.Float64frombits(e.stats.current[i].Load())
	}
	return s
}

// Process renders len(out[0]) frames (0 is allowed, at most the Prepare block size) into
// the channel buffers out, applying due events and pushing spikes. It never allocates,
// locks or blocks, and every sample it writes is finite and within the ceiling.
func (e *Engine) Process(out [][]float32) {
	if !e.prepared {
		panic("emu: Process before Prepare")
	}
	if len(out) != e.cfg.Channels {
		panic("emu: Process given the wrong number of channels")
	}
	frames := len(out[0])
	if frames > e.maxBlock {
		panic("emu: Process block larger than the Prepare block size")
	}
	mixL, mixR := e.scratch[0][:frames], e.scratch[1][:frames]
	for f := 0; f < frames; f++ {
		e.applyDueEvents()
		if len(e.ramps) > 0 {
			e.stepRamps()
		}
		e.loadInputs()
		if e.coupled {
			e.stepCoupled()
		} else {
			for _, b := range e.batches {
				b.model.kernel(b, b.h, b.nsub)
			}
		}
		l, r := e.detectAndMix()
		mixL[f], mixR[f] = l, r
		if e.tap != nil {
			e.tapFrame()
		}
		e.frame++
	}
	e.finishBlock(out, mixL, mixR)
}

// applyDueEvents applies every scheduled and queued event stamped at or before the
// current frame.
func (e *Engine) applyDueEvents() {
	for e.nextSch < len(e.schedule) && e.schedule[e.nextSch].Frame <= e.frame {
		e.apply(e.schedule[e.nextSch])
		e.nextSch++
	}
	for {
		ev, ok := e.events.Peek()
		if !ok || ev.Frame > e.frame {
			return
		}
		e.events.Pop()
		e.apply(ev)
	}
}

func (e *Engine) apply(ev Event) {
	if !finite(ev.Value) || !finite(ev.Time) || !finite(ev.Interval) {
		e.stats.rejected.Add(1)
		return
	}
	if ev.Neuron == AllNeurons {
		if ev.Kind == EventSet && ev.Control >= ControlParam {
			e.stats.rejected.Add(1)
			return
		}
		for i := 0; i < e.n; i++ {
			e.applyTo(i, ev)
		}
		return
	}
	if ev.Neuron < 0 || int(ev.Neuron) >= e.n {
		e.stats.rejected.Add(1)
		return
	}
	e.applyTo(int(ev.Neuron), ev)
}

func (e *Engine) applyTo(i int, ev Event) {
	switch ev.Kind {
	case EventSet:
		lo, hi, ok := e.controlRange(i, ev.Control)
		if !ok {
			e.stats.rejected.Add(1)
			return
		}
		v := ev.Value
		if v < lo || v > hi {
			v = math.Max(lo, math.Min(hi, v))
			e.stats.clamped.Add(1)
		}
		e.startRamp(i, ev.Control, v, ev.Time)
	case EventKick:
		a := e.clampKick(i, ev.Value)
		d := ev.Time
		if !(d >= 0 && d <= 10000) {
			d = math.Max(0, math.Min(10000, d))
			e.stats.clamped.Add(1)
		}
		// The pulse lasts a whole number of samples; its amplitude is scaled so that
		// the charge it delivers (amplitude × duration) is the one asked for.
		n := max(int64(math.Round(d/e.dtModel)), 1)
		if d > 0 {
			a *= d / (float64(n) * e.dtModel)
		}
		e.kick[i] = a
		e.kickLeft[i], e.kickWidth[i] = n, n
		e.startTrain(i, ev)
	case EventHold:
		e.held[i] = e.clampKick(i, ev.Value)
	case EventReset:
		e.resetNeuron(i)
	default:
		e.stats.rejected.Add(1)
	}
}

// clampKick keeps a kick's or held note's amplitude within the width of the neuron's
// current range, counting a clamp.
func (e *Engine) clampKick(i int, a float64) float64 {
	span := e.curMax[i] - e.curMin[i]
	if a < -span || a > span {
		a = math.Max(-span, math.Min(span, a))
		e.stats.clamped.Add(1)
	}
	return a
}

// startTrain schedules the pulses of kick ev after the first, which starts now: the
// event's pulse count and interval, or the neuron's controls where the event gives 0.
func (e *Engine) startTrain(i int, ev Event) {
	count := int32(math.Round(e.pulses[i]))
	if ev.Pulses != 0 {
		count = ev.Pulses
		if count < 1 || count > MaxPulses {
			count = max(1, min(MaxPulses, count))
			e.stats.clamped.Add(1)
		}
	}
	iv := e.interval[i]
	if ev.Interval != 0 {
		iv = ev.Interval
		if !(iv >= MinInterval && iv <= MaxInterval) {
			iv = math.Max(MinInterval, math.Min(MaxInterval, iv))
			e.stats.clamped.Add(1)
		}
	}
	step := max(int64(math.Round(iv/e.dtModel)), 1)
	e.pulsesLeft[i] = count - 1
	e.trainStep[i] = step
	e.nextPulse[i] = e.frame + step
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (e *Engine) controlRange(i int, c int32) (lo, hi float64, ok bool) {
	return ControlRange(e.cfg.Neurons[i].Model, c)
}

func (e *Engine) controlValue(i int, c int32) float64 {
	switch c {
	case ControlCurrent:
		return e.current[i]
	case ControlGain:
		return e.gain[i]
	case ControlPan:
		return e.pan[i]
	case ControlNoise:
		return e.noiseSigma[i]
	case ControlPulses:
		return e.pulses[i]
	case ControlInterval:
		return e.interval[i]
	}
	return e.batches[e.batchOf[i]].p[c-ControlParam][e.slot[i]]
}

func (e *Engine) setControl(i int, c int32, v float64) {
	switch c {
	case ControlCurrent:
		e.current[i] = v
	case ControlGain:
		e.gain[i] = v
		e.setPan(i)
	case ControlPan:
		e.pan[i] = v
		e.setPan(i)
	case ControlNoise:
		e.noiseSigma[i] = v
		e.setNoise(i)
	case ControlPulses:
		e.pulses[i] = v
	case ControlInterval:
		e.interval[i] = v
	default:
		e.batches[e.batchOf[i]].p[c-ControlParam][e.slot[i]] = v
	}
}

// startRamp moves control c of neuron i to v over seconds of sound, replacing any ramp
// already running on it.
func (e *Engine) startRamp(i int, c int32, v, seconds float64) {
	n := int64(math.Round(seconds * e.sampleRate))
	key := i*e.nControl + int(c)
	if n <= 0 {
		if r := e.rampSlot[key]; r >= 0 {
			e.removeRamp(int(r))
		}
		e.setControl(i, c, v)
		return
	}
	inc := (v - e.controlValue(i, c)) / float64(n)
	if r := e.rampSlot[key]; r >= 0 {
		e.ramps[r] = ramp{neuron: int32(i), control: c, inc: inc, target: v, left: n}
		return
	}
	if len(e.ramps) == cap(e.ramps) { // cannot happen: one slot per neuron and control
		e.setControl(i, c, v)
		return
	}
	e.rampSlot[key] = int32(len(e.ramps))
	e.ramps = append(e.ramps, ramp{neuron: int32(i), control: c, inc: inc, target: v, left: n})
}

func (e *Engine) removeRamp(r int) {
	last := len(e.ramps) - 1
	gone := e.ramps[r]
	e.rampSlot[int(gone.neuron)*e.nControl+int(gone.control)] = -1
	if r != last {
		e.ramps[r] = e.ramps[last]
		moved := e.ramps[r]
		e.rampSlot[int(moved.neuron)*e.nControl+int(moved.control)] = int32(r)
	}
	e.ramps = e.ramps[:last]
}

func (e *Engine) stepRamps() {
	for r := 0; r < len(e.ramps); {
		rp := &e.ramps[r]
		i, c := int(rp.neuron), rp.control
		rp.left--
		if rp.left <= 0 {
			e.setControl(i, c, rp.target)
			e.removeRamp(r)
			continue
		}
		e.setControl(i, c, e.controlValue(i, c)+rp.inc)
		r++
	}
}

func (e *Engine) setPan(i int) {
	if e.cfg.Channels == 1 {
		e.gainL[i], e.gainR[i] = e.gain[i], 0
		return
	}
	// Equal-power pan: a centred neuron is 3 dB down in each channel.
	a := (e.pan[i] + 1) * math.Pi / 4
	e.gainL[i], e.gainR[i] = e.gain[i]*math.Cos(a), e.gain[i]*math.Sin(a)
}

func (e *Engine) setNoise(i int) {
	if e.dtModel == 0 {
		return
	}
	a := math.Exp(-e.dtModel / e.noiseTau[i])
	e.noiseA[i] = a
	e.noiseB[i] = e.noiseSigma[i] * math.Sqrt(1-a*a)
	if e.noiseSigma[i] == 0 {
		e.noise[i] = 0
	}
}

func (e *Engine) resetNeuron(i int) {
	b, k := e.batches[e.batchOf[i]], e.slot[i]
	for v := range b.x {
		b.x[v][k] = b.rest[v][k]
	}
	e.kick[i], e.kickLeft[i], e.pulsesLeft[i], e.held[i] = 0, 0, 0, 0
	e.noise[i] = 0
	e.armed[i], e.spikeExt[i] = spikeStart(b.rest[0][k], e.spikeHigh[i])
}

// loadInputs computes each neuron's input current and coupling for this sample.
func (e *Engine) loadInputs() {
	for i := range e.gapG {
		e.gapG[i], e.gapV[i], e.synGTotal[i], e.synGE[i] = 0, 0, 0, 0
	}
	for _, g := range e.gaps {
		if e.coupled {
			break // evaluated at every RK4 stage by stepCoupled
		}
		va := e.batches[e.batchOf[g.A]].x[0][e.slot[g.A]]
		vb := e.batches[e.batchOf[g.B]].x[0][e.slot[g.B]]
		e.gapG[g.A] += g.G
		e.gapV[g.A] += g.G * vb
		e.gapG[g.B] += g.G
		e.gapV[g.B] += g.G * va
	}
	for s := range e.syn {
		g := e.synG[s] * e.synDecay[s]
		e.synG[s] = g
		to := e.syn[s].To
		e.synGTotal[to] += g
		e.synGE[to] += g * e.syn[s].Reversal
	}
	for i := 0; i < e.n; i++ {
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		in := e.current[i] + e.held[i]
		if e.pulsesLeft[i] > 0 && e.frame >= e.nextPulse[i] {
			e.kickLeft[i] = e.kickWidth[i] // the train's next pulse
			e.pulsesLeft[i]--
			e.nextPulse[i] += e.trainStep[i]
		}
		if e.kickLeft[i] > 0 {
			in += e.kick[i]
			e.kickLeft[i]--
		}
		if e.noiseB[i] != 0 {
			e.noise[i] = e.noise[i]*e.noiseA[i] + e.noiseB[i]*e.rng.NormFloat64()
			in += e.noise[i]
		}
		lim := 4 * math.Max(-e.curMin[i], e.curMax[i])
		b.in[k] = math.Max(-lim, math.Min(lim, in))
		g := e.gapG[i] + e.synGTotal[i]
		if g > 0 {
			b.ec[k] = (e.gapV[i] + e.synGE[i]) / g
			b.gc[k] = math.Min(g, MaxCoupling)
		} else {
			b.gc[k], b.ec[k] = 0, 0
		}
	}
}

func (e *Engine) setupCoupled() {
	e.coupled = true
	for _, s := range e.cfg.Neurons {
		e.maxVars = max(e.maxVars, len(s.Model.Vars))
	}
	e.cx = make([]float64, e.n*e.maxVars)
	e.cScratch = make([]float64, 5*len(e.cx))
	e.cParams = make([][]float64, e.n)
	for i, s := range e.cfg.Neurons {
		e.cParams[i] = make([]float64, len(s.Params))
	}
	e.cGapI = make([]float64, e.n)
	mv := e.maxVars
	e.cDeriv = func(dx, x []float64) {
		for i := range e.cGapI {
			e.cGapI[i] = 0
		}
		for _, g := range e.gaps {
			va, vb := x[g.A*mv], x[g.B*mv]
			e.cGapI[g.A] += g.G * (vb - va)
			e.cGapI[g.B] += g.G * (va - vb)
		}
		for i := 0; i < e.n; i++ {
			b, k := e.batches[e.batchOf[i]], e.slot[i]
			o, nv := i*mv, len(b.x)
			v := x[o]
			I := b.in[k] + b.gc[k]*(b.ec[k]-v) + e.cGapI[i]
			b.model.Deriv(dx[o:o+nv], x[o:o+nv], e.cParams[i], I)
		}
	}
}

// stepCoupled advances the whole network by one sample as one system of equations, so
// gap currents follow every neuron's voltage within the step (holding them over a
// sample would be first-order accurate and, with strong gaps at high speed, unstable).
func (e *Engine) stepCoupled() {
	mv := e.maxVars
	for i := 0; i < e.n; i++ {
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		for v := range b.x {
			e.cx[i*mv+v] = b.x[v][k]
		}
		for p := range b.p {
			e.cParams[i][p] = b.p[p][k]
		}
	}
	for s := 0; s < e.cSub; s++ {
		StepRK4(e.cx, e.cH, e.cDeriv, e.cScratch)
	}
	for i := 0; i < e.n; i++ {
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		ok := true
		for v := range b.x {
			x := e.cx[i*mv+v]
			bound := stateBound
			if v == 0 {
				bound = voltageBound
			}
			ok = ok && x > -bound && x < bound
		}
		for v := range b.x {
			if ok {
				b.x[v][k] = e.cx[i*mv+v]
			} else {
				b.x[v][k] = b.rest[v][k]
			}
		}
		if !ok {
			b.resets++
			b.reset[k] = true
		}
	}
}

// detectAndMix finds spikes on this sample and returns the stereo mix before DC blocking.
// The spike rule (spike.go) re-arms on each cycle's own trough, so a fast cycle that
// never falls below SpikeLow still counts every period.
func (e *Engine) detectAndMix() (l, r float64) {
	for i := 0; i < e.n; i++ {
		b, k := e.batches[e.batchOf[i]], e.slot[i]
		v := b.x[0][k]
		if b.reset[k] {
			// A blow-up put it back to rest: that is not a spike.
			b.reset[k] = false
			e.armed[i], e.spikeExt[i] = spikeStart(v, e.spikeHigh[i])
		} else {
			var spike bool
			spike, e.armed[i], e.spikeExt[i] = spikeStep(v, e.spikeHigh[i], e.spikeLo[i], e.armed[i], e.spikeExt[i])
			if spike {
				isi := 0.0
				if e.lastSpike[i] >= 0 {
					isi = float64(e.frame-e.lastSpike[i]) * e.dtModel
				}
				e.lastSpike[i] = e.frame
				e.stats.spikes[i].Add(1)
				e.spikes.Push(Spike{Frame: e.frame, Neuron: int32(i), ISI: isi})
				for s := e.synStart[i]; s < e.synStart[i+1]; s++ {
					e.synG[s] = math.Min(e.synG[s]+e.syn[s].G, MaxCoupling)
				}
			}
		}
		x := (v - e.centre[i]) * e.invSpan[i]
		l += x * e.gainL[i]
		r += x * e.gainR[i]
	}
	return l, r
}

func (e *Engine) finishBlock(out [][]float32, mixL, mixR []float64) {
	for _, b := range e.batches {
		if b.resets > 0 {
			e.stats.resets.Add(uint64(b.resets))
			b.resets = 0
		}
	}
	peak := e.lim.process(out, mixL, mixR, &e.dc)
	if old := math.Float64frombits(e.stats.peakBits.Load()); peak > old {
		e.stats.peakBits.Store(math.Float64bits(peak))
	}
	for i := 0; i < e.n; i++ {
		e.stats.current[i].Store(math.Float64bits(e.current[i]))
	}
	e.stats.frames.Store(e.frame)
}
