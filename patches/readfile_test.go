//go:build unix

package patches

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// loadWithin runs Load, failing the test if it has not returned after a generous
// deadline (it must never wait for a writer; the deadline only keeps a hang from
// stalling the suite).
func loadWithin(t *testing.T, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Load(path)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) still waiting after 10 s", path)
		return nil
	}
}

// TestLoadRefusesWhatIsNotAPatchFile: a link to a device, a directory and a named pipe
// nobody writes to are refused at once, saying what they are, without reading.
func TestLoadRefusesWhatIsNotAPatchFile(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.toml")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{zero, "zero.toml: cannot read the patch: it is a device (/dev/zero), not a patch file: give the path of a .toml file"},
		{folder, "folder.toml: cannot read the patch: it is a directory, not a patch file"},
		{fifo, "fifo.toml: cannot read the patch: it is a pipe with nothing written to it"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			if _, err := os.Stat("/dev/zero"); err != nil && c.path == zero {
				t.Skip("no /dev/zero")
			}
			var err error
			alloc := allocated(func() { err = loadWithin(t, c.path) })
			if err == nil || !strings.HasSuffix(err.Error(), c.want) && !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load = %v, want %q", err, c.want)
			}
			if alloc > 64<<10 {
				t.Errorf("refusing it allocated %d bytes, want at most 64 kB", alloc)
			}
		})
	}
}

// pipePath returns a path that reads the other end of a new pipe, as a shell's <(...)
// gives; the writer writes into it.
func pipePath(t *testing.T) (string, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	path := fmt.Sprintf("/dev/fd/%d", r.Fd())
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	return path, w
}

// TestLoadReadsAPipe: play <(cat mine.toml) works.
func TestLoadReadsAPipe(t *testing.T) {
	path, w := pipePath(t)
	src, _ := BuiltinSource("snic")
	go func() {
		w.Write(src)
		w.Close()
	}()
	p, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s) = %v", path, err)
	}
	if len(p.Engine.Neurons) != 1 || p.Engine.Neurons[0].Preset != "snic" {
		t.Errorf("read %d neurons, preset %q; want the snic patch", len(p.Engine.Neurons), p.Engine.Neurons[0].Preset)
	}
}

// TestLoadStopsReadingAnEndlessPipe: from a pipe that goes on and on, Load reads
// MaxFileSize and a little (what the pipe holds), then refuses the patch.
func TestLoadStopsReadingAnEndlessPipe(t *testing.T) {
	path, w := pipePath(t)
	var written atomic.Int64
	go func() {
		line := []byte(strings.Repeat("# a comment that goes on and on\n", 128))
		for written.Load() < 64<<20 { // endless as far as Load can tell
			n, err := w.Write(line)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
		w.Close()
	}()
	err := loadWithin(t, path)
	if err == nil || !strings.Contains(err.Error(), "the file goes on past 2 MiB here") {
		t.Fatalf("Load = %v, want the size refused", err)
	}
	// The writer is now blocked on a full pipe: what it wrote is what Load read, plus
	// the pipe's buffer (at most 1 MiB on Linux).
	if limit := int64(MaxFileSize + 1<<20 + 4096); written.Load() > limit {
		t.Errorf("Load let the writer write %d bytes, want at most %d", written.Load(), limit)
	}
}
