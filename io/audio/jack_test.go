//go:build cgo

package audio

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gordonklaus/portaudio"
	"github.com/separatrix-audio/separatrix/io/audio/internal/cref"
	"github.com/separatrix-audio/separatrix/io/wav"
)

// These tests play to the private dummy JACK server that TestMain starts (48000 Hz,
// 128-frame periods, with system:monitor ports).

// The dummy JACK server keeps time with the system clock, and a busy or virtual machine
// wakes its threads late now and then: on the machine these tests were written on, a
// client written in C (package cref) saw from none to over ten xruns in 2 s, depending
// on what else ran, and CI machines are no quieter. So the xrun tests play up to three
// windows and pass on the first without an xrun. If there is none, they compare our
// xruns with the C client's over as long, and fail only on what a fault of Go code looks
// like: far more xruns than the C client AND more than one callback in a hundred. A
// callback that waits for the Go scheduler (GOMAXPROCS too low, GC on, a goroutine
// hogging the Ps) misses a few percent of its deadlines or more; the machine's own
// hiccups cost a fraction of a percent (seen on CI: 20 xruns in 4,700 callbacks at 64
// frames while the C client had 2 in as long). What tells a Go fault from the machine's
// more directly is how long each callback takes to get from PortAudio's C code into Go,
// which TestJACKRate checks too.
const (
	windows    = 3
	windowTime = 2 * time.Second
	// maxXrunShare is the share of callbacks that may xrun before the machine alone
	// is no longer a believable excuse.
	maxXrunShare = 0.01
)

// judgeXruns passes if one of the windows had no xrun; otherwise it fails only if ours
// (out of callbacks) were both far more than the C reference client's, playing as long
// right after with no stream of ours, and more than maxXrunShare of the callbacks.
func judgeXruns(t *testing.T, what string, ours []uint64, callbacks uint64, buf int) {
	t.Helper()
	if slices.Contains(ours, 0) {
		return
	}
	var ref []uint64
	for range ours {
		_, x, err := cref.Run(windowTime, 48000, buf)
		if err != nil {
			t.Fatal(err)
		}
		ref = append(ref, uint64(x))
	}
	var so, sr uint64
	for i := range ours {
		so, sr = so+ours[i], sr+ref[i]
	}
	share := float64(so) / float64(max(callbacks, 1))
	if so > 4*sr+8 && share > maxXrunShare {
		t.Errorf("%s: xruns in every window of %v: %v (%.2f%% of %d callbacks); a C client had %v",
			what, windowTime, ours, 100*share, callbacks, ref)
		return
	}
	t.Logf("%s: xruns in every window of %v: %v (%.2f%% of %d callbacks); a C client had %v",
		what, windowTime, ours, 100*share, callbacks, ref)
}

// TestJACKRate plays through PortAudio's JACK host API, ring-fed and direct, at 128 and
// 64 frames: callbacks come at the rate the buffer implies and xruns are judged against
// a C client's (judgeXruns).
func TestJACKRate(t *testing.T) {
	needJACK(t)
	for _, c := range []struct {
		direct bool
		buf    int
	}{{false, 128}, {false, 64}, {true, 128}, {true, 64}} {
		name := "ring"
		if c.direct {
			name = "direct"
		}
		buf := c.buf
		t.Run(fmt.Sprintf("%s/%d", name, buf), func(t *testing.T) { jackRate(t, c.direct, buf) })
	}
}

func jackRate(t *testing.T, direct bool, buf int) {
	s, err := Open(Config{Host: "jack", SampleRate: 48000, Buffer: buf, Direct: direct}, func(out [][]float32) {})
	if err != nil {
		t.Fatal(err)
	}
	entry := new(meter)
	if direct {
		s.(*paStream).entry = entry
	}
	if !strings.Contains(s.Description(), "JACK") || s.SampleRate() != 48000 || s.Buffer() != buf {
		t.Errorf("stream %q at %g Hz, %d frames", s.Description(), s.SampleRate(), s.Buffer())
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // past JACK's activation and port connection
	var xruns []uint64
	var callbacks uint64
	for len(xruns) < windows && !slices.Contains(xruns, 0) {
		st0, t0 := s.Stats(), time.Now()
		time.Sleep(windowTime)
		st1, t1 := s.Stats(), time.Now()
		x := st1.Xruns - st0.Xruns
		xruns = append(xruns, x)
		callbacks += st1.Callbacks - st0.Callbacks
		// An xrun can cost a callback or two; a window without one must be exact.
		rate, want, tol := float64(st1.Callbacks-st0.Callbacks)/t1.Sub(t0).Seconds(), 48000/float64(buf), 0.02
		if x > 0 {
			tol = 0.05
		}
		if math.Abs(rate/want-1) > tol {
			t.Errorf("%d frames: %.1f callbacks/s with %d xruns, want %.1f within %g%%", buf, rate, x, want, 100*tol)
		}
		t.Logf("%d frames: %.1f callbacks/s, %d xruns; %+v", buf, rate, x, st1)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Start(); err == nil {
		t.Error("Start after Close gave no error")
	}
	// Whatever the machine does, a direct callback must get into Go at once: a
	// callback that waits for the scheduler (GOMAXPROCS too low, a goroutine hogging
	// the Ps) waits for a good part of a buffer.
	if direct {
		n, late := entry.callbacks.Load(), entry.above(0.25)
		if late*50 > n {
			t.Errorf("%d frames: %d of %d callbacks took over a quarter of a buffer to get into Go", buf, late, n)
		}
		t.Logf("%d frames: %d of %d callbacks took over a quarter of a buffer to get into Go; the slowest %.2f buffers",
			buf, late, n, entry.stats().LoadMax)
	}
	judgeXruns(t, fmt.Sprintf("%d frames", buf), xruns, callbacks, buf)
}

// TestJACKRecording: what PortAudio's JACK host plays, ring-fed and direct, reaches
// the server as one unbroken sine of the right pitch and level (jack_rec records it).
func TestJACKRecording(t *testing.T) {
	needJACK(t)
	if _, err := exec.LookPath("jack_rec"); err != nil {
		t.Skip("no jack_rec")
	}
	for _, direct := range []bool{false, true} {
		t.Run(map[bool]string{false: "ring", true: "direct"}[direct], func(t *testing.T) { jackRecording(t, direct) })
	}
}

func jackRecording(t *testing.T, direct bool) {
	const (
		rate = 48000
		freq = 440
		amp  = 0.5
	)
	p, _ := sine(freq, amp, rate)
	s, err := Open(Config{Host: "jack", SampleRate: rate, Direct: direct}, p)
	playing(t, s, err, 300*time.Millisecond)
	if clean, xruns, callbacks := recordTakes(t, s, amp); !clean {
		s.Close()
		judgeXruns(t, "recording", xruns, callbacks, 128)
	}
}

// recordTakes records takes of 2 s of s playing a sine of 440 Hz and amplitude amp at
// 48000 Hz, until one has no discontinuity (it returns clean) or windows takes did,
// checking pitch and level on every take. A discontinuity while no xrun (or underrun)
// was counted fails the test: blocks lost or repeated. It returns the xruns of each
// take and the callbacks of all.
func recordTakes(t *testing.T, s Stream, amp float64) (clean bool, xruns []uint64, callbacks uint64) {
	t.Helper()
	for take := 1; take <= windows; take++ {
		path := filepath.Join(t.TempDir(), "out.wav")
		st0 := s.Stats()
		record(t, path, 2)
		st1 := s.Stats()
		x := st1.Xruns - st0.Xruns
		callbacks += st1.Callbacks - st0.Callbacks
		worst, at := checkSine(t, path, 48000, 440, amp)
		t.Logf("take %d: %d callbacks, %d xruns (%d of them underruns), load p99 %.1f%%",
			take, st1.Callbacks-st0.Callbacks, x, st1.Underruns-st0.Underruns, 100*st1.LoadP99)
		if worst <= 1e-3 {
			return true, xruns, callbacks
		}
		if x == 0 {
			t.Fatalf("take %d: discontinuity of %.3f at %.4f s with no xrun or underrun: blocks lost or repeated", take, worst, at)
		}
		t.Logf("take %d: discontinuity of %.3f at %.4f s", take, worst, at)
		xruns = append(xruns, x)
	}
	return false, xruns, callbacks
}

// checkSine reads the recording at path and checks that both channels carry the same
// sine of freq Hz and amplitude amp. It returns the largest departure from the sine's
// recurrence, where a gap or a repeated block would show, and the time it happens.
func checkSine(t *testing.T, path string, rate, freq int, amp float64) (worst, at float64) {
	t.Helper()
	a, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.SampleRate != rate || len(a.Channels) != 2 {
		t.Fatalf("recording: %d Hz, %d channels", a.SampleRate, len(a.Channels))
	}
	r := float64(rate)
	for c, x := range a.Channels {
		// jack_rec's first cycle can hold a stale block from before its ports were
		// connected: skip 1024 frames.
		x = trimSilence(x)
		if len(x) < 18*rate/10 {
			t.Fatalf("channel %d: %d frames of sound, want 2 s", c, len(x))
		}
		x = x[1024:]
		f := crossingFreq(x, r)
		if math.Abs(f/float64(freq)-1) > 0.01 {
			t.Errorf("channel %d: %.3f Hz, want %d within 1%%", c, f, freq)
		}
		per := r / f
		n := int(math.Floor(float64(len(x))/per) * per) // whole periods
		if v := rms(x[:n]); math.Abs(v/(amp/math.Sqrt2)-1) > 0.01 {
			t.Errorf("channel %d: RMS %.4f, want %.4f within 1%%", c, v, amp/math.Sqrt2)
		}
		// A sine obeys x[i+1] + x[i-1] = 2 cos(w) x[i]; a gap or a repeated block breaks it.
		k := 2 * math.Cos(2*math.Pi*f/r)
		for i := 1; i+1 < len(x); i++ {
			if d := math.Abs(x[i+1] + x[i-1] - k*x[i]); d > worst {
				worst, at = d, float64(i)/r
			}
		}
		t.Logf("channel %d: %d frames, %.4f Hz, RMS %.4f", c, len(x), f, rms(x[:n]))
	}
	// jack_rec connects its two ports one after the other, so its first block or two
	// may hold sound on one channel only: compare from the 2048th frame on.
	for i := 2048; i < len(a.Channels[0]); i++ {
		if a.Channels[0][i] != a.Channels[1][i] {
			// jack_rec's two ports come from one cycle: they differ only around a gap.
			if worst <= 1e-3 {
				t.Errorf("channels differ at frame %d", i)
			}
			break
		}
	}
	return worst, at
}

// record runs jack_rec on system:monitor_1/2 (what reaches system:playback) for secs
// seconds into path, as 16-bit WAV, retrying if it cannot connect at once.
func record(t *testing.T, path string, secs int) {
	t.Helper()
	var out []byte
	var err error
	for try := 0; try < 3; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs+10)*time.Second)
		out, err = exec.CommandContext(ctx, "jack_rec", "-f", path, "-d", strconv.Itoa(secs), "-b", "16",
			"system:monitor_1", "system:monitor_2").CombinedOutput()
		cancel()
		if err == nil {
			if len(out) > 0 {
				t.Logf("jack_rec: %s", out)
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("jack_rec: %v\n%s", err, out)
}

// trimSilence drops the exact zeros jack_rec records before its ports are connected, and
// any at the end.
func trimSilence(x []float64) []float64 {
	i, j := 0, len(x)
	for i < j && math.Abs(x[i]) < 1e-3 {
		i++
	}
	for j > i && x[j-1] == 0 {
		j--
	}
	return x[i:j]
}

// crossingFreq measures the frequency of x from its first and last upward zero
// crossings, interpolated between samples.
func crossingFreq(x []float64, rate float64) float64 {
	first, last, n := -1.0, -1.0, 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			t := float64(i-1) + x[i-1]/(x[i-1]-x[i])
			if first < 0 {
				first = t
			} else {
				n++
			}
			last = t
		}
	}
	if n == 0 {
		return 0
	}
	return float64(n) * rate / (last - first)
}

func rms(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

func TestJACKNoAllocs(t *testing.T) {
	needJACK(t)
	phase := 0.0
	sine := func(out [][]float32) {
		for i := range out[0] {
			v := float32(0.5 * math.Sin(phase))
			phase += 0.05
			for _, ch := range out {
				ch[i] = v
			}
		}
	}
	s, err := Open(Config{Host: "jack", Direct: true}, sine)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// The adapter called directly, as PortAudio calls it.
	ps := s.(*paStream)
	out := [][]float32{make([]float32, 128), make([]float32, 128)}
	if n := testing.AllocsPerRun(1000, func() { ps.callback(out, portaudio.StreamCallbackTimeInfo{}, 0) }); n != 0 {
		t.Errorf("the callback adapter allocates %g times per call", n)
	}
	big := [][]float32{make([]float32, 2000), make([]float32, 2000)}
	if n := testing.AllocsPerRun(100, func() { ps.callback(big, portaudio.StreamCallbackTimeInfo{}, 0) }); n != 0 {
		t.Errorf("the callback adapter allocates %g times per split block", n)
	}

	// The running stream, cgo and the binding included: count every allocation in the
	// process while it plays and this goroutine sleeps.
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := s.Stats().Callbacks
	time.Sleep(time.Second)
	c1 := s.Stats().Callbacks
	runtime.ReadMemStats(&m1)
	calls, mallocs := c1-c0, m1.Mallocs-m0.Mallocs
	if calls < 300 || mallocs > calls/20 {
		t.Errorf("%d allocations in %d callbacks", mallocs, calls)
	}
	t.Logf("%d allocations in the process during %d callbacks", mallocs, calls)
}

func TestList(t *testing.T) {
	needJACK(t)
	hosts, err := List()
	if err != nil {
		t.Fatal(err)
	}
	var jack *HostAPI
	for i, h := range hosts {
		if strings.Contains(h.Name, "JACK") {
			jack = &hosts[i]
		}
		for _, d := range h.Devices {
			if d.MaxOutputChannels < 1 {
				t.Errorf("%s lists %q, which has no output", h.Name, d.Name)
			}
		}
	}
	if jack == nil {
		t.Fatalf("no JACK host API in %+v", hosts)
	}
	if len(jack.Devices) != 1 {
		t.Fatalf("JACK devices %+v, want the server's system device", jack.Devices)
	}
	d := jack.Devices[0]
	if d.Name != "system" || d.MaxOutputChannels != 2 || d.DefaultSampleRate != 48000 || !d.Default {
		t.Errorf("JACK device %+v", d)
	}
	// No sound card here: JACK's device is the system default.
	if !jack.Default {
		t.Errorf("JACK is not the default host: %+v", hosts)
	}
}

func TestOpenErrors(t *testing.T) {
	needJACK(t)
	nop := func([][]float32) {}
	for _, c := range []struct {
		cfg  Config
		want string
		is   error
	}{
		{Config{Host: "jack", SampleRate: 44100},
			"audio: JACK Audio Connection Kit: system cannot play at 44100 Hz (the JACK server runs at 48000 Hz", nil},
		{Config{Host: "jack", Channels: 3}, "audio: JACK Audio Connection Kit: system has 2 output channels, not 3", nil},
		{Config{Host: "nosuch"}, `audio: no audio host API matches "nosuch"; host APIs here: ALSA, OSS, JACK Audio Connection Kit`, nil},
		{Config{Device: "nosuch"}, `audio: no audio device matches "nosuch"; output devices: system (JACK Audio Connection Kit)`, nil},
		{Config{Host: "alsa"}, "audio: ALSA: no audio output device", ErrNoDevice},
		{Config{Buffer: -64}, "audio: buffer of -64 frames is outside 1 to 16384", nil},
	} {
		s, err := Open(c.cfg, nop)
		if err == nil {
			s.Close()
			t.Errorf("%+v: no error", c.cfg)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v:\n got %q\nwant %q...", c.cfg, err, c.want)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%+v: %q does not match %v", c.cfg, err, c.is)
		}
	}
}

func TestInitializeSilent(t *testing.T) {
	needJACK(t)
	// With the server running, and with none (the usual case on a machine without a
	// sound card, where ALSA and JACK are loudest).
	for _, env := range [][]string{nil, {"JACK_DEFAULT_SERVER=septest-none", "JACK_NO_START_SERVER=1"}} {
		stdout, stderr := helper(t, "init", env...)
		if stderr != "" {
			t.Errorf("env %v: Initialize printed on stderr:\n%s", env, stderr)
		}
		hasJACK := strings.Contains(stdout, "host JACK Audio Connection Kit 1")
		if hasJACK != (env == nil) {
			t.Errorf("env %v: helper listed\n%s", env, stdout)
		}
	}
}

func TestUsable(t *testing.T) {
	needJACK(t)
	if err := Usable(Config{Host: "jack"}); err != nil {
		t.Errorf("JACK: %v", err)
	}
	if err := Usable(Config{Host: "jack", SampleRate: 96000}); err == nil || errors.Is(err, ErrNoDevice) {
		t.Errorf("JACK at 96 kHz: %v, want Open's error", err)
	}
	// No server: nothing to play on.
	stdout, _ := helper(t, "usable", "JACK_DEFAULT_SERVER=septest-none", "JACK_NO_START_SERVER=1")
	if !strings.Contains(stdout, "ErrNoDevice") {
		t.Errorf("without JACK: %s", stdout)
	}
}

func TestUsableNullDevice(t *testing.T) {
	// ALSA's null plugin as the default device (through a .asoundrc in a HOME of its
	// own): it opens and calls back without a clock, and Usable must say so.
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte("pcm.!default {\n\ttype null\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := helper(t, "usable", "HOME="+home, "SEPARATRIX_AUDIO_HOST=alsa",
		"JACK_DEFAULT_SERVER=septest-none", "JACK_NO_START_SERVER=1")
	if strings.Contains(stdout, "ALSA: no audio output device") {
		t.Skipf("this ALSA ignores $HOME/.asoundrc: %s", stdout)
	}
	if !strings.Contains(stdout, "ALSA: default is not paced by a clock") || !strings.Contains(stdout, "ErrNoDevice") {
		t.Errorf("ALSA null device: %s", stdout)
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
	t.Log(stdout)
}
