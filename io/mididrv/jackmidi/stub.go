//go:build !(cgo && ((linux && !nojack) || jack))

package jackmidi

import "gitlab.com/gomidi/midi/v2/drivers"

const available = false

// Driver is a JACK MIDI driver; in this build every method fails with ErrUnavailable.
type Driver struct{}

// New fails with ErrUnavailable in this build.
func New(opts ...Option) (*Driver, error) { return nil, ErrUnavailable }

func (*Driver) Ins() ([]drivers.In, error)                      { return nil, ErrUnavailable }
func (*Driver) Outs() ([]drivers.Out, error)                    { return nil, ErrUnavailable }
func (*Driver) String() string                                  { return "jackmidi" }
func (*Driver) Close() error                                    { return nil }
func (*Driver) ClientName() string                              { return "" }
func (*Driver) OpenVirtualIn(name string) (drivers.In, error)   { return nil, ErrUnavailable }
func (*Driver) OpenVirtualOut(name string) (drivers.Out, error) { return nil, ErrUnavailable }
