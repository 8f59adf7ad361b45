//go:build cgo

package audio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

// jackServer is the private dummy JACK server the tests play to, or nil; jackErr says
// why it is missing.
var (
	jackServer *jacktest.Server
	jackErr    error
)

// helperEnv makes the test binary run one helper instead of the tests: a fresh process
// is the only way to watch what Initialize prints the first time.
const helperEnv = "SEPARATRIX_AUDIO_HELPER"

func TestMain(m *testing.M) {
	if h := os.Getenv(helperEnv); h != "" {
		os.Exit(runHelper(h))
	}
	// Run as `separatrix play` does: scheduler slots to spare for the cgo callback, and
	// no garbage collection while streams run (its phases delay the callback's entry
	// into Go by milliseconds; the tests allocate little).
	runtime.GOMAXPROCS(RecommendedGOMAXPROCS())
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(1 << 30)
	jackServer, jackErr = jacktest.Start()
	code := m.Run()
	Terminate()
	if jackServer != nil {
		stopJACK(jackServer)
	}
	os.Exit(code)
}

// stopJACK stops the test server with SIGTERM first, so that it takes its entry out of
// JACK's server registry in /dev/shm: jacktest's Stop kills it with SIGKILL, which
// leaves the entry behind, and once eight are left no JACK server can start on the
// machine ("Too many servers already active") until the registry is removed.
func stopJACK(s *jacktest.Server) {
	if pid := childProcess("jackd", s.Name); pid > 0 {
		syscall.Kill(pid, syscall.SIGTERM)
		for range 150 {
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err != nil || procState(b) == 'Z' {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	s.Stop()
}

// childProcess returns the pid of this process's child named comm whose command line
// holds arg, or 0.
func childProcess(comm, arg string) int {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if open < 0 || end < open || string(stat[open+1:end]) != comm {
			continue
		}
		f := strings.Fields(string(stat[end+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		for _, a := range bytes.Split(cmdline, []byte{0}) {
			if string(a) == arg {
				return pid
			}
		}
	}
	return 0
}

// procState is the state letter in the contents of /proc/PID/stat.
func procState(stat []byte) byte {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 || end+2 >= len(stat) {
		return 0
	}
	return stat[end+2]
}

// needJACK skips the test when no JACK server could be started, or fails it in CI.
func needJACK(t *testing.T) {
	t.Helper()
	if jackServer != nil {
		return
	}
	if jacktest.Required() {
		t.Fatalf("JACK is required in CI: %v", jackErr)
	}
	t.Skipf("no JACK server: %v", jackErr)
}

// runHelper runs the helper named h in this process and returns the exit code.
func runHelper(h string) int {
	switch h {
	case "init":
		// Initialize, list and stop; the parent checks that stderr stays empty.
		if err := Initialize(); err != nil {
			fmt.Println("initialize:", err)
			return 1
		}
		hosts, err := List()
		if err != nil {
			fmt.Println("list:", err)
			return 1
		}
		for _, h := range hosts {
			fmt.Printf("host %s %d\n", h.Name, len(h.Devices))
		}
		if err := Terminate(); err != nil {
			fmt.Println("terminate:", err)
			return 1
		}
		return 0
	case "usable":
		// Usable with the environment's Host; prints the error.
		err := Usable(Config{Host: os.Getenv("SEPARATRIX_AUDIO_HOST")})
		fmt.Printf("usable: %v\n", err)
		if err != nil && errors.Is(err, ErrNoDevice) {
			fmt.Println("ErrNoDevice")
		}
		Terminate()
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown helper", h)
	return 2
}

// helper runs the helper h in a new test process with the extra environment env and
// returns its stdout and stderr.
func helper(t *testing.T, h string, env ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+h), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper %s: %v\nstdout:\n%s\nstderr:\n%s", h, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}
