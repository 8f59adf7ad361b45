//go:build cgo && ((linux && !nojack) || jack)

package audio

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

func TestNativeJACKRecording(t *testing.T) {
	needJACK(t)
	if _, err := exec.LookPath("jack_rec"); err != nil {
		t.Skip("no jack_rec")
	}
	const (
		rate = 48000
		freq = 440
		amp  = 0.5
	)
	p, _ := sine(freq, amp, rate)
	s, err := OpenJACK(Config{}, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.SampleRate() != rate {
		t.Fatalf("SampleRate %g, want the server's %d", s.SampleRate(), rate)
	}
	if !strings.Contains(s.Description(), "system") {
		t.Errorf("Description %q does not name the physical playback client", s.Description())
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	ports, err := jackServer.Ports()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{JACKClientName + ":out_1", JACKClientName + ":out_2"} {
		if !strings.Contains(strings.Join(ports, "\n"), want) {
			t.Errorf("no port %s among %v", want, ports)
		}
	}
	time.Sleep(300 * time.Millisecond)
	// The ring absorbs a late producer, so unlike PortAudio's direct callback no share
	// of xruns is excused: a discontinuity in every take fails.
	if clean, _, _ := recordTakes(t, s, amp); !clean {
		t.Errorf("a discontinuity in every take of %d", windows)
	}
}

// TestNativeJACKProducerNoAllocs: once playing, the producer goroutine and the ring
// allocate nothing.
func TestNativeJACKProducerNoAllocs(t *testing.T) {
	needJACK(t)
	p, frames := sine(440, 0.1, 48000)
	s, err := OpenJACK(Config{}, p)
	playing(t, s, err, 200*time.Millisecond)
	checkNoAllocsWhilePlaying(t, frames)
}

func TestNativeJACKDeviceNames(t *testing.T) {
	needJACK(t)
	p, _ := sine(440, 0.1, 48000)
	_, err := OpenJACK(Config{Device: "no-such-client"}, p)
	if err == nil || !strings.Contains(err.Error(), "system") || !strings.Contains(err.Error(), "no-such-client") {
		t.Fatalf("unknown device: error %v, want one naming the query and listing system", err)
	}
	for _, dev := range []string{"none", "system", "SYSTEM:playback_2"} {
		s, err := OpenJACK(Config{Device: dev}, p)
		if err != nil {
			t.Errorf("device %q: %v", dev, err)
			continue
		}
		s.Close()
	}
}

func init() {
	moreHelpers["native-killed"] = func() int { return nativeKilled(os.Getenv("SEPARATRIX_AUDIO_KILL")) }
	moreHelpers["paused-server"] = pausedServer
	moreHelpers["restart-cycles"] = restartCycles
	moreHelpers["odd-period"] = oddPeriod
}

// nativeKilled (a helper process: libjack crashes a process that has a client on one
// server while another of its servers is killed, so each kill runs where there is one
// server only) plays natively, stops the server with how (SIGKILL or SIGTERM), and
// prints what followed, one fact per line.
func nativeKilled(how string) int {
	srv := helperServer()
	if srv == nil {
		return 1
	}
	defer srv.Stop()
	p, frames := sine(440, 0.1, 48000)
	s, err := OpenJACK(Config{}, p)
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	if err := s.Start(); err != nil {
		fmt.Println("start:", err)
		return 1
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("rendered before:", frames.Load() > 0)
	if how == "SIGKILL" {
		srv.Kill()
	} else {
		srv.Stop()
	}
	select {
	case <-s.(interface{ Lost() <-chan struct{} }).Lost():
		fmt.Println("lost: reported")
	case <-time.After(5 * time.Second):
		fmt.Println("lost: not reported within 5 s")
	}
	t0 := time.Now()
	err = s.Close()
	fmt.Printf("close: %v, within 0.5 s: %v\n", err, time.Since(t0) < 500*time.Millisecond)
	if err := srv.Restart(); err != nil {
		fmt.Println("restart:", err)
		return 1
	}
	s2, err := OpenJACK(Config{}, p)
	if err != nil {
		fmt.Println("open again:", err)
		return 1
	}
	defer s2.Close()
	if err := s2.Start(); err != nil {
		fmt.Println("start again:", err)
		return 1
	}
	f0 := frames.Load()
	time.Sleep(500 * time.Millisecond)
	fmt.Println("rendered after the restart:", frames.Load()-f0 > 12000)
	return 0
}

// TestNativeJACKServerKilled: a server that dies under the stream is reported by Lost,
// Close then returns at once, and a new stream plays once the server is back.
func TestNativeJACKServerKilled(t *testing.T) {
	needJACK(t)
	if testing.Short() {
		t.Skip("starts and kills JACK servers")
	}
	for _, how := range []string{"SIGKILL", "SIGTERM"} {
		t.Run(how, func(t *testing.T) {
			out, _ := helper(t, "native-killed", "SEPARATRIX_AUDIO_KILL="+how)
			expectLines(t, out, "rendered before: true", "lost: reported",
				"close: <nil>, within 0.5 s: true", "rendered after the restart: true")
		})
	}
}

func TestNativeJACKNoServer(t *testing.T) {
	needJACK(t)
	t.Setenv("JACK_DEFAULT_SERVER", "septest-nobody-here")
	p, _ := sine(440, 0.1, 48000)
	_, err := OpenJACK(Config{}, p)
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "septest-nobody-here") {
		t.Fatalf("no server: error %v, want one matching ErrNoDevice that names the server", err)
	}
}

// procStatus reads a field of /proc/self/status as a number (VmRSS in kB, Threads).
func procStatus(field string) int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return -1
}

// pausedServer (a helper process) freezes the server under a supervised stream with
// SIGSTOP for 5 s, then lets it go on, and prints what followed.
func pausedServer() int {
	srv, s, status := supervisedHelper()
	if s == nil {
		return 1
	}
	defer srv.Stop()
	time.Sleep(300 * time.Millisecond)
	srv.Pause()
	fmt.Println("lost:", strings.Contains(await(status, "lost the JACK client", 5*time.Second), "lost"))
	t1 := procStatus("Threads")
	time.Sleep(5 * time.Second) // 25 retry periods
	grew := procStatus("Threads") - t1
	fmt.Println("threads grew by at most 2 while frozen:", grew <= 2, grew)
	srv.Resume()
	fmt.Println("back:", strings.Contains(await(status, "sound is back", 15*time.Second), "back"))
	t0 := time.Now()
	s.Close()
	fmt.Println("close within 0.6 s:", time.Since(t0) < 600*time.Millisecond)
	return 0
}

// restartCycles (a helper process) kills and restarts the server under a supervised
// stream twelve times and prints how memory and threads grew over the last six.
func restartCycles() int {
	srv, s, status := supervisedHelper()
	if s == nil {
		return 1
	}
	defer srv.Stop()
	var rss0, threads0 int
	for i := 1; i <= 12; i++ {
		time.Sleep(200 * time.Millisecond)
		srv.Kill()
		if !strings.Contains(await(status, "lost the JACK client", 5*time.Second), "lost") {
			fmt.Println("cycle", i, "no loss reported")
			return 1
		}
		if err := srv.Restart(); err != nil {
			fmt.Println("restart:", err)
			return 1
		}
		if !strings.Contains(await(status, "sound is back", 10*time.Second), "back") {
			fmt.Println("cycle", i, "no sound again")
			return 1
		}
		if i == 6 {
			// The first cycles grow the C heap's per-thread arenas (JACK's threads come
			// and go); from here on a leak would show as steady growth.
			debug.FreeOSMemory()
			rss0, threads0 = procStatus("RssAnon"), procStatus("Threads")
		}
	}
	debug.FreeOSMemory()
	drss, dthreads := procStatus("RssAnon")-rss0, procStatus("Threads")-threads0
	fmt.Printf("cycles: 12\nC memory of at most one client and one wake-up open: %v (%d, %d)\nthreads grew by at most 2: %v (%d)\n",
		liveClients.Load() <= 1 && liveFeeds.Load() <= 1, liveClients.Load(), liveFeeds.Load(), dthreads <= 2, dthreads)
	// The heap's size is logged, not judged: freed 128 kB rings may stay in the C
	// allocator's arenas (glibc raises its mmap threshold after such frees).
	fmt.Printf("the heap (RssAnon) grew by %d kB in the last 6 cycles\n", drss)
	s.Close()
	fmt.Println("after Close, clients and wake-ups left:", liveClients.Load(), liveFeeds.Load())
	return 0
}

func TestSupervisedJACKServerPaused(t *testing.T) {
	needJACK(t)
	if testing.Short() {
		t.Skip("freezes a JACK server for seconds")
	}
	out, _ := helper(t, "paused-server")
	expectLines(t, out, "lost: true", "threads grew by at most 2 while frozen: true", "back: true", "close within 0.6 s: true")
}

func TestSupervisedJACKRestartCycles(t *testing.T) {
	needJACK(t)
	if testing.Short() {
		t.Skip("kills and restarts a JACK server twelve times")
	}
	out, _ := helper(t, "restart-cycles")
	t.Log(out)
	expectLines(t, out, "cycles: 12", "C memory of at most one client and one wake-up open: true",
		"threads grew by at most 2: true", "after Close, clients and wake-ups left: 0 0")
}

// oddPeriod (a helper process) plays a sine natively to a server of its own at 96
// frames a period and records it with jack_rec into the file named by
// SEPARATRIX_AUDIO_REC; it prints the xruns and underruns while recording.
func oddPeriod() int {
	srv, err := jacktest.StartWith(48000, 96)
	if err != nil {
		fmt.Println("server:", err)
		return 1
	}
	defer srv.Stop()
	p, _ := sine(440, 0.5, 48000)
	s, err := OpenJACK(Config{}, p)
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	defer s.Close()
	fmt.Println("period:", s.Buffer())
	if err := s.Start(); err != nil {
		fmt.Println("start:", err)
		return 1
	}
	time.Sleep(300 * time.Millisecond)
	st0 := s.Stats()
	out, err := exec.Command("timeout", "-k", "2", "12", "jack_rec", "-f", os.Getenv("SEPARATRIX_AUDIO_REC"),
		"-d", "2", "-b", "16", "system:monitor_1", "system:monitor_2").CombinedOutput()
	if err != nil {
		fmt.Printf("jack_rec: %v %s\n", err, out)
		return 1
	}
	fmt.Println("xruns:", s.Stats().Xruns-st0.Xruns)
	return 0
}

// TestNativeJACKOddPeriod: at 96 frames a period (not a divisor of the ring) reads and
// writes wrap around the ring's end in two pieces; the recording is still one unbroken
// sine. (In a helper process: libjack cannot serve clients of two servers in one.)
func TestNativeJACKOddPeriod(t *testing.T) {
	needJACK(t)
	if testing.Short() {
		t.Skip("starts a JACK server of its own")
	}
	if _, err := exec.LookPath("jack_rec"); err != nil {
		t.Skip("no jack_rec")
	}
	var last string
	for take := 1; take <= windows; take++ {
		path := filepath.Join(t.TempDir(), "out.wav")
		out, _ := helper(t, "odd-period", "SEPARATRIX_AUDIO_REC="+path)
		if !strings.Contains(out, "period: 96") {
			t.Fatalf("the helper did not play at 96 frames:\n%s", out)
		}
		worst, at := checkSine(t, path, 48000, 440, 0.5)
		if worst <= 1e-3 {
			return
		}
		if strings.Contains(out, "xruns: 0\n") {
			t.Fatalf("take %d: discontinuity of %.3f at %.4f s with no xrun or underrun: the ring's wrap loses or repeats frames", take, worst, at)
		}
		last = out
	}
	t.Errorf("a discontinuity in every take of %d; the last helper said:\n%s", windows, last)
}
