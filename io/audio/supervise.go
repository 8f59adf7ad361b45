package audio

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// SuperviseOptions configure Supervise. Open is required; the zero value of every
// other field is a sensible default.
type SuperviseOptions struct {
	// Open opens the device: Open, OpenJACK, or a function around them.
	Open func(Config, Process) (Stream, error)
	// Reopen opens the device again after a loss; nil means Open. (A PortAudio
	// device needs PortAudio restarted to be seen again: Reopen.)
	Reopen func(Config, Process) (Stream, error)
	// Status, if not nil, is told in one line when the device is lost, when it plays
	// again, and when reopening it fails for a reason other than its absence (once per
	// reason). It is called from the supervisor's goroutine, or from Supervise.
	Status func(msg string)
	// WaitAtStart: when the device cannot be opened at start with an error matching
	// ErrNoDevice (no JACK server yet, no sound card), play on the clock and keep
	// looking for it, instead of failing.
	WaitAtStart bool
	// Retry is how often a lost device is looked for; 0 means 1 s. After a failure
	// other than the device's absence (a name that matches nothing yet, another sample
	// rate) it waits five times as long: each attempt may register a client.
	Retry time.Duration
	// Stall is how long a device may go without calling back before it counts as
	// lost; 0 means max(500 ms, 8 periods).
	Stall time.Duration
	// CloseTimeout bounds the wait for a device to close; one that takes longer is
	// left behind (its Close goes on in the background). 0 means 300 ms.
	CloseTimeout time.Duration
}

// Supervise opens a device stream that outlives its device. While the device plays,
// it calls p as the device asks. When the device goes away (a JACK server quits: the
// stream's Lost channel; any device that stops calling back for Stall: a stall), it
// says so through Status, lets a clock call p at the device's pace instead (so the
// program's state and its MIDI go on) and tries to open the device again every Retry;
// when that succeeds at the same sample rate, the device plays again.
//
// p is never called by two streams at once, and never by a stream that was replaced
// (a stalled device that wakes up later gets silence). A device found again is opened
// and started on a goroutine of its own, playing silence until it takes over from the
// clock, so a device that hangs while it starts holds nothing up; and Close returns
// within about CloseTimeout whatever state the device is in. (Supervise and Start
// themselves wait for the device's first Open and Start.)
//
// The errors are those of the first Open, except that with WaitAtStart an error
// matching ErrNoDevice starts the stream on the clock.
func Supervise(cfg Config, p Process, opt SuperviseOptions) (*Supervised, error) {
	if p == nil || opt.Open == nil {
		panic("audio: Supervise needs a Process and an Open function")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if opt.Retry <= 0 {
		opt.Retry = time.Second
	}
	if opt.CloseTimeout <= 0 {
		opt.CloseTimeout = 300 * time.Millisecond
	}
	if opt.Status == nil {
		opt.Status = func(string) {}
	}
	if opt.Reopen == nil {
		opt.Reopen = opt.Open
	}
	s := &Supervised{cfg: cfg, p: p, opt: opt, quit: make(chan struct{}), done: make(chan struct{})}
	dev, err := opt.Open(cfg, s.gate(1))
	switch {
	case err == nil:
		s.dev, s.onDevice = dev, true
		s.desc = dev.Description()
		s.cfg.SampleRate, s.cfg.Buffer = dev.SampleRate(), dev.Buffer()
	case opt.WaitAtStart && errors.Is(err, ErrNoDevice):
		opt.Status(fmt.Sprintf("%v; the neuron and its MIDI go on without sound until there is one", err))
		s.lastErr = err.Error()
	default:
		return nil, err
	}
	s.gen.Store(1)
	return s, nil
}

// Supervised is the Stream Supervise returns.
type Supervised struct {
	cfg Config // the rate and buffer actually played
	p   Process
	opt SuperviseOptions

	gen  atomic.Uint64 // the generation of the stream allowed to call p
	busy atomic.Int32  // 1 while a stream is inside p

	mu       sync.Mutex // guards the fields below
	dev      Stream     // the device, while it plays (or before Start)
	clock    Stream     // the clock, while the device is lost
	onDevice bool
	desc     string // the device's description
	base     Stats  // counts of the streams already closed
	lastErr  string // the last reopening failure reported
	toldRT   bool   // the missing real-time priority was reported
	started  bool
	closed   bool

	quit, done chan struct{}
}

// gate wraps p for a stream of generation g: it calls p only while g is current and
// no other stream is inside p. A refused block stays silent (buffers arrive cleared).
func (s *Supervised) gate(g uint64) Process {
	return func(out [][]float32) {
		// A stream not (or no longer) current gives up before it touches busy, so
		// that it cannot make the current one skip a block.
		if s.gen.Load() != g || !s.busy.CompareAndSwap(0, 1) {
			return
		}
		if s.gen.Load() == g {
			s.p(out)
		}
		s.busy.Store(0)
	}
}

// retire makes generation g current and waits for a call of p in flight to return:
// from then on only a stream of generation g calls p.
func (s *Supervised) retire(g uint64) {
	s.gen.Store(g)
	for s.busy.Load() != 0 {
		runtime.Gosched() // p returns within a block's time
	}
}

// Start starts the device, or the clock if there is no device yet, and the supervisor.
func (s *Supervised) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkStart(s.closed, s.started); err != nil {
		return err
	}
	if s.onDevice {
		if err := s.dev.Start(); err != nil {
			return err
		}
	} else {
		s.startClockLocked()
	}
	s.started = true
	go s.run()
	if s.onDevice {
		go s.checkRealTime(s.dev)
	}
	return nil
}

// startClockLocked lets a clock call p, as generation gen+1.
func (s *Supervised) startClockLocked() {
	g := s.gen.Load() + 1
	c := OpenClock(s.cfg, s.gate(g))
	s.retire(g)
	c.Start()
	s.clock = c
}

// attempt is the result of a try to reopen the device: a stream of generation g,
// started and playing silence, or why there is none.
type attempt struct {
	s   Stream
	g   uint64
	err error
}

// otherRate is an attempt's error when the device plays at another sample rate.
type otherRate struct {
	desc       string
	rate, want float64
}

func (e *otherRate) Error() string {
	return fmt.Sprintf("audio: %s plays at %g Hz, but this session plays at %g Hz: restart to hear it (the neuron and its MIDI go on)", e.desc, e.rate, e.want)
}

// reopen opens and starts the device as generation g; it runs on a goroutine of its
// own, so that a device that hangs holds up nothing else.
func (s *Supervised) reopen(g uint64) attempt {
	st, err := s.opt.Reopen(s.cfg, s.gate(g))
	if err != nil {
		return attempt{err: err}
	}
	if st.SampleRate() != s.cfg.SampleRate {
		go closeWithin(st, s.opt.CloseTimeout)
		return attempt{err: &otherRate{st.Description(), st.SampleRate(), s.cfg.SampleRate}}
	}
	if err := st.Start(); err != nil {
		go closeWithin(st, s.opt.CloseTimeout)
		return attempt{err: err}
	}
	return attempt{s: st, g: g}
}

// run watches the device while it plays and looks for it while it is lost.
func (s *Supervised) run() {
	defer close(s.done)
	stall := s.opt.Stall
	if stall <= 0 {
		stall = max(500*time.Millisecond, time.Duration(8*float64(s.cfg.Buffer)/s.cfg.SampleRate*float64(time.Second)))
	}
	tick := time.NewTicker(min(stall/2, 250*time.Millisecond))
	defer tick.Stop()
	var (
		lastCallbacks uint64
		lastMove      = time.Now()
		nextTry       time.Time // when lost: the next reopening attempt
		trying        bool
		results       = make(chan attempt, 1)
	)
	for {
		s.mu.Lock()
		var lost <-chan struct{}
		if l, ok := s.dev.(interface{ Lost() <-chan struct{} }); ok && s.onDevice {
			lost = l.Lost()
		}
		onDevice := s.onDevice
		s.mu.Unlock()
		select {
		case <-s.quit:
			if trying {
				// An open still under way: close what it brings.
				go func() {
					if r := <-results; r.s != nil {
						r.s.Close()
					}
				}()
			}
			return
		case <-lost:
			s.lose("its server shut it down")
			nextTry = time.Now()
		case r := <-results:
			trying = false
			switch {
			case s.adopt(r):
				lastCallbacks, lastMove = 0, time.Now()
			case errors.Is(r.err, ErrNoDevice):
				nextTry = time.Now().Add(s.opt.Retry)
			default:
				nextTry = time.Now().Add(5 * s.opt.Retry)
			}
		case now := <-tick.C:
			if onDevice {
				s.mu.Lock()
				n := s.dev.Stats().Callbacks
				s.mu.Unlock()
				if n != lastCallbacks {
					lastCallbacks, lastMove = n, now
				} else if now.Sub(lastMove) > stall {
					s.lose(fmt.Sprintf("it asked for no audio for %.1f s", now.Sub(lastMove).Seconds()))
					nextTry = now.Add(s.opt.Retry)
				}
			} else if !trying && !now.Before(nextTry) {
				trying = true
				g := s.gen.Load() + 1
				go func() { results <- s.reopen(g) }()
			}
		}
	}
}

// lose replaces the lost device by the clock and closes the device in the background.
func (s *Supervised) lose(why string) {
	s.mu.Lock()
	if s.closed || !s.onDevice {
		s.mu.Unlock()
		return
	}
	dev := s.dev
	s.dev, s.onDevice = nil, false
	s.base = addStats(s.base, dev.Stats())
	s.startClockLocked()
	desc := s.desc
	s.mu.Unlock()
	s.opt.Status(fmt.Sprintf("audio: lost the %s (%s); the neuron and its MIDI go on without sound until it is back", desc, why))
	go closeWithin(dev, s.opt.CloseTimeout)
}

// adopt takes a reopened device, already started, into use, or reports why there is
// none. It returns whether the device plays.
func (s *Supervised) adopt(r attempt) bool {
	if r.err != nil {
		msg, key := r.err.Error(), r.err.Error()
		var o *otherRate
		if errors.As(r.err, &o) {
			key = fmt.Sprintf("rate %g", o.rate) // the same news whatever the device's name
		} else {
			msg = fmt.Sprintf("%s; trying again every %v", msg, 5*s.opt.Retry)
		}
		if key != s.lastErr && !errors.Is(r.err, ErrNoDevice) {
			s.lastErr = key
			s.opt.Status(msg)
		}
		return false
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		go closeWithin(r.s, s.opt.CloseTimeout)
		return false
	}
	clock := s.clock
	s.retire(r.g) // the device's calls take over from the clock's here
	s.base = addStats(s.base, clock.Stats())
	clock.Close()
	s.clock = nil
	s.dev, s.onDevice, s.desc, s.lastErr = r.s, true, r.s.Description(), ""
	s.mu.Unlock()
	s.opt.Status(fmt.Sprintf("audio: sound is back on the %s", r.s.Description()))
	s.checkRealTime(r.s)
	return true
}

// checkRealTime says once if a device renders without real-time priority.
func (s *Supervised) checkRealTime(dev Stream) {
	rt, ok := dev.(interface{ RealTime() bool })
	if !ok || rt.RealTime() {
		return
	}
	s.mu.Lock()
	told := s.toldRT
	s.toldRT = true
	s.mu.Unlock()
	if !told {
		s.opt.Status("audio: the system gives the rendering thread no real-time priority, so a busy machine will cause dropouts (allow it: add the user to the audio group, or see /etc/security/limits.d)")
	}
}

// closeWithin closes st, waiting at most d; a Close that takes longer goes on in the
// background and is reported as an error.
func closeWithin(st Stream, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- st.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("audio: %s did not close within %v; left it behind", st.Description(), d)
	}
}

func addStats(a, b Stats) Stats {
	a.Callbacks += b.Callbacks
	a.Xruns += b.Xruns
	a.Underruns += b.Underruns
	a.LoadMax = max(a.LoadMax, b.LoadMax)
	return a
}

// Close stops the supervisor and the stream playing now. It returns within about
// CloseTimeout, whatever the device does.
func (s *Supervised) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	started := s.started
	s.mu.Unlock()
	if started {
		close(s.quit)
		// The supervisor returns at once, unless it is telling Status something and
		// Status blocks (a terminal stopped with Ctrl-S): go on without it then.
		select {
		case <-s.done:
		case <-time.After(s.opt.CloseTimeout):
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retire(s.gen.Load() + 1) // no stream calls p any more
	var err error
	if s.clock != nil {
		s.base = addStats(s.base, s.clock.Stats())
		err = s.clock.Close()
		s.clock = nil
	}
	if s.dev != nil {
		s.base = addStats(s.base, s.dev.Stats())
		if e := closeWithin(s.dev, s.opt.CloseTimeout); err == nil {
			err = e
		}
		s.dev = nil
	}
	return err
}

// OnDevice reports whether the device plays (rather than the clock standing in).
func (s *Supervised) OnDevice() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onDevice
}

func (s *Supervised) SampleRate() float64 { return s.cfg.SampleRate }
func (s *Supervised) Buffer() int         { return s.cfg.Buffer }

// Description names the device, or says that it is missing.
func (s *Supervised) Description() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.onDevice:
		return s.desc
	case s.desc != "":
		return s.desc + " (lost; " + clockDescription + ")"
	}
	return clockDescription
}

// Latency is the device's latency while it plays; ok is false while the clock plays.
func (s *Supervised) Latency() (l Latency, ok bool) {
	s.mu.Lock()
	dev, on := s.dev, s.onDevice
	s.mu.Unlock()
	if !on || dev == nil {
		return Latency{}, false
	}
	return LatencyOf(dev)
}

// Stats sums the counts of every stream that has played; the loads are the current
// stream's (LoadMax the largest of all).
func (s *Supervised) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.base
	cur := s.dev
	if !s.onDevice {
		cur = s.clock
	}
	if cur != nil {
		c := cur.Stats()
		st = addStats(st, c)
		st.LoadP99 = c.LoadP99
	}
	return st
}
