//go:build cgo

package audio

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio/internal/cref"
)

// TestMeasureGOMAXPROCS measures xruns at several GOMAXPROCS settings, each right after
// as long a run of a C client (package cref) that shows the machine's own xruns; it is
// how the numbers in RecommendedGOMAXPROCS's comment were taken. It runs only when
// asked:
//
//	SEPARATRIX_AUDIO_MEASURE=20s go test ./io/audio -run MeasureGOMAXPROCS -v
//
// SEPARATRIX_AUDIO_PROCS (default "2,4,8") lists the settings and
// SEPARATRIX_AUDIO_BUSY=1 adds a goroutine that computes without pause;
// SEPARATRIX_AUDIO_IDLE=1 leaves Process and the rest of the program idle. It reads
// jackd's log while the server runs, which the race detector reports: run it without
// -race.
func TestMeasureGOMAXPROCS(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SEPARATRIX_AUDIO_MEASURE"))
	if err != nil {
		t.Skip("set SEPARATRIX_AUDIO_MEASURE to a duration to measure")
	}
	needJACK(t)
	procs := envInts(t, "SEPARATRIX_AUDIO_PROCS", []int{2, 4, 8})
	busy := os.Getenv("SEPARATRIX_AUDIO_BUSY") == "1"
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))

	iters := calibrate(50 * time.Microsecond)
	if os.Getenv("SEPARATRIX_AUDIO_IDLE") == "1" {
		iters = 0 // a Process that does nothing, alone in the process
	}
	t0 := time.Now()
	for range 100 {
		sink.Add(math.Float64bits(work(iters)))
	}
	t.Logf("Process computes %d iterations, %.1f µs", iters, time.Since(t0).Seconds()/100*1e6)
	for _, n := range procs {
		// The machine's own xruns: a C client (no Go on its audio thread) just before.
		calls, xruns, err := cref.Run(d, 48000, 128)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("C reference: %d callbacks in %.1f s, %d xruns", calls, d.Seconds(), xruns)
		runtime.GOMAXPROCS(n)
		st, clientXruns, dur := measureOnce(t, d, iters, busy)
		t.Logf("GOMAXPROCS=%d busy=%v: %d callbacks in %.1f s, %d xruns (jackd: %s), load p99 %.3f max %.3f",
			n, busy, st.Callbacks, dur.Seconds(), st.Xruns, clientXruns, st.LoadP99, st.LoadMax)
	}
}

var sink atomic.Uint64

// work computes for about as long as calibrate found.
func work(iters int) float64 {
	x := 0.5
	for range iters {
		x = 3.9 * x * (1 - x) // the logistic map: no shortcut for the compiler
	}
	return x
}

// calibrate returns the iterations of work that take d, from the fastest of several
// timings (other processes on the machine only ever make a timing longer).
func calibrate(d time.Duration) int {
	const n = 1 << 20
	best := time.Hour
	for range 10 {
		t0 := time.Now()
		sink.Add(math.Float64bits(work(n)))
		best = min(best, time.Since(t0))
	}
	return int(float64(n) * float64(d) / float64(best))
}

// measureOnce plays for d with Process computing iters, beside a goroutine that allocates
// 1 KiB every millisecond and one that wakes every 10 ms (and, if busy, one that never
// rests). It returns the stream's stats and the client xruns jackd logged meanwhile.
func measureOnce(t *testing.T, d time.Duration, iters int, busy bool) (Stats, string, time.Duration) {
	s, err := Open(Config{Host: "jack", Direct: true}, func(out [][]float32) {
		v := float32(0)
		if iters > 0 {
			v = float32(work(iters)) * 1e-9
		}
		for _, ch := range out {
			for i := range ch {
				ch[i] = v
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entry := new(meter)
	s.(*paStream).entry = entry
	stop := make(chan struct{})
	defer close(stop)
	if iters > 0 { // the rest of a live program
		go garbageUntil(stop, 1, 1024, 1000) // a little garbage: 1 MB/s
		go func() {                          // a control loop
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					sink.Add(math.Float64bits(work(200)))
				}
			}
		}()
	}
	if busy {
		go computeUntil(stop)
	}
	before := len(jackServer.Log())
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	time.Sleep(d)
	st := s.Stats()
	dur := time.Since(t0)
	m := &s.(*paStream).meter
	t.Logf("load p50 %.4f p90 %.4f p99 %.4f p99.9 %.4f", m.quantile(0.5), m.quantile(0.9), m.quantile(0.99), m.quantile(0.999))
	t.Logf("getting into Go: %d of %d callbacks over a quarter of a buffer, p99 %.3f, max %.3f buffers",
		entry.above(0.25), entry.callbacks.Load(), entry.quantile(0.99), entry.stats().LoadMax)
	log := jackServer.Log()[before:]
	return st, fmt.Sprintf("%d client xruns, %d while running, %d late wake-ups of the server",
		strings.Count(log, "was not finished"), strings.Count(log, "was not finished, state = Running"),
		strings.Count(log, "JackTimedDriver::Process XRun")), dur
}
