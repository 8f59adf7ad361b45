//go:build cgo

package audio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
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
	jackServer, jackErr = jacktest.StartIfInstalled()
	code := m.Run()
	Terminate()
	if jackServer != nil {
		jackServer.Stop()
	}
	os.Exit(code)
}

// needJACK skips the test when JACK is not installed, or fails it in CI.
func needJACK(t *testing.T) {
	t.Helper()
	jacktest.Need(t, jackServer, jackErr)
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
	case "pa-jack-killed":
		return paJACKKilled()

	}
	if f, ok := moreHelpers[h]; ok {
		return f()
	}
	fmt.Fprintln(os.Stderr, "unknown helper", h)
	return 2
}

// expectLines fails the test for every fact in want that a helper's output lacks.
func expectLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("helper output lacks %q:\n%s", w, out)
		}
	}
}

// moreHelpers are helpers defined in files with narrower build constraints.
var moreHelpers = map[string]func() int{}

// helper runs the helper h in a new test process with the extra environment env and
// returns its stdout and stderr.
func helper(t *testing.T, h string, env ...string) (stdout, stderr string) {
	t.Helper()
	cmd := jacktest.Command(os.Args[0], "-test.run=^$")
	// GOTRACEBACK=all: a helper that hangs is stopped with SIGQUIT after two minutes
	// and prints every goroutine's stack, to show where.
	cmd.Env = append(append(os.Environ(), helperEnv+"="+h, "GOTRACEBACK=all"), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := time.AfterFunc(2*time.Minute, func() { cmd.Process.Signal(syscall.SIGQUIT) })
	err := cmd.Wait()
	stop.Stop()
	if err != nil {
		t.Fatalf("helper %s: %v\nstdout:\n%s\nstderr:\n%s", h, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}
