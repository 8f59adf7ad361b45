// Package figure draws the pictures that explain a neuron model: phase portraits,
// bifurcation diagrams and voltage traces. It takes plain data computed elsewhere
// (nullclines, equilibria, cycles, sweeps, traces) and only draws; nothing here
// integrates or solves anything, so a figure shows exactly the numbers it was given.
//
// # Figures
//
// A Portrait is a phase plane in the style of Izhikevich, Dynamical Systems in
// Neuroscience, chapters 4 to 6: the vector field as arrows, the nullclines,
// equilibria, limit cycles, the separatrix, the basin of attraction of the firing
// cycle and one trajectory.
//
// A Diagram is a bifurcation diagram in two panels that share the current axis: the
// membrane potential of equilibria and the extremes of cycles against the injected
// current above, and the firing rate of an upward and a downward current sweep below,
// so hysteresis shows where the two sweeps differ.
//
// A Trace shows membrane potential and injected current against time for one or more
// neurons, with their spikes marked.
//
//	p := figure.Portrait{Title: "snic at I = 4.6 µA/cm²", XLabel: "V (mV)", YLabel: "n", ...}
//	err := p.Save("snic.png", figure.DefaultWidth, figure.DefaultHeight)
//
// # Files
//
// Save picks the format from the file's extension: ".png" or ".svg" (in any case);
// anything else is an error. PNGs are rasterised at PNGDotsPerInch, 5 pixels per
// millimetre, so the default 16 cm × 12 cm figure is 800 × 600 pixels. SVG text stays
// text, so titles and labels can be searched and edited.
//
// Save writes to a temporary file in the target's directory and renames it over the
// target only once the picture is complete: a failed Save leaves any earlier file as it
// was, never half written.
//
// # Conventions
//
// The same meaning looks the same in every figure. Stable things are solid lines and
// filled markers; unstable things are dashed lines and open markers; a saddle is a
// half-filled circle. Equilibria are black and limit cycles bluish green. Colours come
// from the Okabe–Ito palette, which stays distinguishable under the common forms of
// colour blindness, and stability never rests on colour alone.
//
// Each panel has a legend, placed in whichever corner or side of the data area its
// curves and markers cross least, on a translucent white backdrop.
//
// # Bad input
//
// Values that are NaN or infinite are dropped: a line is split where they occur and a
// marker at such a place is left out, so a blow-up at the end of a run does not spoil
// the rest of the picture. Input that cannot make a sensible picture (an empty window,
// slices of different lengths, a time axis that runs backwards) is an error naming the
// field at fault, returned before anything is written.
package figure
