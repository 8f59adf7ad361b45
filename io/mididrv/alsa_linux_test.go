package mididrv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestALSASequencerCheck(t *testing.T) {
	defer func(p string) { alsaSeqPath = p }(alsaSeqPath)
	dir := t.TempDir()
	alsaSeqPath = filepath.Join(dir, "seq")
	if err := alsaSequencer(); err != ErrNoALSASequencer {
		t.Errorf("missing device: %v", err)
	}
	if err := os.WriteFile(alsaSeqPath, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := alsaSequencer(); err != nil {
		t.Errorf("usable device: %v", err)
	}
	if os.Getuid() != 0 { // root may open anything
		os.Chmod(alsaSeqPath, 0)
		if err := alsaSequencer(); err == nil || !strings.Contains(err.Error(), "audio group") {
			t.Errorf("unreadable device: %v", err)
		}
	}
}
