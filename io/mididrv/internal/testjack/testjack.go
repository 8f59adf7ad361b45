//go:build unix

// Package testjack helps the mididrv tests run real JACK servers: it starts servers
// under a given name (to restart one mid-test) and stops them cleanly.
//
// jackd records itself in JACK's shared registry (/dev/shm/jack-shm-registry), which
// has 8 slots; only a server that exits cleanly (SIGINT or SIGTERM) frees its slot.
package testjack

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

// Stop stops s cleanly (jacktest's Stop sends SIGTERM first, freeing the server's
// registry slot).
func Stop(s *jacktest.Server) { s.Stop() }

// StartNamed starts `jackd -n name -d dummy -r 48000 -p 128`, waits until it answers,
// and returns a function that stops it cleanly. It does not touch JACK_DEFAULT_SERVER.
func StartNamed(name string) (stop func(), err error) {
	cmd := exec.Command("jackd", "-n", name, "-d", "dummy", "-r", "48000", "-p", "128")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		select {
		case <-done:
			return nil, fmt.Errorf("jackd -n %s exited at start:\n%s", name, log.String())
		default:
		}
		lsp := exec.Command("jack_lsp", "-s", name)
		if lsp.Run() == nil {
			time.Sleep(200 * time.Millisecond)
			return stop, nil
		}
	}
	stop()
	return nil, fmt.Errorf("jackd -n %s did not answer within 10 s", name)
}

// WaitFor polls cond every 10 ms and fails the test if it is not true within d.
func WaitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
	}
}
