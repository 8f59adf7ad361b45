package mididrv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/separatrix-audio/separatrix/io/mididrv/jackmidi"
	"gitlab.com/gomidi/midi/v2/drivers"
)

// An opener connects one kind of driver. rtmidi registers itself only in cgo builds.
type opener struct {
	name string
	open func() (drivers.Driver, error)
}

var openers = []opener{{"jack", openJack}}

func openJack() (drivers.Driver, error) {
	d, err := jackmidi.New(jackmidi.ClientName(jackmidi.DefaultClientName))
	if err != nil {
		return nil, err
	}
	return d, nil
}

// autoOrder is the order "auto" tries drivers in: the system's own MIDI first.
var autoOrder = []string{"rtmidi", "jack"}

// Drivers lists the names Open accepts, "auto" first, for --midi-driver's help.
func Drivers() []string {
	names := []string{"auto"}
	for _, n := range autoOrder {
		if o := find(n); o != nil && (n != "jack" || jackmidi.Available) {
			names = append(names, n)
		}
	}
	return names
}

func find(name string) *opener {
	for i := range openers {
		if openers[i].name == name {
			return &openers[i]
		}
	}
	return nil
}

// Open connects a MIDI driver by name (one of Drivers):
//
//   - "rtmidi": the operating system's MIDI through gomidi's rtmididrv: the ALSA
//     sequencer on Linux, CoreMIDI on macOS, WinMM on Windows. Needs cgo.
//   - "jack": JACK MIDI through package jackmidi, as client "separatrix".
//   - "auto" (or ""): the first of rtmidi, jack that works here.
//
// The caller closes the driver. Errors are sentences fit for a user: on Linux without
// an ALSA sequencer rtmidi fails with ErrNoALSASequencer, never with RtMidi's own
// (garbled) text.
func Open(name string) (drivers.Driver, error) {
	if name == "" || name == "auto" {
		return openAuto()
	}
	if o := find(name); o != nil {
		return o.open()
	}
	return nil, fmt.Errorf("unknown MIDI driver %q (known: %s)", name, strings.Join(Drivers(), ", "))
}

func openAuto() (drivers.Driver, error) {
	e := &AutoError{}
	for _, n := range autoOrder {
		o := find(n)
		if o == nil {
			continue
		}
		d, err := o.open()
		if err == nil {
			return d, nil
		}
		e.Names = append(e.Names, n)
		e.Errs = append(e.Errs, err)
	}
	return nil, e
}

// AutoError is Open("auto")'s error: why each driver failed.
type AutoError struct {
	Names []string // the drivers tried, in order
	Errs  []error  // why each failed
}

func (e *AutoError) Error() string {
	var b strings.Builder
	b.WriteString("no MIDI driver works here")
	for i, n := range e.Names {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(n)
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Errs[i].Error(), "jackmidi: "))
	}
	return b.String()
}

// Unwrap lets errors.Is see each driver's error (jackmidi.ErrNoServer,
// ErrNoALSASequencer).
func (e *AutoError) Unwrap() []error { return e.Errs }

// Ports lists a driver's input and output port names, for `separatrix devices`.
func Ports(d drivers.Driver) (ins, outs []string, err error) {
	if ins, err = inNames(d); err != nil {
		return nil, nil, err
	}
	if outs, err = outNames(d); err != nil {
		return nil, nil, err
	}
	return ins, outs, nil
}

func inNames(d drivers.Driver) ([]string, error)  { return portNames(d.Ins()) }
func outNames(d drivers.Driver) ([]string, error) { return portNames(d.Outs()) }

// portNames names a driver's ports, inputs or outputs alike.
func portNames[P drivers.Port](ps []P, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return names, nil
}

// errNoVirtual: the driver cannot create virtual ports.
var errNoVirtual = errors.New("cannot create virtual ports")
