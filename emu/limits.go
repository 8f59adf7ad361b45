package emu

import "fmt"

// Limits on the size of a network. New refuses a Config beyond them, before it allocates
// anything, and the patches package refuses a patch beyond them where it is written.
//
// They are chosen from BenchmarkNetworkCost (limits_test.go), on one core of an AMD EPYC
// at 48 kHz, speed 1, I_Na,p+I_K (one RK4 step per sample), built with the Makefile's
// GOEXPERIMENT=simd (the vector kernel):
//
//	128 neurons                          1.5 µs a sample  14 × real time
//	128 neurons, 16256 synapses           44 µs            0.47 ×  (2.6 ns a synapse)
//	128 neurons, 8128 gap junctions      134 µs            0.16 ×  (16 ns a junction)
//	1024 neurons                          12 µs            1.8 ×   (11 ns a neuron)
//	1024 neurons, both of the above      366 µs            0.06 ×
//
// So every one of MaxNeurons plays live on one core (about 230 with the portable
// kernel), and a faster speed divides that by its sub-steps per sample. MaxNeurons
// admits the thousand neurons of a population while refusing patches no machine could
// play (100000 neurons cost 1.1 ms of computing per 21 µs sample). Gap junctions step
// the network as one system with the generic derivative, so they cost what they did.
// MaxSynapses and MaxGaps admit every pair of 128 neurons (all-to-all synapses, every
// pair joined by a gap): a network as rich as what plays live, each at most as costly
// as MaxNeurons neurons. Both would otherwise grow as the square of the neurons.
const (
	MaxNeurons  = 1024
	MaxSynapses = 16384
	MaxGaps     = 8192
	// A tap publishes at most a record per millisecond of sound, and holds at most 2^16.
	MaxTapRate     = 1000
	MaxTapCapacity = 1 << 16
)

// Limits on the values of a Config and of events, declared here once: New refuses a
// value beyond them, events are clamped to them (ControlRange gives a control's), and
// the patches package refuses them where a patch writes them.
const (
	// MaxSpeed is the fastest model time may run: ms of model time per ms of sound.
	MaxSpeed = 1000

	// The limiter's ceiling, dBFS: at most MaxCeilingDB, at least MinCeilingDB, and
	// DefaultCeilingDB where a Config leaves it 0. No event can raise it.
	MaxCeilingDB     = -0.1
	MinCeilingDB     = -60
	DefaultCeilingDB = -1

	// MaxGain is the loudest a neuron may be mixed (linear gain, from 0).
	MaxGain = 4

	// MaxCoupling bounds one neuron's total coupling conductance, mS/cm², which would
	// otherwise make the explicit integrator unstable: New refuses gap junctions that
	// add up to more on one neuron, a synapse whose G alone is more, and the synaptic
	// conductance open on a neuron is held to what its gap junctions leave.
	MaxCoupling = 100

	// Time constants of synapses and of noise, ms of model time.
	MinTimeConstant = 0.01
	MaxTimeConstant = 10000

	// A synapse's reversal potential, mV.
	MinReversal = -200
	MaxReversal = 200

	// MaxKickDuration is the longest pulse a kick fires, ms of model time.
	MaxKickDuration = 10000

	// A kick's pulse train (ControlPulses, ControlInterval): at most MaxPulses pulses,
	// their onsets MinInterval to MaxInterval ms of model time apart, DefaultInterval
	// where a NeuronSpec leaves it 0.
	MaxPulses       = 16
	MinInterval     = 0.1
	MaxInterval     = 1000
	DefaultInterval = 10

	// maxNoiseFraction bounds a neuron's noise: its standard deviation is at most this
	// fraction of the model's current range (ControlRange of ControlNoise).
	maxNoiseFraction = 0.5
)

// checkSize refuses a network larger than the limits; it runs before New allocates.
func checkSize(cfg *Config) error {
	switch {
	case cfg.Members() > MaxNeurons:
		return fmt.Errorf("emu: %d neurons, more than the %d an engine may have (each member of a population counts)", cfg.Members(), MaxNeurons)
	case len(cfg.Synapses) > MaxSynapses:
		return fmt.Errorf("emu: %d synapses, more than the %d an engine may have", len(cfg.Synapses), MaxSynapses)
	case len(cfg.Gaps) > MaxGaps:
		return fmt.Errorf("emu: %d gap junctions, more than the %d an engine may have", len(cfg.Gaps), MaxGaps)
	case !(cfg.TapRate >= 0 && cfg.TapRate <= MaxTapRate):
		return fmt.Errorf("emu: a tap rate of %g records a second is outside 0 to %d", cfg.TapRate, MaxTapRate)
	case cfg.TapCapacity < 0 || cfg.TapCapacity > MaxTapCapacity:
		return fmt.Errorf("emu: a tap of %d records is outside 0 to %d", cfg.TapCapacity, MaxTapCapacity)
	}
	return nil
}

// Members counts the neurons of a Config, each member of a population one (a count
// beyond MaxNeurons counts as MaxNeurons+1: it is refused anyway, and cannot overflow).
func (cfg *Config) Members() int {
	n := 0
	for i := range cfg.Neurons {
		n += min(cfg.Neurons[i].members(), MaxNeurons+1)
	}
	return n
}
