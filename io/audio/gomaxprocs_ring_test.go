//go:build cgo && ((linux && !nojack) || jack)

package audio

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio/internal/cref"
)

// TestMeasureGOMAXPROCSRing measures what GOMAXPROCS changes for the ring-fed native
// JACK output (Process on a producer goroutine, no Go on JACK's thread): the client
// xruns jackd logs and the ring's underruns, and the CPU time of the whole process,
// in rounds that each run a C client (package cref) first as the machine's own
// baseline, with Process computing about as long as a one-neuron patch (30 µs a
// block) and, in half the rounds, a goroutine that computes without pause (as the
// view's geometry worker does while it runs). It is how the numbers in
// RecommendedGOMAXPROCS's comment for the ring were taken, and runs only when asked:
//
//	SEPARATRIX_AUDIO_RING_MEASURE=10s go test ./io/audio -run MeasureGOMAXPROCSRing -v
//
// SEPARATRIX_AUDIO_PROCS (default "2,3,4") lists the settings and
// SEPARATRIX_AUDIO_ROUNDS (default 3) the rounds. Run it alone on the machine, without
// -race (it reads jackd's log while the server runs).
func TestMeasureGOMAXPROCSRing(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SEPARATRIX_AUDIO_RING_MEASURE"))
	if err != nil {
		t.Skip("set SEPARATRIX_AUDIO_RING_MEASURE to a duration to measure")
	}
	needJACK(t)
	procs := envInts(t, "SEPARATRIX_AUDIO_PROCS", []int{2, 3, 4})
	rounds := 3
	if s := os.Getenv("SEPARATRIX_AUDIO_ROUNDS"); s != "" {
		if rounds, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	iters := calibrate(30 * time.Microsecond)

	type total struct{ cXruns, xruns, underruns int64 }
	totals := map[string]*total{}
	var order []string
	for round := range rounds {
		for _, busy := range []bool{false, true} {
			for _, n := range procs {
				_, cXruns, err := cref.Run(d, 48000, 128)
				if err != nil {
					t.Fatal(err)
				}
				runtime.GOMAXPROCS(n)
				r := measureRingOnce(t, d, iters, busy)
				key := "GOMAXPROCS=" + strconv.Itoa(n)
				if busy {
					key += " + busy"
				}
				if totals[key] == nil {
					totals[key] = &total{}
					order = append(order, key)
				}
				tt := totals[key]
				tt.cXruns += int64(cXruns)
				tt.xruns += int64(r.clientXruns)
				tt.underruns += int64(r.stats.Underruns)
				cpu := ""
				if !busy {
					cpu = strconv.FormatFloat(r.core, 'f', 2, 64) + "% of a core, "
				}
				t.Logf("round %d, %s: C client %d xruns; Go %s%d client xruns, %d underruns, %d callbacks",
					round+1, key, cXruns, cpu, r.clientXruns, r.stats.Underruns, r.stats.Callbacks)
			}
		}
	}
	for _, key := range order {
		tt := totals[key]
		t.Logf("%-20s over %d rounds of %v: C client %d xruns, Go %d client xruns, %d underruns", key, rounds, d, tt.cXruns, tt.xruns, tt.underruns)
	}
}

type ringRun struct {
	stats       Stats
	clientXruns int
	core        float64 // % of a core the whole process used
}

// measureRingOnce plays through OpenJACK for d with Process computing iters (and, if
// busy, a goroutine that never rests).
func measureRingOnce(t *testing.T, d time.Duration, iters int, busy bool) ringRun {
	s, err := OpenJACK(Config{Device: "none"}, func(out [][]float32) {
		v := float32(work(iters)) * 1e-9
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
	stop := make(chan struct{})
	defer close(stop)
	if busy {
		go computeUntil(stop)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the start: connecting, the first periods
	before := len(jackServer.Log())
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	st0, t0 := s.Stats(), time.Now()
	time.Sleep(d)
	st, el := s.Stats(), time.Since(t0)
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	log := jackServer.Log()[before:]
	cpu := time.Duration(syscall.TimevalToNsec(ru1.Utime) - syscall.TimevalToNsec(ru0.Utime) +
		syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Stime))
	st.Callbacks -= st0.Callbacks
	st.Xruns -= st0.Xruns
	st.Underruns -= st0.Underruns
	return ringRun{stats: st, clientXruns: strings.Count(log, "was not finished"), core: 100 * cpu.Seconds() / el.Seconds()}
}
