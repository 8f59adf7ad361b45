package jackmidi

import "errors"

// Available reports whether this build has JACK support: it needs cgo and libjack,
// and is built by default on Linux, elsewhere with the build tag jack (the tag nojack
// leaves it out). Without it, New fails with ErrUnavailable.
const Available = available

// DefaultClientName is the JACK client name New uses unless told otherwise: ports
// appear as "separatrix:in", "separatrix:out_1" and so on.
const DefaultClientName = "separatrix"

// Errors a driver returns; more detail may be wrapped around them (use errors.Is).
var (
	// ErrNoServer: no JACK server is running (libjack is never asked to start one).
	ErrNoServer = errors.New("jackmidi: no JACK server is running")
	// ErrServerGone: the server shut the client down; the next Ins, Outs or Open
	// connects again if a server is running by then.
	ErrServerGone = errors.New("jackmidi: the JACK server has gone away")
	// ErrFull: an output's queue is full (the process callback is not draining it);
	// the message was dropped.
	ErrFull = errors.New("jackmidi: output queue full; message dropped")
	// ErrClosed: the driver was closed.
	ErrClosed = errors.New("jackmidi: driver closed")
	// ErrUnavailable: this build has no JACK support (it needs cgo and libjack; it is
	// built by default on Linux, and elsewhere with the build tag jack).
	ErrUnavailable = errors.New("jackmidi: JACK MIDI is not built into this program (needs cgo and libjack)")
)

// Option configures New.
type Option func(*config)

type config struct {
	client string
	server string
}

// ClientName sets the JACK client name (default DefaultClientName). JACK appends a
// number if the name is taken ("separatrix-01").
func ClientName(name string) Option { return func(c *config) { c.client = name } }

// ServerName selects a JACK server by name instead of the default one (which is
// $JACK_DEFAULT_SERVER, or "default").
func ServerName(name string) Option { return func(c *config) { c.server = name } }
