package mididrv

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2/drivers"
)

// ErrDisconnected: the Output's port is gone and no port matching its query has come
// back yet; the message was not sent.
var ErrDisconnected = errors.New("mididrv: MIDI output disconnected; message not sent")

// Output sends to one MIDI output port found by a query, and follows it like an Input
// does its port. It remembers which notes it left sounding, so that AllNotesOff and a
// reconnection can release them. Its methods are safe for concurrent use.
type Output struct {
	link
	out          drivers.Out   // the open port, under mu; nil while gone
	buf          [3]byte       // the message being sent, under mu
	held         [16][2]uint64 // notes sounding, a bit per key, per channel; under mu
	sent, failed uint64        // under mu
}

// OutputStats counts what an Output sent.
type OutputStats struct {
	Sent   uint64 // messages the driver accepted
	Failed uint64 // messages refused: disconnected, or the driver failed
}

// OpenOutput opens the output of d that Match(outputs, query) picks. If no output
// matches, it fails with a *MatchError (which lists the outputs), unless opt.Wait.
func OpenOutput(d drivers.Driver, query string, opt Options) (*Output, error) {
	o := &Output{}
	o.link = link{d: d, dir: "output", query: query, opt: opt, open: o.openPort, attach: o.attachPort, detach: o.detachPort}
	if err := o.start(); err != nil {
		return nil, err
	}
	return o, nil
}

// OpenVirtualOutput creates an output port named name that other programs connect to
// (jackmidi: "separatrix:NAME"). If the driver can tell that the port died (jackmidi:
// its JACK server quit), it is created again under the same name as soon as the driver
// can connect, and opt.Status is told both; Send fails with ErrDisconnected meanwhile.
func OpenVirtualOutput(d drivers.Driver, name string, opt Options) (*Output, error) {
	o := &Output{}
	o.link = link{d: d, dir: "output", query: name, opt: opt, open: o.openVirtual, attach: o.attachPort, detach: o.detachPort}
	p, _, err := o.openVirtual(name)
	if err != nil {
		return nil, err
	}
	o.startVirtual(p, nil)
	return o, nil
}

// openVirtual creates the virtual output port name.
func (o *Output) openVirtual(name string) (drivers.Port, func(), error) {
	v, ok := o.d.(interface {
		OpenVirtualOut(string) (drivers.Out, error)
	})
	if !ok {
		return nil, nil, fmt.Errorf("MIDI driver %s %w", o.d, errNoVirtual)
	}
	p, err := v.OpenVirtualOut(name)
	if err != nil {
		return nil, nil, err
	}
	return p, nil, nil
}

func (o *Output) openPort(name string) (drivers.Port, func(), error) {
	outs, err := o.d.Outs()
	if err != nil {
		return nil, nil, err
	}
	for _, p := range outs {
		if p.String() == name {
			if err := p.Open(); err != nil {
				return nil, nil, err
			}
			return p, nil, nil
		}
	}
	return nil, nil, fmt.Errorf("MIDI output %q is gone", name)
}

// attachPort takes a newly opened port into use and releases the notes left sounding
// when the last one went away (the receiver may still be holding them). mu is held.
func (o *Output) attachPort(p drivers.Port) {
	o.out = p.(drivers.Out)
	for ch := range o.held {
		o.release(ch + 1)
	}
}

func (o *Output) detachPort() { o.out = nil }

// Send sends one channel message. It does not allocate and does not block beyond a
// mutex and the driver's Send (jackmidi: a copy into a ring buffer). It fails with
// ErrDisconnected while the port is gone, and for anything but a complete channel
// message (status 0x80..0xEF, data bytes below 0x80).
func (o *Output) Send(m midimap.Msg) error {
	n := msgLen(m.Status)
	if m.Status < 0x80 || m.Status >= 0xF0 || m.Data1 > 0x7F || (n == 3 && m.Data2 > 0x7F) {
		return fmt.Errorf("mididrv: Send %v: not a channel message", m)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.send(m, n)
}

// send sends m (n bytes) and keeps track of held notes. mu is held.
func (o *Output) send(m midimap.Msg, n int) error {
	if o.out == nil {
		o.failed++
		return ErrDisconnected
	}
	o.buf = [3]byte{m.Status, m.Data1, m.Data2}
	if err := o.out.Send(o.buf[:n]); err != nil {
		o.failed++
		return err
	}
	o.sent++
	ch, key := m.Status&0x0F, m.Data1
	bit := uint64(1) << (key & 63)
	switch m.Status & 0xF0 {
	case 0x90:
		if m.Data2 > 0 {
			o.held[ch][key>>6] |= bit
			break
		}
		fallthrough
	case 0x80:
		o.held[ch][key>>6] &^= bit
	case 0xB0:
		if key == 120 || key == 123 { // all sound off, all notes off
			o.held[ch] = [2]uint64{}
		}
	}
	return nil
}

// release sends a note-off for every note held on channel ch (1..16). mu is held.
func (o *Output) release(ch int) error {
	var first error
	for w := range o.held[ch-1] {
		for bitsLeft := o.held[ch-1][w]; bitsLeft != 0; bitsLeft &= bitsLeft - 1 {
			key := w*64 + bits.TrailingZeros64(bitsLeft)
			if err := o.send(midimap.NoteOff(ch, key), 3); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// AllNotesOff silences channels (1..16; nil or empty means all 16): a note-off for
// every note this Output left sounding there, then All Notes Off (controller 123), for
// receivers that track notes themselves. It returns the first error, having tried
// everything.
func (o *Output) AllNotesOff(channels []int) error {
	for _, ch := range channels {
		if ch < 1 || ch > 16 {
			return fmt.Errorf("mididrv: AllNotesOff: channel %d is not in 1..16", ch)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var first error
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	one := func(ch int) {
		note(o.release(ch))
		note(o.send(midimap.ControlChange(ch, 123, 0), 3))
	}
	if len(channels) == 0 {
		for ch := 1; ch <= 16; ch++ {
			one(ch)
		}
	}
	for _, ch := range channels {
		one(ch)
	}
	return first
}

// Port returns the name of the output sent to, or "" while it is gone.
func (o *Output) Port() string { return o.link.Port() }

// Stats returns the counts so far.
func (o *Output) Stats() OutputStats {
	o.mu.Lock()
	defer o.mu.Unlock()
	return OutputStats{Sent: o.sent, Failed: o.failed}
}

// Close closes the port. It does not silence anything: call AllNotesOff first.
func (o *Output) Close() error {
	o.close()
	return nil
}
