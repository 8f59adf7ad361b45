//go:build unix

package infile_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/infile"
)

var patch = infile.Expect{Noun: "patch file", Ext: ".toml", Content: "patch"}

// read opens and reads path like a caller, failing the test if that takes longer than
// a generous deadline (it must never wait for a pipe's writer).
func read(t *testing.T, path string) (string, error) {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := infile.Open(path, patch)
		if err != nil {
			done <- result{"", err}
			return
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, 1<<20))
		if err == nil {
			err = f.EmptyPipe()
		}
		done <- result{string(b), err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("reading %s still waits after 10 s", path)
		return "", nil
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "p.toml")
	if err := os.WriteFile(regular, []byte("format = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want, err string
	}{
		{regular, "format = 1\n", ""},
		{zero, "", "it is a device (/dev/zero), not a patch file: give the path of a .toml file"},
		{dir, "", "it is a directory, not a patch file"},
		{fifo, "", "it is a pipe with nothing written to it (start the program that writes the patch first)"},
		{filepath.Join(dir, "missing.toml"), "", "no such file"},
	} {
		got, err := read(t, tc.path)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one containing %q", tc.path, err, tc.err)
		case got != tc.want:
			t.Errorf("%s: read %q, want %q", tc.path, got, tc.want)
		}
	}
}

// TestOpenReadsAPipeWithAWriter: a pipe whose writer starts writing later (as
// `play <(generate-patch)` gives) is read to its end.
func TestOpenReadsAPipeWithAWriter(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		time.Sleep(50 * time.Millisecond)
		w.WriteString("a = 1\n")
		time.Sleep(50 * time.Millisecond)
		w.WriteString("b = 2\n")
		w.Close()
	}()
	got, err := read(t, "/dev/fd/"+strconv.Itoa(int(r.Fd())))
	if err != nil || got != "a = 1\nb = 2\n" {
		t.Fatalf("read %q, %v", got, err)
	}
}
