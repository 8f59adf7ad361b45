//go:build cgo

package audio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gordonklaus/portaudio"
)

// PortAudio state. paMu serialises Initialize, Terminate, List, Open and every Start and
// Close; the audio callback never takes it.
var (
	paMu    sync.Mutex
	paUp    bool
	streams = map[paCloser]struct{}{}
)

// paCloser is an open PortAudio stream, direct or ring-fed, that Terminate closes.
type paCloser interface{ closeLocked() error }

// Initialize starts PortAudio with ALSA's and JACK's start-up messages silenced (without
// a sound card, ALSA prints some 60 lines on stderr and JACK 5 when no server runs).
// Calling it again does nothing until Terminate. Open and List call it themselves.
//
// PortAudio lists devices once, here: a JACK server must be running before Initialize
// for the JACK host API to appear, and a device plugged in later is seen only after
// Terminate and Initialize.
func Initialize() error {
	paMu.Lock()
	defer paMu.Unlock()
	return initLocked()
}

func initLocked() error {
	if paUp {
		return nil
	}
	silenceLibraries()
	if err := portaudio.Initialize(); err != nil {
		return wrap(err, "audio: starting PortAudio: %s", paText(err))
	}
	paUp = true
	afterInitialize()
	return nil
}

// afterInitialize runs after every successful portaudio.Initialize (see
// race_portaudio.go).
var afterInitialize = func() {}

// Terminate closes every stream still open and stops PortAudio. Calling it when
// PortAudio is not running does nothing.
//
// It waits at most twice terminateTimeout (0.3 s) for PortAudio: a stream stuck in a
// host API whose server died (PortAudio's JACK host waits up to ten minutes for a
// server that quit) must not keep the program from exiting. It then returns an error
// and leaves PortAudio as it is.
func Terminate() error {
	if !lockWithin(&paMu, terminateTimeout) {
		return errors.New("audio: PortAudio did not stop (a stream is stuck in its audio driver); going on without it")
	}
	done := make(chan error, 1)
	go func() {
		defer paMu.Unlock()
		done <- terminateLocked()
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(terminateTimeout):
		return fmt.Errorf("audio: PortAudio did not stop within %v (a stream is stuck in its audio driver); going on without it", terminateTimeout)
	}
}

// terminateTimeout bounds Terminate.
const terminateTimeout = 300 * time.Millisecond

func terminateLocked() error {
	if !paUp {
		return nil
	}
	var errs []error
	for s := range streams {
		errs = append(errs, s.closeLocked())
	}
	if err := portaudio.Terminate(); err != nil {
		errs = append(errs, wrap(err, "audio: stopping PortAudio: %s", paText(err)))
	}
	paUp = false
	return errors.Join(errs...)
}

// lockWithin locks mu, giving up after d.
func lockWithin(mu *sync.Mutex, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !mu.TryLock() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// Reopen is Open after restarting PortAudio, which lists devices only when it starts:
// a device plugged in again (or a server started) since is seen. It is the Open to
// give Supervise for a PortAudio device. Every stream still open is closed first.
func Reopen(cfg Config, p Process) (Stream, error) {
	if err := Terminate(); err != nil {
		return nil, err
	}
	return Open(cfg, p)
}

// List returns PortAudio's host APIs, each with its output devices, in PortAudio's
// order. It calls Initialize if needed.
func List() ([]HostAPI, error) {
	paMu.Lock()
	defer paMu.Unlock()
	if err := initLocked(); err != nil {
		return nil, err
	}
	hosts, _, err := list()
	return hosts, err
}

// list returns the hosts and, in the same layout, PortAudio's records of their devices.
func list() ([]HostAPI, [][]*portaudio.DeviceInfo, error) {
	pa, err := portaudio.HostApis()
	if err != nil {
		return nil, nil, wrap(err, "audio: listing audio devices: %s", paText(err))
	}
	defOut, _ := portaudio.DefaultOutputDevice() // nil when there is none
	defHost, _ := portaudio.DefaultHostApi()
	hosts := make([]HostAPI, len(pa))
	infos := make([][]*portaudio.DeviceInfo, len(pa))
	for i, h := range pa {
		hosts[i] = HostAPI{Name: clean(h.Name)}
		if defOut != nil {
			hosts[i].Default = defOut.HostApi == h
		} else {
			hosts[i].Default = defHost == h
		}
		for _, d := range h.Devices {
			if d.MaxOutputChannels < 1 {
				continue
			}
			hosts[i].Devices = append(hosts[i].Devices, Device{
				Name:              clean(d.Name),
				MaxOutputChannels: d.MaxOutputChannels,
				DefaultSampleRate: d.DefaultSampleRate,
				Default:           d == h.DefaultOutputDevice,
			})
			infos[i] = append(infos[i], d)
		}
	}
	return hosts, infos, nil
}

// Open opens an output stream on the device cfg names, in PortAudio's callback mode with
// non-interleaved float32 buffers, and Start begins calling p. It calls Initialize if
// needed.
//
// PortAudio's callback is C and calls no Go: it copies finished buffers from a
// lock-free ring, and a goroutine of the stream's own, woken by that callback, calls p
// to keep cfg.Ahead buffers in the ring, on a thread with real-time priority one step
// below the callback's where the system allows it. A late goroutine costs a counted
// underrun (silence), never a late callback. With cfg.Direct, p runs in PortAudio's
// callback itself instead, Ahead buffers sooner.
//
// PortAudio is asked for Buffer frames per callback and normally delivers exactly that,
// but a direct p is called with whatever length arrives, split into pieces of at most
// MaxBlock frames: prepare the engine with cfg.WithDefaults().MaxBlock (4*Buffer
// unless set).
//
// A name that matches nothing, or more than one device, gives an error that lists the
// output devices; no output device at all gives an error matching ErrNoDevice. Open
// cannot tell a device that plays from one that does not (ALSA's null device opens fine
// and is not paced by a clock): Usable can. Open panics if p is nil.
func Open(cfg Config, p Process) (Stream, error) {
	if p == nil {
		panic("audio: Open with a nil Process")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	paMu.Lock()
	defer paMu.Unlock()
	if err := initLocked(); err != nil {
		return nil, err
	}
	hosts, infos, err := list()
	if err != nil {
		return nil, err
	}
	hi, di, err := selectDevice(hosts, cfg.Host, cfg.Device)
	if err != nil {
		return nil, err
	}
	dev := infos[hi][di]
	desc := hosts[hi].Name + ": " + hosts[hi].Devices[di].Name
	if cfg.Channels > dev.MaxOutputChannels {
		return nil, fmt.Errorf("audio: %s has %d output channels, not %d", desc, dev.MaxOutputChannels, cfg.Channels)
	}
	latency := max(dev.DefaultLowOutputLatency, 2*frames(cfg.Buffer, cfg.SampleRate))
	if !cfg.Direct {
		r, err := openRing(cfg, p, dev, desc, latency)
		if err != nil {
			return nil, err
		}
		streams[r] = struct{}{}
		return r, nil
	}
	s := &paStream{
		p:        p,
		rate:     cfg.SampleRate,
		buffer:   cfg.Buffer,
		maxBlock: cfg.MaxBlock,
		desc:     desc,
		view:     make([][]float32, cfg.Channels),
	}
	params := portaudio.StreamParameters{
		Output: portaudio.StreamDeviceParameters{
			Device:   dev,
			Channels: cfg.Channels,
			Latency:  latency,
		},
		SampleRate:      cfg.SampleRate,
		FramesPerBuffer: cfg.Buffer,
	}
	s.pa, err = portaudio.OpenStream(params, s.callback)
	if err != nil {
		return nil, openError(s.desc, cfg, dev, err)
	}
	if info := s.pa.Info(); info != nil {
		if info.SampleRate > 0 {
			s.rate = info.SampleRate
		}
		s.device = info.OutputLatency
	}
	streams[s] = struct{}{}
	return s, nil
}

// openError explains why PortAudio would not open dev.
func openError(desc string, cfg Config, dev *portaudio.DeviceInfo, err error) error {
	switch err {
	case portaudio.InvalidSampleRate:
		hint := fmt.Sprintf("its own rate is %g Hz", dev.DefaultSampleRate)
		if dev.HostApi != nil && dev.HostApi.Type == portaudio.JACK {
			hint = fmt.Sprintf("the JACK server runs at %g Hz; ask for that rate or restart the server at %g Hz",
				dev.DefaultSampleRate, cfg.SampleRate)
		}
		return wrap(err, "audio: %s cannot play at %g Hz (%s)", desc, cfg.SampleRate, hint)
	case portaudio.InvalidChannelCount:
		return wrap(err, "audio: %s cannot play %d channels (it has %d)", desc, cfg.Channels, dev.MaxOutputChannels)
	case portaudio.BufferTooBig, portaudio.BufferTooSmall:
		return wrap(err, "audio: %s cannot use buffers of %d frames", desc, cfg.Buffer)
	case portaudio.DeviceUnavailable:
		return wrap(err, "audio: %s is unavailable; another program may be using it", desc)
	}
	return wrap(err, "audio: opening %s at %g Hz with %d-frame buffers: %s", desc, cfg.SampleRate, cfg.Buffer, paText(err))
}

// paStream is a PortAudio output stream.
type paStream struct {
	// Read by the callback; set before Start.
	p        Process
	rate     float64
	buffer   int
	maxBlock int
	view     [][]float32
	meter    meter
	// entry, when not nil, records how long each callback took to get from PortAudio's
	// C code into Go (tests only: it costs a call into C per callback).
	entry *meter

	desc            string
	device          time.Duration // the host's output latency, as PortAudio reports it
	pa              *portaudio.Stream
	started, closed bool // guarded by paMu
}

// callback runs on the audio thread for every buffer PortAudio wants.
func (s *paStream) callback(out [][]float32, ti portaudio.StreamCallbackTimeInfo, flags portaudio.StreamCallbackFlags) {
	t0 := time.Now()
	if s.entry != nil {
		s.entry.record(s.pa.Time()-ti.CurrentTime, s.buffer, s.rate)
	}
	if flags&(portaudio.OutputUnderflow|portaudio.OutputOverflow) != 0 {
		s.meter.xruns.Add(1)
	}
	render(s.p, out, s.view, s.maxBlock)
	frames := 0
	if len(out) > 0 {
		frames = len(out[0])
	}
	s.meter.record(time.Since(t0), frames, s.rate)
}

func (s *paStream) Start() error {
	paMu.Lock()
	defer paMu.Unlock()
	if err := checkStart(s.closed, s.started); err != nil {
		return err
	}
	if err := s.pa.Start(); err != nil {
		return wrap(err, "audio: starting %s: %s", s.desc, paText(err))
	}
	s.started = true
	return nil
}

func (s *paStream) Close() error {
	paMu.Lock()
	defer paMu.Unlock()
	return s.closeLocked()
}

func (s *paStream) closeLocked() error {
	if s.closed {
		return nil
	}
	s.closed = true
	delete(streams, s)
	var errs []error
	if s.started {
		if err := s.pa.Stop(); err != nil && err != portaudio.StreamIsStopped {
			errs = append(errs, wrap(err, "audio: stopping %s: %s", s.desc, paText(err)))
		}
	}
	if err := s.pa.Close(); err != nil {
		errs = append(errs, wrap(err, "audio: closing %s: %s", s.desc, paText(err)))
	}
	return errors.Join(errs...)
}

// Latency is the host's own output latency: a direct callback renders nothing ahead.
func (s *paStream) Latency() Latency {
	return Latency{Period: frames(s.buffer, s.rate), Device: s.device}
}

func (s *paStream) SampleRate() float64 { return s.rate }
func (s *paStream) Buffer() int         { return s.buffer }
func (s *paStream) Description() string { return s.desc }
func (s *paStream) Stats() Stats        { return s.meter.stats() }

// wrapped is an error with a message of its own that unwraps to PortAudio's.
type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

func wrap(err error, format string, args ...any) error {
	return &wrapped{fmt.Sprintf(format, args...), err}
}

// paText is PortAudio's error text made fit to show: host APIs pass on text of their
// own, which has been seen to be garbage bytes.
func paText(err error) string {
	t := clean(err.Error())
	letters := 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 3 {
		if pe, ok := err.(portaudio.Error); ok {
			return fmt.Sprintf("PortAudio error %d", int(pe))
		}
		if he, ok := err.(portaudio.UnanticipatedHostError); ok {
			return fmt.Sprintf("host error %d", he.Code)
		}
		return "unknown PortAudio error"
	}
	return t
}

// clean drops invalid UTF-8 and control characters and trims white space.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
