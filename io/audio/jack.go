//go:build cgo && ((linux && !nojack) || jack)

package audio

/*
#cgo LDFLAGS: -ljack -pthread
#include <stdlib.h>
#include "jackaudio.h"
*/
import "C"

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/separatrix-audio/separatrix/io/internal/jacklife"
)

// JACKAvailable reports whether this build has the native JACK output.
const JACKAvailable = true

// JACKClientName is the name the native JACK output asks for (JACK adds a suffix if it
// is taken). Package jackmidi's client is "separatrix"; audio has a client of its own.
const JACKClientName = "separatrix-audio"

const (
	// jackRingFrames is the ring's size per channel: room for the largest period JACK
	// allows (8192) twice over.
	jackRingFrames = 1 << 14
	// jackOpenTimeout bounds jack_client_open: a server that is starting or wedged can
	// leave it waiting.
	jackOpenTimeout = 3 * time.Second
)

var jackQuiet sync.Once

// OpenJACK opens an output of its own on the JACK server (client JACKClientName, ports
// out_1, out_2, ...), the server named by $JACK_DEFAULT_SERVER or the default one. It
// never starts a server: without one it fails with an error matching ErrNoDevice.
//
// Unlike Open, Process does not run on the audio thread: JACK's process callback (C,
// no Go) copies finished blocks from a lock-free ring, and a goroutine of the stream's
// own, woken by that callback, calls Process to keep Config.Ahead periods in the ring.
// The sound is Ahead periods later than with a direct callback; in exchange a late
// Process call is absorbed by the ring instead of being heard. The goroutine renders
// with real-time priority just below JACK's, where the system allows it (RealTime
// says); see the package documentation for how it waits.
//
// A server that quits or is killed is reported by Lost, and Close then returns at once.
// A server that stops answering (SIGSTOP, a hang) gives no Lost: the stream simply
// stops calling Process (Supervise takes that for a loss), and Close gives up waiting
// for it after 0.3 s. Every call that changes a client holds jacklife's lock (libjack's
// state is process-wide), and only one connection attempt waits on a server at a time.
//
// The stream plays at the server's sample rate, whatever cfg.SampleRate says:
// prepare the engine with SampleRate() after Open. cfg.Device chooses where the ports
// are connected: "" the physical playback ports (system:playback_1, ...), "none" no
// connection (connect them in a patchbay), anything else the input ports of the
// clients whose port names contain it (case-insensitive), in order; a name that
// matches nothing is an error that lists the clients that play audio. cfg.Host is not
// looked at.
func OpenJACK(cfg Config, p Process) (Stream, error) {
	if p == nil {
		panic("audio: OpenJACK with a nil Process")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Channels > C.SEPA_MAX_CHANNELS {
		return nil, fmt.Errorf("audio: the JACK output has at most %d channels, not %d", C.SEPA_MAX_CHANNELS, cfg.Channels)
	}
	c, err := jackOpenClient(cfg.Channels)
	if err != nil {
		return nil, err
	}
	s := &jackStream{
		c:        c,
		rate:     float64(C.sepa_rate(c)),
		buffer:   int(C.sepa_period(c)),
		ahead:    cfg.Ahead,
		channels: cfg.Channels,
		lost:     make(chan struct{}),
		done:     make(chan struct{}),
		ready:    make(chan struct{}),
	}
	jacklife.Mu.Lock()
	s.name = C.GoString(C.jack_get_client_name(c.client))
	targets, err := s.targets(cfg.Device)
	jacklife.Mu.Unlock()
	if err == nil {
		s.feed, err = newFeed(&c.feed, p, s.rate, cfg.MaxBlock, cfg.Ahead)
	}
	if err != nil {
		jackClose(c, time.Second)
		return nil, err
	}
	s.dest = targets
	s.desc = "JACK client " + s.name
	if len(targets) > 0 {
		s.desc += " playing to " + strings.Join(slices.Compact(clientsOf(targets)), ", ")
	}
	return s, nil
}

// The clients' lifecycle, for the whole process (see package jacklife):
var (
	// opening is set while a jack_client_open is under way: a server that does not
	// answer gets one attempt at a time, not a new thread per retry.
	opening atomic.Bool
	// abandoned are clients whose server shut them down: libjack deletes them in the
	// next successful open, after which their memory is freed. Guarded by jacklife.Mu.
	abandoned []*C.sepa_client
	// liveClients counts the clients' C memory (struct and ring) not yet freed, for
	// the tests' leak checks.
	liveClients atomic.Int64
)

// jackOpenClient opens the client with a time limit; a late answer is closed.
func jackOpenClient(channels int) (*C.sepa_client, error) {
	jackQuiet.Do(func() { C.sepa_quiet() })
	if !opening.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("audio: the JACK server%s is not answering (an earlier attempt to connect still waits)", jackServerDesc())
	}
	type result struct {
		c      *C.sepa_client
		status C.int
	}
	open := func() (r result) {
		defer opening.Store(false)
		name := C.CString(JACKClientName)
		defer C.free(unsafe.Pointer(name))
		jacklife.Mu.Lock()
		defer jacklife.Mu.Unlock()
		r.c = C.sepa_open(name, C.int(channels), jackRingFrames, &r.status)
		if r.c != nil {
			liveClients.Add(1)
			for _, old := range abandoned {
				C.sepa_free(old) // libjack deleted its client in this open
				liveClients.Add(-1)
			}
			abandoned = nil
		}
		return r
	}
	closeLate := func(r result) {
		if r.c != nil {
			jackClose(r.c, time.Minute)
		}
	}
	r, ok := jacklife.Within(jackOpenTimeout, open, closeLate)
	if !ok {
		return nil, fmt.Errorf("audio: the JACK server%s did not answer within %v", jackServerDesc(), jackOpenTimeout)
	}
	if r.c == nil {
		return nil, jackOpenError(int(r.status))
	}
	return r.c, nil
}

// jackServerDesc is ` "NAME"` for a server other than the default, else "".
func jackServerDesc() string {
	if s := os.Getenv("JACK_DEFAULT_SERVER"); s != "" && s != "default" {
		return fmt.Sprintf(" %q", s)
	}
	return ""
}

func jackOpenError(status int) error {
	switch {
	case status == -1:
		return fmt.Errorf("audio: could not set up a JACK client on the server%s (registering its output ports failed)", jackServerDesc())
	case status&C.JackServerFailed != 0:
		return &noDevice{fmt.Sprintf("audio: no JACK server%s is running (start one with jackd or qjackctl, or use PipeWire's JACK layer)", jackServerDesc())}
	case status&C.JackVersionError != 0:
		return fmt.Errorf("audio: libjack and the JACK server%s speak different protocol versions", jackServerDesc())
	case status&C.JackServerError != 0:
		return fmt.Errorf("audio: the JACK server%s failed to open a client", jackServerDesc())
	}
	return fmt.Errorf("audio: the JACK server%s refused a client (JACK status 0x%x; does it run as another user?)", jackServerDesc(), status)
}

// jackClose closes (or, if the server is gone, abandons) a client, waiting at most
// limit for libjack: a wedged server must not hold the program.
func jackClose(c *C.sepa_client, limit time.Duration) error {
	closeIt := func() struct{} {
		jacklife.Mu.Lock()
		defer jacklife.Mu.Unlock()
		if C.sepa_close(c) == 0 {
			abandoned = append(abandoned, c)
		} else {
			liveClients.Add(-1)
		}
		return struct{}{}
	}
	if _, ok := jacklife.Within(limit, closeIt, func(struct{}) {}); !ok {
		return fmt.Errorf("audio: the JACK server did not let the client go within %v; going on without waiting", limit)
	}
	return nil
}

// jackStream is a native JACK output fed through a ring.
type jackStream struct {
	c        *C.sepa_client
	feed     *feed
	rate     float64
	buffer   int // JACK's period when opened
	ahead    int
	channels int
	name     string // the client's name as JACK gave it
	realtime bool   // the producer runs with real-time scheduling (set before ready)
	ready    chan struct{}
	dest     []string // the ports out_1.. are connected to, in turn
	desc     string

	lost chan struct{} // closed when the server shut the client down
	done chan struct{} // closed when the producer has returned

	mu              sync.Mutex // Start, Close, Stats and Latency
	started, closed bool
	final           Stats         // Stats once closed (the C side may be freed)
	device          time.Duration // JACK's playback latency, when last asked
}

// inputPorts lists the audio input ports of other clients (physical ones only if
// asked): where the outputs can be connected.
func (s *jackStream) inputPorts(physical bool) []string {
	flag := C.int(0)
	if physical {
		flag = 1
	}
	ptr := C.sepa_playback_ports(s.c, flag)
	if ptr == nil {
		return nil
	}
	defer C.jack_free(unsafe.Pointer(ptr))
	var ports []string
	for pp := ptr; *pp != nil; pp = (**C.char)(unsafe.Add(unsafe.Pointer(pp), unsafe.Sizeof(*pp))) {
		if n := C.GoString(*pp); !strings.HasPrefix(n, s.name+":") {
			ports = append(ports, n)
		}
	}
	return ports
}

// targets resolves cfg.Device into the ports to connect to: none for "none", the
// physical playback ports for "" (none if the server has none), else the input ports
// whose names contain device.
func (s *jackStream) targets(device string) ([]string, error) {
	switch {
	case strings.EqualFold(device, "none"):
		return nil, nil
	case device == "":
		return s.inputPorts(true), nil
	}
	ports := s.inputPorts(false)
	var match []string
	q := strings.ToLower(device)
	for _, p := range ports {
		if strings.Contains(strings.ToLower(p), q) {
			match = append(match, p)
		}
	}
	if len(match) == 0 {
		clients := slices.Compact(clientsOf(ports))
		if len(clients) == 0 {
			return nil, fmt.Errorf("audio: no JACK client matches %q: no client has audio inputs (use --audio none to play unconnected)", device)
		}
		return nil, fmt.Errorf("audio: no JACK client matches %q; clients with audio inputs: %s", device, strings.Join(clients, ", "))
	}
	return match, nil
}

// clientsOf returns the client part of each port name.
func clientsOf(ports []string) []string {
	out := make([]string, len(ports))
	for i, p := range ports {
		out[i], _, _ = strings.Cut(p, ":")
	}
	return out
}

// Start fills the ring, starts the producer, then activates the client and connects
// its ports. The producer waits for the first period before the client is active:
// connecting takes server round trips, longer than the ring lasts at small periods.
func (s *jackStream) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkStart(s.closed, s.started); err != nil {
		return err
	}
	s.feed.topUp()
	s.started = true
	go s.produce()
	<-s.ready
	jacklife.Mu.Lock()
	if C.sepa_activate(s.c) != 0 {
		jacklife.Mu.Unlock()
		C.sepa_stop(s.c)
		<-s.done
		return fmt.Errorf("audio: the JACK server%s would not start %s", jackServerDesc(), s.name)
	}
	for i := 0; i < s.channels && len(s.dest) > 0; i++ {
		dest := C.CString(s.dest[i%len(s.dest)])
		C.sepa_connect(s.c, C.int(i), dest) // an existing connection is fine
		C.free(unsafe.Pointer(dest))
	}
	jacklife.Mu.Unlock()
	return nil
}

// produce runs the feed until the stream is stopped or the server goes. Its deadline
// is the ring's slack (Ahead-1 periods, 2.7 ms at 128 frames and 48 kHz): a thread of
// ordinary priority misses it whenever other processes keep the CPUs busy (measured:
// 10 to 18 underruns in 2 s beside two busy processes), so it renders with real-time
// priority just below JACK's own thread, where the system allows it.
func (s *jackStream) produce() {
	defer close(s.done)
	rt := rtRequest{priority: s.feedPriority(), needed: true, here: func() int {
		jacklife.Mu.Lock()
		defer jacklife.Mu.Unlock()
		if C.sepa_realtime(s.c) != 0 {
			return -1 // JACK itself not real-time counts as refused: say so
		}
		return 0
	}}
	lost := s.feed.run(rt, func(ok bool) {
		s.realtime = ok
		close(s.ready)
	})
	if lost {
		close(s.lost)
	}
}

// feedPriority is the SCHED_FIFO priority the producer asks for, one below JACK's
// process thread; -1 if JACK does not run real-time.
func (s *jackStream) feedPriority() int {
	jacklife.Mu.Lock()
	defer jacklife.Mu.Unlock()
	return int(C.sepa_rt_priority(s.c))
}

// Close stops the producer and closes the client; with the server gone it returns at
// once, and it never waits more than 0.3 s for libjack (a server that is stopped, not
// gone, keeps the close waiting in the background).
func (s *jackStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	C.sepa_stop(s.c)
	s.final = s.feed.stats()
	if s.started {
		<-s.done // Process returns promptly, and sepa_stop wakes the producer
	}
	s.feed.close()
	return jackClose(s.c, 300*time.Millisecond)
}

// Lost is closed when the JACK server has shut the client down (it quit, or dropped
// the client): the stream plays no more and a new one must be opened.
func (s *jackStream) Lost() <-chan struct{} { return s.lost }

// RealTime reports whether the rendering thread got real-time scheduling (known once
// Start has returned). Without it, a busy machine makes the ring run dry now and then.
func (s *jackStream) RealTime() bool { return s.realtime }

// Latency is Ahead periods of the ring plus what JACK reports from the output ports to
// the sound (the server's and the device's buffers); before the ports are connected,
// what it reports for the ports they will be connected to.
func (s *jackStream) Latency() Latency {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		var n C.uint32_t
		jacklife.Mu.Lock()
		if C.sepa_playback_latency(s.c, &n) == 0 {
			most := n
			for _, d := range s.dest {
				name := C.CString(d)
				if C.sepa_port_playback_latency(s.c, name, &n) == 0 {
					most = max(most, n)
				}
				C.free(unsafe.Pointer(name))
			}
			s.device = frames(int(most), s.rate)
		}
		jacklife.Mu.Unlock()
	}
	return Latency{Ahead: s.ahead, Period: frames(s.buffer, s.rate), Device: s.device}
}

// played is how many frames the process callback has taken from the ring (tests).
func (s *jackStream) played() uint64 { return s.feed.played() }

func (s *jackStream) SampleRate() float64 { return s.rate }
func (s *jackStream) Buffer() int         { return s.buffer }
func (s *jackStream) Description() string { return s.desc }

// Stats counts JACK's process callbacks; Xruns are the xruns JACK reported plus the
// periods the ring could not fill (Underruns).
func (s *jackStream) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.final
	}
	return s.feed.stats()
}

// JACKServer describes the running JACK server as the native output sees it.
type JACKServer struct {
	SampleRate float64
	Period     int      // frames per cycle
	Physical   []string // the physical playback ports: where Device "" connects
	Clients    []string // the clients with audio inputs: what Device can name
	// Device is the latency JACK reports from the physical playback ports to the
	// sound: Latency.Device of a stream that plays there.
	Device time.Duration
}

// QueryJACK describes the JACK server OpenJACK would play to, for a devices listing.
// Without a server it fails with an error matching ErrNoDevice.
func QueryJACK() (*JACKServer, error) {
	c, err := jackOpenClient(1)
	if err != nil {
		return nil, err
	}
	defer jackClose(c, time.Second)
	jacklife.Mu.Lock()
	defer jacklife.Mu.Unlock()
	s := &jackStream{c: c, name: C.GoString(C.jack_get_client_name(c.client))}
	js := &JACKServer{
		SampleRate: float64(C.sepa_rate(c)),
		Period:     int(C.sepa_period(c)),
		Physical:   s.inputPorts(true),
		Clients:    slices.Compact(clientsOf(s.inputPorts(false))),
	}
	var most C.uint32_t
	for _, p := range js.Physical {
		var n C.uint32_t
		name := C.CString(p)
		if C.sepa_port_playback_latency(c, name, &n) == 0 {
			most = max(most, n)
		}
		C.free(unsafe.Pointer(name))
	}
	js.Device = frames(int(most), js.SampleRate)
	return js, nil
}
