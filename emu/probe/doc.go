// Package probe runs the classic experiments that tell an integrator from a resonator
// (Izhikevich 2007, section 7.2) on one neuron, offline, with the engine's own RK4 step:
//
//   - Doublet: two identical brief pulses, their interval swept. An integrator fires best
//     at the shortest interval (the inputs add up); a resonator at the period of its
//     damped oscillation, and worse both shorter and longer.
//   - Rebound: an inhibitory pulse. A resonator can fire after its release
//     (post-inhibitory rebound); an integrator never does.
//   - Threshold: one pulse, amplitude swept. An integrator is all-or-none with a sharp
//     threshold and a latency that grows without bound near it; a resonator's responses
//     are graded.
//   - Chirp: a small sinusoidal current whose frequency sweeps up (ZAP). A resonator's
//     response peaks near its damped frequency; an integrator's falls off.
//
// Each experiment returns its trials, its summary numbers and a verdict, and two example
// traces for a picture (one trial that fires, one that does not). Times are ms of model
// time, frequencies Hz of model time (a model's ms as 1 ms), currents in the model's unit.
//
// How a trial runs: from the rest state at the holding current (the stable equilibrium
// nearest the neuron's initial state, from emu/analysis; an error names the bifurcation
// to stay below if there is none), with the engine's RK4 step (emu.StepRK4 at the
// model's MaxStep, a step cut where a pulse switches so the pulse is exact), spikes
// counted by the engine's own rule (emu.SpikeDetector). A trial ends once the state is
// back at rest after its input, or twenty natural periods 2π/|λ| of the rest state
// later. The defaults come from the rest state's eigenvalues: a focus that rings (λ = μ
// ± iω with ω > |μ|) sets the doublet's intervals and the chirp's frequencies around its
// damped period; a node, or a focus damped more heavily, is treated as an integrator's
// rest state would be. Trials run on one goroutine per CPU; the results do not depend
// on their order.
package probe
