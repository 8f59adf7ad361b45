package audio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeDevice is a Stream that calls its Process every millisecond from a goroutine of
// its own, and can be made to die (Lost), stall (stop calling back without a word),
// hang in Close, or come back at another rate.
type fakeDevice struct {
	name  string
	rate  float64
	p     Process
	calls atomic.Uint64
	// stale counts blocks in which p ran although this device had been replaced: its
	// Process wrote the marker in a block begun after retired was set. Tests set
	// retired only once the supervisor has reported the device lost.
	stale   *atomic.Uint64
	retired atomic.Bool

	lost      chan struct{}
	stop      chan struct{}
	stalled   atomic.Bool
	hangClose bool
	hangStart bool
	closeOnce sync.Once
	done      chan struct{}
}

func (d *fakeDevice) Start() error {
	if d.hangStart {
		select {} // a server that stopped answering while the client starts
	}
	go func() {
		defer close(d.done)
		out := [][]float32{make([]float32, 48), make([]float32, 48)}
		for {
			select {
			case <-d.stop:
				return
			case <-d.lost:
				return
			case <-time.After(time.Millisecond):
			}
			retired := d.retired.Load()
			if d.stalled.Load() && !retired {
				continue
			}
			clear(out[0])
			d.p(out)
			d.calls.Add(1)
			if out[0][0] == marker && retired {
				d.stale.Add(1)
			}
		}
	}()
	return nil
}

func (d *fakeDevice) Close() error {
	if d.hangClose {
		select {} // a driver that never lets go
	}
	d.closeOnce.Do(func() { close(d.stop) })
	return nil
}

func (d *fakeDevice) Lost() <-chan struct{} { return d.lost }
func (d *fakeDevice) SampleRate() float64   { return d.rate }
func (d *fakeDevice) Buffer() int           { return 48 }
func (d *fakeDevice) Description() string   { return d.name }
func (d *fakeDevice) Stats() Stats          { return Stats{Callbacks: d.calls.Load()} }

// marker is what the test's Process writes first into every block.
const marker = 0.25

// rig is a supervised fake device: its Open hands out devices while present is set.
type rig struct {
	t       *testing.T
	mu      sync.Mutex
	devices []*fakeDevice
	present atomic.Bool
	rate    atomic.Int64
	hang    atomic.Bool // devices opened from now on hang in Close
	hangUp  atomic.Bool // devices opened from now on hang in Start
	stale   atomic.Uint64

	calls, inside, overlaps atomic.Int64
	status                  chan string
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, status: make(chan string, 64)}
	r.present.Store(true)
	r.rate.Store(48000)
	return r
}

func (r *rig) process(out [][]float32) {
	if r.inside.Add(1) > 1 {
		r.overlaps.Add(1)
	}
	out[0][0] = marker
	r.calls.Add(1)
	r.inside.Add(-1)
}

func (r *rig) open(cfg Config, p Process) (Stream, error) {
	if !r.present.Load() {
		return nil, &noDevice{"audio: no fake device"}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	d := &fakeDevice{name: fmt.Sprintf("fake %d", len(r.devices)+1), rate: float64(r.rate.Load()), p: p, stale: &r.stale,
		lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), hangClose: r.hang.Load(), hangStart: r.hangUp.Load()}
	r.devices = append(r.devices, d)
	return d, nil
}

func (r *rig) device(i int) *fakeDevice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.devices[i]
}

func (r *rig) opened() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.devices)
}

func (r *rig) supervise(wait bool) (*Supervised, error) {
	return Supervise(Config{SampleRate: 48000, Buffer: 48}, r.process, SuperviseOptions{
		Open:        r.open,
		Status:      func(s string) { r.status <- s },
		WaitAtStart: wait,
		Retry:       20 * time.Millisecond,
		Stall:       100 * time.Millisecond,
	})
}

// expect waits for a status line containing want.
func (r *rig) expect(want string) {
	r.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-r.status:
			if strings.Contains(s, want) {
				return
			}
			r.t.Logf("status: %s", s)
		case <-deadline:
			r.t.Fatalf("no status line containing %q within 5 s", want)
		}
	}
}

// playing checks that p keeps being called.
func (r *rig) playing(what string) {
	r.t.Helper()
	n := r.calls.Load()
	deadline := time.Now().Add(5 * time.Second)
	for r.calls.Load() < n+20 {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: Process was called %d times in 5 s", what, r.calls.Load()-n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start supervises the rig's device (it must be there) and starts playing.
func (r *rig) start() *Supervised {
	r.t.Helper()
	s, err := r.supervise(false)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		r.t.Fatal(err)
	}
	return s
}

func (r *rig) check(s *Supervised) {
	r.t.Helper()
	if err := s.Close(); err != nil {
		r.t.Errorf("Close: %v", err)
	}
	if n := r.overlaps.Load(); n > 0 {
		r.t.Errorf("Process was entered %d times while another call was inside it", n)
	}
	if n := r.stale.Load(); n > 0 {
		r.t.Errorf("a replaced device called Process %d times", n)
	}
}

func TestSuperviseLostAndBack(t *testing.T) {
	r := newRig(t)
	s := r.start()
	r.playing("on the device")
	r.present.Store(false)
	first := r.device(0)
	close(first.lost)
	r.expect("lost the fake 1 (its server shut it down)")
	first.retired.Store(true)
	if s.OnDevice() || !strings.Contains(s.Description(), "lost") {
		t.Errorf("after the loss: OnDevice %v, Description %q", s.OnDevice(), s.Description())
	}
	r.playing("on the clock")
	r.present.Store(true)
	r.expect("sound is back on the fake 2")
	if !s.OnDevice() || s.Description() != "fake 2" {
		t.Errorf("after the return: OnDevice %v, Description %q", s.OnDevice(), s.Description())
	}
	n := r.device(1).calls.Load()
	r.playing("on the device again")
	if r.device(1).calls.Load() == n {
		t.Error("the reopened device does not call back")
	}
	r.check(s)
}

func TestSuperviseStall(t *testing.T) {
	r := newRig(t)
	s := r.start()
	r.playing("on the device")
	first := r.device(0)
	r.present.Store(false)
	first.stalled.Store(true)
	r.expect("lost the fake 1 (it asked for no audio")
	// The stalled device wakes up (stalled and retired: it calls back again): the
	// supervisor must keep it away from Process.
	first.retired.Store(true)
	r.playing("on the clock beside the woken device")
	r.present.Store(true)
	r.expect("sound is back on the fake 2")
	r.playing("on the device again")
	r.check(s)
	if first.calls.Load() == 0 {
		t.Fatal("the stalled device never called back")
	}
}

func TestSuperviseCloseNeverHangs(t *testing.T) {
	r := newRig(t)
	r.hang.Store(true)
	s := r.start()
	r.playing("on the device")
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "left it behind") {
			t.Errorf("Close of a device that hangs: %v, want an error saying it was left behind", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close hung with the device")
	}
	n := r.calls.Load()
	time.Sleep(20 * time.Millisecond)
	if r.calls.Load() != n {
		t.Error("Process is still called after Close")
	}
}

func TestSuperviseWaitsAtStart(t *testing.T) {
	r := newRig(t)
	r.present.Store(false)
	if _, err := r.supervise(false); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("no device without WaitAtStart: %v, want ErrNoDevice", err)
	}
	s, err := r.supervise(true)
	if err != nil {
		t.Fatal(err)
	}
	r.expect("no fake device; the neuron and its MIDI go on without sound")
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	r.playing("on the clock")
	r.present.Store(true)
	r.expect("sound is back on the fake 1")
	r.playing("on the device")
	r.check(s)
}

func TestSuperviseRateChange(t *testing.T) {
	r := newRig(t)
	s := r.start()
	r.rate.Store(44100)
	close(r.device(0).lost)
	r.expect("lost the")
	r.device(0).retired.Store(true)
	r.expect("plays at 44100 Hz, but this session plays at 48000 Hz")
	r.playing("on the clock")
	if s.OnDevice() {
		t.Error("a device at another rate was taken into use")
	}
	opened := r.opened()
	r.rate.Store(48000)
	r.expect("sound is back")
	if r.opened() <= opened {
		t.Error("no new device was opened")
	}
	r.check(s)
}

// TestSuperviseSwitchesNeverOverlap loses and regains the device many times in a row.
func TestSuperviseSwitchesNeverOverlap(t *testing.T) {
	r := newRig(t)
	s := r.start()
	for i := 0; i < 10; i++ {
		r.expectOn(s, i)
		d := r.device(i)
		close(d.lost)
		r.expect(fmt.Sprintf("lost the fake %d", i+1))
		d.retired.Store(true)
	}
	r.check(s)
}

// expectOn waits until device i plays.
func (r *rig) expectOn(s *Supervised, i int) {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !(s.OnDevice() && r.opened() > i && r.device(i).calls.Load() > 5) {
		if time.Now().After(deadline) {
			r.t.Fatalf("device %d never played", i+1)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSuperviseDeviceHangsWhileStarting: a device found again that hangs in Start (a
// server that stops answering just then) holds nothing up: the clock plays on, and
// Close returns at once.
func TestSuperviseDeviceHangsWhileStarting(t *testing.T) {
	r := newRig(t)
	s := r.start()
	r.playing("on the device")
	r.hangUp.Store(true)
	close(r.device(0).lost)
	r.expect("lost the fake 1")
	r.device(0).retired.Store(true)
	deadline := time.Now().Add(5 * time.Second)
	for r.opened() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the device was never opened again")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.playing("on the clock while the new device hangs in Start")
	t0 := time.Now()
	r.check(s)
	if d := time.Since(t0); d > time.Second {
		t.Errorf("Close took %v with a device hanging in Start", d)
	}
}

// TestSuperviseReopensWithReopen: the device is opened with Open at start and with
// Reopen after a loss (PortAudio needs restarting to see a device again).
func TestSuperviseReopensWithReopen(t *testing.T) {
	r := newRig(t)
	var opens, reopens atomic.Int32
	s, err := Supervise(Config{SampleRate: 48000, Buffer: 48}, r.process, SuperviseOptions{
		Open:   func(c Config, p Process) (Stream, error) { opens.Add(1); return r.open(c, p) },
		Reopen: func(c Config, p Process) (Stream, error) { reopens.Add(1); return r.open(c, p) },
		Status: func(msg string) { r.status <- msg },
		Retry:  20 * time.Millisecond,
		Stall:  100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	close(r.device(0).lost)
	r.expect("sound is back on the fake 2")
	r.device(0).retired.Store(true)
	r.check(s)
	if opens.Load() != 1 || reopens.Load() != 1 {
		t.Errorf("Open called %d times, Reopen %d; want once each", opens.Load(), reopens.Load())
	}
}
