// Package midimap turns MIDI into engine events and spikes into MIDI.
//
// It is pure logic: no I/O, no drivers, no clocks. Offline render (a MIDI file score in,
// a Standard MIDI File out) and live play (MIDI drivers) use the same mapping, so live
// play sounds exactly like the render. Messages are Msg values stamped with engine
// frames (Timed); converting to and from a driver's or a file's representation happens
// at the edge.
//
// # Configuration
//
// A patch's mapping is a Config: CC maps and kick maps for MIDI in, spike maps and a
// note cap for MIDI out. Config.Validate says whether a config can be honoured;
// NewControls and NewSpikeNotes panic on one that cannot, so validate anything read
// from a patch.
//
// # MIDI in: Controls
//
// Controls.Handle appends the emu.Event values a message causes, stamped with the frame
// given. Controllers, 7-bit or 14-bit (MSB and LSB pair, 16384 steps), move an engine
// control through a Curve to [Min, Max] as an emu.EventSet ramped over the map's
// Smoothing, so that knob moves never step (no zipper noise). Note-ons in a kick map's
// range become emu.EventKick current pulses scaled by velocity, one or a pair or short
// train of them (KickMap.Pulses, at the neuron's interval control); in a Hold map a
// note instead holds a current (emu.EventHold) until its note-off. Anything unmapped,
// malformed or unknown is ignored and counted (Controls.Stats). All Sound Off and All
// Notes Off release held notes; Controls.TakeAllOff reports them so that the player can
// silence its outputs (SpikeNotes.AllOff).
//
// # MIDI out: SpikeNotes
//
// SpikeNotes follows the spikes of the neurons a patch maps. In ModeSpike each spike is
// a note of fixed length; in ModeGate a run of spikes is one held note, released when
// the neuron falls silent. A rate controller can follow the firing rate. The caller
// feeds spikes in frame order (SpikeNotes.Spike), calls SpikeNotes.Advance after every
// block, and SpikeNotes.AllOff on exit or when asked to; the messages come back in
// frame order, ready for a file or a port. Every note-on gets its note-off, no key gets
// two note-ons in a row, and MaxNotesPerSecond thins out a neuron firing faster than a
// DIN cable can carry. The output is a function of the spikes alone, not of the block
// size, which is what makes live play and render agree.
//
// # Real time
//
// Neither side allocates, locks or blocks once built, when the slice it appends to has
// room (Controls.MaxEvents, SpikeNotes.MaxAppend). Each instance belongs to one
// goroutine; only Stats may be read from others. Msg.String and Timed.String allocate
// and are for logs and tests.
package midimap
