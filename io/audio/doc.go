// Package audio plays the emulator through the sound card: it opens an output stream
// with PortAudio (ALSA, JACK, Core Audio, WASAPI, ...) and calls a Process function on
// the audio thread for every block the device wants.
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
// Process runs on a thread that the host API owns and schedules in real time; the
// sound has a gap (an xrun) whenever a block is late. Process must not allocate, lock,
// block, use channels or do I/O, and must not call code that might; Stats reports
// callbacks, xruns and how much of each block's period the callback used. The adapter
// between PortAudio and Process allocates nothing, and neither does the Go binding
// under it (measured: no allocation in the process while a stream plays). The binding
// does take a read lock per callback, which waits only while another stream is being
// opened or closed.
//
// A Go callback from a foreign thread needs one of the scheduler's Ps: a goroutine that
// computes without pause can hold the P the callback waits for. Run the real-time
// command with runtime.GOMAXPROCS(RecommendedGOMAXPROCS()) and keep other goroutines
// short; see RecommendedGOMAXPROCS for the measurements.
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
// JACK host API and record what reaches system:playback with jack_rec.
package audio
