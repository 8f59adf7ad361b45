//go:build cgo && ((linux && !nojack) || jack)

package jackmidi

/*
#include <errno.h>
#include <stdlib.h>
#include "jackmidi.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"gitlab.com/gomidi/midi/v2/drivers"
)

// port is what an In and an Out share: our JACK port, and the port at the other end.
type port struct {
	d       *Driver
	input   bool
	virtual bool
	other   string // the other client's port ("seq:out"); for a virtual port, our short name
	number  int

	mu   sync.Mutex // guards the fields below (and, for an Out, its splitter)
	cl   *client
	cp   *C.sep_port
	slot int
	full string // our port's full JACK name, once opened
}

func (p *port) String() string {
	if p.virtual {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.full != "" {
			return p.full
		}
	}
	return p.other
}

func (p *port) Number() int             { return p.number }
func (p *port) Underlying() interface{} { return nil }

func (p *port) IsOpen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cp != nil
}

// Alive reports whether the port is open, its JACK client is still alive, and (unless
// it is virtual) it is still connected to the port it was opened for. A source or
// destination that disappears, or a server that stops, makes it false; the port then
// stays useless until closed and opened again.
func (p *port) Alive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cp == nil || C.sep_dead(p.cl.c) != 0 {
		return false
	}
	if p.virtual {
		return true
	}
	other := C.CString(p.other)
	defer C.free(unsafe.Pointer(other))
	return C.jack_port_connected_to(p.cp.port, other) != 0
}

// Dropped counts the events this port lost since it was opened: to a full ring
// buffer (the reader, or the JACK cycle, fell behind) or, output, too long for an
// empty JACK buffer.
func (p *port) Dropped() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cp == nil {
		return 0
	}
	return uint64(C.sep_dropped(p.cp))
}

// open registers our JACK port, connects it and hands it to the process callback.
func (p *port) open() (*client, error) {
	d := p.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if p.IsOpen() {
		return nil, nil
	}
	cl, err := d.connect()
	if err != nil {
		return nil, err
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.closed {
		return nil, ErrServerGone
	}
	slot := -1
	for i, q := range cl.slots {
		if q == nil {
			slot = i
			break
		}
	}
	if slot < 0 {
		return nil, fmt.Errorf("jackmidi: too many open ports (at most %d)", maxPorts)
	}
	short := p.other
	if !p.virtual {
		d.count++
		if p.input {
			short = fmt.Sprintf("in_%d", d.count)
		} else {
			short = fmt.Sprintf("out_%d", d.count)
		}
	}
	cshort := C.CString(short)
	defer C.free(unsafe.Pointer(cshort))
	input := C.int(0)
	if p.input {
		input = 1
	}
	cp := C.sep_port_new(cl.c, cshort, input, ringSize)
	if cp == nil {
		return nil, fmt.Errorf("jackmidi: cannot register JACK port %s:%s (is the name taken?)", cl.name, short)
	}
	full := C.GoString(C.jack_port_name(cp.port))
	if !p.virtual {
		src, dst := p.other, full
		if !p.input {
			src, dst = full, p.other
		}
		csrc, cdst := C.CString(src), C.CString(dst)
		rc := C.jack_connect(cl.c.client, csrc, cdst)
		C.free(unsafe.Pointer(csrc))
		C.free(unsafe.Pointer(cdst))
		if rc != 0 && rc != C.EEXIST {
			C.sep_port_free(cl.c, cp, 1)
			return nil, fmt.Errorf("jackmidi: cannot connect %s to %s (is it still there?)", src, dst)
		}
		// The connection takes effect when the server next switches graph states;
		// until this client sees it, what an output sends would go nowhere.
		cother := C.CString(p.other)
		for end := time.Now().Add(200 * time.Millisecond); C.jack_port_connected_to(cp.port, cother) == 0 && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		C.free(unsafe.Pointer(cother))
	}
	p.mu.Lock()
	p.cl, p.cp, p.slot, p.full = cl, cp, slot, full
	p.mu.Unlock()
	cl.slots[slot] = p
	C.sep_publish(cl.c, C.int(slot), cp)
	return cl, nil
}

// detachPort takes the C port away from p, returning it (nil if p was not open).
func (p *port) detachPort() (*C.sep_port, *client, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp, cl, slot := p.cp, p.cl, p.slot
	p.cp, p.cl = nil, nil
	return cp, cl, slot
}

// in is an input port: it listens to another client's output, or, virtual, to
// whatever connects to it.
type in struct {
	port

	// listener and the flags below are shared with the reader goroutine.
	listener   atomic.Pointer[listener]
	inCallback atomic.Bool // the reader is inside a listener call
	releaseReq atomic.Bool // Close asked for the port to be released

	cbMu      sync.Mutex // held by the reader while it drains the port
	split     splitter   // the reader's, under cbMu
	cur       *listener  // the listener of the event being delivered
	frame     uint32     // the event's JACK frame time
	when      time.Time  // the event's time on the wall clock
	usecs     int64      // the event's time on JACK's clock
	releasing bool       // the reader has handed the port to release
}

type listener struct {
	fn       func(msg []byte, milliseconds int32)
	timed    func(msg []byte, when time.Time)
	cfg      drivers.ListenConfig
	sysexMax int
	start    int64 // JACK time at Listen, µs
}

func newIn(d *Driver, other string, number int, virtual bool) *in {
	p := &in{port: port{d: d, input: true, virtual: virtual, other: other, number: number}}
	p.split.emit = p.deliver
	p.split.maxSysex = ringSize
	return p
}

// Open registers an input port and connects the source to it. Opening an open port
// does nothing.
func (p *in) Open() error {
	if p.IsOpen() {
		return nil
	}
	p.cbMu.Lock()
	p.split = splitter{emit: p.deliver, maxSysex: ringSize, sysex: p.split.sysex}
	p.releasing = false
	p.cbMu.Unlock()
	p.releaseReq.Store(false)
	cl, err := p.open()
	if err != nil || cl == nil {
		return err
	}
	cl.addInput(p)
	return nil
}

// Close stops listening, disconnects and unregisters the port. Called from inside
// the port's own listener, it returns at once and the port is released after the
// listener returns.
func (p *in) Close() error {
	p.listener.Store(nil)
	p.releaseReq.Store(true)
	if p.inCallback.Load() {
		return nil // the reader releases the port after the call (see deliver)
	}
	if p.releaseReq.CompareAndSwap(true, false) {
		p.release()
	}
	return nil
}

func (p *in) release() {
	p.mu.Lock()
	cl := p.cl
	p.mu.Unlock()
	if cl == nil {
		return
	}
	cl.removeInput(p)
	p.cbMu.Lock() // wait for a drain under way
	cp, cl, slot := p.detachPort()
	p.cbMu.Unlock()
	if cp != nil {
		cl.freePort(slot, cp)
	}
}

// detach is shutdown's: the reader has stopped.
func (p *port) detach() *C.sep_port {
	cp, _, _ := p.detachPort()
	return cp
}

// Listen calls onMsg for every message that arrives, on the driver's reader
// goroutine, one call at a time; milliseconds count from the call to Listen, on JACK's
// clock. Channel messages come in a buffer reused for the next call: copy msg to keep
// it (midi.ListenTo does). System exclusive arrives whole, in a slice of its own. A
// new Listen replaces the previous listener. After stop returns no call is under way
// or will start, unless stop was called from inside a call.
func (p *in) Listen(onMsg func(msg []byte, milliseconds int32), cfg drivers.ListenConfig) (stop func(), err error) {
	if onMsg == nil {
		return nil, fmt.Errorf("jackmidi: Listen needs a callback")
	}
	return p.listen(&listener{fn: onMsg, cfg: cfg})
}

// ListenTimed is Listen with each message's arrival time on the wall clock instead of
// a millisecond count: the start of the JACK period the event arrived in plus its
// frame offset, so events keep their spacing to the frame (plus the server's clock
// jitter) and no time lies in the future.
func (p *in) ListenTimed(onMsg func(msg []byte, when time.Time), cfg drivers.ListenConfig) (stop func(), err error) {
	if onMsg == nil {
		return nil, fmt.Errorf("jackmidi: ListenTimed needs a callback")
	}
	return p.listen(&listener{timed: onMsg, cfg: cfg})
}

func (p *in) listen(l *listener) (func(), error) {
	if !p.IsOpen() {
		return nil, drivers.ErrPortClosed
	}
	l.sysexMax = int(l.cfg.SysExBufferSize)
	if l.sysexMax == 0 {
		l.sysexMax = 1024
	}
	l.start = int64(C.jack_get_time())
	p.listener.Store(l)
	return func() {
		p.listener.CompareAndSwap(l, nil)
		if !p.inCallback.Load() {
			p.cbMu.Lock() // wait for a call under way
			p.cbMu.Unlock()
		}
	}, nil
}

// drain hands the port's queued events to its listener. It runs on the reader.
func (p *in) drain(cl *client, now time.Time, nowJ int64) {
	p.cbMu.Lock()
	defer p.cbMu.Unlock()
	// cp stays valid while cbMu is held: release detaches it under cbMu, and shutdown
	// only after this goroutine has returned.
	p.mu.Lock()
	cp, mine := p.cp, p.cl == cl
	p.mu.Unlock()
	if cp == nil || !mine || p.releasing {
		return
	}
	buf := (*C.uchar)(cl.scratch)
	for {
		ev := C.sep_read(cp, buf, ringSize)
		n, frame := ev.size, ev.frame
		if n == 0 {
			return
		}
		if n < 0 {
			continue // longer than the ring, so it cannot happen
		}
		l := p.listener.Load()
		if l == nil {
			continue
		}
		p.frame = uint32(frame)
		p.usecs = int64(C.jack_frames_to_time(cl.c.client, C.jack_nframes_t(frame)))
		p.when = now.Add(time.Duration(p.usecs-nowJ) * time.Microsecond)
		p.cur = l
		p.split.feed(unsafe.Slice((*byte)(cl.scratch), int(n)))
		p.cur = nil
		if p.releasing {
			return
		}
	}
}

// deliver is the splitter's emit: it filters a message as the listener asked and calls
// the listener.
func (p *in) deliver(msg []byte) {
	l := p.cur
	if l == nil || p.releasing || p.listener.Load() != l {
		return
	}
	switch s := msg[0]; {
	case s == 0xFE && !l.cfg.ActiveSense:
		return
	case (s == 0xF8 || s == 0xF1) && !l.cfg.TimeCode:
		return
	case s == 0xF0:
		if !l.cfg.SysEx || len(msg) > l.sysexMax {
			return
		}
		msg = append([]byte(nil), msg...)
	}
	p.inCallback.Store(true)
	if l.timed != nil {
		l.timed(msg, p.when)
	} else {
		ms := (p.usecs - l.start) / 1000
		if ms < 0 {
			ms = 0
		}
		l.fn(msg, int32(ms))
	}
	p.inCallback.Store(false)
	if p.releaseReq.CompareAndSwap(true, false) {
		// Close was called from the listener (or during it): release needs cbMu,
		// which this goroutine holds until the drain returns.
		p.releasing = true
		go p.release()
	}
}

// out is an output port: it sends to another client's input, or, virtual, to whatever
// it gets connected to.
type out struct {
	port
	split splitter // under mu
	err   error    // the first error of the Send under way
}

func newOut(d *Driver, other string, number int, virtual bool) *out {
	p := &out{port: port{d: d, virtual: virtual, other: other, number: number}}
	p.split.emit = p.write
	p.split.maxSysex = ringSize - 64
	return p
}

// Open registers an output port and connects it to the destination. Opening an open
// port does nothing.
func (p *out) Open() error {
	p.mu.Lock()
	if p.cp != nil {
		p.mu.Unlock()
		return nil
	}
	p.split = splitter{emit: p.write, maxSysex: ringSize - 64, sysex: p.split.sysex}
	p.mu.Unlock()
	_, err := p.open()
	return err
}

// Close disconnects and unregisters the port.
func (p *out) Close() error {
	cp, cl, slot := p.detachPort()
	if cp != nil {
		cl.freePort(slot, cp)
	}
	return nil
}

// Send queues MIDI bytes for the next JACK period. Any byte stream is accepted:
// running status is expanded, real-time bytes are taken out of what they interrupt,
// and system exclusive is held until its F7 arrives. It does not allocate (for
// anything but system exclusive) and does not block beyond a short mutex; it fails
// with ErrFull when a full period's worth of the ring is still unsent.
func (p *out) Send(b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cp == nil {
		return drivers.ErrPortClosed
	}
	if C.sep_dead(p.cl.c) != 0 {
		return ErrServerGone
	}
	p.err = nil
	p.split.feed(b)
	return p.err
}

// write is the splitter's emit: one complete message into the ring. mu is held.
func (p *out) write(msg []byte) {
	if C.sep_write(p.cp, (*C.uchar)(unsafe.Pointer(&msg[0])), C.size_t(len(msg))) != 0 && p.err == nil {
		p.err = ErrFull
	}
}
