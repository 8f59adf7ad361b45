// Package audio plays the emulator through the sound card: it opens an output stream
// with PortAudio (ALSA, Core Audio, WASAPI, ...) or natively on a JACK server, and calls
// a Process function for every block the device wants.
//
//	runtime.GOMAXPROCS(audio.RecommendedGOMAXPROCS())
//	cfg := audio.Config{Host: "jack", Buffer: 128}.WithDefaults()
//	s, err := audio.Open(cfg, engine.Process)
//	...
//	err = engine.Prepare(s.SampleRate(), cfg.MaxBlock) // Process is not called before Start
//	...
//	err = s.Start()
//	...
//	err = s.Close()
//	audio.Terminate()
//
// # The audio thread
//
// The device's own thread, which the host API schedules in real time, runs no Go: its
// callback, in C, copies finished blocks from a lock-free ring and wakes a goroutine of
// the stream's (the producer), which calls Process to keep Config.Ahead periods
// (default 2) in the ring, rendering straight into it. The producer renders with
// real-time priority one step below the callback's, where the system allows it, and
// waits for the callback in C (a semaphore), so that the callback wakes a real-time
// thread directly. On Linux the priority follows the producer from thread to thread as
// it passes through Go's scheduler every few milliseconds, which keeps Go's system
// monitor from polling thousands of times a second; elsewhere the producer keeps a
// thread of its own. A late producer
// costs a period of silence, counted in Stats.Underruns (and Xruns), never a late
// callback: the device's deadline is met by C alone, while the producer has Ahead
// periods of slack, and a callback that had to enter Go would first need a free slot
// of the Go scheduler, in time, every time. The price is latency: Ahead periods more
// between a knob and the sound (measured: exactly that), which Latency reports with
// the host's own.
//
// Config.Direct keeps the old way for PortAudio: Process runs in PortAudio's callback,
// a C-to-Go call per buffer, with nothing rendered ahead. Process must not allocate,
// lock, block, use channels or do I/O, and must not call code that might, in either
// case; Stats reports callbacks, xruns and how much of each period rendering took. The
// adapter between PortAudio and Process allocates nothing, and neither does the Go
// binding under it nor the ring's producer (measured: no allocation in the process
// while a stream plays). A direct callback from a foreign thread needs one of the
// scheduler's Ps: run with runtime.GOMAXPROCS(RecommendedGOMAXPROCS()) and keep other
// goroutines short.
//
// # Block sizes
//
// The stream asks for Buffer frames per callback and PortAudio normally delivers exactly
// that, but a host may deliver other lengths. Process is called with whatever length
// arrives, split into pieces of at most MaxBlock frames (4*Buffer unless set): prepare
// the engine for Config.WithDefaults().MaxBlock frames, not for Buffer. A block of no
// frames is not passed on. The buffers are cleared before Process sees them.
//
// # Devices
//
// Host and Device are matched against PortAudio's names without regard to case or
// spaces: first for a name equal to the query, then for names containing it. A query
// that matches nothing, or more than one device, is an error that lists the output
// devices ("no audio device matches "foo"; output devices: system (JACK Audio
// Connection Kit), ..."). List returns what there is, for a devices command.
//
// PortAudio reads the device list once, in Initialize (which Open and List call if
// needed): a JACK server must already be running then for its host API to appear.
// Initialize also silences the start-up messages that ALSA and JACK print on stderr
// when there is no sound card or no server.
//
// # JACK
//
// OpenJACK plays to a JACK server (or PipeWire's JACK layer) with a client of its own,
// JACKClientName, whose ports out_1, out_2, ... it connects to the physical playback
// ports, to a named client, or to nothing. Its process callback is C and fed by a ring,
// as above (the ring and its wake-up are the same code, ring.h); it has no direct
// mode. The stream plays at the server's rate.
//
// A JACK server that quits or is killed ends the stream: its Lost channel is closed,
// Close returns at once (a client of a dead server is not closed: libjack itself
// deletes it in the next jack_client_open, after which its ring is freed), and a new
// OpenJACK succeeds once the server is back.
// PortAudio's own JACK host API cannot recover that way (stopping its stream waits for a
// server that is gone, up to ten minutes), which is why play does not start PortAudio
// at all when it plays to JACK.
//
// # Devices that go away
//
// Supervise wraps a device so that the program outlives it: when the device is lost
// (Lost, or no callback for a while: a stall) it tells the program in one line, lets a
// clock call Process at the device's pace meanwhile (so the engine's state and its MIDI
// go on), and opens the device again every Retry until it plays, at the same rate, once
// more. Process is never called by two streams at once, nor by a stream that was
// replaced. Every Close is bounded: a device that will not close is left behind, and
// Terminate gives up on a PortAudio that is stuck. Reopen restarts PortAudio before
// opening, so that a device plugged in again is seen.
//
// # Without a device
//
// Errors that mean there is nothing to play on at all match ErrNoDevice. Some devices
// open but play nowhere: ALSA's null device calls back as fast as the CPU allows.
// Usable tries a device for a quarter of a second and reports both cases. OpenClock
// returns a stream with no device that calls Process at the pace a device would, for
// playing MIDI out of the emulator without sound. A build without cgo has no PortAudio
// and only the clock.
//
// # Testing
//
// A machine without a sound card can still play in real time to a JACK server with the
// dummy driver: the tests start one (package jacktest), play to it through PortAudio's
// JACK host API and natively, record what reaches system:playback with jack_rec, and
// kill and restart servers under a stream. Supervise is tested with fake devices that
// die, stall, hang in Close or come back at another rate.
package audio
