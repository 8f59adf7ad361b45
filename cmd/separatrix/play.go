package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/live"
	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/io/outfile"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/io/view"
	"github.com/separatrix-audio/separatrix/patches"
)

// listFlags collects a repeatable string flag.
type listFlags []string

func (l *listFlags) String() string     { return strings.Join(*l, ",") }
func (l *listFlags) Set(s string) error { *l = append(*l, s); return nil }

func runPlay(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	var (
		rate         = fs.Int("rate", 48000, "sample rate in `Hz` (a JACK server plays at its own)")
		buffer       = fs.Int("buffer", 128, "`frames` per audio callback (64 works with JACK)")
		latency      = fs.String("latency", "normal", latencyUsage)
		host         = fs.String("host", "", "audio host API: alsa, jack, coreaudio, wasapi, ... (default: the system's)")
		device       = fs.String("audio", "", "audio output device `NAME` (a case-insensitive part of it; default: the system's); with --host jack: the JACK client to connect to (default: the physical outputs; none: no connection)")
		requireAudio = fs.Bool("require-audio", false, "fail if there is no audio device, instead of playing MIDI only")
		midiDriver   = fs.String("midi-driver", "auto", "MIDI driver: auto, rtmidi (ALSA sequencer, CoreMIDI, WinMM) or jack")
		midiOut      = fs.String("midi-out", "", "send spike notes to the MIDI output `NAME` (a part of it)")
		virtual      = fs.Bool("virtual", false, "create MIDI ports named separatrix that a DAW can connect to")
		learn        = fs.String("learn", "", "bind the next controller that moves to `TARGET` (e.g. a.current) and print the patch lines")
		save         = fs.Bool("save", false, "with --learn: append the learnt mapping to the patch file")
		record       = fs.String("record", "", "record what is played to this WAV `file`")
		recordMIDI   = fs.String("record-midi", "", "record the MIDI sent to this Standard MIDI `file`")
		duration     = fs.Duration("duration", 0, "stop after this long, e.g. 30s (default: until Ctrl-C)")
		quiet        = fs.Bool("quiet", false, "no status line")
		seed         = fs.Uint64("seed", 0, "noise seed (default: the patch's)")
		viewPIN      = fs.String("view-pin", "", "with --view: the `PIN` a page needs to steer (default: none on this machine only, else a random one, printed)")
		viewReadOnly = fs.Bool("view-readonly", false, "with --view: pages watch but cannot steer")
		openPage     = fs.Bool("open", false, "with --view: open the page in the default browser")
		oscIn        = fs.String("osc", "", "listen for OSC on `PORT` of this machine (or HOST:PORT, e.g. 0.0.0.0:9000 for every network): /separatrix/NEURON/CONTROL f and more")
		oscOut       = fs.String("osc-out", "", "send spikes, rates, states and control echoes over OSC to `HOST:PORT`")
		oscRate      = fs.Float64("osc-rate", 30, "with --osc-out: rate and state messages a `second` for each neuron (at most 200)")
		viewAt       viewFlag
		midiIns      listFlags
		pf           = addPerformanceFlags(fs, false)
	)
	fs.Var(&midiIns, "midi-in", "listen to the MIDI input `NAME` (a part of it); repeatable; all: every input")
	fs.Var(&viewAt, "view", "serve a live view of the neurons to web browsers, on this machine only (127.0.0.1:7400) or at `HOST:PORT` (0.0.0.0:7400: every network; steering then needs a PIN)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: separatrix play PATCH [PATCH...] [flags]\n\nPlays PATCH live: sound on the audio device, MIDI in to control it, spikes out as notes.\nWith several patches, MIDI program change N switches to the Nth (from 0). Flags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, joinViewAddr(args), stderr)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usageError{"play takes at least one PATCH (see 'separatrix patches')"}
	}
	if !viewAt.on && (*viewPIN != "" || *viewReadOnly || *openPage) {
		return usageError{"--view-pin, --view-readonly and --open go with --view"}
	}
	if *viewPIN != "" {
		if err := validPIN(*viewPIN); err != nil {
			return usageError{err.Error()}
		}
	}
	if *save && *learn == "" {
		return usageError{"--save needs --learn TARGET"}
	}
	// The recordings may be neither a patch file nor each other; checked before anything
	// is opened. (--save appends to the first patch file on purpose.)
	var files outfile.Files
	for _, name := range rest {
		if patches.IsFile(name) {
			files.Input("the patch file", name)
		}
	}
	files.Output("--record", *record)
	files.Output("--record-midi", *recordMIDI)
	if err := files.Check(); err != nil {
		return usageError{err.Error()}
	}
	var loaded []*patches.Patch
	for _, name := range rest {
		p, err := patches.Load(name)
		if err != nil {
			return err
		}
		loaded = append(loaded, p)
	}
	learnSave := ""
	if *save {
		if !strings.HasSuffix(rest[0], ".toml") {
			return usageError{fmt.Sprintf("--save writes into a patch file, and %s is built in: copy it first (separatrix patches shows where they live)", rest[0])}
		}
		learnSave = rest[0]
	}
	if *learn != "" {
		if _, _, err := patches.ResolveTarget(loaded[0], *learn); err != nil {
			return fmt.Errorf("--learn %s: %w", *learn, err)
		}
	}
	lat, err := parseLatency(*latency)
	if err != nil {
		return usageError{err.Error()}
	}
	return playLive(liveSetup{
		patches: loaded, rate: *rate, buffer: *buffer, lat: lat, host: *host, device: *device,
		requireAudio: *requireAudio,
		midi:         midiConfig{Driver: *midiDriver, Ins: midiIns, Out: *midiOut, Virtual: *virtual},
		view:         viewAt, viewPIN: *viewPIN, viewReadOnly: *viewReadOnly, openPage: *openPage,
		record: *record, recordMIDI: *recordMIDI, duration: *duration, quiet: *quiet, seed: *seed,
		perf:  render.Performance{Sets: pf.sets, Ramps: pf.ramps, Kicks: pf.kicks},
		learn: *learn, learnSave: learnSave,
		osc: oscSetup{listen: *oscIn, send: *oscOut, rate: *oscRate},
	}, stderr)
}

// liveSetup is everything a live session opens and plays: play's flags, or an
// installation file's settings (exhibit).
type liveSetup struct {
	patches      []*patches.Patch
	rate, buffer int
	lat          latencyChoice
	host, device string
	requireAudio bool
	midi         midiConfig
	view         viewFlag
	viewPIN      string
	viewReadOnly bool
	openPage     bool
	record       string
	recordMIDI   string
	duration     time.Duration
	quiet        bool
	seed         uint64
	perf         render.Performance
	learn        string
	learnSave    string
	osc          oscSetup

	// viewHealth, if not nil, answers the view's GET /health (exhibit).
	viewHealth func() view.Health
	// configure, if not nil, completes the session's options once the devices are open
	// (exhibit: attract, cap, OSC, monitor); the returned function, if not nil, runs
	// once the session has ended.
	configure func(opt *live.Options, env liveEnv) (done func(), err error)
}

// liveEnv is what configure may use of the open session.
type liveEnv struct {
	stream func() audio.Stream // nil until the stream opens, or with no device (the clock)
	midi   *midiSession
	say    func(format string, a ...any)
}

// playLive opens the audio, MIDI and view of ls and plays its patches until the duration
// ends or a signal comes; on the way out every note is let go.
func playLive(ls liveSetup, stderr io.Writer) error {
	// Closed when playLive has returned, after every deferred step: the signal backstop
	// (watchSignals) stands down then.
	finished := make(chan struct{})
	defer close(finished)
	loaded := ls.patches
	// A message clears the status line first (on a terminal), so the two never mix.
	clearLine := ""
	if !ls.quiet && isTerminal(stderr) {
		clearLine = "\r\033[K"
	}
	say := func(format string, a ...any) { fmt.Fprintf(stderr, clearLine+format+"\n", a...) }

	// The simulation runs inside the audio callback; a cgo callback needs a free
	// scheduler slot, so leave room beyond the cores (see audio.RecommendedGOMAXPROCS).
	runtime.GOMAXPROCS(audio.RecommendedGOMAXPROCS())

	channels := loaded[0].Engine.Channels
	if channels == 0 {
		channels = 2
	}
	lat := ls.lat
	acfg := audio.Config{Host: ls.host, Device: ls.device, SampleRate: float64(ls.rate), Buffer: ls.buffer, Channels: channels,
		Direct: lat.direct, Ahead: lat.ahead}.WithDefaults()
	if !ls.quiet {
		for _, p := range loaded {
			if load, err := realTimeLoad(p, acfg); err == nil && load > heavyLoad {
				say("%s: its %d neurons need about %.0f%% of a core at %g Hz, so expect dropouts (fewer neurons, a lower speed or a larger --buffer help)",
					p.Name, p.Engine.Members(), 100*load, acfg.SampleRate)
			}
		}
	}
	// JACK is played natively: a server that quits, or is killed, is survived and
	// rejoined when it is back. PortAudio is not started then at all: its own JACK
	// client would hang when closed after the server died.
	native := audio.IsJACK(ls.host) && nativeJACK
	if !native {
		if err := audio.Initialize(); err != nil && ls.requireAudio {
			return err
		}
		defer func() {
			if err := audio.Terminate(); err != nil {
				say("%v", err)
			}
		}()
	}
	var stream audio.Stream
	openStream := func(process func(out [][]float32)) (live.Stream, error) {
		opt := audio.SuperviseOptions{Status: func(msg string) { say("%s", msg) }, WaitAtStart: !ls.requireAudio}
		if native {
			opt.Open = audio.OpenJACK
		} else {
			// Probe the device first: ALSA's null device opens fine but is not paced by
			// a clock. With no device at start, play MIDI only by the clock, as before;
			// a device lost later is looked for again (PortAudio restarted each time, to
			// see a device plugged in again).
			if err := audio.Usable(acfg); err != nil {
				if ls.requireAudio || !errors.Is(err, audio.ErrNoDevice) {
					return nil, err
				}
				say("%v; playing MIDI only, paced by the clock", err)
				// With no MIDI and no view nothing hears or steers the engine as it plays:
				// the clock wakes ten times a second, not a hundred (BenchmarkIdlePlay).
				every := audio.ClockSlice
				if len(ls.midi.Ins) == 0 && ls.midi.Out == "" && !ls.midi.Virtual && !ls.view.on {
					every = 100 * time.Millisecond
				}
				stream = audio.OpenClockEvery(acfg, every, audio.Process(process))
				return stream, nil
			}
			opt.Open = audio.Open
			opt.Reopen = func(cfg audio.Config, p audio.Process) (audio.Stream, error) {
				if err := audio.Usable(cfg); err != nil {
					return nil, err
				}
				return audio.Reopen(cfg, p)
			}
			opt.WaitAtStart = false
		}
		s, err := audio.Supervise(acfg, audio.Process(process), opt)
		if err != nil {
			return nil, err
		}
		stream = s
		if !ls.quiet && s.OnDevice() {
			msg := fmt.Sprintf("audio: %s, %g Hz, %d frames", s.Description(), s.SampleRate(), s.Buffer())
			if l, ok := audio.LatencyOf(s); ok {
				msg += ", latency " + l.String()
			}
			say("%s", msg)
		}
		return s, nil
	}
	midi, err := openMIDI(ls.midi, say)
	if err != nil {
		return err
	}
	defer func() {
		// A MIDI system that hangs (a JACK server half gone) must not hold the exit.
		done := make(chan struct{})
		go func() { midi.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(300 * time.Millisecond):
			say("the MIDI system did not close within 0.3 s; going on without waiting")
		}
	}()

	// The view listens before anything plays, so a taken port is reported at once.
	var viewer *view.Server
	if ls.view.on {
		pin := ls.viewPIN
		if pin == "" && view.NeedsPIN(ls.view.addr) && !ls.viewReadOnly {
			if pin, err = newPIN(); err != nil {
				return err
			}
		}
		viewer, err = view.Listen(view.Options{Addr: ls.view.addr, PIN: pin, ReadOnly: ls.viewReadOnly, Log: stderr, Health: ls.viewHealth})
		if err != nil {
			return err
		}
		defer viewer.Close()
		switch {
		case ls.viewReadOnly:
			say("view: %s (watch only)", viewer.URL())
		case pin != "":
			say("view: %s (steering PIN %s)", viewer.URL(), pin)
		default:
			say("view: %s", viewer.URL())
		}
		if ls.openPage {
			if err := openBrowser(viewer.URL()); err != nil {
				say("%v; open %s yourself", err, viewer.URL())
			}
		}
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	bs := watchSignals(stop, finished)
	if ls.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ls.duration)
		defer cancel()
	}
	opt := live.Options{
		Patches: loaded, SampleRate: acfg.SampleRate, Buffer: acfg.Buffer, Seed: ls.seed,
		OpenStream: openStream,
		// Only PortAudio's direct callback (--latency low) runs Process on the device's
		// thread; the clock and the ring-fed outputs run it on a goroutine.
		ProcessOnGoroutine: native || !acfg.Direct,
		StreamStats: func() live.StreamStats {
			if stream == nil {
				return live.StreamStats{}
			}
			st := stream.Stats()
			return live.StreamStats{Xruns: st.Xruns, LoadP99: st.LoadP99}
		},
		StreamLatency: func() (time.Duration, bool) {
			if stream == nil {
				return 0, false
			}
			l, ok := audio.LatencyOf(stream)
			return l.Total(), ok
		},
		ConnectInputs: midi.Connect,
		Perf:          ls.perf,
		Record:        ls.record, RecordMIDI: ls.recordMIDI,
		// Writing a long recording to a slow card may take longer than the backstop.
		Finishing: func() { bs.extend(recordBackstop) },
		Learn:     ls.learn, LearnSave: ls.learnSave,
		View: viewer,
		Log:  stderr,
	}
	if out := midi.Output(); out != nil {
		opt.Out = out
	}
	if !ls.quiet && isTerminal(stderr) {
		opt.Status = stderr
	}
	if ls.osc.listen != "" || ls.osc.send != "" {
		o, closeOSC, err := ls.osc.open(say)
		if err != nil {
			return err
		}
		defer closeOSC()
		opt.OSC = o
	}
	if ls.configure != nil {
		done, err := ls.configure(&opt, liveEnv{stream: func() audio.Stream { return stream }, midi: midi, say: say})
		if err != nil {
			return err
		}
		if done != nil {
			defer done()
		}
	}
	if !ls.quiet {
		say("playing %s; Ctrl-C stops", loaded[0].Name)
	}
	// The garbage collector stays on: the device's callback runs no Go (unless
	// --latency low), and the renderer has the ring's slack. Measured on 2 cores with
	// the other busy, 1 GB/s of garbage (400 collections in 8 s) cost the ring 0-1
	// underruns; play with MIDI in and out and a recording collected once in 10 s.
	start := time.Now()
	sum, err := live.Run(ctx, opt)
	bs.extend(exitBackstop) // what is left: closing MIDI and PortAudio, both bounded
	if err != nil {
		return err
	}
	if !ls.quiet {
		say("played %.1f s; spikes: %s; notes %d; xruns %d; resets %d; MIDI in %d (dropped %d)",
			time.Since(start).Seconds(), spikeCounts(loaded[0].NeuronNames, sum.Spikes), sum.NotesSent, sum.Xruns, sum.Resets, sum.MIDIIn, sum.MIDIDropped)
		if stream != nil {
			if n := stream.Stats().Underruns; n > 0 {
				say("%s", underrunAdvice(n, lat))
			}
		}
	}
	return nil
}

// oscSetup is where OSC comes in and goes out.
type oscSetup struct {
	listen string  // PORT or HOST:PORT ("" none)
	send   string  // HOST:PORT ("" none)
	rate   float64 // rate and state messages a second
	// receiver, if not nil, is given the receiver once it listens (exhibit's health).
	receiver *atomic.Pointer[osc.Receiver]
}

// open dials the OSC output and prepares the input (the session opens it when it
// starts); the returned function closes the output.
func (o oscSetup) open(say func(string, ...any)) (*live.OSC, func(), error) {
	if o.rate != 0 && !(o.rate > 0 && o.rate <= 200) {
		return nil, nil, usageError{fmt.Sprintf("--osc-rate %g: give a rate above 0 and at most 200 a second", o.rate)}
	}
	lo := &live.OSC{StateRate: o.rate}
	closeOut := func() {}
	if o.send != "" {
		out, err := osc.Dial(o.send)
		if err != nil {
			return nil, nil, fmt.Errorf("OSC out: %w", err)
		}
		lo.Out, closeOut = out, func() { out.Close() }
		say("OSC out: %s", o.send)
	}
	if o.listen != "" {
		addr := o.listen
		lo.Listen = func(handle func(osc.Message)) (func(), error) {
			r, err := osc.Listen(addr, handle)
			if err != nil {
				return nil, fmt.Errorf("OSC in: %w", err)
			}
			if o.receiver != nil {
				o.receiver.Store(r)
			}
			say("OSC in: %s", r.Addr())
			return func() { r.Close() }, nil
		}
	}
	return lo, closeOut, nil
}

// heavyLoad is the share of a core above which a patch is reported as too heavy to
// play without dropouts: the rest of the period is the margin for the scheduler.
const heavyLoad = 0.7

// realTimeLoad measures what share of a core the patch's engine needs to keep up in
// real time at cfg's rate and buffer, rendering a copy of it for about 30 ms. (A patch
// may hold up to emu.MaxNeurons neurons, which renders fine offline; live, about 120
// I_Na,p+I_K neurons fit in a core today.)
func realTimeLoad(p *patches.Patch, cfg audio.Config) (float64, error) {
	ecfg := p.Engine
	ecfg.Channels = cfg.Channels
	e, err := emu.New(ecfg)
	if err != nil {
		return 0, err
	}
	if err := e.Prepare(cfg.SampleRate, cfg.MaxBlock); err != nil {
		return 0, err
	}
	out := make([][]float32, cfg.Channels)
	for c := range out {
		out[c] = make([]float32, cfg.Buffer)
	}
	frames := 0
	t0 := time.Now()
	for time.Since(t0) < 30*time.Millisecond || frames < cfg.Buffer {
		e.Process(out)
		frames += cfg.Buffer
	}
	return time.Since(t0).Seconds() / (float64(frames) / cfg.SampleRate), nil
}

// exitBackstop is how long play may take to stop after SIGINT, SIGTERM or SIGHUP, but
// for writing its recordings (recordBackstop).
const (
	exitBackstop   = time.Second
	recordBackstop = 30 * time.Second
)

// backstop ends the program if stopping takes too long.
type backstop struct {
	deadline chan time.Duration // a new deadline, from now
}

// watchSignals calls stop on SIGINT, SIGTERM or SIGHUP (SIGHUP only if the program was
// not started with it ignored, as nohup does). The note-offs go out first and every
// later step of stopping is bounded; should something hang all the same (a driver stuck
// in the operating system), the program exits anyway exitBackstop after the signal (or
// after the last extend), or at once on a second signal. It writes nothing before it
// exits: stderr may be what blocks (a terminal stopped with Ctrl-S).
func watchSignals(stop func(), finished <-chan struct{}) *backstop {
	b := &backstop{deadline: make(chan time.Duration, 4)}
	sigs := make(chan os.Signal, 2)
	watched := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		watched = append(watched, syscall.SIGHUP)
	}
	signal.Notify(sigs, watched...)
	go func() {
		defer signal.Stop(sigs)
		select {
		case <-sigs:
		case <-finished:
			return
		}
		stop()
		timer := time.NewTimer(exitBackstop)
		for {
			select {
			case <-finished:
				return
			case d := <-b.deadline:
				timer.Reset(d)
				continue
			case <-sigs:
			case <-timer.C:
			}
			os.Exit(1)
		}
	}()
	return b
}

// extend moves the backstop's deadline to d from now (if a signal started it).
func (b *backstop) extend(d time.Duration) {
	select {
	case b.deadline <- d:
	default:
	}
}

// isTerminal reports whether w is a terminal (not merely a character device such as
// /dev/null).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
