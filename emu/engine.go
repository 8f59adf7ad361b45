package emu

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// Spike is one spike: a rise of V through SpikeHigh (see Preset.SpikeHigh).
type Spike struct {
	Frame  int64   // sample on which it was counted
	Neuron int32   // engine index
	Member int32   // which member of a population (0 for a single neuron)
	ISI    float64 // ms of model time since this member's previous spike; 0 for its first
}

// Engine runs N neurons at a fixed timestep and mixes their voltages into audio.
//
// New and Prepare may allocate and fail; Process never allocates, locks, blocks or fails.
// Events are pushed by one producer goroutine and consumed by Process; spikes are pushed
// by Process and consumed by one reader goroutine, and so are the tap's records. Stats
// and Frame are safe from any goroutine; all other methods belong to the goroutine that
// calls Process, between calls.
type Engine struct {
	cfg     Config
	batches []*batch
	n       int
	batchOf []int // per neuron: its batch
	slot    []int // per neuron: its member index in that batch (a population's: the member nearest its own values, which State, Param and the tap show)
	count   []int // per neuron: 1, or its population's members (all of its batch, 0 to count-1)

	// The engine's state by concern, each declared beside the code that keeps it.
	neuronControls // controls.go
	kickTrains     // controls.go
	rampState      // controls.go
	network        // network.go
	liveInputs     // inputs.go
	spikeDetection // process.go
	mixer          // process.go

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

	stats engineStats

	tap   *Tap // nil unless Config.TapRate is set
	tapSt tapState
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

// SampleRate is the rate given to Prepare.
func (e *Engine) SampleRate() float64 { return e.sampleRate }

// ModelTimeStep is the model time, in ms, that passes per sample.
func (e *Engine) ModelTimeStep() float64 { return e.dtModel }

// Channels is the number of output channels Process expects.
func (e *Engine) Channels() int { return e.cfg.Channels }

// Len is the number of neurons.
func (e *Engine) Len() int { return e.n }

// Spec returns the spec neuron i was built from, with a copy of its model (it allocates).
func (e *Engine) Spec(i int) NeuronSpec {
	s := e.cfg.Neurons[i]
	s.Model = s.Model.clone()
	return s
}

// Neuron returns the index of the named neuron, or -1.
func (e *Engine) Neuron(name string) int {
	for i, s := range e.cfg.Neurons {
		if s.Name == name {
			return i
		}
	}
	return -1
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
