// Package jackmidi is a gomidi driver (gitlab.com/gomidi/midi/v2/drivers) for JACK
// MIDI, written as a small cgo binding to libjack.
//
// # Ports
//
// A Driver is one JACK client, "separatrix" unless ClientName says otherwise (JACK
// appends "-01" and so on if the name is taken). Ins lists the MIDI output ports of
// other clients, the sources one can listen to ("seq:out"); Outs lists their MIDI input
// ports, the destinations one can send to ("dump:input"). Opening an In registers a
// MIDI input port of our own ("separatrix:in_1") and connects the source to it;
// opening an Out registers an output port ("separatrix:out_2") and connects it to the
// destination. OpenVirtualIn and OpenVirtualOut register ports under a given name
// ("separatrix:in") and connect them to nothing, for a DAW or jack_connect to connect;
// they are the same methods rtmididrv has, since gomidi's Driver interface has none.
//
// # Real time
//
// The JACK process callback is C (jackmidi.c) and never calls into Go: by
// construction, the package exports no Go function to C (there is no //export), so
// nothing in the callback can reach the Go runtime, its scheduler or its garbage
// collector. Each cycle the callback copies every event arriving at an input port into
// that port's lock-free jack_ringbuffer, and moves the events queued in each output
// port's ring buffer into the JACK port buffer. It allocates nothing and takes no lock
// it could wait for; it wakes the reader with pthread_cond_signal under a trylock, the
// pattern of JACK's own capture client.
//
// On the Go side, one reader goroutine per client sleeps in C until the callback
// signals input (or 10 ms pass), then hands each event to the In's listener; Out.Send
// copies a message into the ring buffer (no allocation, a short mutex) for the next
// period. A listener therefore runs on the reader goroutine: it should be quick, and
// a slow one delays other inputs of the same driver, never the JACK thread. When the
// reader falls behind, a full ring drops events; Dropped counts them.
//
// Messages are normalised on the way out, as JACK requires: running status expanded,
// real-time bytes taken out of what they interrupt, system exclusive gathered until
// its F7. Incoming channel messages reach the listener without allocation.
//
// # Time
//
// Listen passes milliseconds since Listen was called, on JACK's clock. ListenTimed (on
// the In, found by a type assertion) passes each message's time on the wall clock: the
// start of the JACK period the event was produced in plus its frame offset, mapped
// through JACK's frame-to-time estimate. Events keep their spacing to the frame (up to
// the server's timing jitter), and no stamp lies in the future.
//
// # Failures
//
// With no JACK server running, New fails at once with ErrNoServer: libjack is never
// asked to start one (JackNoStartServer), and a server that does not answer is given
// up on after 5 s. libjack's own messages on stderr are silenced (for the whole
// process, from the first connection on). If the server stops, every port's Alive
// turns false and the next Ins, Outs or Open connects again when a server is back;
// ports must then be opened again (package mididrv does this by itself). A client the
// server shut down is abandoned, not closed, because libjack 1.9.21 sometimes crashes
// or hangs closing one.
//
// # Build
//
// The driver needs cgo and libjack (Debian: libjack-jackd2-dev). It is built by default
// on Linux, elsewhere with the build tag jack; the tag nojack leaves it out. Without
// it, Available is false and New fails with ErrUnavailable.
package jackmidi
