package mididrv

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/separatrix-audio/separatrix/io/mididrv/jackmidi"
	"gitlab.com/gomidi/midi/v2/drivers"
)

// DefaultPoll is how often a lost port is looked for, and an open one checked.
const DefaultPoll = 500 * time.Millisecond

// Options configure OpenInput and OpenOutput. The zero value is the default.
type Options struct {
	// Status, if not nil, is told when the port goes away, comes back, or cannot be
	// reopened: once per change, never once per poll. It is called on a goroutine of
	// the Input's or Output's own, one call at a time, and may block it.
	Status func(Status)
	// Poll is how often a lost port is looked for and an open one checked; 0 means
	// DefaultPoll.
	Poll time.Duration
	// Wait, if no port matches at open, waits for one (reporting Waiting) instead of
	// failing with a *MatchError. An ambiguous query fails either way.
	Wait bool
}

// Event is what happened to a port, in a Status.
type Event uint8

const (
	// Gone: the port went away (unplugged, its program quit, the JACK server
	// stopped). A port matching the same query is looked for every poll.
	Gone Event = iota + 1
	// Back: a port matching the query was found again and opened.
	Back
	// Failed: a port matches but cannot be opened, or the driver cannot list its
	// ports, two polls in a row; it is tried again every poll.
	Failed
	// Waiting: (Options.Wait) no port matches yet.
	Waiting
)

// Status is a change in an Input's or Output's connection.
type Status struct {
	Event Event
	Dir   string // "input" or "output"
	Port  string // the port concerned ("" for Waiting, or when listing failed)
	Query string // what the port is found by
	Err   error  // Failed: why
	// Virtual: the port is one of ours (OpenVirtualInput, OpenVirtualOutput), created
	// again when its MIDI system comes back rather than looked for.
	Virtual bool
}

func (s Status) String() string {
	if s.Virtual {
		switch s.Event {
		case Gone:
			return fmt.Sprintf("MIDI %s port %q is gone (its MIDI system stopped); creating it again when it can", s.Dir, s.Port)
		case Back:
			return fmt.Sprintf("MIDI %s port %q created again", s.Dir, s.Port)
		case Failed:
			return fmt.Sprintf("cannot create MIDI %s port %q again: %v; retrying", s.Dir, s.Port, s.Err)
		}
	}
	switch s.Event {
	case Gone:
		return fmt.Sprintf("MIDI %s %q is gone; waiting for a port matching %q", s.Dir, s.Port, s.Query)
	case Back:
		return fmt.Sprintf("MIDI %s %q connected (matches %q)", s.Dir, s.Port, s.Query)
	case Failed:
		if s.Port == "" {
			return fmt.Sprintf("cannot list MIDI %ss: %v; retrying", s.Dir, s.Err)
		}
		return fmt.Sprintf("MIDI %s %q matches %q but cannot be opened: %v; retrying", s.Dir, s.Port, s.Query, s.Err)
	case Waiting:
		return fmt.Sprintf("no MIDI %s matches %q yet; waiting for one", s.Dir, s.Query)
	}
	return fmt.Sprintf("MIDI %s %q: event %d", s.Dir, s.Port, s.Event)
}

// link keeps one port open by query: the part an Input and an Output share.
type link struct {
	d       drivers.Driver
	dir     string // "input" or "output"
	query   string // what the port is found by; a virtual port's own name
	virtual bool   // the port is ours: created again, not looked for
	opt     Options

	// Set by the Input or Output. open opens the port named name and starts using
	// it; attach and detach run with mu held when the port is taken into use and
	// before it is closed.
	open   func(name string) (port drivers.Port, stop func(), err error)
	attach func(p drivers.Port)
	detach func()

	mu      sync.Mutex
	port    drivers.Port // nil while gone
	stop    func()       // stops listening (Input)
	last    string       // the port last open
	closed  bool
	lastErr string // the last failure, and how many polls in a row it happened
	fails   int

	quit chan struct{}
	done chan struct{}
}

func (l *link) names() ([]string, error) {
	if l.dir == "input" {
		return inNames(l.d)
	}
	return outNames(l.d)
}

// start opens the first port and starts the watcher; with Options.Wait a missing port
// is waited for.
func (l *link) start() error {
	if l.opt.Poll <= 0 {
		l.opt.Poll = DefaultPoll
	}
	names, err := l.names()
	if err != nil {
		return err
	}
	name, err := match(names, l.query, l.dir)
	if err != nil {
		if me, ok := err.(*MatchError); !ok || len(me.Matches) > 1 || !l.opt.Wait {
			return err
		}
		l.report(Status{Event: Waiting})
	} else if err := l.connect(name); err != nil {
		return err
	}
	l.quit, l.done = make(chan struct{}), make(chan struct{})
	go l.watch()
	return nil
}

// startVirtual takes an open virtual port into use and starts the watcher, which
// creates the port again if its MIDI system drops it (a JACK server that quit).
func (l *link) startVirtual(p drivers.Port, stop func()) {
	if l.opt.Poll <= 0 {
		l.opt.Poll = DefaultPoll
	}
	l.virtual = true
	l.mu.Lock()
	l.use(p, stop)
	l.mu.Unlock()
	l.quit, l.done = make(chan struct{}), make(chan struct{})
	go l.watch()
}

func (l *link) use(p drivers.Port, stop func()) {
	l.port, l.stop, l.last = p, stop, p.String()
	l.lastErr, l.fails = "", 0
	if l.attach != nil {
		l.attach(p)
	}
}

func (l *link) connect(name string) error {
	p, stop, err := l.open(name)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		if stop != nil {
			stop()
		}
		p.Close()
		return nil
	}
	l.use(p, stop)
	return nil
}

// take stops using the port and returns it and its stop function, for the caller to
// shut after unlocking mu (which is held): a listener still running may want mu.
func (l *link) take() (drivers.Port, func()) {
	p, stop := l.port, l.stop
	if p != nil && l.detach != nil {
		l.detach()
	}
	l.port, l.stop = nil, nil
	return p, stop
}

func shut(p drivers.Port, stop func()) {
	if stop != nil {
		stop()
	}
	if p != nil {
		p.Close()
	}
}

func (l *link) watch() {
	defer close(l.done)
	t := time.NewTicker(l.opt.Poll)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			l.check()
		}
	}
}

// check reopens a lost port, or finds that the open one is lost.
func (l *link) check() {
	l.mu.Lock()
	p := l.port
	l.mu.Unlock()
	if p != nil {
		if l.alive(p) {
			return
		}
		l.mu.Lock()
		if l.port != p {
			l.mu.Unlock()
			return
		}
		_, stop := l.take()
		l.mu.Unlock()
		shut(p, stop)
		l.report(Status{Event: Gone, Port: p.String()})
		// Look for it again at once: it may have come back already.
	}
	if l.virtual {
		if err := l.connect(l.query); err != nil {
			if !errors.Is(err, jackmidi.ErrNoServer) { // the Gone report said as much
				l.fail(l.last, err) // the port's full name, as Gone and Back give it
			}
			return
		}
		l.report(Status{Event: Back, Port: l.Port()})
		return
	}
	names, err := l.names()
	if err != nil {
		l.fail("", err)
		return
	}
	name := l.last
	if !slices.Contains(names, name) {
		if name, err = match(names, l.query, l.dir); err != nil {
			return // nothing (or too much) matches yet
		}
	}
	if err := l.connect(name); err != nil {
		l.fail(name, err)
		return
	}
	l.report(Status{Event: Back, Port: name})
}

// alive reports whether an open port still works: drivers that can tell (jackmidi's
// ports have an Alive method) are asked; otherwise the port must still be listed.
func (l *link) alive(p drivers.Port) bool {
	if a, ok := p.(interface{ Alive() bool }); ok {
		return a.Alive()
	}
	if l.virtual {
		return true // our own port, which a driver may not list: cannot tell
	}
	names, err := l.names()
	if err != nil {
		return true // cannot tell; keep it
	}
	return slices.Contains(names, p.String())
}

// fail reports a failure that happened on two polls in a row, once: a port can be
// listed a moment before its program is ready to be connected to.
func (l *link) fail(port string, err error) {
	msg := port + ": " + err.Error()
	l.mu.Lock()
	if msg != l.lastErr {
		l.lastErr, l.fails = msg, 0
	}
	l.fails++
	n := l.fails
	l.mu.Unlock()
	if n == 2 {
		l.report(Status{Event: Failed, Port: port, Err: err})
	}
}

func (l *link) report(s Status) {
	if l.opt.Status == nil {
		return
	}
	s.Dir, s.Query, s.Virtual = l.dir, l.query, l.virtual
	l.opt.Status(s)
}

// Port returns the name of the open port, or "" while it is gone.
func (l *link) Port() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.port == nil {
		return ""
	}
	return l.port.String()
}

// close stops the watcher and closes the port.
func (l *link) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	if l.quit != nil {
		close(l.quit)
		<-l.done
	}
	l.mu.Lock()
	p, stop := l.take()
	l.mu.Unlock()
	shut(p, stop)
}
