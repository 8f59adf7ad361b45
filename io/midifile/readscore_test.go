//go:build unix

package midifile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/midifile"
)

// readWithin runs ReadScore, failing the test if it has not returned after a generous
// deadline (it must never wait for a writer; the deadline only keeps a hang from
// stalling the suite).
func readWithin(t *testing.T, path string) (*midifile.Score, error) {
	t.Helper()
	type result struct {
		sc  *midifile.Score
		err error
	}
	done := make(chan result, 1)
	go func() {
		sc, err := midifile.ReadScore(path)
		done <- result{sc, err}
	}()
	select {
	case r := <-done:
		return r.sc, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("ReadScore(%s) still waiting after 10 s", path)
		return nil, nil
	}
}

// TestReadScoreRefusesWhatIsNotAFile: a link to a device, a directory and a named pipe
// nobody writes to are refused at once, saying what they are, without reading.
func TestReadScoreRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.mid")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.mid")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.mid")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{zero, zero + ": it is a device (/dev/zero), not a MIDI file: give the path of a .mid file"},
		{folder, folder + ": it is a directory, not a MIDI file"},
		{fifo, fifo + ": it is a pipe with nothing written to it"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			if _, err := os.Stat("/dev/zero"); err != nil && c.path == zero {
				t.Skip("no /dev/zero")
			}
			var err error
			alloc := allocated(func() { _, err = readWithin(t, c.path) })
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("ReadScore = %v, want %q", err, c.want)
			}
			if alloc > 64<<10 {
				t.Errorf("refusing it allocated %d bytes, want at most 64 kB", alloc)
			}
		})
	}
}

// TestReadScoreReadsAPipe: --score <(generate-score) works.
func TestReadScoreReadsAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path := fmt.Sprintf("/dev/fd/%d", r.Fd())
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	go func() {
		w.Write(tempoFile(t))
		w.Close()
	}()
	sc, err := readWithin(t, path)
	if err != nil || len(sc.Events) != 6 {
		t.Fatalf("ReadScore(%s) = %v, want the 6 notes of the tempo file", path, err)
	}
}
