//go:build cgo && ((linux && !nojack) || jack)

package jackmidi

/*
#cgo LDFLAGS: -ljack -pthread
#include <stdlib.h>
#include "jackmidi.h"
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/separatrix-audio/separatrix/io/internal/jacklife"
	"gitlab.com/gomidi/midi/v2/drivers"
)

const available = true

const (
	ringSize    = 1 << 15 // bytes per port ring; also the longest event passed
	maxPorts    = C.SEP_MAX_PORTS
	waitMillis  = 10 // the reader's longest sleep when no wake-up comes
	openTimeout = 5 * time.Second
)

func init() {
	// gomidi drivers register themselves (like database/sql drivers). This instance
	// connects to JACK only when first used.
	drivers.Register(&Driver{})
}

var quietOnce sync.Once

// openClient and closeClient hold jacklife.Mu, shared with the audio output: both
// change libjack's process-wide state (see package jacklife).
func openClient(name, server *C.char, status *C.int) *C.sep_client {
	jacklife.Mu.Lock()
	defer jacklife.Mu.Unlock()
	return C.sep_open(name, server, status)
}

func closeClient(c *C.sep_client) {
	jacklife.Mu.Lock()
	defer jacklife.Mu.Unlock()
	C.sep_close(c)
}

// Driver is a gomidi drivers.Driver for JACK MIDI: one JACK client, one JACK port per
// open In or Out. It is safe for concurrent use. A zero Driver connects, as client
// DefaultClientName of the default server, when first used; New connects at once.
type Driver struct {
	cfg config

	mu     sync.Mutex // guards the fields below; held while connecting
	cur    *client    // nil until connected, and after Close
	closed bool
	count  int // ports opened so far, for naming
}

// client is one JACK client and what lives and dies with it.
type client struct {
	c       *C.sep_client
	name    string         // the name JACK gave the client
	scratch unsafe.Pointer // the reader's event buffer (C memory, ringSize bytes)
	done    chan struct{}  // closed when the reader goroutine has returned

	inputs atomic.Pointer[[]*in] // open inputs, for the reader; replaced, never modified

	mu     sync.Mutex // guards slots and closed, and orders port (un)registration
	slots  [maxPorts]*port
	closed bool
}

// New connects to the JACK server as a new client. It fails with ErrNoServer (wrapped)
// if no server is running: it never starts one, and it gives up after 5 s if the
// server does not answer.
func New(opts ...Option) (*Driver, error) {
	d := &Driver{cfg: config{client: DefaultClientName}}
	for _, o := range opts {
		o(&d.cfg)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.connect(); err != nil {
		return nil, err
	}
	return d, nil
}

// String returns "jackmidi" (the name gomidi registers the driver under).
func (d *Driver) String() string { return "jackmidi" }

// ClientName returns the name JACK gave the client (its ports are named
// "CLIENT:port"), or "" while not connected.
func (d *Driver) ClientName() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil {
		return ""
	}
	return d.cur.name
}

// Close closes every open port and the JACK client. Do not call it from inside a
// listener.
func (d *Driver) Close() error {
	d.mu.Lock()
	cl := d.cur
	d.cur = nil
	d.closed = true
	d.mu.Unlock()
	if cl != nil {
		cl.shutdown()
	}
	return nil
}

// Ins lists the JACK MIDI output ports of other clients: the sources an In can listen
// to, such as "seq:out".
func (d *Driver) Ins() ([]drivers.In, error) {
	names, err := d.list(true)
	if err != nil {
		return nil, err
	}
	ins := make([]drivers.In, len(names))
	for i, n := range names {
		ins[i] = newIn(d, n, i, false)
	}
	return ins, nil
}

// Outs lists the JACK MIDI input ports of other clients: the destinations an Out can
// send to, such as "dump:input".
func (d *Driver) Outs() ([]drivers.Out, error) {
	names, err := d.list(false)
	if err != nil {
		return nil, err
	}
	outs := make([]drivers.Out, len(names))
	for i, n := range names {
		outs[i] = newOut(d, n, i, false)
	}
	return outs, nil
}

// OpenVirtualIn registers an input port named name ("in" gives "separatrix:in") and
// connects it to nothing: a DAW or jack_connect connects it. The port is open; its
// String is the full JACK name. (Same method as rtmididrv's.)
func (d *Driver) OpenVirtualIn(name string) (drivers.In, error) {
	p := newIn(d, name, -1, true)
	if err := p.Open(); err != nil {
		return nil, err
	}
	return p, nil
}

// OpenVirtualOut registers an output port named name ("out" gives "separatrix:out")
// and connects it to nothing. The port is open; its String is the full JACK name.
func (d *Driver) OpenVirtualOut(name string) (drivers.Out, error) {
	p := newOut(d, name, -1, true)
	if err := p.Open(); err != nil {
		return nil, err
	}
	return p, nil
}

func (d *Driver) list(outputs bool) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	cl, err := d.connect()
	if err != nil {
		return nil, err
	}
	flag := C.int(0)
	if outputs {
		flag = 1
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed {
		return nil, ErrServerGone
	}
	ptr := C.sep_list(cl.c, flag)
	if ptr == nil {
		return nil, nil
	}
	defer C.jack_free(unsafe.Pointer(ptr))
	own := cl.name + ":"
	var names []string
	for pp := ptr; *pp != nil; pp = (**C.char)(unsafe.Add(unsafe.Pointer(pp), unsafe.Sizeof(*pp))) {
		if n := C.GoString(*pp); !strings.HasPrefix(n, own) {
			names = append(names, n)
		}
	}
	return names, nil
}

// connect returns the live client, connecting first if there is none or the server
// shut the last one down. d.mu is held.
func (d *Driver) connect() (*client, error) {
	if d.closed {
		return nil, ErrClosed
	}
	if d.cur != nil {
		if !d.cur.dead() {
			return d.cur, nil
		}
		// The server shut the client down; its reader delivers what was queued and
		// detaches the ports. Open no new client before that is done. (The reader
		// may be inside a listener that waits for d.mu: wait only briefly.)
		select {
		case <-d.cur.done:
			d.cur = nil
		case <-time.After(200 * time.Millisecond):
			return nil, ErrServerGone
		}
	}
	quietOnce.Do(func() { C.sep_quiet() })
	type result struct {
		c      *C.sep_client
		status C.int
	}
	name, server := d.cfg.client, d.cfg.server
	if name == "" {
		name = DefaultClientName
	}
	open := func() (r result) {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		var cserver *C.char
		if server != "" {
			cserver = C.CString(server)
			defer C.free(unsafe.Pointer(cserver))
		}
		r.c = openClient(cname, cserver, &r.status)
		return r
	}
	closeLate := func(r result) {
		if r.c != nil {
			closeClient(r.c)
		}
	}
	r, ok := jacklife.Within(openTimeout, open, closeLate)
	if !ok {
		return nil, fmt.Errorf("jackmidi: the JACK server%s did not answer within %v", d.serverDesc(), openTimeout)
	}
	if r.c == nil {
		return nil, d.openError(int(r.status))
	}
	cl := &client{
		c:       r.c,
		name:    C.GoString(C.jack_get_client_name(r.c.client)),
		scratch: C.malloc(ringSize),
		done:    make(chan struct{}),
	}
	cl.inputs.Store(new([]*in))
	go cl.read()
	d.cur = cl
	return cl, nil
}

func (d *Driver) serverDesc() string {
	s := d.cfg.server
	if s == "" {
		s = os.Getenv("JACK_DEFAULT_SERVER")
	}
	if s == "" || s == "default" {
		return ""
	}
	return fmt.Sprintf(" %q", s)
}

func (d *Driver) openError(status int) error {
	switch {
	case status == -1:
		return fmt.Errorf("jackmidi: the JACK server%s refused to activate the client", d.serverDesc())
	case status&C.JackServerFailed != 0:
		if s := d.serverDesc(); s != "" {
			return fmt.Errorf("%w (server%s)", ErrNoServer, s)
		}
		return ErrNoServer
	case status&C.JackVersionError != 0:
		return fmt.Errorf("jackmidi: libjack and the JACK server%s speak different protocol versions", d.serverDesc())
	case status&C.JackServerError != 0:
		return fmt.Errorf("jackmidi: the JACK server%s failed to open a client", d.serverDesc())
	}
	return fmt.Errorf("jackmidi: cannot open a JACK client (status 0x%x)", status)
}

// read is the client's reader goroutine: it sleeps until the process callback signals
// input (or 10 ms pass), then hands every open input's events to its listener. When
// told to stop, or when the server shuts the client down, it closes the client.
func (cl *client) read() {
	defer close(cl.done)
	defer cl.finish()
	for {
		r := C.sep_wait(cl.c, waitMillis)
		if r == 1 {
			return
		}
		now, nowJ := time.Now(), int64(C.jack_get_time())
		for _, p := range *cl.inputs.Load() {
			p.drain(cl, now, nowJ)
		}
		if r == 2 {
			return // dead: what was queued has been delivered
		}
	}
}

// dead reports whether the client is closed or the server shut it down.
func (cl *client) dead() bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.closed || C.sep_dead(cl.c) != 0
}

// shutdown makes the reader stop and close the client, and waits for that. It must
// not run on the reader goroutine.
func (cl *client) shutdown() {
	cl.mu.Lock()
	if !cl.closed {
		C.sep_stop(cl.c)
	}
	cl.mu.Unlock()
	<-cl.done
}

// finish detaches every port, closes the JACK client and frees the ports' memory. It
// runs on the reader goroutine once it has stopped reading; cl.c is freed, and every
// other user of it checks cl.closed (under cl.mu) or its port's cp (under p.mu) first.
func (cl *client) finish() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.closed = true
	var cps []*C.sep_port
	for _, p := range cl.slots {
		if p != nil {
			if cp := p.detach(); cp != nil {
				cps = append(cps, cp)
			}
		}
	}
	cl.inputs.Store(new([]*in))
	C.free(cl.scratch)
	if C.sep_dead(cl.c) != 0 {
		// The server shut the client down. libjack 1.9.21 sometimes crashes and
		// sometimes hangs in jack_client_close on such a client, so it is abandoned
		// instead: its threads are gone; a few hundred kilobytes stay allocated.
		return
	}
	closeClient(cl.c) // the process callback has run for the last time
	for _, cp := range cps {
		C.sep_port_free(nil, cp, 0)
	}
}

// addInput and removeInput replace the reader's list of inputs.
func (cl *client) addInput(p *in) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	old := *cl.inputs.Load()
	next := append(append(make([]*in, 0, len(old)+1), old...), p)
	cl.inputs.Store(&next)
}

func (cl *client) removeInput(p *in) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	old := *cl.inputs.Load()
	next := make([]*in, 0, len(old))
	for _, q := range old {
		if q != p {
			next = append(next, q)
		}
	}
	cl.inputs.Store(&next)
}

// freePort releases a detached port's C side.
func (cl *client) freePort(slot int, cp *C.sep_port) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed {
		// finish ran while the port was being released: the client is closed (JACK
		// dropped the port with it) or abandoned, and the callback no longer runs.
		C.sep_port_free(nil, cp, 0)
		return
	}
	cl.slots[slot] = nil
	if C.sep_unpublish(cl.c, C.int(slot)) == 0 {
		return // the process callback seems stuck: leak the port rather than free it under its feet
	}
	unregister := C.int(1)
	if C.sep_dead(cl.c) != 0 {
		unregister = 0 // libjack is not to be trusted with a client the server dropped
	}
	C.sep_port_free(cl.c, cp, unregister)
}
