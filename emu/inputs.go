package emu

// liveInputs lists the neurons whose input current must be loaded on the next sample
// (loadInputs): those whose current, held note, kick or noise changed, and those whose
// input changes by itself (a kick or train running, noise, synapses). Every other
// neuron's input is held in its batch, so a thousand neurons at rest cost nothing here.
type liveInputs struct {
	live   []int32 // engine indices, in no order; capacity one per neuron
	isLive []bool  // per neuron: on live
}
