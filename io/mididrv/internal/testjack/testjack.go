//go:build unix

// Package testjack helps the mididrv tests run real JACK servers: it wraps jacktest
// with a graceful stop, and starts servers under a given name.
//
// jackd records itself in JACK's shared registry (/dev/shm/jack-shm-registry), which
// has 8 slots; only a server that exits cleanly (SIGINT or SIGTERM) frees its slot. A
// killed server's slot is reclaimed only by a later server of the same name, and
// jacktest names each server after the test binary's PID, so each SIGKILL (what
// jacktest.Server.Stop sends) leaks a slot until jackd refuses to start ("Too many
// servers already active"). Stop here interrupts the server first.
package testjack

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

// Stop interrupts s's jackd, waits for it to exit cleanly, then calls s.Stop.
func Stop(s *jacktest.Server) {
	if pid := childJackd(s.Name); pid > 0 {
		interrupt(pid)
	}
	s.Stop()
}

// childJackd finds the pid of this process's child "jackd -n name ...", or 0.
func childJackd(name string) int {
	self := os.Getpid()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(stat[i+1:])
		if len(f) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(string(f[1])); ppid != self {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		args := bytes.Split(bytes.TrimRight(cmd, "\x00"), []byte{0})
		if len(args) >= 3 && filepath.Base(string(args[0])) == "jackd" && string(args[1]) == "-n" && string(args[2]) == name {
			return pid
		}
	}
	return 0
}

// interrupt sends SIGINT to pid and waits up to 5 s for it to go.
func interrupt(pid int) {
	if syscall.Kill(pid, syscall.SIGINT) != nil {
		return
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		// A zombie is gone as far as JACK is concerned.
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
				return
			}
		}
	}
}

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
