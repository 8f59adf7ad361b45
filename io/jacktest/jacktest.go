// Package jacktest starts a private JACK server with the dummy driver for tests: it runs
// in real time without a sound card, so audio and MIDI code can be tested end to end
// against real JACK clients (jack_rec, jack_midiseq, jack_midi_dump).
//
// A test binary starts one server in TestMain and stops it after m.Run, and each JACK
// test first calls Need:
//
//	func TestMain(m *testing.M) {
//		srv, err = jacktest.StartIfInstalled()
//		code := m.Run()
//		if srv != nil {
//			srv.Stop()
//		}
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		jacktest.Need(t, srv, err)
//		...
//	}
//
// With SEPARATRIX_TEST_NO_AUDIO_SERVER set (make test-arm64 sets it: the arm64 tests run
// under qemu, far too slow for a real-time server's deadlines), no server starts: Need,
// StartPrivate and SkipIfNoServer skip the test, in CI too.
//
// Start sets JACK_DEFAULT_SERVER for the process, so every JACK client the tests start,
// in-process or as a command, finds this server and no other.
package jacktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Server is a running dummy JACK server.
type Server struct {
	Name       string
	SampleRate int
	Period     int
	cmd        *exec.Cmd
	log        *Buffer
	done       chan struct{}
	killed     bool // by Kill, and not started again since
}

var seq atomic.Int64

// Available reports whether jackd and the JACK example clients are installed.
func Available() bool {
	for _, c := range []string{"jackd", "jack_lsp"} {
		if _, err := exec.LookPath(c); err != nil {
			return false
		}
	}
	return true
}

// Required reports whether tests must not skip when JACK is missing: in CI (CI=true),
// where .ci/run installs it, a missing server is a failure, not a skip.
func Required() bool { return os.Getenv("CI") != "" }

// NoServerEnv names the environment variable that turns audio servers off for a test
// run: set to anything but "" or "0", no JACK server starts and every test that needs
// one, or a real-time audio device, skips.
const NoServerEnv = "SEPARATRIX_TEST_NO_AUDIO_SERVER"

// ErrNoServer says audio servers are off for this run (NoServerEnv): tests skip, in CI too.
var ErrNoServer = errors.New("audio servers are off for this run (" + NoServerEnv + " is set, as under qemu in make test-arm64)")

// NoServer reports whether audio servers are off for this run (NoServerEnv).
func NoServer() bool {
	v := os.Getenv(NoServerEnv)
	return v != "" && v != "0"
}

// SkipIfNoServer skips a test that needs an audio server or a real-time audio or MIDI
// device when audio servers are off for this run (NoServerEnv). Tests that call Need or
// StartPrivate need not call it.
func SkipIfNoServer(t testing.TB) {
	t.Helper()
	if NoServer() {
		t.Skip(ErrNoServer)
	}
}

// ErrNotInstalled says JACK is missing here: tests skip, except in CI (Required).
var ErrNotInstalled = errors.New("JACK is not installed (apt-get install jackd2)")

// StartIfInstalled starts the tests' server, or returns ErrNotInstalled if jackd and
// the example clients are missing, or ErrNoServer if audio servers are off for this run.
func StartIfInstalled() (*Server, error) {
	if NoServer() {
		return nil, ErrNoServer
	}
	if !Available() {
		return nil, ErrNotInstalled
	}
	return Start()
}

// Need lets a test that needs the server s go on. Without one it skips the test when
// err wraps ErrNoServer (servers are off for this run), or ErrNotInstalled outside CI,
// and fails it otherwise: in CI JACK must be there, and a server that would not start is
// a fault wherever it happens.
func Need(t testing.TB, s *Server, err error) {
	t.Helper()
	switch {
	case s != nil:
	case errors.Is(err, ErrNoServer):
		t.Skip(err)
	case errors.Is(err, ErrNotInstalled) && !Required():
		t.Skip(err)
	default:
		t.Fatalf("no JACK server: %v", err)
	}
}

// Start launches `jackd -n NAME -d dummy -r 48000 -p 128 -m` under a name of its own
// (parallel test binaries do not collide) and waits until it answers.
func Start() (*Server, error) { return StartWith(48000, 128) }

// StartWith is Start with another sample rate and period. It returns ErrNoServer if
// audio servers are off for this run.
func StartWith(rate, period int) (*Server, error) {
	if NoServer() {
		return nil, ErrNoServer
	}
	if !Available() {
		return nil, errors.New("jacktest: jackd is not installed (apt-get install jackd2)")
	}
	name := fmt.Sprintf("septest%d_%d", os.Getpid(), seq.Add(1))
	s := &Server{Name: name, SampleRate: rate, Period: period, log: &Buffer{}}
	if err := s.launch(); err != nil {
		return nil, err
	}
	return s, nil
}

// launch starts jackd under s.Name and waits until it answers.
func (s *Server) launch() error {
	s.done = make(chan struct{})
	// -r after -d dummy is the dummy driver's sample rate (before -d it would mean "no
	// realtime"); -m adds system:monitor ports that carry what reaches system:playback.
	s.cmd = exec.Command("jackd", "-n", s.Name, "-d", "dummy", "-r", strconv.Itoa(s.SampleRate), "-p", strconv.Itoa(s.Period), "-m")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("jacktest: starting jackd: %w", err)
	}
	cmd, done := s.cmd, s.done
	go func() { cmd.Wait(); close(done) }()
	os.Setenv("JACK_DEFAULT_SERVER", s.Name)
	os.Setenv("JACK_NO_START_SERVER", "1")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("jacktest: jackd exited at start:\n%s", s.log.String())
		default:
		}
		if exec.Command("jack_lsp").Run() == nil {
			// Clients started right after the server came up have failed once; give it
			// a moment to settle.
			time.Sleep(200 * time.Millisecond)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("jacktest: jackd did not answer within 10 s:\n%s", s.log.String())
}

// StartPrivate starts a server for one test only, to kill or freeze without disturbing
// the others, and when the test ends stops it and points JACK_DEFAULT_SERVER back at
// the server it named before. It skips the test if audio servers are off for this run.
func StartPrivate(t testing.TB) *Server {
	t.Helper()
	SkipIfNoServer(t)
	shared := os.Getenv("JACK_DEFAULT_SERVER")
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Stop()
		os.Setenv("JACK_DEFAULT_SERVER", shared)
	})
	return srv
}

// Kill ends the server with SIGKILL, as a crash would: its clients get no notice, only
// a broken connection. A killed server leaves its slot in JACK's registry
// (/dev/shm/jack-shm-registry, 8 slots) taken; Restart, or Stop, which restarts and
// stops it cleanly, frees it.
func (s *Server) Kill() {
	if s.cmd.Process == nil {
		return
	}
	s.killed = true
	s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

// Restart starts the server again, after Stop or Kill, under the same name, rate and
// period, and waits until it answers. It also points JACK_DEFAULT_SERVER at it again.
func (s *Server) Restart() error {
	select {
	case <-s.done:
	default:
		return errors.New("jacktest: Restart while the server still runs")
	}
	s.killed = false
	return s.launch()
}

// Pause stops the server with SIGSTOP, as a hang would: its clients get no callbacks
// and no answers, but no notice either. Resume lets it go on.
func (s *Server) Pause() { s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a server stopped by Pause.
func (s *Server) Resume() { s.cmd.Process.Signal(syscall.SIGCONT) }

// Running reports whether the server process is alive.
func (s *Server) Running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Buffer is a bytes.Buffer that a process (jackd, a JACK client, the program under
// test) writes into while a test reads it. The zero value is ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ClientXruns counts the cycles in which jackd found the named client not finished:
// xruns that client caused, as opposed to late timer wake-ups of the dummy driver.
func (s *Server) ClientXruns(client string) int {
	return strings.Count(s.Log(), "client = "+client+" was not finished")
}

// Log is what jackd printed so far (its xrun lines among it).
func (s *Server) Log() string { return s.log.String() }

// Stop asks the server to quit and waits for it. After Kill it starts the server once
// more under the same name and stops it cleanly: that frees the registry slot the killed
// server left taken. SIGTERM lets jackd remove its entry
// from JACK's server registry in /dev/shm; a SIGKILL leaves it behind, and after a few
// such leftovers no JACK server can start on the machine ("Too many servers already
// active"). SIGKILL comes only if it has not quit within 5 s.
func (s *Server) Stop() {
	if s.cmd.Process == nil {
		return
	}
	s.Resume() // a paused server cannot quit
	if s.killed && !s.Running() {
		s.killed = false
		if s.launch() != nil {
			return
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	// jackd may take over 5 s to quit on a loaded machine (measured 1.7-5.4 s with no
	// clients), and a killed jackd keeps its slot in JACK's registry, of which there are
	// eight: be patient before killing.
	select {
	case <-s.done:
		return
	case <-time.After(15 * time.Second):
	}
	s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

// Ports lists the JACK ports (jack_lsp).
func (s *Server) Ports() ([]string, error) {
	out, err := exec.Command("jack_lsp").Output()
	if err != nil {
		return nil, fmt.Errorf("jack_lsp: %w", err)
	}
	var ports []string
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(l) > 0 {
			ports = append(ports, string(l))
		}
	}
	return ports, nil
}

// ExecEnv names the environment variable that holds the emulator the test binaries run
// under, as given to go test -exec (make test-arm64 sets it to qemu-aarch64-static with
// the arm64 sysroot). A binary built for the tests' architecture (the test binary itself,
// or the program a test builds with go build) then cannot be executed directly: the
// kernel refuses it with "exec format error" unless binfmt_misc is set up for qemu, which
// a container cannot do.
const ExecEnv = "SEPARATRIX_TEST_EXEC"

// Argv returns the command line that runs the program name, built for the tests'
// architecture, with arguments arg: as is, or behind the emulator in ExecEnv.
func Argv(name string, arg ...string) []string {
	emu := strings.Fields(os.Getenv(ExecEnv))
	return append(append(emu, name), arg...)
}

// Command is exec.Command for a program built for the tests' architecture: it runs it
// through the emulator in ExecEnv when there is one. Signals sent to the command's
// process reach the program (qemu-user passes them on).
func Command(name string, arg ...string) *exec.Cmd {
	argv := Argv(name, arg...)
	return exec.Command(argv[0], argv[1:]...)
}

// CommandContext is exec.CommandContext for a program built for the tests'
// architecture, like Command.
func CommandContext(ctx context.Context, name string, arg ...string) *exec.Cmd {
	argv := Argv(name, arg...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}
