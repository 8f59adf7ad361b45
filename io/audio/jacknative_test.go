//go:build cgo && ((linux && !nojack) || jack)

package audio

import (
	"errors"
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

// otherServer starts a server of the test's own, to kill without disturbing the other
// tests, and points JACK_DEFAULT_SERVER back at the shared one afterwards.
func otherServer(t *testing.T) *jacktest.Server {
	t.Helper()
	srv, err := jacktest.StartWith(48000, 128)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Stop()
		os.Setenv("JACK_DEFAULT_SERVER", jackServer.Name)
	})
	return srv
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
			srv := otherServer(t)
			p, frames := sine(440, 0.1, 48000)
			s, err := OpenJACK(Config{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if frames.Load() == 0 {
				t.Fatal("nothing rendered before the server was stopped")
			}
			if how == "SIGKILL" {
				srv.Kill()
			} else {
				srv.Stop()
			}
			lost := s.(interface{ Lost() <-chan struct{} }).Lost()
			select {
			case <-lost:
			case <-time.After(5 * time.Second):
				t.Fatalf("Lost not reported 5 s after the server was stopped (%s)", how)
			}
			t0 := time.Now()
			if err := s.Close(); err != nil {
				t.Errorf("Close after the server died: %v", err)
			}
			if d := time.Since(t0); d > 500*time.Millisecond {
				t.Errorf("Close took %v with the server gone", d)
			}
			if err := srv.Restart(); err != nil {
				t.Fatal(err)
			}
			s2, err := OpenJACK(Config{}, p)
			if err != nil {
				t.Fatalf("opening again after the restart: %v", err)
			}
			defer s2.Close()
			if err := s2.Start(); err != nil {
				t.Fatal(err)
			}
			f0 := frames.Load()
			time.Sleep(500 * time.Millisecond)
			if got := frames.Load() - f0; got < 12000 {
				t.Errorf("after the restart: %d frames rendered in 0.5 s, want about 24000", got)
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
