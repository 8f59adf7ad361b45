//go:build cgo

package audio

import (
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

// sine returns a Process playing a sine of freq Hz and amplitude amp on every channel,
// and a counter of the frames it rendered.
func sine(freq, amp, rate float64) (Process, *atomic.Int64) {
	var frames atomic.Int64
	phase, step := 0.0, 2*math.Pi*freq/rate
	return func(out [][]float32) {
		for i := range out[0] {
			v := float32(amp * math.Sin(phase))
			phase += step
			if phase > 2*math.Pi {
				phase -= 2 * math.Pi
			}
			for _, ch := range out {
				ch[i] = v
			}
		}
		frames.Add(int64(len(out[0])))
	}, &frames
}

// helperServer starts a server of a helper process's own (a helper runs with no
// other), printing why not.
func helperServer() *jacktest.Server {
	srv, err := jacktest.StartWith(48000, 128)
	if err != nil {
		fmt.Println("server:", err)
		return nil
	}
	return srv
}

// supervised starts a Supervise over open with short timings, reporting its status
// lines on a channel.
func supervised(cfg Config, open func(Config, Process) (Stream, error)) (*Supervised, chan string, error) {
	status := make(chan string, 64)
	p, _ := sine(440, 0.1, 48000)
	s, err := Supervise(cfg, p, SuperviseOptions{
		Open:   open,
		Status: func(msg string) { status <- msg },
		Retry:  200 * time.Millisecond,
		Stall:  300 * time.Millisecond,
	})
	if err != nil {
		return nil, nil, err
	}
	return s, status, s.Start()
}

// supervisedHelper starts a helper process's server and a supervised native stream
// on it, printing why not (s nil; stop srv all the same if it is not nil).
func supervisedHelper() (srv *jacktest.Server, s *Supervised, status chan string) {
	if srv = helperServer(); srv == nil {
		return nil, nil, nil
	}
	s, status, err := supervised(Config{}, OpenJACK)
	if err != nil {
		fmt.Println("open:", err)
		srv.Stop()
		return nil, nil, nil
	}
	return srv, s, status
}

// await waits up to d for a status line containing want and returns it ("none within
// D" if none came).
func await(status chan string, want string, d time.Duration) string {
	deadline := time.After(d)
	for {
		select {
		case msg := <-status:
			if strings.Contains(msg, want) {
				return msg
			}
		case <-deadline:
			return fmt.Sprintf("none within %v", d)
		}
	}
}

// paJACKKilled (a helper process, see TestSupervisePortAudioServerKilled) plays through
// PortAudio's JACK host API under Supervise, kills the server, and prints how the
// supervisor and Terminate fared, one fact per line.
func paJACKKilled() int {
	srv := helperServer()
	if srv == nil {
		return 1
	}
	defer srv.Stop() // after Kill: started again and stopped cleanly, to free its slot
	s, status, err := supervised(Config{Host: "jack"}, Open)
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	time.Sleep(500 * time.Millisecond)
	fmt.Println("callbacks before:", s.Stats().Callbacks > 0)
	srv.Kill()
	fmt.Println("status:", await(status, "", 5*time.Second))
	n := s.Stats().Callbacks
	time.Sleep(200 * time.Millisecond)
	fmt.Println("clock plays:", s.Stats().Callbacks > n)
	t0 := time.Now()
	s.Close()
	fmt.Println("close within 1 s:", time.Since(t0) < time.Second)
	t0 = time.Now()
	err = Terminate()
	fmt.Println("terminate within 1.5 s:", time.Since(t0) < 1500*time.Millisecond)
	fmt.Println("terminate:", err)
	return 0
}

// TestSupervisePortAudioServerKilled: PortAudio's JACK host API cannot stop a stream
// whose server died (it waits up to ten minutes), so a Supervise over it must notice
// the stall, play on by the clock, and neither its Close nor Terminate may hang. Run in
// a process of its own: the PortAudio it leaves behind is stuck for good.
func TestSupervisePortAudioServerKilled(t *testing.T) {
	needJACK(t)
	if testing.Short() {
		t.Skip("starts and kills a JACK server")
	}
	out, _ := helper(t, "pa-jack-killed")
	expectLines(t, out,
		"callbacks before: true",
		"status: audio: lost the JACK Audio Connection Kit: system (it asked for no audio for",
		"clock plays: true",
		"close within 1 s: true",
		"terminate within 1.5 s: true")
}
