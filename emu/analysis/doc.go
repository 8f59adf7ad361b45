// Package analysis computes what the phase portrait of a neuron model says: equilibria
// and their stability, the bifurcations of the rest state as the injected current
// changes (saddle-node off or on an invariant circle, sub- or supercritical
// Andronov-Hopf), limit cycles, where firing stops on a down sweep, and so whether the
// neuron is a monostable or bistable integrator or resonator (Izhikevich 2007, Dynamical
// Systems in Neuroscience, ch. 6-7). Beyond rest's loss, it finds every branch of stable
// equilibria and of stable cycles over the range of currents, and every interval where
// a stable equilibrium and a stable cycle coexist: rest's bistable range, and the one
// above it where a depolarised state has regained stability while firing goes on up to
// a fold of cycles (depolarisation block).
//
// The methods are chosen to be robust rather than clever:
//   - Equilibria are the roots of the steady-state I-V curve I_ss(V), bracketed on a
//     fine voltage grid, not the end of one Newton iteration. Folds of I_ss are the
//     saddle-nodes; a saddle-node is on an invariant circle when both branches of the
//     saddle's unstable manifold, just before the fold, return to the node.
//   - Hopf points are where a complex pair crosses the imaginary axis along the curve
//     of equilibria; their criticality is the sign of the first Lyapunov coefficient
//     (Kuznetsov's formula, derivatives by finite differences).
//   - Cycles are found by integrating from many starting states with the engine's own
//     RK4 step until the trajectory repeats; unstable cycles of two-variable models by
//     integrating backward in time. Where firing stops on a down sweep, and on an up
//     sweep, is found by continuation with step control, starting each step on the
//     cycle of the last.
//   - Stable equilibria change stability only at folds and Hopf points of the curve of
//     equilibria, so its stable runs come from the bifurcations. Stable cycles are
//     sought at rest's loss, at the ends of the range (from a grid of states) and next
//     to every other bifurcation (from the equilibria nudged); each one on no branch
//     known yet is followed both ways in current. A stable cycle that no such search
//     reaches (one bounded by two folds of cycles, far from every bifurcation of
//     equilibria and from the ends of the range) is missed.
//
// Everything here allocates freely and may take seconds: it is for the command line and
// the pictures, never for the audio path.
package analysis
