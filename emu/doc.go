// Package emu is Separatrix's neuron emulator: models, the reference integrator and the
// real-time engine. It does no I/O.
//
// # Models
//
// A Model declares its state variables, its parameters (name, unit, default and allowed
// range, once, apart from any values), presets from the literature and an allocation-free
// derivative. The models are the persistent sodium plus potassium model I_Na,p+I_K
// (Izhikevich 2007, ch. 4) with one preset per bifurcation to spiking (snic, saddle-node,
// hopf-super, hopf-sub), classic Hodgkin-Huxley, Morris-Lecar (Rinzel & Ermentrout 1989:
// hopf, snic, homoclinic) and FitzHugh-Nagumo. Time is in ms, voltage in mV, currents
// in µA/cm². LookupModel and the functions INaPK, HH, MorrisLecar and FitzHughNagumo
// return copies, so the built-in models are read-only; a Model written elsewhere (see
// ExampleModel) plays like them.
//
// # Integration
//
// StepRK4 is the reference: a classical Runge-Kutta step over a state slice and a
// derivative callback, used by analysis and by tests. The engine instead steps whole
// batches of one built-in model in structure-of-arrays form with the derivative written
// inline, and a test holds the two together; a model with no inline kernel steps by
// StepRK4 over its Deriv, and so does a network coupled by gap junctions, as one system
// (the coupling evaluated at every stage). Each audio sample advances model time by
// speed*1000/sampleRate ms, split into equal RK4 steps no longer than the model's
// MaxStep; that keeps spike times within 0.1 ms of a 64 times finer solution over 1 s for
// every preset (accuracy_test.go).
//
// # Engine
//
// New validates a Config and allocates; Prepare(sampleRate, maxBlock) allocates the rest;
// Process(out) renders a block and never allocates, locks, blocks or fails. Controls
// arrive as timestamped Events through a fixed-size single-producer single-consumer Ring
// and apply at their exact frame: set a control (ramped, so a knob never clicks), kick (a
// current pulse, or a pair or short train of them, their interval a control like any
// other), hold (a current that lasts until released, as long as a note), reset. Spikes leave through another Ring with their frame, neuron and
// inter-spike interval. Full rings drop and count; they never block.
//
// Between neurons there are gap junctions and exponentially decaying chemical synapses,
// a neuron's coupling bounded in all by MaxCoupling; each neuron may carry seeded
// Ornstein-Uhlenbeck current noise, so renders stay deterministic. Every limit on a
// value (speed, ceiling, gain, time constants, ...) is declared once, in limits.go, and
// the patches package reads it from there.
//
// Every output is guarded: a neuron whose state turns non-finite or runs away is put back
// to rest and counted, event values are clamped to their metadata range, NaN events are
// rejected, the mix is DC-blocked and passes a limiter whose ceiling (default -1 dBFS)
// no event can raise.
package emu
