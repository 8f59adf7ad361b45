// Package live plays patches in real time: the engine runs inside the audio callback
// (Player.Process), controls come from MIDI and from a scripted performance, spikes go
// out as MIDI notes, and what is played can be recorded.
//
// Goroutines and rings: the audio callback runs the engine and writes the recording
// ring; one control goroutine is the single producer of every engine's event ring (live
// MIDI mapped by midimap.Controls); one output goroutine is the single consumer of every
// engine's spike ring (midimap.SpikeNotes to the MIDI output and the MIDI recording); a
// recorder goroutine drains the recording ring into a WAV file. No goroutine does heavy
// work: a busy goroutine starves the cgo audio callback.
//
// A scripted performance (--set, --ramp, --kick) is given to each engine as its
// Schedule, exactly as render does, so live play sounds exactly like the render of the
// same patch and events. On the way out (a signal, --duration) the sound stops first,
// then every sounding note gets its note-off.
package live
