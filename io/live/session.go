package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/io/view"
	"github.com/separatrix-audio/separatrix/io/wav"
	"github.com/separatrix-audio/separatrix/patches"
)

// Stream is a running audio output (a sound card, a JACK server, or a clock when there
// is none) that calls the player's Process once started. Close must return promptly
// whatever the device does (audio.Supervise guarantees it): Run closes the stream on
// its way out. SampleRate is the rate the stream really plays at, which may differ from
// the one asked for (a JACK server plays at its own): the engines are prepared for it.
type Stream interface {
	Start() error
	Close() error
	SampleRate() float64
}

// StreamStats is what the status line shows of the stream.
type StreamStats struct {
	Xruns   uint64
	LoadP99 float64 // fraction of the buffer period
}

// MIDIOut sends one message to the MIDI output(s). It is called from one goroutine.
type MIDIOut interface {
	Send(m midimap.Msg) error
}

// Options configure a live session.
type Options struct {
	Patches    []*patches.Patch // program change N selects Patches[N]
	SampleRate float64
	Buffer     int // frames per callback
	Seed       uint64

	// OpenStream opens the audio output around the player's Process, which it must not
	// call before Start. SampleRate is only what to ask for: the stream's own rate wins.
	OpenStream  func(process func(out [][]float32)) (Stream, error)
	StreamStats func() StreamStats // may be nil
	// StreamLatency is the time from a frame rendered to it heard, if the output
	// reports it (the ring's periods and the driver's); may be nil, or answer false,
	// and then two buffers are assumed.
	StreamLatency func() (time.Duration, bool)
	// ProcessOnGoroutine says that the stream calls process on a goroutine of its own
	// (the clock, or a producer that fills a ring the device's callback copies from),
	// never on a device's real-time thread. The session may then wake its spike-note
	// loop from there after a block that brings work; otherwise that loop looks every
	// 2 ms, and only while there is a MIDI output or a MIDI recording.
	ProcessOnGoroutine bool

	// ConnectInputs starts delivering incoming MIDI to handle (from any goroutine) and
	// returns a function that stops it. May be nil (no MIDI input).
	ConnectInputs func(handle func(m midimap.Msg)) (stop func(), err error)
	Out           MIDIOut // may be nil

	Perf render.Performance // --set, --ramp, --kick on top of live MIDI

	Record     string // WAV file of what is played
	RecordMIDI string // Standard MIDI File of what is sent
	// Finishing, if not nil, is called on the way out once the notes are off and the
	// stream is closed, before the recordings are written to disk (which may take a
	// while on a slow card).
	Finishing func()

	// View, if not nil, is served while playing: pages watch the neurons and steer them
	// through the same event path as MIDI. Run stops it on the way out.
	View *view.Server

	// Attract, if not nil, plays the patches' tours when nobody plays (installation mode).
	Attract *Attract
	// CapDB, if not 0, lowers every patch's limiter ceiling to this many dBFS (the
	// owner's volume cap, emu.MinCeilingDB to emu.MaxCeilingDB): no control can raise it.
	CapDB float64
	// Level, if not nil, gives the output gain (0 to 1) for a time of day: quiet hours.
	// It is asked about eight times a second; the player ramps to what it says
	// (Player.SetLevel).
	Level func(time.Time) float64
	// Monitor, if not nil, is kept up to date while the session runs (health, watchdog).
	Monitor *Monitor
	// Audible, if not nil, tells the monitor whether a device plays the sound now (a
	// supervised stream's clock standing in for a lost device renders, unheard).
	Audible func() bool
	// Restore, if not nil, is applied before the sound starts: the patch and controls
	// an installation played before a restart.
	Restore *State
	// SaveState, if not nil, receives the state (from a goroutine of its own) when a
	// visitor changed it: once they have left it alone for a while, when the tour takes
	// over, at least every few minutes while they play, and on the way out; never when it
	// equals what was last saved or restored.
	SaveState func(State)
	// OSC, if not nil, steers the session and hears from it over OSC.
	OSC *OSC

	Learn     string // a target: the next CC that moves is bound to it
	LearnSave string // the patch file to append the learnt mapping to ("" prints only)

	Log    io.Writer // short messages
	Status io.Writer // the one-line status (nil: none)
}

// Summary is what a session did.
type Summary struct {
	Frames        int64
	Spikes        []uint64
	NotesSent     uint64
	NotesDropped  uint64
	MIDIIn        uint64
	MIDIDropped   uint64
	RecordDropped uint64
	Resets        uint64
	Xruns         uint64
}

// Run plays until ctx is done (a signal, or --duration). On the way out every sounding
// note gets its note-off, before Run returns: no hanging notes.
func Run(ctx context.Context, opt Options) (*Summary, error) {
	if len(opt.Patches) == 0 {
		return nil, errors.New("no patch to play")
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	// The stream comes first: the engines are prepared for the rate it plays at. Its
	// Process reaches the player only after Start, by when the player exists.
	var player *Player
	var s *session
	process := func(out [][]float32) { player.Process(out) }
	oscOut := opt.OSC != nil && opt.OSC.Out != nil
	if opt.ProcessOnGoroutine && (opt.Out != nil || opt.RecordMIDI != "" || oscOut) {
		process = func(out [][]float32) {
			player.Process(out)
			s.wakeOut()
		}
	}
	stream, err := opt.OpenStream(process)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			stream.Close()
		}
	}()
	rate := stream.SampleRate()
	opt.SampleRate = rate
	channels := opt.Patches[0].Engine.Channels
	if channels == 0 {
		channels = 2
	}
	engines := make([]*emu.Engine, len(opt.Patches))
	controls := make([]*midimap.Controls, len(opt.Patches))
	notes := make([]*midimap.SpikeNotes, len(opt.Patches))
	scheduled := make([][]emu.Event, len(opt.Patches))
	for i, p := range opt.Patches {
		cfg := p.Engine
		if c := cfg.Channels; c != 0 && c != channels {
			return nil, fmt.Errorf("patch %s has %d channels, %s has %d: patches played together need the same", p.Name, c, opt.Patches[0].Name, channels)
		}
		cfg.Channels = channels
		if opt.CapDB != 0 {
			if !(opt.CapDB >= emu.MinCeilingDB && opt.CapDB <= emu.MaxCeilingDB) {
				return nil, fmt.Errorf("the volume cap %g dBFS is outside %d to %g", opt.CapDB, emu.MinCeilingDB, emu.MaxCeilingDB)
			}
			if cfg.CeilingDB == 0 {
				cfg.CeilingDB = emu.DefaultCeilingDB
			}
			cfg.CeilingDB = min(cfg.CeilingDB, opt.CapDB)
		}
		if opt.Seed != 0 {
			cfg.Seed = opt.Seed
		}
		if opt.View != nil {
			cfg.TapRate = ViewTapRate
		}
		e, err := emu.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("patch %s: %w", p.Name, err)
		}
		engines[i] = e
		controls[i] = midimap.NewControls(p.MIDI)
		ev, err := render.Schedule(p, opt.Perf, rate)
		if err != nil {
			if i == 0 {
				return nil, err
			}
			// Later patches may lack a target of the scripted performance: they just
			// play without it.
			ev = nil
		}
		scheduled[i] = ev
		// The scripted performance is applied by the engine itself, sample-exact, as in
		// render: the same patch and events give the same samples.
		e.Schedule(ev)
	}
	var rec *SampleRing
	var wavOut *wav.Writer
	if opt.Record != "" {
		w, err := wav.Create(opt.Record, int(rate), channels, wav.PCM16)
		if err != nil {
			return nil, err
		}
		wavOut = w
		rec = NewSampleRing(int(rate)*4, channels) // 4 s of slack for the writer
	}
	player, err = NewPlayer(engines, rate, 4*max(opt.Buffer, 256), rec)
	if err != nil {
		return nil, err
	}
	for i, e := range engines {
		notes[i] = midimap.NewSpikeNotes(opt.Patches[i].MIDI, rate, e.ModelTimeStep())
	}

	s = &session{opt: opt, player: player, controls: controls, notes: notes, scheduled: scheduled,
		in: make(chan midimap.Msg, 4096), allOff: make(chan int, 16), start: time.Now(),
		outWake: make(chan struct{}, 1), values: make([]map[controlKey]float64, len(opt.Patches))}
	for i := range s.values {
		s.values[i] = map[controlKey]float64{}
	}
	if opt.OSC != nil {
		s.oscIn = make(chan osc.Message, 1024)
		s.oscOut = make(chan []byte, oscQueueLength)
		most := 0
		for _, p := range opt.Patches {
			most = max(most, len(p.NeuronNames))
		}
		s.spikesSent = make([]int, most)
		if oscOut {
			player.PublishState()
		}
	}
	if a := opt.Attract; a != nil {
		s.scoreControls = make([]*midimap.Controls, len(opt.Patches))
		for i, sc := range a.Scores {
			if sc != nil && i < len(opt.Patches) {
				cfg := opt.Patches[i].MIDI
				cfg.CC = append(cfg.CC[:0:0], cfg.CC...)
				for k := range cfg.CC {
					cfg.CC[k].Soft = false
				}
				s.scoreControls[i] = midimap.NewControls(cfg)
			}
		}
	}
	s.noteInput() // the attract tour waits its idle time from the start
	if opt.Restore != nil {
		s.restore(opt.Restore)
	}
	s.lastSaved = s.state() // nothing to save until a visitor changes it
	opt.Monitor.update(func(st *MonitorSnapshot) {
		st.Started, st.LastInput, st.Patch = s.start, s.start, opt.Patches[0].Name
	})
	if opt.RecordMIDI != "" {
		s.midiRec = midifile.NewWriter(rate)
	}
	if opt.View != nil {
		latency := 2 * float64(max(opt.Buffer, 1)) / rate // the one playing and the one being filled
		if opt.StreamLatency != nil {
			if l, ok := opt.StreamLatency(); ok {
				latency = l.Seconds()
			}
		}
		s.view = newViewSource(s, opt.Patches, rate, latency)
	}
	if opt.ConnectInputs != nil {
		stop, err := opt.ConnectInputs(s.handle)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	if opt.OSC != nil && opt.OSC.Listen != nil {
		stop, err := opt.OSC.Listen(s.handleOSC)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	if opt.Level != nil {
		// Quiet hours hold from the first sample: a restart at night stays silent.
		player.SetLevelNow(opt.Level(time.Now()))
	}
	saverDone := make(chan struct{})
	if opt.SaveState != nil {
		s.saves = make(chan State, 1)
		go func() {
			defer close(saverDone)
			for st := range s.saves {
				opt.SaveState(st)
			}
		}()
	} else {
		close(saverDone)
	}
	if err := stream.Start(); err != nil {
		return nil, err
	}
	started = true

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	goLoop := func(loop func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); loop(ctx) }()
	}
	goLoop(s.controlLoop)
	outDone := make(chan struct{})
	goLoop(func(ctx context.Context) { s.outLoop(ctx, outDone) })
	recCtx, stopRec := context.WithCancel(context.Background())
	defer stopRec()
	recDone := make(chan error, 1)
	if rec != nil {
		go func() { recDone <- s.recordLoop(recCtx, rec, wavOut, channels) }()
	}
	if opt.Status != nil {
		goLoop(func(ctx context.Context) { s.statusLoop(ctx, opt.StreamStats) })
	}
	if opt.Monitor != nil || opt.Level != nil {
		goLoop(s.monitorLoop)
	}
	if oscOut {
		goLoop(s.oscStateLoop)
		goLoop(s.oscSendLoop)
	}
	viewDone := make(chan error, 1)
	if opt.View != nil {
		go func() { viewDone <- opt.View.Serve(ctx, s.view) }()
	} else {
		viewDone <- nil
	}

	<-ctx.Done()
	// Silence the notes first: the out loop sends every note-off before it returns, and
	// nothing before it can block. Then stop the sound (the stream's Close is bounded
	// even with a dead device), then finish the recording with all that was played.
	cancel()
	wg.Wait()
	if s.saves != nil {
		if s.dirty {
			s.saveNow() // the control loop has ended: its values are final
		}
		close(s.saves)
		<-saverDone
	}
	if err := <-viewDone; err != nil {
		fmt.Fprintf(opt.Log, "the view: %v\n", err)
	}
	streamErr := stream.Close()
	if opt.Finishing != nil {
		opt.Finishing()
	}
	stopRec()
	var firstErr error
	if rec != nil {
		if err := <-recDone; err != nil {
			firstErr = err
		}
	}
	if s.midiRec != nil {
		s.midiRec.SetLength(s.sessionFrame())
		if err := s.midiRec.WriteFile(opt.RecordMIDI); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if opt.Status != nil {
		fmt.Fprint(opt.Status, "\r\033[K")
	}
	sum := &Summary{MIDIIn: s.midiIn.Load(), MIDIDropped: s.midiDropped.Load()}
	for i, e := range engines {
		st := e.Stats()
		sum.Frames += st.Frames
		sum.Resets += st.Resets
		if i == 0 {
			sum.Spikes = st.Spikes
		}
		ns := notes[i].Stats()
		sum.NotesSent += ns.Notes
		sum.NotesDropped += ns.Dropped
	}
	if rec != nil {
		sum.RecordDropped = rec.Dropped()
	}
	if opt.StreamStats != nil {
		sum.Xruns = opt.StreamStats().Xruns
	}
	if streamErr != nil {
		fmt.Fprintf(opt.Log, "%v\n", streamErr)
	}
	return sum, firstErr
}

type session struct {
	opt       Options
	player    *Player
	controls  []*midimap.Controls
	notes     []*midimap.SpikeNotes
	scheduled [][]emu.Event
	in        chan midimap.Msg
	allOff    chan int // patch index whose notes must stop
	start     time.Time
	midiRec   *midifile.Writer

	midiIn, midiDropped atomic.Uint64
	learnt              bool
	view                *viewSource // nil without Options.View

	// outWake wakes the spike-note loop (1-buffered: a wake-up pending is enough);
	// outPending is set while a note sounds or a rate controller is above 0, whose
	// ending comes with the frames, not with a spike.
	outWake    chan struct{}
	outPending atomic.Bool

	// Installation mode: when a visitor last gave input (Unix ns), the attract tour (the
	// control loop's), whether it plays, and the value of every control the session set,
	// per patch (the control loop's), from which a tour's ramps start.
	lastInput  atomic.Int64
	tour       tour
	attracting atomic.Bool
	captionNow atomic.Pointer[string] // the tour's caption, for the view
	values     []map[controlKey]float64
	// scoreControls[i] plays patch i's attract score: its MIDI map without soft
	// takeover (nil without a score).
	scoreControls []*midimap.Controls
	// saves hands the state to the saver goroutine (nil without Options.SaveState); dirty
	// says a visitor changed it since. The control loop's.
	saves     chan State
	dirty     bool
	lastSaved State // what was last saved, or restored

	// OSC: the queue to the control loop, its counters, the control loop's send buffer,
	// and the spike-note loop's (its buffer, and the spikes sent this second by neuron).
	oscIn       chan osc.Message
	oscOut      chan []byte // packets for the OSC send goroutine
	oscStats    oscCounters
	oscBuf      []byte
	spikeBuf    []byte
	spikeWindow time.Time
	spikesSent  []int
}

// saveNow hands the state to the saver, replacing one not yet taken, unless it is what
// was last saved (or restored).
func (s *session) saveNow() {
	s.dirty = false
	st := s.state()
	if reflect.DeepEqual(st, s.lastSaved) {
		return
	}
	s.lastSaved = st
	for {
		select {
		case s.saves <- st:
			return
		default:
			select {
			case <-s.saves:
			default:
			}
		}
	}
}

// wakeOut runs after every block, on the goroutine that calls Process (never a device's
// real-time thread: see Options.ProcessOnGoroutine). It wakes the spike-note loop when
// the block brought spikes, or while a note waits for its note-off; otherwise the loop
// sleeps. The send never waits.
func (s *session) wakeOut() {
	if !s.outPending.Load() && !s.spikesWaiting() {
		return
	}
	select {
	case s.outWake <- struct{}{}:
	default:
	}
}

// spikesWaiting reports whether an engine's spike ring holds a spike.
func (s *session) spikesWaiting() bool {
	for i := range s.notes {
		if s.player.Engine(i).Spikes().Len() > 0 {
			return true
		}
	}
	return false
}

// handle receives MIDI from the driver goroutines: never blocks, drops and counts.
func (s *session) handle(m midimap.Msg) {
	s.midiIn.Add(1)
	if isInput(m) {
		s.noteInput()
	}
	select {
	case s.in <- m:
	default:
		s.midiDropped.Add(1)
	}
}

// sessionFrame is the wall-clock position of the session in frames, for the MIDI
// recording (engines' own frame counts stop while their patch is not playing).
func (s *session) sessionFrame() int64 {
	return int64(time.Since(s.start).Seconds() * s.opt.SampleRate)
}

// controlLoop is the single producer of every engine's event ring: live MIDI and the
// scripted performance both go through it.
func (s *session) controlLoop(ctx context.Context) {
	// MIDI and the view wake the loop at once; the timer only follows the scripted
	// settings for soft takeover, so it runs while some remain, woken when the next is
	// due (and no more often than every 10 ms).
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var evBuf []emu.Event
	next := make([]int, len(s.scheduled))
	s.armScripted(timer, next)
	var commands chan view.Command // nil (never ready) without a view
	if s.view != nil {
		commands = s.view.cmds
	}
	// The attract timer wakes the loop when the idle time is up, then at each step of
	// the tour; it never runs without an attract mode.
	attract := time.NewTimer(time.Hour)
	defer attract.Stop()
	attract.Stop()
	armAttract := func(wait time.Duration) {
		attract.Stop()
		attract.Reset(max(wait, time.Millisecond))
	}
	if d, ok := s.attractDue(); ok {
		armAttract(d)
	}
	oscLogged := 0 // OSC messages refused and logged
	// The state is saved once a visitor has left (saveAfterQuiet without input), when the
	// tour takes over, at least every saveAtLeast while someone plays, and on the way
	// out: a few writes a visit, not one a knob's move (an SD card wears).
	save := time.NewTimer(time.Hour)
	defer save.Stop()
	save.Stop()
	var dirtySince time.Time
	// visitor ends the tour at once when someone plays, starts the idle time anew, and
	// marks the state to be saved.
	visitor := func() {
		if s.tour.on {
			s.stopTour()
		}
		if s.saves != nil {
			if !s.dirty {
				s.dirty, dirtySince = true, time.Now()
			}
			if time.Since(dirtySince) >= saveAtLeast {
				s.saveNow()
			}
			save.Stop()
			save.Reset(saveAfterQuiet)
		}
		if d, ok := s.attractDue(); ok {
			armAttract(d)
		}
	}
	for {
		select {
		case <-ctx.Done():
			if s.tour.on {
				s.stopTour()
			}
			return
		case c := <-commands:
			s.inputFrom("page")
			visitor()
			s.command(c, s.view)
			continue
		case <-save.C:
			if s.dirty {
				s.saveNow()
			}
			continue
		case m := <-s.oscIn: // nil (never ready) without OSC
			// Only what the patch understands is a visitor: a controller's pings, an
			// echo coming back, garbage from the network are not.
			a, ok := s.routeOSC(m, &oscLogged)
			if !ok {
				continue
			}
			s.inputFrom("osc")
			visitor()
			s.applyOSC(a)
			continue
		case m := <-s.in:
			if isInput(m) {
				s.inputFrom("midi")
				visitor()
			}
			active := s.player.Playing()
			if m.Status&0xF0 == 0xC0 { // program change: another patch, crossfaded
				s.switchTo(int(m.Data1))
				continue
			}
			if s.opt.Learn != "" && !s.learnt && m.Status&0xF0 == 0xB0 && m.Data1 < 120 {
				s.learn(m)
			}
			e := s.player.Engine(active)
			evBuf = s.controls[active].Handle(evBuf[:0], m, e.Frame())
			s.pushAll(active, evBuf)
			if _, ok := s.controls[active].TakeAllOff(); ok {
				s.requestAllOff(active)
			}
		case <-attract.C:
			var wait time.Duration
			switch d, _ := s.attractDue(); {
			case s.tour.on:
				evBuf, wait = s.stepTour(evBuf)
			case d > 0:
				wait = d // input came since the timer was set
			default:
				first := -1
				for k := range s.opt.Patches {
					if j := (s.player.Playing() + k) % len(s.opt.Patches); s.hasTour(j) {
						first = j
						break
					}
				}
				if first < 0 {
					continue // no patch has a tour: nothing to play, nothing to wait for
				}
				fmt.Fprintf(s.opt.Log, "attract: nobody has played for %s; the tour starts\n", max(s.opt.Attract.Idle, minIdle))
				if s.dirty {
					s.saveNow() // what the last visitor left, before the tour moves it
				}
				s.startTour(first)
				evBuf, wait = s.stepTour(evBuf)
			}
			armAttract(wait)
			continue
		case <-timer.C:
		}
		// The engines apply the scripted events themselves; soft-takeover knobs learn
		// the values those set, so they wait to be caught rather than jump.
		for i, evs := range s.scheduled {
			now := s.player.Engine(i).Frame()
			for next[i] < len(evs) && evs[next[i]].Frame <= now {
				if ev := evs[next[i]]; ev.Kind == emu.EventSet {
					s.controls[i].Sync(ev.Neuron, ev.Control, ev.Value)
					s.noteValue(i, ev.Neuron, ev.Control, ev.Value)
					s.view.noteSet(i, ev.Neuron, ev.Control, ev.Value)
				}
				next[i]++
			}
		}
		s.armScripted(timer, next)
	}
}

// scriptedPoll is the shortest wait between two looks at the scripted settings.
const scriptedPoll = 10 * time.Millisecond

// armScripted sets timer for the next scripted setting not yet followed (next[i] is
// patch i's first), or stops it when none remains. An engine's frames advance at most
// about as fast as the clock (a stream catching up runs them faster, briefly), so the
// wait is reckoned from the frames still to play; a patch not playing has no frames
// advancing and is looked at again on the next wake-up.
func (s *session) armScripted(timer *time.Timer, next []int) {
	wait, found := time.Duration(0), false
	for i, evs := range s.scheduled {
		for next[i] < len(evs) && evs[next[i]].Kind != emu.EventSet {
			next[i]++ // kicks and the like: nothing for a knob to learn
		}
		if next[i] == len(evs) {
			continue
		}
		frames := evs[next[i]].Frame - s.player.Engine(i).Frame()
		d := time.Duration(float64(frames) / s.opt.SampleRate * float64(time.Second))
		if !found || d < wait {
			wait, found = d, true
		}
	}
	timer.Stop()
	if found {
		timer.Reset(max(wait, scriptedPoll))
	}
}

// switchTo plays patch i (a program change or a page's choice): crossfaded, and the
// notes of the patch left are silenced.
func (s *session) switchTo(i int) {
	active := s.player.Playing()
	if i < 0 || i >= len(s.opt.Patches) || i == active {
		return
	}
	// A key held down on the patch left would never be let go there: release its
	// held currents now, as its note-offs will reach the new patch instead.
	e := s.player.Engine(active)
	for _, ev := range s.controls[active].ReleaseHeld(nil, e.Frame()) {
		e.Events().Push(ev)
	}
	s.player.Switch(i)
	s.requestAllOff(active)
	if !s.tour.on {
		fmt.Fprintf(s.opt.Log, "program %d: %s\n", i, s.opt.Patches[i].Name)
	}
}

func (s *session) requestAllOff(patch int) {
	select {
	case s.allOff <- patch:
	default: // a burst of requests: one pending is enough
	}
}

// learn prints (and saves) the mapping that binds the controller of m to the target.
func (s *session) learn(m midimap.Msg) {
	s.learnt = true
	p := s.opt.Patches[s.player.Playing()]
	lo, hi := learnRange(p, s.opt.Learn)
	snippet := fmt.Sprintf("\n# learnt by separatrix play --learn %s\n[[midi.cc]]\ncc = %d\nchannel = %d\ntarget = %q\nmin = %g\nmax = %g\n",
		s.opt.Learn, m.Data1, m.Status&0x0F+1, s.opt.Learn, lo, hi)
	fmt.Fprintf(s.opt.Log, "learnt controller %d on channel %d for %s; patch lines:%s", m.Data1, m.Status&0x0F+1, s.opt.Learn, snippet)
	if s.opt.LearnSave == "" {
		return
	}
	f, err := os.OpenFile(s.opt.LearnSave, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(snippet)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(s.opt.Log, "could not save the mapping to %s: %v\n", s.opt.LearnSave, err)
		return
	}
	fmt.Fprintf(s.opt.Log, "saved to %s\n", s.opt.LearnSave)
}

// learnRange is the range a learnt knob gets: the range of an existing mapping of the
// same target, else the control's own range narrowed to something a knob can play.
func learnRange(p *patches.Patch, target string) (float64, float64) {
	for _, m := range p.MIDI.CC {
		if m.Target == target {
			return m.Min, m.Max
		}
	}
	n, c, err := patches.ResolveTarget(p, target)
	if err != nil {
		return 0, 1
	}
	spec := p.Engine.Neurons[max(n, 0)]
	lo, hi, _ := emu.ControlRange(spec.Model, c)
	if c == emu.ControlCurrent {
		return math.Max(lo, -10), math.Min(hi, 20)
	}
	return lo, hi
}

// outLoop is the single consumer of every engine's spike ring: spikes become notes,
// sent and recorded. When ctx ends it silences every sounding note before returning.
//
// With neither a MIDI output nor a MIDI recording it only waits for the end: the spikes
// stay in the engines' rings, whose overflow drops harmlessly (the summary counts spikes
// in the engines). Otherwise it wakes on work when Process runs on a goroutine (wakeOut),
// or every 2 ms when Process runs on a device's thread, which must not wake goroutines.
func (s *session) outLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	oscOut := s.opt.OSC != nil && s.opt.OSC.Out != nil
	if s.opt.Out == nil && s.midiRec == nil && !oscOut {
		<-ctx.Done()
		return
	}
	var tick <-chan time.Time
	if !s.opt.ProcessOnGoroutine {
		// Spike notes leave within 2 ms (plus one audio block) of their spike.
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		tick = t.C
	}
	var buf []midimap.Timed
	held := make([]heldMIDI, len(s.notes))
	send := func(patch int) {
		for _, t := range buf {
			held[patch].note(t.Msg)
			if s.opt.Out != nil {
				s.opt.Out.Send(t.Msg) // a failing output reconnects on its own; the sound goes on
			}
			if s.midiRec != nil {
				s.midiRec.Add(midimap.Timed{Frame: s.sessionFrame(), Msg: t.Msg})
			}
		}
		buf = buf[:0]
	}
	pending := func() bool {
		for i := range held {
			if held[i].pending() {
				return true
			}
		}
		return false
	}
	drain := func() {
		for i := range s.notes {
			e := s.player.Engine(i)
			for {
				sp, ok := e.Spikes().Pop()
				if !ok {
					break
				}
				if oscOut {
					s.oscSpike(i, sp.Neuron, time.Now())
				}
				buf = s.notes[i].Spike(buf, sp)
			}
			buf = s.notes[i].Advance(buf, e.Frame())
			send(i)
		}
		s.outPending.Store(pending())
	}
	for {
		select {
		case <-ctx.Done():
			drain()
			for i := range s.notes {
				buf = s.notes[i].AllOff(buf, s.player.Engine(i).Frame())
				send(i)
			}
			return
		case patch := <-s.allOff:
			drain()
			buf = s.notes[patch].AllOff(buf, s.player.Engine(patch).Frame())
			send(patch)
			s.outPending.Store(pending())
		case <-s.outWake:
			drain()
		case <-tick:
			drain()
		}
	}
}

// heldMIDI follows what one patch's SpikeNotes has sent that a later Advance will end
// without a new spike: sounding keys (their note-offs) and rate controllers above 0
// (their return to 0). While any is held, the spike-note loop keeps waking.
type heldMIDI struct {
	keys, ccs [16 * 128]bool // by channel*128 + key or controller
	n         int            // keys sounding plus controllers above 0
}

func (h *heldMIDI) note(m midimap.Msg) {
	at := int(m.Status&0x0F)*128 + int(m.Data1&0x7F)
	switch m.Status & 0xF0 {
	case 0x90:
		h.set(&h.keys[at], m.Data2 > 0)
	case 0x80:
		h.set(&h.keys[at], false)
	case 0xB0:
		if m.Data1 == 123 { // All Notes Off
			base := int(m.Status&0x0F) * 128
			for k := range 128 {
				h.set(&h.keys[base+k], false)
			}
			return
		}
		if m.Data1 < 120 { // a controller, not a channel mode message
			h.set(&h.ccs[at], m.Data2 > 0)
		}
	}
}

func (h *heldMIDI) set(b *bool, on bool) {
	switch {
	case on && !*b:
		h.n++
	case !on && *b:
		h.n--
	}
	*b = on
}

func (h *heldMIDI) pending() bool { return h.n > 0 }

// recordLoop moves recorded audio from the ring into the WAV file.
func (s *session) recordLoop(ctx context.Context, rec *SampleRing, w *wav.Writer, channels int) error {
	block := make([][]float32, channels)
	for c := range block {
		block[c] = make([]float32, 4096)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var werr error
	flush := func() {
		for {
			n := rec.Read(block)
			if n == 0 {
				return
			}
			var part [8][]float32
			for c := range block {
				part[c] = block[c][:n]
			}
			if werr == nil {
				werr = w.Write(part[:channels])
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			flush()
			if err := w.Close(); werr == nil {
				werr = err
			}
			return werr
		case <-tick.C:
			flush()
		}
	}
}

// rateWindow measures firing rates over the sound played between two looks at an
// engine's Stats, not the time passed: a stream renders in bursts (a clock's wake-ups, a
// device's periods), which the wall clock would turn into a jittering rate.
type rateWindow struct {
	patch  int
	frames int64
	spikes []uint64
	begun  bool
}

// next starts a new window at st (patch i's stats) and returns the spike counts at the
// start of the one it ends and its length in seconds of sound; ok is false when there is
// no such window (the first look, a new patch) or no sound was played in it.
func (w *rateWindow) next(i int, st emu.Stats, rate float64) (last []uint64, seconds float64, ok bool) {
	fresh := !w.begun || i != w.patch || len(w.spikes) != len(st.Spikes)
	last, seconds = w.spikes, float64(st.Frames-w.frames)/rate
	if !fresh && seconds <= 0 {
		return nil, 0, false // keep the window open until sound is played
	}
	w.patch, w.frames, w.spikes, w.begun = i, st.Frames, st.Spikes, true
	return last, seconds, !fresh
}

// statusLoop redraws the one-line status: per neuron current, rate and state, then
// xruns, dropped events and callback load.
func (s *session) statusLoop(ctx context.Context, streamStats func() StreamStats) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var line []byte
	var since rateWindow
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			i := s.player.Playing()
			p := s.opt.Patches[i]
			st := s.player.Engine(i).Stats()
			last, dt, ok := since.next(i, st, s.opt.SampleRate)
			if !ok {
				continue // a new patch, or nothing played (a stream stalled): the line stays as it was
			}
			// Built in a reused buffer with strconv, not fmt, to feed the garbage
			// collector little while the sound plays: only Stats allocates (a spike count
			// and a current per neuron), four times a second.
			line = append(line[:0], '\r')
			line = append(line, p.Name...)
			for k, name := range p.NeuronNames {
				rate := float64(st.Spikes[k]-last[k]) / dt
				line = append(line, " | "...)
				line = append(line, name...)
				line = append(line, " I="...)
				line = strconv.AppendFloat(line, st.Current[k], 'f', 2, 64)
				line = append(line, ' ')
				if n := p.Engine.Neurons[k].Population.Count; n > 1 {
					// A population's rate is its members' average; the count says so.
					line = strconv.AppendFloat(line, rate/float64(n), 'f', 1, 64)
					line = append(line, "/s ×"...)
					line = strconv.AppendInt(line, int64(n), 10)
					line = append(line, ' ')
				} else {
					line = strconv.AppendFloat(line, rate, 'f', 0, 64)
					line = append(line, "/s "...)
				}
				if rate > 0 {
					line = append(line, "firing"...)
				} else {
					line = append(line, "rest"...)
				}
			}
			if streamStats != nil {
				ss := streamStats()
				line = append(line, " | xruns "...)
				line = strconv.AppendUint(line, ss.Xruns, 10)
				line = append(line, " load "...)
				line = strconv.AppendFloat(line, 100*ss.LoadP99, 'f', 0, 64)
				line = append(line, '%')
			}
			line = append(line, " | dropped "...)
			line = strconv.AppendUint(line, st.DroppedEvents+s.midiDropped.Load(), 10)
			line = append(line, "\033[K"...)
			s.opt.Status.Write(line)
		}
	}
}
