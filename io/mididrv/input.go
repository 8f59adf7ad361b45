package mididrv

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2/drivers"
)

// Handler receives one channel message and the time it arrived. Calls for one Input
// never overlap; they come from the driver's goroutine or thread, so a Handler should
// hand the message on (to a queue the engine drains) rather than work on it.
type Handler func(m midimap.Msg, when time.Time)

// Input listens to one MIDI input port found by a query, and follows it: if the port
// goes away, Status is told and a port matching the same query is looked for every
// poll and listened to when it appears. Its methods are safe for concurrent use.
type Input struct {
	link
	h        Handler
	received atomic.Uint64
	ignored  atomic.Uint64
}

// InputStats counts what an Input's ports delivered.
type InputStats struct {
	Received uint64 // channel messages passed to the Handler
	Ignored  uint64 // system exclusive, system common, real time, malformed
	Dropped  uint64 // lost by the driver (jackmidi's queue overflowing), for the open port
}

// listenConfig lets system exclusive through to be counted; clock and active
// sensing, which would swamp the count, are dropped by the driver.
var listenConfig = drivers.ListenConfig{SysEx: true}

// OpenInput listens to the input of d that Match(inputs, query) picks, passing each
// channel message to h. If no input matches, it fails with a *MatchError (which lists
// the inputs), unless opt.Wait.
func OpenInput(d drivers.Driver, query string, h Handler, opt Options) (*Input, error) {
	if h == nil {
		panic("mididrv: OpenInput with a nil Handler")
	}
	in := &Input{h: h}
	in.link = link{d: d, dir: "input", query: query, opt: opt, open: in.openPort}
	if err := in.start(); err != nil {
		return nil, err
	}
	return in, nil
}

// OpenVirtualInput creates an input port named name that other programs connect to
// (jackmidi: "separatrix:NAME" for a DAW or jack_connect; rtmidi: an ALSA sequencer or
// CoreMIDI port). If the driver can tell that the port died (jackmidi: its JACK server
// quit), it is created again under the same name as soon as the driver can connect,
// and opt.Status is told both.
func OpenVirtualInput(d drivers.Driver, name string, h Handler, opt Options) (*Input, error) {
	if h == nil {
		panic("mididrv: OpenVirtualInput with a nil Handler")
	}
	in := &Input{h: h}
	in.link = link{d: d, dir: "input", query: name, opt: opt, open: in.openVirtual}
	p, stop, err := in.openVirtual(name)
	if err != nil {
		return nil, err
	}
	in.startVirtual(p, stop)
	return in, nil
}

// openVirtual creates the virtual input port name and listens to it.
func (in *Input) openVirtual(name string) (drivers.Port, func(), error) {
	v, ok := in.d.(interface {
		OpenVirtualIn(string) (drivers.In, error)
	})
	if !ok {
		return nil, nil, fmt.Errorf("MIDI driver %s %w", in.d, errNoVirtual)
	}
	p, err := v.OpenVirtualIn(name)
	if err != nil {
		return nil, nil, err
	}
	stop, err := in.listen(p)
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	return p, stop, nil
}

func (in *Input) openPort(name string) (drivers.Port, func(), error) {
	ins, err := in.d.Ins()
	if err != nil {
		return nil, nil, err
	}
	for _, p := range ins {
		if p.String() != name {
			continue
		}
		if err := p.Open(); err != nil {
			return nil, nil, err
		}
		stop, err := in.listen(p)
		if err != nil {
			p.Close()
			return nil, nil, err
		}
		return p, stop, nil
	}
	return nil, nil, fmt.Errorf("MIDI input %q is gone", name)
}

// listen starts p calling in.deliver, with the arrival time the driver knows best.
func (in *Input) listen(p drivers.In) (func(), error) {
	if t, ok := p.(interface {
		ListenTimed(func([]byte, time.Time), drivers.ListenConfig) (func(), error)
	}); ok {
		return t.ListenTimed(in.deliver, listenConfig)
	}
	return p.Listen(func(msg []byte, _ int32) { in.deliver(msg, time.Now()) }, listenConfig)
}

func (in *Input) deliver(msg []byte, when time.Time) {
	m, ok := toMsg(msg)
	if !ok {
		in.ignored.Add(1)
		return
	}
	in.received.Add(1)
	in.h(m, when)
}

// toMsg converts one complete channel message; anything else is not ok.
func toMsg(b []byte) (midimap.Msg, bool) {
	if len(b) == 0 || b[0] < 0x80 || b[0] >= 0xF0 || len(b) != msgLen(b[0]) {
		return midimap.Msg{}, false
	}
	m := midimap.Msg{Status: b[0]}
	if len(b) > 1 {
		m.Data1 = b[1]
	}
	if len(b) > 2 {
		m.Data2 = b[2]
	}
	if m.Data1 > 0x7F || m.Data2 > 0x7F {
		return midimap.Msg{}, false
	}
	return m, true
}

// msgLen is the length of a channel message with the given status byte.
func msgLen(status byte) int {
	if s := status & 0xF0; s == 0xC0 || s == 0xD0 {
		return 2
	}
	return 3
}

// Port returns the name of the input listened to, or "" while it is gone.
func (in *Input) Port() string { return in.link.Port() }

// Stats returns the counts so far.
func (in *Input) Stats() InputStats {
	s := InputStats{Received: in.received.Load(), Ignored: in.ignored.Load()}
	in.mu.Lock()
	p := in.port
	in.mu.Unlock()
	if d, ok := p.(interface{ Dropped() uint64 }); ok {
		s.Dropped = d.Dropped()
	}
	return s
}

// Close stops listening and closes the port. The Handler is not called once Close
// has returned (unless Close was called from inside it).
func (in *Input) Close() error {
	in.close()
	return nil
}
