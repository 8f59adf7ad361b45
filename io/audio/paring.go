//go:build cgo

package audio

/*
#cgo pkg-config: portaudio-2.0
#include "paring.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gordonklaus/portaudio"
)

const (
	// paRingFrames is the ring's size per channel: room for four of the largest
	// buffers Config allows.
	paRingFrames = 1 << 16
	// paFirstCallback bounds Start's wait for the first callback, which tells the
	// producer the callback thread's priority.
	paFirstCallback = 500 * time.Millisecond
)

// paRing is a PortAudio output fed through a ring: PortAudio's callback is C and only
// copies; a producer of the stream's own (feed), woken by it, calls Process.
type paRing struct {
	c      *C.sepa_pa
	feed   *feed
	rate   float64
	buffer int
	ahead  int
	desc   string
	device time.Duration // the host's own output latency, as PortAudio reports it
	// realtime is false only if the producer asked for real-time scheduling and the
	// system refused; set before ready is closed.
	realtime bool
	ready    chan struct{} // closed when the producer knows its scheduling
	done     chan struct{} // closed when the producer has returned

	started bool // guarded by paMu

	mu     sync.Mutex // closed and final: Stats must not wait for paMu
	closed bool       // also guarded by paMu when written
	final  Stats      // Stats once closed (the C side may be freed)
}

// openRing opens dev as a ring-fed stream; the caller holds paMu.
func openRing(cfg Config, p Process, dev *portaudio.DeviceInfo, desc string, latency time.Duration) (*paRing, error) {
	if cfg.Channels > C.SEPA_MAX_CHANNELS {
		return nil, fmt.Errorf("audio: %s: a ring-fed output has at most %d channels, not %d (a direct callback has no such limit)",
			desc, C.SEPA_MAX_CHANNELS, cfg.Channels)
	}
	var perr C.PaError
	c := C.sepa_pa_open(C.int(dev.Index), C.int(cfg.Channels), C.double(cfg.SampleRate), C.ulong(cfg.Buffer),
		C.double(latency.Seconds()), paRingFrames, &perr)
	if c == nil {
		return nil, openError(desc, cfg, dev, paError(perr))
	}
	s := &paRing{
		c:        c,
		rate:     cfg.SampleRate,
		buffer:   cfg.Buffer,
		ahead:    cfg.Ahead,
		desc:     desc,
		device:   time.Duration(float64(C.sepa_pa_output_latency(c)) * float64(time.Second)),
		realtime: true,
		ready:    make(chan struct{}),
		done:     make(chan struct{}),
	}
	if r := float64(C.sepa_pa_rate(c)); r > 0 {
		s.rate = r
	}
	f, err := newFeed(&c.feed, p, s.rate, cfg.MaxBlock, cfg.Ahead)
	if err != nil {
		C.sepa_pa_close(c)
		return nil, fmt.Errorf("%s: %w", desc, err)
	}
	s.feed = f
	return s, nil
}

// paError turns PortAudio's error code into the binding's error value, so that
// openError and paText treat both paths alike.
func paError(e C.PaError) error {
	if e == C.paUnanticipatedHostError {
		info := C.Pa_GetLastHostErrorInfo()
		return portaudio.UnanticipatedHostError{
			HostApiType: portaudio.HostApiType(info.hostApiType),
			Code:        int(info.errorCode),
			Text:        C.GoString(info.errorText),
		}
	}
	return portaudio.Error(e)
}

// Start fills the ring, starts the producer, then the stream (a host may call back
// before Pa_StartStream returns: JACK's connects its ports first), and waits (at most
// paFirstCallback) for the first callback, which tells the producer its priority.
func (s *paRing) Start() error {
	paMu.Lock()
	defer paMu.Unlock()
	if err := checkStart(s.closed, s.started); err != nil {
		return err
	}
	s.feed.topUp()
	s.started = true
	go s.produce()
	if e := C.sepa_pa_start(s.c); e != C.paNoError {
		C.sepa_pa_stop(s.c)
		<-s.done
		err := paError(e)
		return wrap(err, "audio: starting %s: %s", s.desc, paText(err))
	}
	<-s.ready
	return nil
}

// produce runs the feed until the stream is closed. It first waits (at most
// paFirstCallback) for the first callback, which tells the priority to ask for.
func (s *paRing) produce() {
	defer close(s.done)
	for t0 := time.Now(); C.sepa_pa_sampled(s.c) == 0 && time.Since(t0) < paFirstCallback; {
		if s.feed.stopped() != 0 {
			close(s.ready)
			return
		}
		s.feed.wake.wait(10 * time.Millisecond)
	}
	rt := rtRequest{priority: int(C.sepa_pa_rt_priority(s.c)), here: func() int { return int(C.sepa_pa_realtime(s.c)) }}
	s.feed.run(rt, func(ok bool) {
		s.realtime = ok
		close(s.ready)
	})
}

func (s *paRing) Close() error {
	paMu.Lock()
	defer paMu.Unlock()
	return s.closeLocked()
}

// closeLocked stops the producer first (it returns within a block), then the stream.
func (s *paRing) closeLocked() error {
	if s.closed {
		return nil
	}
	s.mu.Lock()
	s.closed = true
	s.final = s.feed.stats()
	s.mu.Unlock()
	delete(streams, s)
	C.sepa_pa_stop(s.c)
	if s.started {
		<-s.done // Process returns promptly, and sepa_pa_stop wakes the producer
	}
	s.feed.close()
	if e := C.sepa_pa_close(s.c); e != C.paNoError {
		err := paError(e)
		if errors.Is(err, portaudio.StreamIsStopped) {
			return nil
		}
		return wrap(err, "audio: closing %s: %s", s.desc, paText(err))
	}
	return nil
}

// RealTime reports whether the rendering thread runs with the priority it asked for
// (known once Start has returned): false only if the system refused real-time
// scheduling. Where the callback itself runs at ordinary priority nothing is asked.
func (s *paRing) RealTime() bool { return s.realtime }

func (s *paRing) SampleRate() float64 { return s.rate }
func (s *paRing) Buffer() int         { return s.buffer }
func (s *paRing) Description() string { return s.desc }

// Latency is Ahead buffers of the ring plus the host's own output latency.
func (s *paRing) Latency() Latency {
	return Latency{Ahead: s.ahead, Period: frames(s.buffer, s.rate), Device: s.device}
}

// Stats counts PortAudio's callbacks; Xruns are the callbacks PortAudio flagged plus
// the buffers the ring could not fill (Underruns).
func (s *paRing) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.final
	}
	return s.feed.stats()
}

// played is how many frames the callback has taken from the ring (tests).
func (s *paRing) played() uint64 { return s.feed.played() }
