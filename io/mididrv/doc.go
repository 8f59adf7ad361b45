// Package mididrv connects Separatrix to MIDI ports: it picks a driver, finds ports by
// name, converts between the drivers' bytes and midimap.Msg values, and keeps a port
// open across unplugging and restarts.
//
// # Drivers
//
// Open takes --midi-driver's value (Drivers lists them): "rtmidi", the operating
// system's MIDI through gomidi's rtmididrv (the ALSA sequencer on Linux, CoreMIDI on
// macOS, WinMM on Windows); "jack", JACK MIDI through package jackmidi; and "auto",
// the first of these that works here. Both need cgo. A driver is a gomidi
// drivers.Driver, so anything written for gomidi works with it too; Ports lists its
// port names, for `separatrix devices`.
//
// Errors are sentences a user can act on. Without an ALSA sequencer (a kernel without
// sound support, no /dev/snd/seq) rtmidi fails with ErrNoALSASequencer before RtMidi
// is even asked, and any text RtMidi returns is checked before it is shown: its C
// wrapper hands back an exception message it has already freed, so that text is often
// garbage, and garbage is replaced by a plain sentence.
//
// # Finding ports
//
// Match picks a port by a case-insensitive substring of its name ("seq" finds
// "seq:out"); a name equal to the query wins over names that merely contain it. A
// query that matches nothing or several ports is a *MatchError whose text lists what
// there is. "all" is for callers to handle.
//
// # Input and Output
//
// OpenInput listens to the port a query picks and calls a Handler with each channel
// message as a midimap.Msg and the time it arrived (to the frame with jackmidi, at
// callback time with rtmidi); system exclusive and system messages are counted
// (Input.Stats) and dropped. OpenOutput sends midimap.Msg values; Output.Send does not
// allocate. An Output remembers the notes it left sounding: Output.AllNotesOff sends a
// note-off for each, then All Notes Off (controller 123).
//
// # Reconnection
//
// If a port goes away mid-performance (a keyboard unplugged, a synth quit, the JACK
// server restarted), the Input or Output tells Options.Status once (Gone), keeps
// everything else running, and looks for a port matching the same query every
// Options.Poll (500 ms); when one appears it is opened (Back) and play goes on, an
// Output first releasing the notes it had left sounding. Meanwhile Output.Send fails
// with ErrDisconnected. Drivers that can tell (jackmidi) are asked whether a port is
// still connected; for others the port must still be listed.
//
// OpenVirtualInput and OpenVirtualOutput create ports other programs connect to
// ("separatrix:in" with jackmidi), for a DAW or jack_connect. They are watched too: a
// virtual port whose MIDI system drops it (a JACK server that quit) is created again
// under the same name once the driver can connect (Gone, then Back, with
// Status.Virtual set). Whatever was connected to it must connect again; a patchbay
// such as QjackCtl's or a session manager does that by itself.
//
// # Real time
//
// Nothing here runs on an audio thread. A Handler runs on the driver's goroutine or
// thread (jackmidi's reader, RtMidi's callback thread); it should queue the message
// for the engine and return. Output.Send takes a mutex the watcher holds only briefly
// and calls the driver's Send: with jackmidi a copy into a lock-free ring buffer that
// JACK's callback drains.
package mididrv
