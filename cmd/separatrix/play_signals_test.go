package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/wav"
)

// These run play without a sound card or JACK server (it plays on the clock), to check
// how it stops.

// nothingHere is the environment of a machine with no JACK server.
func nothingHere() []string {
	return append(os.Environ(), "JACK_DEFAULT_SERVER=nosuchserver", "JACK_NO_START_SERVER=1")
}

// waitExit waits up to limit for cmd to exit and returns how long it took after t0.
func waitExit(t *testing.T, cmd *exec.Cmd, done chan struct{}, t0 time.Time, limit time.Duration) time.Duration {
	t.Helper()
	select {
	case <-done:
		return time.Since(t0)
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("play still ran %v after the signal", limit)
		return 0
	}
}

// TestPlayExitsWithStderrBlocked: a terminal stopped with Ctrl-S (here a pipe that is
// full and never read) blocks every write to stderr; SIGINT must end play all the same,
// by the backstop, within about a second.
func TestPlayExitsWithStderrBlocked(t *testing.T) {
	if testing.Short() {
		t.Skip("plays for seconds")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Fill the pipe: a write that would block fails at once on a non-blocking fd. (Fd
	// is called once: it puts the file back into blocking mode.)
	fd := int(w.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := syscall.Write(fd, chunk); err != nil {
			break
		}
	}
	syscall.SetNonblock(fd, false)
	play := exec.Command(sepBin, "play", "hysteresis", "--duration", "60s")
	play.Env = nothingHere()
	play.Stderr = w
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done := make(chan struct{})
	go func() { play.Wait(); close(done) }()
	time.Sleep(time.Second) // by now play is stuck writing its first line
	select {
	case <-done:
		t.Fatalf("play exited before the signal: %v", play.ProcessState)
	default:
	}
	t0 := time.Now()
	play.Process.Signal(os.Interrupt)
	took := waitExit(t, play, done, t0, 5*time.Second)
	if took > 1500*time.Millisecond {
		t.Errorf("play took %v to exit after SIGINT with stderr blocked; the backstop is 1 s", took)
	}
	t.Logf("exited %v after SIGINT, %v", took.Round(time.Millisecond), play.ProcessState)
}

// TestPlayUnderNohupIgnoresSIGHUP: started with SIGHUP ignored (nohup), play keeps
// playing through a hang-up; SIGINT still stops it cleanly.
func TestPlayUnderNohupIgnoresSIGHUP(t *testing.T) {
	if testing.Short() {
		t.Skip("plays for seconds")
	}
	if _, err := exec.LookPath("nohup"); err != nil {
		t.Skip("no nohup")
	}
	dir := t.TempDir()
	play := exec.Command("nohup", sepBin, "play", "hysteresis", "--duration", "60s")
	play.Env = nothingHere()
	play.Dir = dir // nohup.out, if any, goes there
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { play.Wait(); close(done) }()
	time.Sleep(time.Second)
	play.Process.Signal(syscall.SIGHUP)
	time.Sleep(500 * time.Millisecond)
	select {
	case <-done:
		t.Fatalf("under nohup, play ended on SIGHUP: %v", play.ProcessState)
	default:
	}
	play.Process.Signal(os.Interrupt)
	waitExit(t, play, done, time.Now(), 5*time.Second)
	if !play.ProcessState.Success() {
		t.Errorf("play after SIGINT: %v", play.ProcessState)
	}
}

// TestPlayKeepsRecordingsOnSignal: SIGINT or SIGTERM ends play with its --record and
// --record-midi files complete and readable, and nothing temporary left beside them.
func TestPlayKeepsRecordingsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("plays for seconds")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			take, notes := filepath.Join(dir, "take.wav"), filepath.Join(dir, "take.mid")
			play := exec.Command(sepBin, "play", "hysteresis", "--set", "current=5", "--duration", "60s",
				"--record", take, "--record-midi", notes)
			play.Env = nothingHere()
			if err := play.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { play.Wait(); close(done) }()
			time.Sleep(1500 * time.Millisecond)
			play.Process.Signal(sig)
			waitExit(t, play, done, time.Now(), 5*time.Second)
			if !play.ProcessState.Success() {
				t.Errorf("play after %v: %v", sig, play.ProcessState)
			}
			a, err := wav.ReadFile(take)
			if err != nil {
				t.Fatalf("the recording: %v", err)
			}
			if secs := float64(len(a.Channels[0])) / float64(a.SampleRate); secs < 1 {
				t.Errorf("the recording holds %.2f s of 1.5 s played", secs)
			}
			sc, err := midifile.ReadScore(notes)
			if err != nil {
				t.Fatalf("the MIDI recording: %v", err)
			}
			if len(sc.Events) < 2 { // the held note and its note-off
				t.Errorf("the MIDI recording holds %d events", len(sc.Events))
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

// TestPlaySaysWhenAPatchIsTooHeavy: a patch the format allows but play cannot keep up
// with in real time (1024 neurons; about 120 fit in a core today) is played with one
// line saying so; a built-in patch gets no such line.
func TestPlaySaysWhenAPatchIsTooHeavy(t *testing.T) {
	if testing.Short() {
		t.Skip("plays for a second")
	}
	var b strings.Builder
	// 1024 neurons at ten times biological speed: ten RK4 steps a sample each, too
	// much for one core even for the vector kernels (1024 at speed 1 is not, there).
	b.WriteString("format = 1\nspeed = 10\n")
	for k := range 1024 {
		fmt.Fprintf(&b, "[[neuron]]\nname = \"n%d\"\nmodel = \"inapk\"\npreset = \"snic\"\n", k)
	}
	heavy := filepath.Join(t.TempDir(), "heavy.toml")
	if err := os.WriteFile(heavy, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		patch string
		warn  bool
	}{{heavy, true}, {"hysteresis", false}} {
		play := exec.Command(sepBin, "play", tc.patch, "--duration", "500ms")
		play.Env = nothingHere()
		out, err := play.CombinedOutput()
		if err != nil {
			t.Fatalf("play %s: %v\n%s", tc.patch, err, out)
		}
		warned := strings.Contains(string(out), "neurons need about") && strings.Contains(string(out), "expect dropouts")
		if warned != tc.warn {
			t.Errorf("play %s: warned %v, want %v:\n%s", filepath.Base(tc.patch), warned, tc.warn, out)
		}
		if tc.warn && !strings.Contains(string(out), "spikes: none from 1024 neurons") {
			t.Errorf("play %s: the summary does not sum the spikes up:\n%s", filepath.Base(tc.patch), out)
		}
	}
}
