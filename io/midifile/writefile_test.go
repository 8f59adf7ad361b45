package midifile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midimap"
)

// TestWriteFileNeverRemovesADevice: a write that fails on a device (a private node of
// /dev/full, which refuses every byte) is an error and leaves the device node where it
// was; WriteFile used to remove "what it wrote", the node itself.
func TestWriteFileNeverRemovesADevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making device nodes needs root")
	}
	path := filepath.Join(t.TempDir(), "full")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
		t.Skip("mknod:", err)
	}
	w := NewWriter(48000)
	w.Add(midimap.Timed{Frame: 0, Msg: midimap.NoteOn(1, 60, 100)})
	err := w.WriteFile(path)
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("WriteFile to /dev/full: %v, want no space left", err)
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("the device node is gone or replaced (%v)", err)
	}
}
