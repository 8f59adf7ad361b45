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
package probe
