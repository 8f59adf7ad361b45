//go:build cgo

package audio

import (
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// playing fails the test if the stream did not open, starts it, closes it when the
// test ends and gives it settle to get going (connections, the first periods).
func playing(t *testing.T, s Stream, err error, settle time.Duration) Stream {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(settle)
	return s
}

// checkNoAllocsWhilePlaying: for a second of a stream that renders into frames, the
// process allocates (next to nothing: the test's own goroutine allocates a little
// around ReadMemStats, while the stream's Process ran some 375 times).
func checkNoAllocsWhilePlaying(t *testing.T, frames *atomic.Int64) {
	t.Helper()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	f0 := frames.Load()
	time.Sleep(time.Second)
	f1 := frames.Load()
	runtime.ReadMemStats(&m1)
	if f1-f0 < 40000 {
		t.Fatalf("rendered %d frames in 1 s, want about 48000", f1-f0)
	}
	if n := m1.Mallocs - m0.Mallocs; n > 20 {
		t.Errorf("%d allocations while playing 1 s", n)
	}
}

// envInts reads the environment variable name as whole numbers separated by commas;
// def if it is not set.
func envInts(t *testing.T, name string, def []int) []int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("%s=%q: want whole numbers separated by commas", name, s)
		}
		out = append(out, n)
	}
	return out
}

// computeUntil computes without pause until stop is closed (a goroutine that never
// rests, as the view's geometry worker while it runs).
func computeUntil(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
			sink.Add(math.Float64bits(work(1000)))
		}
	}
}

// garbageUntil allocates pieces of size bytes, n every millisecond, keeping up to keep
// of them at a time, until stop is closed: the garbage of a live program.
func garbageUntil(stop <-chan struct{}, n, size, keep int) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var kept [][]byte
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		for range n {
			kept = append(kept, make([]byte, size))
		}
		if len(kept) > keep {
			kept = kept[:0]
		}
	}
}
