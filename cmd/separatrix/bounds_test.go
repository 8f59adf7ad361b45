package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestBoundedInputsRefused: the four unbounded inputs of issue 7, each refused by render
// with a non-zero exit, a message that says what is wrong and the limit, no output file,
// and little memory (a patch through a link to /dev/zero grew to gigabytes, 200 kB of
// nested lists took 4.7 GB, the 388-hour score and the 44-hour ramps started renders of
// days, the 100000-neuron patch minutes per 0.2 s).
func TestBoundedInputsRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	deep := write("deep.toml", "format = 1\nx = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n")
	var huge strings.Builder
	huge.WriteString("format = 1\n")
	for k := 0; k < 100000; k++ {
		fmt.Fprintf(&huge, "[[neuron]]\nname = \"n%d\"\nmodel = \"inapk\"\n", k)
	}
	hugePath := write("huge.toml", huge.String())
	// A note-on, then a note-off 0x0FFFFFFF ticks later, the largest delta time: 388
	// hours at 96 ticks per quarter note and 120 bpm.
	track := "\x00\x90\x3C\x64\xFF\xFF\xFF\x7F\x80\x3C\x00\x00\xFF\x2F\x00"
	long := write("long.mid", "MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00"+string(rune(len(track)))+track)

	out := filepath.Join(dir, "out.wav")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"patch through a link to /dev/zero", []string{zero},
			"zero.toml: cannot read the patch: it is a device (/dev/zero), not a patch file"},
		{"200 kB of nested lists", []string{deep},
			"deep.toml:2:13: tables and lists nest more than 8 deep here"},
		{"a score with a 388-hour delta", []string{"snic", "--score", long},
			"long.mid: track 1 has an event at tick 268435455, 1398101.33 s (388.4 hours) into the score; a score may last at most 24 hours"},
		{"two ramps of 80000 s", []string{"snic", "--ramp", "current=0:10:80000", "--ramp", "current=10:0:80000"},
			"the ramps on current follow each other and end at 160000 s (44.4 hours); a performance may last at most 24 hours"},
		{"100000 neurons", []string{hugePath},
			fmt.Sprintf("huge.toml:%d:1: this [[neuron]] is the 1025th, but a patch may have at most 1024 neurons", 2+3*1024)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Stat("/dev/zero"); err != nil && strings.Contains(c.name, "/dev/zero") {
				t.Skip("no /dev/zero")
			}
			type result struct {
				code   int
				stderr string
			}
			done := make(chan result, 1)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			go func() {
				code, _, stderr := runCLI(t, append([]string{"render", "-o", out, "--quiet"}, c.args...)...)
				done <- result{code, stderr}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(60 * time.Second): // only so that a hang fails instead of stalling
				t.Fatal("render still running after 60 s")
			}
			runtime.ReadMemStats(&after)
			if r.code != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q\nwant exit 1 and %q", r.code, r.stderr, c.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("refusing it allocated %d MB, want at most 32", alloc>>20)
			}
		})
	}
}
