//go:build cgo

package mididrv

import (
	"time"

	"gitlab.com/gomidi/midi/v2/drivers"
	"gitlab.com/gomidi/midi/v2/drivers/rtmididrv"
)

func init() {
	openers = append(openers, opener{"rtmidi", openRtmidi})
}

// openRtmidi opens rtmididrv and lists its ports once, so that "auto" moves on when
// the system's MIDI does not work.
func openRtmidi() (drivers.Driver, error) {
	if err := alsaSequencer(); err != nil {
		return nil, err
	}
	d, err := rtmididrv.New()
	if err != nil {
		return nil, sanitize(err, nil)
	}
	r := &rtDriver{d: d}
	if _, err := r.Ins(); err != nil {
		return nil, err
	}
	if _, err := r.Outs(); err != nil {
		return nil, err
	}
	return r, nil
}

// rtDriver is rtmididrv with every error passed through sanitize.
type rtDriver struct {
	d *rtmididrv.Driver
}

func clean(err error) error {
	if err == nil {
		return nil
	}
	return sanitize(err, alsaSequencer())
}

func (r *rtDriver) String() string { return r.d.String() }
func (r *rtDriver) Close() error   { return clean(r.d.Close()) }

func (r *rtDriver) Ins() ([]drivers.In, error) {
	if err := alsaSequencer(); err != nil {
		return nil, err
	}
	ins, err := r.d.Ins()
	if err != nil {
		return nil, clean(err)
	}
	for i, p := range ins {
		ins[i] = rtIn{p}
	}
	return ins, nil
}

func (r *rtDriver) Outs() ([]drivers.Out, error) {
	if err := alsaSequencer(); err != nil {
		return nil, err
	}
	outs, err := r.d.Outs()
	if err != nil {
		return nil, clean(err)
	}
	for i, p := range outs {
		outs[i] = rtOut{p}
	}
	return outs, nil
}

// OpenVirtualIn creates a port other programs can connect to (ALSA, CoreMIDI; not
// WinMM).
func (r *rtDriver) OpenVirtualIn(name string) (drivers.In, error) {
	p, err := r.d.OpenVirtualIn(name)
	if err != nil {
		return nil, clean(err)
	}
	return rtIn{p}, nil
}

// OpenVirtualOut creates a port other programs can connect to (ALSA, CoreMIDI; not
// WinMM).
func (r *rtDriver) OpenVirtualOut(name string) (drivers.Out, error) {
	p, err := r.d.OpenVirtualOut(name)
	if err != nil {
		return nil, clean(err)
	}
	return rtOut{p}, nil
}

type rtIn struct{ drivers.In }

func (p rtIn) Open() error  { return clean(p.In.Open()) }
func (p rtIn) Close() error { return clean(p.In.Close()) }
func (p rtIn) Listen(onMsg func([]byte, int32), cfg drivers.ListenConfig) (func(), error) {
	stop, err := p.In.Listen(onMsg, cfg)
	return stop, clean(err)
}

// ListenTimed stamps messages with the time the callback runs: RtMidi's own stamps are
// deltas rounded to milliseconds, which drift against the wall clock.
func (p rtIn) ListenTimed(onMsg func([]byte, time.Time), cfg drivers.ListenConfig) (func(), error) {
	return p.Listen(func(msg []byte, _ int32) { onMsg(msg, time.Now()) }, cfg)
}

type rtOut struct{ drivers.Out }

func (p rtOut) Open() error         { return clean(p.Out.Open()) }
func (p rtOut) Close() error        { return clean(p.Out.Close()) }
func (p rtOut) Send(b []byte) error { return clean(p.Out.Send(b)) }
