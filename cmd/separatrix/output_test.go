package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/wav"
)

// outputFixture is a directory with a patch file, a score, an earlier take and links to
// them, as a user's working directory may hold; the test runs in it.
func outputFixture(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../../patches/builtin/snic.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile("mine.toml", src, 0o644))
	writeScore(t, "sc.mid")
	must(os.MkdirAll("takes", 0o755))
	must(os.WriteFile("y.wav", []byte("an earlier take"), 0o644))
	must(os.Symlink("mine.toml", "patch-link.wav"))
	must(os.Symlink("sc.mid", "score-link.png"))
	must(os.Link("sc.mid", "hard.wav"))
	must(os.Symlink("takes", "linked-takes"))
	must(os.Symlink("mine.toml", "pic.svg"))
	return dir
}

// TestOutputsNeverOverwriteInputs: every command that writes files refuses an output
// that is its patch file, its score or another of its outputs, however the path is
// written, with exit status 2 and a message that names both, before writing anything:
// every file in the directory is byte-identical afterwards and nothing new appears.
func TestOutputsNeverOverwriteInputs(t *testing.T) {
	const dir = "DIR" // each case's own fixture directory
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"patch as -o", []string{"render", "./mine.toml", "-o", "mine.toml", "--duration", "0.1s"},
			"-o mine.toml would overwrite the patch file ./mine.toml"},
		{"score as -o", []string{"render", "snic", "--score", "sc.mid", "-o", "sc.mid"},
			"-o sc.mid would overwrite --score sc.mid"},
		{"score as --midi", []string{"render", "snic", "--score", "sc.mid", "-o", "takes/a.wav", "--midi", "./sc.mid"},
			"--midi ./sc.mid would overwrite --score sc.mid"},
		{"patch through a symlink", []string{"render", "mine.toml", "-o", "patch-link.wav", "--duration", "0.1s"},
			"-o patch-link.wav would overwrite the patch file mine.toml"},
		{"score through a hard link", []string{"render", "snic", "--score", "sc.mid", "-o", "hard.wav"},
			"hard links to one file"},
		{"--midi equal to -o", []string{"render", "snic", "-o", "y.wav", "--midi", "y.wav", "--duration", "0.1s"},
			"-o y.wav and --midi y.wav are the same file"},
		{"--csv equal to -o through a linked directory", []string{"render", "snic", "-o", "takes/t.wav", "--csv", "linked-takes/t.wav", "--duration", "0.1s"},
			"-o takes/t.wav and --csv linked-takes/t.wav are the same file"},
		{"output is a directory", []string{"render", "snic", "-o", "takes", "--duration", "0.1s"},
			"-o takes is a directory"},
		{"trace over its score", []string{"trace", "snic", "--score", "sc.mid", "-o", "score-link.png"},
			"-o score-link.png would overwrite --score sc.mid"},
		{"portrait over its patch", []string{"portrait", filepath.Join(dir, "mine.toml"), "-o", "pic.svg"},
			"-o pic.svg would overwrite the patch file " + filepath.Join(dir, "mine.toml")},
		{"bifurcation over its patch", []string{"bifurcation", "./mine.toml", "-o", "pic.svg"},
			"-o pic.svg would overwrite the patch file ./mine.toml"},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := outputFixture(t)
			before := snapshot(t, dir)
			for i, a := range tc.args {
				tc.args[i] = strings.ReplaceAll(a, "DIR", dir)
			}
			tc.want = strings.ReplaceAll(tc.want, "DIR", dir)
			code, _, stderr := runCLI(t, tc.args...)
			if code == 0 {
				t.Fatalf("%v: exit 0, want a refusal", tc.args)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("%v: stderr %q\nwant it to contain %q", tc.args, stderr, tc.want)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("%v changed the directory:\nbefore %s\nafter  %s", tc.args, before, after)
			}
		})
	}
}

// snapshot lists every entry under dir with its type and the hash of its content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %v", rel, info.Mode().Type())
		if info.Mode().IsRegular() {
			fmt.Fprintf(&b, " %s", sha(t, path)[:12])
		}
		if info.Mode()&os.ModeSymlink != 0 {
			text, _ := os.Readlink(path)
			fmt.Fprintf(&b, " -> %s", text)
		}
		b.WriteString("; ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRenderThroughSymlink: -o, --midi and --csv through symbolic links write the
// links' targets; the links stay links with the same text.
func TestRenderThroughSymlink(t *testing.T) {
	outputFixture(t)
	if err := os.WriteFile("takes/real.wav", []byte("an earlier take"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"take.wav": "takes/real.wav", "take.mid": "takes/new.mid", "take.csv": "linked-takes/new.csv"} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runCLI(t, "render", "saddle-node", "--set", "current=15", "-o", "take.wav", "--midi", "take.mid", "--csv", "take.csv", "--duration", "0.2s", "--quiet")
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	for link, target := range map[string]string{"take.wav": "takes/real.wav", "take.mid": "takes/new.mid", "take.csv": "linked-takes/new.csv"} {
		info, err := os.Lstat(link)
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink (%v)", link, err)
		}
		if text, _ := os.Readlink(link); text != target {
			t.Errorf("%s now points to %q, want %q", link, text, target)
		}
	}
	a, err := wav.ReadFile("takes/real.wav")
	if err != nil {
		t.Fatal(err)
	}
	if a.Frames() != 9600 {
		t.Errorf("the link's target holds %d frames, want the 0.2 s render (9600)", a.Frames())
	}
	if sc, err := midifile.ReadScore("takes/new.mid"); err != nil || len(sc.Events) == 0 {
		t.Errorf("the MIDI link's target: %v, %d events", err, len(sc.Events))
	}
	if b, err := os.ReadFile("takes/new.csv"); err != nil || !bytes.HasPrefix(b, []byte("t_ms,")) {
		t.Errorf("the CSV link's target: %v, starts %.10q", err, b)
	}
}

// TestRenderToDeviceNode: a device node (a private node of the null device made in a
// temporary directory, never the real /dev/null, which the old code replaced) is written
// in place and is still a device afterwards; the MIDI file beside it is written as usual.
func TestRenderToDeviceNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making device nodes needs root")
	}
	outputFixture(t)
	if err := syscall.Mknod("null", syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skip("mknod:", err)
	}
	code, _, stderr := runCLI(t, "render", "saddle-node", "--set", "current=15", "-o", "null", "--csv", "null", "--midi", "n.mid", "--duration", "0.2s", "--quiet")
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	info, err := os.Lstat("null")
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("null is no longer a device node: %v %v", info.Mode(), err)
	}
	if sc, err := midifile.ReadScore("n.mid"); err != nil || len(sc.Events) == 0 {
		t.Errorf("n.mid: %v, %d events", err, len(sc.Events))
	}
	if names, _ := filepath.Glob(".*.tmp"); len(names) > 0 {
		t.Errorf("left %v", names)
	}
}

// runBinary runs the built separatrix in dir, for at most limit.
func runBinary(t *testing.T, dir string, limit time.Duration, stdout io.Writer, args ...string) (code int, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := jacktest.CommandContext(ctx, sepBin, args...)
	cmd.Dir = dir
	cmd.Stdout = stdout
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("separatrix %v did not end within %v (it hangs)", args, limit)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), errb.String()
}

// streamHeaderOK checks that b starts with a WAV header of unknown length (RIFF and data
// sizes 0xFFFFFFFF) for 2 channels of PCM16 and holds frames frames after it.
func streamHeaderOK(t *testing.T, b []byte, frames int) {
	t.Helper()
	const header = 44
	if len(b) < header || string(b[:4]) != "RIFF" || string(b[36:40]) != "data" {
		t.Fatalf("not a WAV stream: % x", b[:min(len(b), header)])
	}
	le := binary.LittleEndian
	if r, d := le.Uint32(b[4:]), le.Uint32(b[40:]); r != 0xFFFFFFFF || d != 0xFFFFFFFF {
		t.Errorf("RIFF size %#x, data size %#x: want 0xFFFFFFFF (unknown) in a stream", r, d)
	}
	if got := (len(b) - header) / 4; got != frames {
		t.Errorf("the stream holds %d frames, want %d", got, frames)
	}
}

// TestRenderToFIFO: a FIFO nobody reads is refused at once with a message that says so
// (the old code hung in open forever); one that is read gets a WAV stream whose header
// says "unknown length", and stays a FIFO. -o /dev/stdout into a pipe is the same case.
// (Never test with the real /dev/stdout or /dev/null: the old code, run as root,
// replaced them with regular files.)
func TestRenderToFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.wav")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	code, stderr := runBinary(t, dir, 20*time.Second, nil, "render", "snic", "-o", "pipe.wav", "--duration", "0.1s", "--quiet")
	if code == 0 || !strings.Contains(stderr, "nobody is reading FIFO -o pipe.wav") {
		t.Errorf("render into an unread FIFO: exit %d, %q", code, stderr)
	}

	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo) // waits for the writer
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	// The reader must be there before the render opens the FIFO.
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, stderr = runBinary(t, dir, 20*time.Second, nil, "render", "snic", "-o", "pipe.wav", "--duration", "0.5s", "--quiet")
		if code == 0 || !strings.Contains(stderr, "nobody is reading") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code != 0 {
		t.Fatalf("render into a read FIFO: exit %d: %s", code, stderr)
	}
	select {
	case b := <-got:
		streamHeaderOK(t, b, 24000)
	case <-time.After(10 * time.Second):
		t.Fatal("the reader never saw the end of the stream")
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is gone or replaced: %v", err)
	}

	// "-o /dev/stdout", but through a private link of the same kind: code that replaces
	// the link (as the old code did) must not break the system's /dev/stdout.
	if err := os.Symlink("/proc/self/fd/1", filepath.Join(dir, "stdout")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/fd/1"); err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	var out bytes.Buffer // a pipe to the child
	code, stderr = runBinary(t, dir, 20*time.Second, &out, "render", "snic", "-o", "stdout", "--duration", "0.25s", "--quiet")
	if code != 0 {
		t.Fatalf("render -o stdout (a link to /proc/self/fd/1): exit %d: %s", code, stderr)
	}
	streamHeaderOK(t, out.Bytes(), 12000)
}

// TestRenderSignalRemovesTemporaryFiles: SIGINT, SIGTERM or SIGHUP in the middle of a
// long render stop it within seconds, remove every temporary file, leave the earlier
// take byte-identical, and end with one line that says when it stopped and what became
// of each output, and a non-zero status. kill -9 cannot be caught: the earlier take
// is still intact.
func TestRenderSignalRemovesTemporaryFiles(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			take := filepath.Join(dir, "out.wav")
			if err := os.WriteFile(take, []byte("an earlier take"), 0o644); err != nil {
				t.Fatal(err)
			}
			earlier := sha(t, take)
			cmd := jacktest.Command(sepBin, "render", "hysteresis", "-o", "out.wav", "--midi", "out.mid", "--csv", "out.csv", "--duration", "1h")
			cmd.Dir = dir
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// Wait until the render is well under way: its temporary WAV holds audio.
			deadline := time.Now().Add(20 * time.Second)
			for {
				names, _ := filepath.Glob(filepath.Join(dir, ".out.wav.*.tmp"))
				if len(names) == 1 {
					if info, err := os.Stat(names[0]); err == nil && info.Size() > 1<<20 {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no growing temporary file after 20 s: %v; %s", names, errb.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("render still running 10 s after %v", sig)
			}
			if sha(t, take) != earlier {
				t.Errorf("the earlier take changed")
			}
			names, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
			if sig == syscall.SIGKILL {
				return // kill -9 leaves the temporary files; that it kept the take is the point
			}
			if len(names) > 0 {
				t.Errorf("left %v", names)
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) {
				t.Errorf("exit status %d after %v, want %d (128 + the signal)", code, sig, 128+int(sig))
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			last := lines[len(lines)-1]
			name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM", syscall.SIGHUP: "SIGHUP"}[sig]
			want := regexp.MustCompile(`^separatrix render: interrupted by ` + name +
				` at [0-9]+\.[0-9] s of 3600 s; out\.wav unchanged, out\.mid not created, out\.csv not created$`)
			if !want.MatchString(last) {
				t.Errorf("last line %q\nwant it to match %s", last, want)
			}
		})
	}
}
