//go:build cgo

package audio

/*
#include "ring.h"
*/
import "C"

import (
	"sync/atomic"
	"time"
	"unsafe"
)

// feed is the Go half of a ring-fed output (ring.h's sepa_feed), shared by the native
// JACK output and PortAudio's ring-fed stream: a producer goroutine on a real-time
// thread (see follower), woken by the device's C callback, renders straight into the
// ring until it holds Ahead periods. It reads the ring's indices and flags as atomics in C
// memory; its only C call is the wait (see waker for why it waits in C).
type feed struct {
	c        *C.sepa_feed
	p        Process
	rate     float64
	maxBlock int
	ahead    int
	capacity int // frames per channel, a power of two

	head, tail *uint64 // the ring's indices (C memory, atomic)
	period     *uint32 // frames the callback asks for (C memory, atomic)
	stop, lost *int32  // set by sepa_feed_stop and sepa_feed_lose (C memory, atomic)

	chans     [][]float32 // each channel's ring memory
	out, view [][]float32 // reused by topUp
	meter     meter
	wake      waker
}

// liveFeeds counts the feeds not yet closed (tests' leak checks).
var liveFeeds atomic.Int64

// newFeed is the producer of c's ring; c must outlive it.
func newFeed(c *C.sepa_feed, p Process, rate float64, maxBlock, ahead int) (*feed, error) {
	w, err := newWaker(&c.wake)
	if err != nil {
		return nil, err
	}
	liveFeeds.Add(1)
	channels, capacity := int(c.ring.channels), int(c.ring.cap)
	all := unsafe.Slice((*float32)(unsafe.Pointer(c.ring.buf)), channels*capacity)
	f := &feed{
		c:        c,
		p:        p,
		rate:     rate,
		maxBlock: maxBlock,
		ahead:    ahead,
		capacity: capacity,
		head:     (*uint64)(unsafe.Pointer(&c.ring.head)),
		tail:     (*uint64)(unsafe.Pointer(&c.ring.tail)),
		period:   (*uint32)(unsafe.Pointer(&c.period)),
		stop:     (*int32)(unsafe.Pointer(&c.stop)),
		lost:     (*int32)(unsafe.Pointer(&c.lost)),
		chans:    make([][]float32, channels),
		out:      make([][]float32, channels),
		view:     make([][]float32, channels),
		wake:     w,
	}
	for ch := range f.chans {
		f.chans[ch] = all[ch*capacity : (ch+1)*capacity]
	}
	return f, nil
}

// close releases the producer's side, once run has returned.
func (f *feed) close() {
	f.wake.close()
	liveFeeds.Add(-1)
}

// played is how many frames the callback has taken from the ring.
func (f *feed) played() uint64 { return atomic.LoadUint64(f.head) }

// fill is how many frames the ring holds.
func (f *feed) fill() int { return int(atomic.LoadUint64(f.tail) - atomic.LoadUint64(f.head)) }

// stats is the meter's figures with the callback's counts: Xruns are the device's
// plus the periods the ring could not fill (Underruns).
func (f *feed) stats() Stats {
	load := func(p *C.uint64_t) uint64 { return atomic.LoadUint64((*uint64)(unsafe.Pointer(p))) }
	st := f.meter.stats()
	st.Callbacks = load(&f.c.callbacks)
	st.Underruns = load(&f.c.underruns)
	st.Xruns = load(&f.c.xruns) + st.Underruns
	return st
}

// stopped tells why the producer must return: 1 stopped, 2 the device is lost, 0 not.
func (f *feed) stopped() int {
	switch {
	case atomic.LoadInt32(f.stop) != 0:
		return 1
	case atomic.LoadInt32(f.lost) != 0:
		return 2
	}
	return 0
}

// run keeps the ring topped up, each time the callback wakes it, until the output is
// stopped (it returns false) or lost (true). It first asks for the real-time priority
// rt describes (see follower); ready gets the answer, false only if the system refused,
// before the first wait.
func (f *feed) run(rt rtRequest, ready func(ok bool)) (lost bool) {
	var r follower
	ready(r.start(rt))
	defer r.end()
	for {
		if why := f.stopped(); why != 0 {
			return why == 2
		}
		f.topUp()
		r.rendered(time.Duration(float64(atomic.LoadUint32(f.period)) / f.rate * float64(time.Second)))
		f.wake.wait(0)
	}
}

// topUp renders until the ring holds Ahead periods, at most two periods' worth a call:
// an engine slower than real time must not keep a real-time thread busy for good (each
// period the callback plays wakes it again). It renders into the ring itself, in at
// most two pieces where the ring wraps.
func (f *feed) topUp() {
	for budget := 2 * int(atomic.LoadUint32(f.period)); budget > 0; {
		period := int(atomic.LoadUint32(f.period))
		need := min(f.ahead*period, f.capacity) - f.fill()
		if need <= 0 {
			return
		}
		tail := atomic.LoadUint64(f.tail)
		at := int(tail & uint64(f.capacity-1))
		n := min(need, period, budget, f.capacity-at)
		budget -= n
		t0 := time.Now()
		for ch := range f.out {
			f.out[ch] = f.chans[ch][at : at+n]
		}
		render(f.p, f.out, f.view, f.maxBlock)
		atomic.StoreUint64(f.tail, tail+uint64(n))
		f.meter.record(time.Since(t0), n, f.rate)
	}
}
