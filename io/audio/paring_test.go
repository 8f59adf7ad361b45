//go:build cgo

package audio

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// These tests play PortAudio's ring-fed output through its JACK host API to the
// tests' dummy JACK server (TestMain).

// TestRingUnderrunsNeverBlock: a producer held up inside Process does not hold up
// PortAudio's callback, which calls no Go: callbacks go on at the device's rate, each
// one that finds the ring short is counted as an underrun and plays silence, and once
// Process returns the ring fills again and the underruns stop. (A direct callback
// blocked in Process stops calling back altogether.)
func TestRingUnderrunsNeverBlock(t *testing.T) {
	needJACK(t)
	var hold atomic.Bool
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	p := func(out [][]float32) {
		if hold.Load() {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-release // a test's way to make the producer late; never in real code
		}
		for _, ch := range out {
			for i := range ch {
				ch[i] = 0.1
			}
		}
	}
	s, err := Open(Config{Host: "jack", Buffer: 128}, p)
	playing(t, s, err, 300*time.Millisecond)
	want := s.SampleRate() / float64(s.Buffer()) // callbacks a second

	hold.Store(true)
	select {
	case <-entered:
	case <-time.After(time.Second):
		t.Fatal("the producer never called Process")
	}
	time.Sleep(50 * time.Millisecond) // the Ahead buffers already rendered play out
	st0, t0 := s.Stats(), time.Now()
	time.Sleep(time.Second)
	st1, t1 := s.Stats(), time.Now()
	calls, under := st1.Callbacks-st0.Callbacks, st1.Underruns-st0.Underruns
	rate := float64(calls) / t1.Sub(t0).Seconds()
	t.Logf("producer held for 1 s: %d callbacks (%.1f/s), %d underruns", calls, rate, under)
	if math.Abs(rate/want-1) > 0.05 {
		t.Errorf("with the producer held: %.1f callbacks/s, want %.1f within 5%%: the callback waits for Go", rate, want)
	}
	if under < calls*95/100 {
		t.Errorf("with the producer held: %d underruns in %d callbacks, want one per callback", under, calls)
	}
	if st1.Xruns-st0.Xruns < under {
		t.Errorf("underruns %d are not counted among the xruns (%d)", under, st1.Xruns-st0.Xruns)
	}

	hold.Store(false)
	close(release)
	time.Sleep(300 * time.Millisecond)
	st2 := s.Stats()
	time.Sleep(time.Second)
	st3 := s.Stats()
	calls, under = st3.Callbacks-st2.Callbacks, st3.Underruns-st2.Underruns
	t.Logf("released: %d callbacks, %d underruns in 1 s", calls, under)
	// The producer runs at real-time priority: it is rarely late. A busy machine may
	// make it so now and then, as it makes any client late (see judgeXruns).
	if float64(under) > maxXrunShare*float64(calls) {
		t.Errorf("released: %d underruns in %d callbacks: the ring does not fill again", under, calls)
	}
	if calls == 0 {
		t.Error("no callbacks after the producer was released")
	}
}

// TestRingLatency measures how much later a knob move is heard through a ring than
// through a direct callback: the time from the move (an atomic the Process reads) to
// the moment the device's callback hands out the first frame rendered after it. The
// ring must add Ahead periods, as Latency says, and no more.
func TestRingLatency(t *testing.T) {
	needJACK(t)
	type result struct {
		name   string
		ahead  int
		mean   time.Duration
		report Latency
	}
	var results []result
	for _, c := range []struct {
		name   string
		cfg    Config
		native bool
	}{
		{"PortAudio direct", Config{Host: "jack", Direct: true}, false},
		{"PortAudio ring, 1 ahead", Config{Host: "jack", Ahead: 1}, false},
		{"PortAudio ring, 2 ahead", Config{Host: "jack", Ahead: 2}, false},
		{"PortAudio ring, 3 ahead", Config{Host: "jack", Ahead: 3}, false},
		{"native JACK, 2 ahead", Config{Ahead: 2}, true},
	} {
		if c.native && !JACKAvailable {
			continue
		}
		mean, report := knobToDevice(t, c.cfg, c.native)
		ahead := c.cfg.Ahead
		if c.cfg.Direct {
			ahead = 0
		}
		results = append(results, result{c.name, ahead, mean, report})
	}
	direct := results[0].mean
	period := results[0].report.Period
	for _, r := range results {
		extra := r.mean - direct
		t.Logf("%-24s knob to device %5.2f ms on average, %5.2f ms more than direct (%.2f periods); reported: %v",
			r.name, ms(r.mean), ms(extra), extra.Seconds()/period.Seconds(), r.report)
		if r.report.Ahead != r.ahead || r.report.Period != period {
			t.Errorf("%s: Latency reports %d periods of %v ahead, want %d of %v", r.name, r.report.Ahead, r.report.Period, r.ahead, period)
		}
		if r.ahead == 0 {
			continue
		}
		want := time.Duration(r.ahead) * period
		if d := extra - want; d < -period/2 || d > period/2 {
			t.Errorf("%s: %.2f ms later than a direct callback, want %d periods (%.2f ms) within half a period",
				r.name, ms(extra), r.ahead, ms(want))
		}
	}
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

// knobToDevice opens a stream (PortAudio's with cfg, or native JACK), moves a knob 40
// times at random moments (a fixed seed) and returns the mean time from a move to the
// callback that hands the first frame rendered after it to the device, and the stream's
// Latency.
func knobToDevice(t *testing.T, cfg Config, native bool) (time.Duration, Latency) {
	t.Helper()
	var (
		knob      atomic.Int64
		markFrame atomic.Int64 // the first frame rendered after a move, or -1
		markTime  atomic.Int64 // when Process saw the move (ns since start)
		seen      int64
		rendered  int64
	)
	start := time.Now()
	markFrame.Store(-1)
	p := func(out [][]float32) {
		if k := knob.Load(); k != seen {
			seen = k
			markTime.Store(int64(time.Since(start)))
			markFrame.Store(rendered)
		}
		rendered += int64(len(out[0]))
	}
	var s Stream
	var err error
	if native {
		s, err = OpenJACK(cfg, p)
	} else {
		s, err = Open(cfg, p)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var played func() uint64 // frames the device's callback has taken, for ring-fed streams
	if r, ok := s.(interface{ played() uint64 }); ok {
		played = r.played
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	period := frames(s.Buffer(), s.SampleRate())
	rng := rand.New(rand.NewPCG(1, 2))
	var lat []time.Duration
	for range 40 {
		time.Sleep(time.Duration(rng.Int64N(int64(2 * period))))
		markFrame.Store(-1)
		t0 := time.Since(start)
		knob.Add(1)
		deadline := time.Now().Add(time.Second)
		for markFrame.Load() < 0 {
			if time.Now().After(deadline) {
				t.Fatal("Process never saw the knob move")
			}
			runtime.Gosched()
		}
		t1 := time.Duration(markTime.Load())
		if played != nil {
			// Handed out when the callback has taken the marked frame from the ring.
			f := uint64(markFrame.Load())
			for played() <= f {
				if time.Now().After(deadline) {
					t.Fatal("the device never played the frame rendered after the move")
				}
				runtime.Gosched()
			}
			t1 = time.Since(start)
		}
		lat = append(lat, t1-t0)
	}
	// The mean, without the slowest tenth: a wake-up the machine delayed says nothing
	// about the design.
	slices.Sort(lat)
	lat = lat[:len(lat)*9/10]
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	l, ok := LatencyOf(s)
	if !ok {
		t.Fatalf("%T reports no latency", s)
	}
	return sum / time.Duration(len(lat)), l
}

// TestRingProducerNoAllocs: once playing, PortAudio's ring-fed stream (its producer
// goroutine, the ring, cgo) allocates nothing.
func TestRingProducerNoAllocs(t *testing.T) {
	needJACK(t)
	p, frames := sine(440, 0.1, 48000)
	s, err := Open(Config{Host: "jack"}, p)
	playing(t, s, err, 200*time.Millisecond)
	checkNoAllocsWhilePlaying(t, frames)
}

// TestRingStartClose: the ring-fed stream's life cycle: Start once, Close twice, no
// Start after Close, Stats after Close keep the counts, and a stream closed without
// Start frees its device.
func TestRingStartClose(t *testing.T) {
	needJACK(t)
	p, _ := sine(440, 0.1, 48000)
	for round := range 3 {
		s, err := Open(Config{Host: "jack"}, p)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if round == 0 {
			if err := s.Close(); err != nil {
				t.Errorf("Close before Start: %v", err)
			}
			continue
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err == nil {
			t.Error("a second Start gave no error")
		}
		time.Sleep(100 * time.Millisecond)
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		st := s.Stats()
		if st.Callbacks < 20 {
			t.Errorf("Stats after Close: %+v, want the callbacks of 0.1 s", st)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if err := s.Start(); err == nil {
			t.Error("Start after Close gave no error")
		}
	}
	if n := len(streams); n != 0 {
		t.Errorf("%d streams left open", n)
	}
}

// TestMeasureGarbage measures what the garbage collector costs each path: PortAudio's
// JACK host, ring-fed and direct, plays for the given time while a goroutine
// allocates (and drops) SEPARATRIX_AUDIO_GARBAGE MB a second (default 256) with the
// collector on. It runs only when asked:
//
//	SEPARATRIX_AUDIO_MEASURE_GC=10s go test ./io/audio -run MeasureGarbage -v
func TestMeasureGarbage(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SEPARATRIX_AUDIO_MEASURE_GC"))
	if err != nil {
		t.Skip("set SEPARATRIX_AUDIO_MEASURE_GC to a duration to measure")
	}
	needJACK(t)
	rate := 256
	if s := os.Getenv("SEPARATRIX_AUDIO_GARBAGE"); s != "" {
		if rate, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, direct := range []bool{false, true, false, true} {
		p, _ := sine(440, 0.1, 48000)
		s, err := Open(Config{Host: "jack", Direct: direct}, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { // rate MB/s in 64 kB pieces, every millisecond's worth at once
			defer close(done)
			garbageUntil(stop, rate*1000/64/1000, 64<<10, 256)
		}()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		st0 := s.Stats()
		before := len(jackServer.Log())
		time.Sleep(d)
		st1 := s.Stats()
		runtime.ReadMemStats(&m1)
		close(stop)
		<-done
		s.Close()
		log := jackServer.Log()[before:]
		t.Logf("direct=%v, %d MB/s of garbage: %d collections, %d callbacks, %d xruns (%d underruns); jackd: %d cycles with PortAudio not finished, %d late cycles",
			direct, rate, m1.NumGC-m0.NumGC, st1.Callbacks-st0.Callbacks, st1.Xruns-st0.Xruns, st1.Underruns-st0.Underruns,
			strings.Count(log, "client = PortAudio was not finished"), strings.Count(log, "Process error"))
	}
}
