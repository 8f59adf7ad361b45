package audio

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestClockPaces(t *testing.T) {
	for _, buf := range []int{128, 64} {
		var frames atomic.Int64
		var bad atomic.Int32
		s := OpenClock(Config{Buffer: buf}, func(out [][]float32) {
			if len(out) != 2 || len(out[0]) != buf || len(out[1]) != buf {
				bad.Add(1)
			}
			frames.Add(int64(len(out[0])))
		})
		if s.SampleRate() != 48000 || s.Buffer() != buf || s.Description() != "no audio device (clock)" {
			t.Errorf("stream: %g Hz, %d frames, %q", s.SampleRate(), s.Buffer(), s.Description())
		}
		start := time.Now()
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		c0, t0 := s.Stats().Callbacks, time.Now()
		time.Sleep(2 * time.Second)
		st, t1 := s.Stats(), time.Now()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		period := float64(buf) / 48000
		rate := float64(st.Callbacks-c0) / t1.Sub(t0).Seconds()
		if want := 1 / period; math.Abs(rate/want-1) > 0.02 {
			t.Errorf("%d frames: %.1f callbacks/s, want %.1f within 2%%", buf, rate, want)
		}
		// No drift: the count since Start is what the elapsed time implies, up to a slice
		// ahead (rendered at its start), within a few blocks (a Stats call may land while
		// a late wake-up is being caught up).
		want := t1.Sub(start).Seconds() / period
		slice := clockBuffers(buf, 48000, ClockSlice)
		if d := float64(st.Callbacks) - want; d < -4 || d > float64(slice)+4 {
			t.Errorf("%d frames: %d callbacks in %v, want %.0f to %.0f: drifted by %.1f blocks", buf, st.Callbacks, t1.Sub(start), want, want+float64(slice), d)
		}
		if st.Xruns != 0 || bad.Load() != 0 {
			t.Errorf("%d frames: %d xruns, %d malformed blocks", buf, st.Xruns, bad.Load())
		}
		if frames.Load() < int64(st.Callbacks)*int64(buf) {
			t.Errorf("%d frames rendered in %d callbacks", frames.Load(), st.Callbacks)
		}
		if !(st.LoadMax > 0 && st.LoadP99 <= st.LoadMax) {
			t.Errorf("load %+v", st)
		}
	}
}

func TestClockCatchesUp(t *testing.T) {
	// A Process that stalls for 40 ms once: the clock calls it again at once for every
	// block it owes, so the count is back on schedule and nothing is skipped.
	var n atomic.Int64
	s := OpenClock(Config{}, func(out [][]float32) {
		if n.Add(1) == 20 {
			time.Sleep(40 * time.Millisecond)
		}
	})
	start := time.Now()
	s.Start()
	time.Sleep(500 * time.Millisecond)
	st, el := s.Stats(), time.Since(start)
	s.Close()
	want := el.Seconds() * 48000 / 128
	if d := float64(st.Callbacks) - want; d < -4 || d > float64(clockBuffers(128, 48000, ClockSlice))+4 || st.Xruns != 0 {
		t.Errorf("after a 40 ms stall: %d callbacks, %d xruns; want %.0f, 0", st.Callbacks, st.Xruns, want)
	}
	if st.LoadMax < 10 {
		t.Errorf("the stall shows as a load of %.1f, want about 15", st.LoadMax)
	}

	// A stall of 300 ms is beyond catching up: the clock skips to the present.
	n.Store(0)
	s = OpenClock(Config{}, func(out [][]float32) {
		if n.Add(1) == 20 {
			time.Sleep(300 * time.Millisecond)
		}
	})
	start = time.Now()
	s.Start()
	time.Sleep(700 * time.Millisecond)
	st, el = s.Stats(), time.Since(start)
	s.Close()
	behind := (el.Seconds() - 0.3) * 48000 / 128 // blocks due while it was not stalled
	if st.Xruns != 1 || math.Abs(float64(st.Callbacks)-behind) > float64(clockBuffers(128, 48000, ClockSlice))+8 {
		t.Errorf("after a 300 ms stall: %d callbacks, %d xruns; want about %.0f, 1", st.Callbacks, st.Xruns, behind)
	}
}

func TestClockStartClose(t *testing.T) {
	s := OpenClock(Config{}, func([][]float32) {})
	if err := s.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Start(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Start after Close: %v", err)
	}
	s = OpenClock(Config{}, func([][]float32) {})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start gave no error")
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func TestOpenClockPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"nil":      func() { OpenClock(Config{}, nil) },
		"rate":     func() { OpenClock(Config{SampleRate: -1}, func([][]float32) {}) },
		"channels": func() { OpenClock(Config{Channels: -2}, func([][]float32) {}) },
		"slice":    func() { OpenClockEvery(Config{}, 0, func([][]float32) {}) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "audio: ") {
					t.Errorf("%s: panic %v, want an audio: message", name, r)
				}
			}()
			f()
		}()
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	if c.SampleRate != 48000 || c.Buffer != 128 || c.Channels != 2 || c.MaxBlock != 512 {
		t.Errorf("defaults %+v", c)
	}
	if c := (Config{Buffer: 64}).WithDefaults(); c.MaxBlock != 256 {
		t.Errorf("MaxBlock for 64-frame buffers: %d", c.MaxBlock)
	}
	for _, c := range []Config{{SampleRate: 1000}, {Buffer: -1}, {Channels: 65}, {MaxBlock: -1}} {
		if err := c.WithDefaults().check(); err == nil || !strings.HasPrefix(err.Error(), "audio: ") {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// The clock wakes once a slice of about 10 ms and renders its buffers back to back,
// instead of waking once a buffer: a 2.7 ms buffer woke it 375 times a second.
func TestClockWakesInSlices(t *testing.T) {
	for _, tc := range []struct {
		buffer int
		every  time.Duration
		slice  int // buffers per wake-up
	}{
		{128, ClockSlice, 4}, {64, ClockSlice, 8}, {1024, ClockSlice, 1},
		{128, 100 * time.Millisecond, 38}, {4800, 100 * time.Millisecond, 1},
	} {
		if got := clockBuffers(tc.buffer, 48000, tc.every); got != tc.slice {
			t.Errorf("%d frames at 48 kHz every %v: %d buffers a wake-up, want %d", tc.buffer, tc.every, got, tc.slice)
		}
		var mu sync.Mutex
		var at []time.Time
		s := OpenClockEvery(Config{Buffer: tc.buffer}, tc.every, func(out [][]float32) {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
		})
		s.Start()
		time.Sleep(time.Second)
		s.Close()
		mu.Lock()
		// A wake-up starts where a callback follows the previous one by more than a
		// third of a buffer (within a slice they follow at once).
		wakes := 1
		gap := time.Duration(float64(tc.buffer) / 48000 / 3 * float64(time.Second))
		for i := 1; i < len(at); i++ {
			if at[i].Sub(at[i-1]) > gap {
				wakes++
			}
		}
		callbacks := len(at)
		mu.Unlock()
		want := float64(callbacks) / float64(tc.slice)
		if r := float64(wakes) / want; r < 0.7 || r > 1.3 {
			t.Errorf("%d frames every %v: %d callbacks in %d wake-ups, want about %.0f wake-ups (%d buffers each)", tc.buffer, tc.every, callbacks, wakes, want, tc.slice)
		}
	}
}
