package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/patches"
)

// TestPlayRefusesRecordingOverInputs: play's recordings may be neither a patch it
// plays nor each other (also through a symbolic link); refused before anything is
// opened, and the patch is left byte for byte as it was.
func TestPlayRefusesRecordingOverInputs(t *testing.T) {
	dir := t.TempDir()
	src, ok := patches.BuiltinSource("snic")
	if !ok {
		t.Fatal("no built-in snic")
	}
	patch := filepath.Join(dir, "mine.toml")
	if err := os.WriteFile(patch, src, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "take.wav")
	if err := os.Symlink("mine.toml", link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "x.wav")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"record over the patch", []string{"play", patch, "--record", patch}, "would overwrite the patch file"},
		{"record-midi over the patch", []string{"play", patch, "--record-midi", patch}, "would overwrite the patch file"},
		{"record through a link to the patch", []string{"play", patch, "--record", link}, "would overwrite the patch file"},
		{"both recordings one file", []string{"play", "snic", "--record", other, "--record-midi", other}, "are the same file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append(tc.args, "--duration", "1s")...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			if b, err := os.ReadFile(patch); err != nil || !bytes.Equal(b, src) {
				t.Errorf("the patch changed (%v)", err)
			}
			if _, err := os.Stat(other); !os.IsNotExist(err) {
				t.Errorf("%s was created", other)
			}
		})
	}
}
