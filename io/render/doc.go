// Package render plays a patch offline: the same engine as live play, driven by a
// Performance (sets, ramps, kicks and a MIDI score through the patch's MIDI mapping),
// with what it produces (audio blocks, spike notes, state rows) handed to a Sink.
//
// Scripted events reach the engine as its Schedule and score messages through its event
// ring, exactly as in live play, so a render sounds like the live performance of the
// same events. Run is deterministic: the same patch, performance, options and seed give
// the same samples, notes and rows.
package render
