package audio

import (
	"math"
	"sync"
	"time"
)

// clockDescription is the Description of a stream without a device.
const clockDescription = "no audio device (clock)"

// OpenClock returns a stream that plays nowhere: once started, a goroutine calls p with
// buffers of Buffer frames of its own, whose contents are dropped, as many a second as a
// device would (SampleRate/Buffer). It is for playing MIDI out of the emulator when there
// is no audio device, and keeps the engine's clock running at the rate a device would.
//
// It wakes every 10 ms (ClockSlice), not once a buffer (a wake-up costs more CPU than a
// small engine's buffer): at each wake-up it calls p for every buffer due before the
// next (the buffers that fill 10 ms, at least one), one after the other, so the engine
// runs up to 10 ms ahead of the clock, as it would behind a device's latency.
// Every buffer still has Buffer frames, so events keep their frames. Buffer n is due at
// start + n*Buffer/SampleRate, computed from the start each time, so the pace does not
// drift. A late wake-up is caught up by calling p at once for every buffer due; if the
// stream falls more than max(100 ms, 4 buffers) behind (the process was stopped, the
// machine slept), it skips to the present instead and counts an xrun. Host and Device
// are ignored. OpenClock panics on a Config that Open would reject as malformed, and on
// a nil p.
func OpenClock(cfg Config, p Process) Stream { return OpenClockEvery(cfg, ClockSlice, p) }

// OpenClockEvery is OpenClock waking every slice (in whole buffers, at least one)
// instead of every ClockSlice. A longer slice costs less CPU and delays whatever the
// engine's blocks reach by as much: for a session that nothing hears or steers as it
// plays (no MIDI in or out, no view), a tenth of a second is not noticed. It panics,
// besides, on a slice that is not positive.
func OpenClockEvery(cfg Config, slice time.Duration, p Process) Stream {
	if slice <= 0 {
		panic("audio: OpenClockEvery with a slice of " + slice.String())
	}
	cfg = cfg.WithDefaults()
	if err := cfg.check(); err != nil {
		panic(err.Error())
	}
	if p == nil {
		panic("audio: OpenClock with a nil Process")
	}
	c := &clockStream{cfg: cfg, p: p, slice: clockBuffers(cfg.Buffer, cfg.SampleRate, slice),
		stop: make(chan struct{}), done: make(chan struct{})}
	c.buf = make([][]float32, cfg.Channels)
	for i := range c.buf {
		c.buf[i] = make([]float32, cfg.Buffer)
	}
	c.view = make([][]float32, cfg.Channels)
	return c
}

type clockStream struct {
	cfg       Config
	p         Process
	slice     int // buffers per wake-up
	buf, view [][]float32
	meter     meter

	mu              sync.Mutex // Start and Close
	started, closed bool
	stop, done      chan struct{}
}

func (c *clockStream) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := checkStart(c.closed, c.started); err != nil {
		return err
	}
	c.started = true
	go c.run()
	return nil
}

// ClockSlice is how often, at most, a stream of OpenClock wakes up. A wake-up of a Go
// timer costs far more than it seems: 85 µs of CPU on a 2-core virtual machine, as the
// scheduler wakes other threads too (a C program sleeping the same way: 12 µs). Waking
// once a 128-frame buffer (375 times a second) cost 3% of a core; once every 10 ms, 0.85%.
const ClockSlice = 10 * time.Millisecond

// clockBuffers is how many buffers of the given size a clock renders per wake-up at
// the given rate: those that fill slice, and at least one.
func clockBuffers(buffer int, sampleRate float64, slice time.Duration) int {
	period := float64(buffer) / sampleRate
	return max(1, int(math.Ceil(slice.Seconds()/period-1e-9)))
}

func (c *clockStream) run() {
	defer close(c.done)
	period := float64(c.cfg.Buffer) / c.cfg.SampleRate // seconds per buffer
	slice := int64(c.slice)
	due := func(n int64) time.Duration { return time.Duration(float64(n) * period * float64(time.Second)) }
	maxLag := max(100*time.Millisecond, due(4))
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for n := int64(0); ; {
		now := time.Since(start)
		if wait := due(n) - now; wait > 0 {
			timer.Reset(wait)
			select {
			case <-c.stop:
				return
			case <-timer.C:
			}
		} else {
			select {
			case <-c.stop:
				return
			default:
			}
			if -wait > maxLag {
				c.meter.xruns.Add(1)
				n = int64(now.Seconds() / period) // skip to the buffer due now
			}
		}
		// The buffers of this slice, and any due since (a late wake-up catches up).
		end := max(n+slice, int64(time.Since(start).Seconds()/period)+1)
		for ; n < end; n++ {
			t0 := time.Now()
			render(c.p, c.buf, c.view, c.cfg.MaxBlock)
			c.meter.record(time.Since(t0), c.cfg.Buffer, c.cfg.SampleRate)
		}
	}
}

func (c *clockStream) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	close(c.stop)
	if c.started {
		<-c.done
	}
	return nil
}

func (c *clockStream) SampleRate() float64 { return c.cfg.SampleRate }
func (c *clockStream) Buffer() int         { return c.cfg.Buffer }
func (c *clockStream) Description() string { return clockDescription }
func (c *clockStream) Stats() Stats        { return c.meter.stats() }
