package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/live"
	"github.com/separatrix-audio/separatrix/patches"
)

// exhibit --check lists what the installation would open, opening nothing; a mistake in
// the file is reported at its line, and nothing plays.
func TestExhibitCheck(t *testing.T) {
	code, out, stderr := runCLI(t, "exhibit", "../../deploy/installation.toml", "--check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`installation "Neuron wall"`, "0  hysteresis (tour:", "2  hopf-sub (tour:", "audio: host jack",
		"view: http://127.0.0.1:7400/", "kiosk page http://127.0.0.1:7400/kiosk", "attract: the tour starts after 1m30s",
		"volume cap: -12 dBFS", "quiet hours: 22:00 to 07:00, silent", "OSC: off",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--check does not say %q:\n%s", want, out)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("format = 1\npatches = [\"hysterisis\"]\ncap_db = -12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, "exhibit", bad, "--check")
	if code != 1 || out != "" || !strings.Contains(stderr, "bad.toml:2:") || !strings.Contains(stderr, `"hysteresis"`) {
		t.Errorf("a misspelt patch: exit %d, stdout %q, stderr %q; want exit 1 and bad.toml:2 with the fix", code, out, stderr)
	}
	if code, _, _ := runCLI(t, "exhibit"); code != 2 {
		t.Errorf("exhibit with no file: exit %d, want 2", code)
	}
}

// Quiet hours lower the level by the difference of the caps, or silence it, at the times
// the file gives, across midnight too.
func TestQuietHoursLevel(t *testing.T) {
	in := &patches.Installation{CapDB: -12, Quiet: []patches.QuietHours{
		{From: 12 * 60, To: 13*60 + 30, CapDB: -24},
		{From: 22 * 60, To: 7 * 60, Silent: true},
	}}
	at := func(h, m int) time.Time { return time.Date(2026, 5, 1, h, m, 0, 0, time.Local) }
	for _, tc := range []struct {
		when  time.Time
		level float64
		cap   float64
	}{
		{at(11, 59), 1, -12},
		{at(12, 0), math.Pow(10, -12.0/20), -24},
		{at(13, 29), math.Pow(10, -12.0/20), -24},
		{at(13, 30), 1, -12},
		{at(21, 59), 1, -12},
		{at(23, 0), 0, math.Inf(-1)},
		{at(3, 0), 0, math.Inf(-1)},
		{at(7, 0), 1, -12},
	} {
		if got := quietLevel(in, tc.when); math.Abs(got-tc.level) > 1e-12 {
			t.Errorf("%s: level %g, want %g", tc.when.Format("15:04"), got, tc.level)
		}
		if got := capNow(in, tc.when); got != tc.cap {
			t.Errorf("%s: cap %g dBFS, want %g", tc.when.Format("15:04"), got, tc.cap)
		}
	}
}

// A state file that cannot be read is set aside, not overwritten, and the exhibit starts
// afresh; a good one comes back as it was saved.
func TestExhibitStateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if st, err := loadState(path, &strings.Builder{}); st != nil || err != nil {
		t.Fatalf("no file: %v %v, want no state and no error", st, err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if st, err := loadState(path, &log); st != nil || err != nil {
		t.Fatalf("a broken file: %v %v, want no state and no error", st, err)
	}
	aside, _ := filepath.Glob(path + ".unreadable-*")
	if len(aside) != 1 || !strings.Contains(log.String(), "set aside") {
		t.Fatalf("the broken file was not set aside: %v, log %q", aside, log.String())
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != "{not json" {
		t.Errorf("the file set aside holds %q", b)
	}
	want := stateOf("snic", map[string]float64{"a.current": 4.2})
	if err := saveState(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(path, &log)
	if err != nil || got == nil || got.Patch != "snic" || got.Controls["snic"]["a.current"] != 4.2 {
		t.Errorf("saved %+v, read back %+v (%v)", want, got, err)
	}
}

func stateOf(patch string, controls map[string]float64) live.State {
	return live.State{Patch: patch, Controls: map[string]map[string]float64{patch: controls}}
}
