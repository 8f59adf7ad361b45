package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gitlab.com/gomidi/midi/v2/drivers"

	"github.com/separatrix-audio/separatrix/io/live"
	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

type midiConfig struct {
	Driver  string
	Ins     []string // names (parts of names), or "all"
	Out     string
	Virtual bool
	// Wait, for named ports, waits for a port that is not there yet (a device plugged
	// in later, an installation started before its knob) instead of failing.
	Wait bool
}

// midiSession holds the driver and the ports of a play session.
type midiSession struct {
	cfg     midiConfig
	say     func(string, ...any)
	driver  drivers.Driver
	outs    []*mididrv.Output
	inputs  []*mididrv.Input
	mu      sync.Mutex
	handler func(midimap.Msg)

	// With "all" in an installation: the inputs already listened to or refused, by
	// name (under mu), and the scan for new ones (stopped by closeInputs).
	followed           map[string]bool
	scanStop, scanDone chan struct{}
}

// openMIDI opens the driver and the output ports. With nothing asked for it opens
// nothing. With no MIDI system, asking for "all" inputs only says so (the sound goes
// on); asking for a named port is an error.
func openMIDI(cfg midiConfig, say func(string, ...any)) (*midiSession, error) {
	s := &midiSession{cfg: cfg, say: say, followed: map[string]bool{}}
	if len(cfg.Ins) == 0 && cfg.Out == "" && !cfg.Virtual {
		return s, nil
	}
	d, err := mididrv.Open(cfg.Driver)
	if err != nil {
		if cfg.Out == "" && !cfg.Virtual && onlyAll(cfg.Ins) {
			say("%v; playing without MIDI", err)
			return s, nil
		}
		return nil, err
	}
	s.driver = d
	status := mididrv.Options{Status: func(st mididrv.Status) { say("%s", st) }, Wait: cfg.Wait}
	if cfg.Out != "" {
		o, err := mididrv.OpenOutput(d, cfg.Out, status)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.outs = append(s.outs, o)
	}
	if cfg.Virtual {
		o, err := mididrv.OpenVirtualOutput(d, "out", status)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("creating the virtual MIDI output: %w", err)
		}
		s.outs = append(s.outs, o)
	}
	return s, nil
}

func onlyAll(ins []string) bool {
	for _, q := range ins {
		if q != "all" {
			return false
		}
	}
	return true
}

// Connect opens the inputs, delivering their messages to handle. With "all" and
// midiConfig.Wait (an installation), inputs that appear later (a controller plugged in
// after the start) are looked for every few seconds and listened to as well.
func (s *midiSession) Connect(handle func(midimap.Msg)) (func(), error) {
	if s.driver == nil {
		return func() {}, nil
	}
	h := func(m midimap.Msg, _ time.Time) { handle(m) }
	status := mididrv.Options{Status: func(st mididrv.Status) { s.say("%s", st) }, Wait: s.cfg.Wait}
	var queries []string
	all := false
	for _, q := range s.cfg.Ins {
		if q != "all" {
			queries = append(queries, q)
			continue
		}
		all = true
		ins, err := s.otherInputs()
		if err != nil {
			s.say("cannot list MIDI inputs: %v", err)
			continue
		}
		if len(ins) == 0 {
			s.say("no MIDI inputs to listen to")
		}
		queries = append(queries, ins...)
	}
	for _, q := range queries {
		if err := s.listen(q, h, status); err != nil {
			var me *mididrv.MatchError
			if errors.As(err, &me) || !onlyAll(s.cfg.Ins) {
				s.closeInputs()
				return nil, err
			}
			s.say("MIDI input %q: %v", q, err)
		}
	}
	if s.cfg.Virtual {
		in, err := mididrv.OpenVirtualInput(s.driver, "in", h, status)
		if err != nil {
			s.closeInputs()
			return nil, fmt.Errorf("creating the virtual MIDI input: %w", err)
		}
		s.mu.Lock()
		s.inputs = append(s.inputs, in)
		s.mu.Unlock()
	}
	if all && s.cfg.Wait {
		s.scanStop, s.scanDone = make(chan struct{}), make(chan struct{})
		go s.scan(h, status)
	}
	return s.closeInputs, nil
}

// otherInputs lists the driver's inputs but Separatrix's own.
func (s *midiSession) otherInputs() ([]string, error) {
	ins, _, err := mididrv.Ports(s.driver)
	var others []string
	for _, name := range ins {
		if !strings.HasPrefix(name, "separatrix") { // not our own ports
			others = append(others, name)
		}
	}
	return others, err
}

// listen opens the input query names and follows it.
func (s *midiSession) listen(query string, h mididrv.Handler, status mididrv.Options) error {
	in, err := mididrv.OpenInput(s.driver, query, h, status)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.inputs = append(s.inputs, in)
	s.followed[query] = true
	s.mu.Unlock()
	s.say("MIDI in: %s", in.Port())
	return nil
}

// scanEvery is how often "all" looks for inputs that were not there before.
const scanEvery = 3 * time.Second

// scan listens to every new input until closeInputs.
func (s *midiSession) scan(h mididrv.Handler, status mididrv.Options) {
	defer close(s.scanDone)
	tick := time.NewTicker(scanEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.scanStop:
			return
		case <-tick.C:
		}
		ins, err := s.otherInputs()
		if err != nil {
			continue // the MIDI system away: the inputs already open wait for it
		}
		for _, name := range ins {
			s.mu.Lock()
			known := s.followed[name]
			s.mu.Unlock()
			if !known {
				if err := s.listen(name, h, status); err != nil {
					s.say("MIDI input %q: %v", name, err)
					s.mu.Lock()
					s.followed[name] = true // said once; not tried again every few seconds
					s.mu.Unlock()
				}
			}
		}
	}
}

func (s *midiSession) closeInputs() {
	if s.scanStop != nil {
		close(s.scanStop)
		<-s.scanDone
		s.scanStop = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.inputs {
		in.Close()
	}
	s.inputs = nil
}

// ports names the inputs listened to and the output sent to ("" for a port gone), and
// whether every one is there (for the health check). Safe from any goroutine.
func (s *midiSession) ports() (ins []string, out string, connected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	connected = true
	for _, in := range s.inputs {
		p := in.Port()
		connected = connected && p != ""
		ins = append(ins, p)
	}
	var outs []string
	for _, o := range s.outs {
		p := o.Port()
		connected = connected && p != ""
		outs = append(outs, p)
	}
	return ins, strings.Join(outs, ", "), connected
}

// Output is where spike notes go: every output port, or nil for none.
func (s *midiSession) Output() live.MIDIOut {
	if len(s.outs) == 0 {
		return nil
	}
	return multiOut(s.outs)
}

type multiOut []*mididrv.Output

func (m multiOut) Send(msg midimap.Msg) error {
	var first error
	for _, o := range m {
		if err := o.Send(msg); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Close closes the ports and the driver (after the session has sent its note-offs).
func (s *midiSession) Close() {
	s.closeInputs()
	for _, o := range s.outs {
		o.Close()
	}
	s.outs = nil
	if s.driver != nil {
		s.driver.Close()
		s.driver = nil
	}
}
