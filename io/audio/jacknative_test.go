//go:build cgo && ((linux && !nojack) || jack)

package audio

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	for take := 1; take <= windows; take++ {
		path := filepath.Join(t.TempDir(), "out.wav")
		st0 := s.Stats()
		record(t, path, 2)
		st1 := s.Stats()
		worst, at := checkSine(t, path, rate, freq, amp)
		under, x := st1.Underruns-st0.Underruns, st1.Xruns-st0.Xruns
		t.Logf("take %d: %d callbacks, %d underruns, %d xruns in the graph, producer load p99 %.1f%%",
			take, st1.Callbacks-st0.Callbacks, under, x-under, 100*st1.LoadP99)
		if worst <= 1e-3 {
			return
		}
		if x == 0 {
			t.Fatalf("take %d: discontinuity of %.3f at %.4f s with no xrun or underrun: blocks lost or repeated", take, worst, at)
		}
	}
	t.Errorf("a discontinuity in every take of %d", windows)
}

// TestNativeJACKProducerNoAllocs: once playing, the producer goroutine and the ring
// allocate nothing.
func TestNativeJACKProducerNoAllocs(t *testing.T) {
	needJACK(t)
	p, frames := sine(440, 0.1, 48000)
	s, err := OpenJACK(Config{}, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	f0 := frames.Load()
	time.Sleep(time.Second)
	f1 := frames.Load()
	runtime.ReadMemStats(&m1)
	if f1-f0 < 40000 {
		t.Fatalf("rendered %d frames in 1 s, want about 48000", f1-f0)
	}
	// The test's own goroutine allocates a little around ReadMemStats; the producer
	// ran some 375 times meanwhile.
	if n := m1.Mallocs - m0.Mallocs; n > 20 {
		t.Errorf("%d allocations while playing 1 s", n)
	}
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
}

// nativeKilled (a helper process: libjack crashes a process that has a client on one
// server while another of its servers is killed, so each kill runs where there is one
// server only) plays natively, stops the server with how (SIGKILL or SIGTERM), and
// prints what followed, one fact per line.
func nativeKilled(how string) int {
	srv, err := jacktest.StartWith(48000, 128)
	if err != nil {
		fmt.Println("server:", err)
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
			for _, want := range []string{
				"rendered before: true",
				"lost: reported",
				"close: <nil>, within 0.5 s: true",
				"rendered after the restart: true",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("helper output lacks %q:\n%s", want, out)
				}
			}
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
