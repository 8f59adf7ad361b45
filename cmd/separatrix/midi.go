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
}

// openMIDI opens the driver and the output ports. With nothing asked for it opens
// nothing. With no MIDI system, asking for "all" inputs only says so (the sound goes
// on); asking for a named port is an error.
func openMIDI(cfg midiConfig, say func(string, ...any)) (*midiSession, error) {
	s := &midiSession{cfg: cfg, say: say}
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

// Connect opens the inputs, delivering their messages to handle.
func (s *midiSession) Connect(handle func(midimap.Msg)) (func(), error) {
	if s.driver == nil {
		return func() {}, nil
	}
	h := func(m midimap.Msg, _ time.Time) { handle(m) }
	status := mididrv.Options{Status: func(st mididrv.Status) { s.say("%s", st) }, Wait: s.cfg.Wait}
	var queries []string
	for _, q := range s.cfg.Ins {
		if q != "all" {
			queries = append(queries, q)
			continue
		}
		ins, _, err := mididrv.Ports(s.driver)
		if err != nil {
			s.say("cannot list MIDI inputs: %v", err)
			continue
		}
		if len(ins) == 0 {
			s.say("no MIDI inputs to listen to")
		}
		for _, name := range ins {
			if !strings.HasPrefix(name, "separatrix") { // not our own ports
				queries = append(queries, name)
			}
		}
	}
	for _, q := range queries {
		in, err := mididrv.OpenInput(s.driver, q, h, status)
		if err != nil {
			var me *mididrv.MatchError
			if errors.As(err, &me) || !onlyAll(s.cfg.Ins) {
				s.closeInputs()
				return nil, err
			}
			s.say("MIDI input %q: %v", q, err)
			continue
		}
		s.mu.Lock()
		s.inputs = append(s.inputs, in)
		s.mu.Unlock()
		s.say("MIDI in: %s", in.Port())
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
	return s.closeInputs, nil
}

func (s *midiSession) closeInputs() {
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
