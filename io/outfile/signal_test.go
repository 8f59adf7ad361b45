//go:build unix

package outfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

// The signal tests run this test binary again as a helper that writes an output and
// waits to be signalled (a signal to the test process itself would end the test run).
const helperEnv = "OUTFILE_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helper(mode, os.Getenv("OUTFILE_TEST_OUT")))
	}
	os.Exit(m.Run())
}

// helper writes out (a set's only output), says "ready" and waits.
func helper(mode, out string) int {
	var fs Files
	ctx := context.Background()
	if mode == "interruptible" || mode == "stubborn" {
		var stop context.CancelFunc
		ctx, stop = fs.Interruptible(ctx)
		defer stop()
	}
	f, err := fs.Output("-o", out).Create()
	if err != nil {
		fmt.Println(err)
		return 2
	}
	io.WriteString(f, "half a new take")
	fmt.Println("ready")
	if mode == "interruptible" {
		<-ctx.Done()
		fs.Abort()
		fmt.Println(context.Cause(ctx), "|", fs.Summary())
		var in *Interrupted
		if errors.As(context.Cause(ctx), &in) {
			return in.ExitCode()
		}
		return 3
	}
	time.Sleep(time.Minute) // "stubborn" ignores its context: only a second signal ends it
	return 4
}

// startHelper runs the helper on out (through sh when prefix is set) and waits for it to
// be ready.
func startHelper(t *testing.T, mode, out string, shell string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	var cmd *exec.Cmd
	if shell != "" {
		// "$@": this test binary, behind the emulator when the tests run under one.
		cmd = exec.Command("sh", append([]string{"-c", shell + `; exec "$@" -test.run=^$`, "sh"}, jacktest.Argv(os.Args[0])...)...)
	} else {
		cmd = jacktest.Command(os.Args[0], "-test.run=^$")
	}
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "OUTFILE_TEST_OUT="+out)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("helper did not get ready: %q %v", line, err)
	}
	return cmd, r
}

// waitExit waits (at most 10 s) and returns how the helper ended.
func waitExit(t *testing.T, cmd *exec.Cmd) syscall.WaitStatus {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the helper did not end within 10 s of the signal")
	}
	return cmd.ProcessState.Sys().(syscall.WaitStatus)
}

// TestSignalRemovesTemporaryFile: SIGINT, SIGTERM or SIGHUP while an output is being
// written removes the temporary file, keeps the old target and ends the program by the
// signal (as it would have without the package).
func TestSignalRemovesTemporaryFile(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "take.wav")
			mustWrite(t, out, "old take")
			cmd, _ := startHelper(t, "remove", out, "")
			if len(leftovers(t, dir)) != 1 {
				t.Fatalf("no temporary file while writing: %v", leftovers(t, dir))
			}
			cmd.Process.Signal(sig)
			ws := waitExit(t, cmd)
			if !ws.Signaled() || ws.Signal() != sig {
				t.Errorf("helper ended with %v, want death by %v", ws, sig)
			}
			if names := leftovers(t, dir); len(names) > 0 {
				t.Errorf("left %v", names)
			}
			if got := mustRead(t, out); got != "old take" {
				t.Errorf("target is %q", got)
			}
		})
	}
}

// TestInterruptibleReports: with Interruptible the first signal cancels the context;
// the program aborts, says so and chooses its exit status.
func TestInterruptibleReports(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "take.wav")
	cmd, r := startHelper(t, "interruptible", out, "")
	cmd.Process.Signal(syscall.SIGTERM)
	line, _ := r.ReadString('\n')
	ws := waitExit(t, cmd)
	if want := "interrupted by SIGTERM | " + out + " not created\n"; line != want {
		t.Errorf("helper said %q, want %q", line, want)
	}
	if ws.ExitStatus() != 128+int(syscall.SIGTERM) {
		t.Errorf("exit status %d, want %d", ws.ExitStatus(), 128+int(syscall.SIGTERM))
	}
	if names := leftovers(t, dir); len(names) > 0 {
		t.Errorf("left %v", names)
	}
}

// TestSecondSignalEnds: a program that does not react to the first signal is ended by
// the second, and its temporary files go with it.
func TestSecondSignalEnds(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "take.wav")
	mustWrite(t, out, "old take")
	cmd, _ := startHelper(t, "stubborn", out, "")
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(200 * time.Millisecond)
	if cmd.Process.Signal(syscall.Signal(0)) != nil {
		t.Fatal("the first signal ended a program that asked for Interruptible")
	}
	cmd.Process.Signal(syscall.SIGINT)
	if ws := waitExit(t, cmd); !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("helper ended with %v, want death by SIGINT", ws)
	}
	if names := leftovers(t, dir); len(names) > 0 {
		t.Errorf("left %v", names)
	}
	if got := mustRead(t, out); got != "old take" {
		t.Errorf("target is %q", got)
	}
}

// TestNohupKeepsIgnoringSIGHUP: a program started with SIGHUP ignored (nohup) keeps
// writing through a hangup.
func TestNohupKeepsIgnoringSIGHUP(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "take.wav")
	cmd, _ := startHelper(t, "remove", out, `trap "" HUP`)
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(200 * time.Millisecond)
	if cmd.Process.Signal(syscall.Signal(0)) != nil {
		t.Fatal("SIGHUP ended a program started with it ignored")
	}
	if len(leftovers(t, dir)) != 1 {
		t.Errorf("the temporary file went away on an ignored SIGHUP")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd)
	if names := leftovers(t, dir); len(names) > 0 {
		t.Errorf("left %v", names)
	}
}

// TestKillNineKeepsTarget: SIGKILL cannot be caught; the temporary file stays behind but
// the old target is intact.
func TestKillNineKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "take.wav")
	mustWrite(t, out, "old take")
	cmd, _ := startHelper(t, "remove", out, "")
	cmd.Process.Kill()
	waitExit(t, cmd)
	if got := mustRead(t, out); got != "old take" {
		t.Errorf("target is %q after kill -9", got)
	}
	if names := leftovers(t, dir); len(names) != 1 || !strings.HasPrefix(filepath.Base(names[0]), ".take.wav.") {
		t.Errorf("want the one temporary file left by kill -9, have %v", names)
	}
}
