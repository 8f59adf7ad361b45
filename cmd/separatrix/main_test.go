package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/wav"
	"github.com/separatrix-audio/separatrix/patches"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeScore writes a small performance: a CC 1 sweep and two kicks (note-ons).
func writeScore(t *testing.T, path string) {
	t.Helper()
	w := midifile.NewWriter(48000)
	for i := 0; i <= 20; i++ { // CC 1 from 0 to 127 over the first second
		w.Add(midimap.Timed{Frame: int64(i) * 2400, Msg: midimap.ControlChange(1, 1, i*127/20)})
	}
	w.Add(midimap.Timed{Frame: 60000, Msg: midimap.NoteOn(1, 60, 100)})
	w.Add(midimap.Timed{Frame: 62000, Msg: midimap.NoteOff(1, 60)})
	w.Add(midimap.Timed{Frame: 80000, Msg: midimap.NoteOn(1, 62, 127)})
	w.Add(midimap.Timed{Frame: 81000, Msg: midimap.NoteOff(1, 62)})
	w.SetLength(96000)
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
}

func sha(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestRenderIsDeterministicGolden: the same patch, score, ramps and seed give
// bit-identical WAV, MIDI and CSV files, run after run and release after release (the
// golden hashes; regenerate with go test ./cmd/separatrix -run Golden -update after a
// deliberate change of sound).
func TestRenderIsDeterministicGolden(t *testing.T) {
	dir := t.TempDir()
	score := filepath.Join(dir, "perf.mid")
	writeScore(t, score)
	var got []string
	for round := 0; round < 2; round++ {
		base := filepath.Join(dir, fmt.Sprint("r", round))
		args := []string{"render", "hysteresis", "-o", base + ".wav", "--midi", base + ".mid", "--csv", base + ".csv",
			"--score", score, "--ramp", "a.noise=0:2:1", "--kick", "a=20:1@1.5", "--seed", "3", "--duration", "2s", "--quiet"}
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("render failed (%d): %s", code, stderr)
		}
		var line []string
		for _, ext := range []string{".wav", ".mid", ".csv"} {
			line = append(line, ext+" "+sha(t, base+ext))
		}
		got = append(got, strings.Join(line, "\n")+"\n")
	}
	if got[0] != got[1] {
		t.Fatalf("two identical renders differ:\n%s\n%s", got[0], got[1])
	}
	// Bit-identical on one platform: math.Exp and fused multiply-adds differ between
	// architectures, so each keeps its own hashes.
	golden := filepath.Join("testdata", "render_golden_"+runtime.GOARCH+".txt")
	if _, err := os.Stat(golden); err != nil && !*update {
		t.Skipf("no golden hashes for %s yet: run go test ./cmd/separatrix -run Golden -update on this architecture, check the files by ear, and commit them", runtime.GOARCH)
	}
	if *update {
		if err := os.WriteFile(golden, []byte(got[0]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got[0] {
		t.Errorf("render output changed:\n got %s\nwant %s\n(if the change is deliberate: go test ./cmd/separatrix -run Golden -update)", got[0], want)
	}
}

// TestScoreKicksBistableNeuron: a note in a MIDI score kicks the saddle-node patch, held
// inside its bistable range, from rest into firing, exactly as live MIDI would, and the
// spike notes written to --midi start only after that note.
func TestScoreKicksBistableNeuron(t *testing.T) {
	dir := t.TempDir()
	score := filepath.Join(dir, "kick.mid")
	w := midifile.NewWriter(48000)
	w.Add(midimap.Timed{Frame: 48000, Msg: midimap.NoteOn(1, 60, 100)})
	w.Add(midimap.Timed{Frame: 49000, Msg: midimap.NoteOff(1, 60)})
	if err := w.WriteFile(score); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "notes.mid")
	code, _, stderr := runCLI(t, "render", "saddle-node", "--set", "current=4", "--score", score, "--duration", "2s",
		"-o", filepath.Join(dir, "x.wav"), "--midi", out, "--quiet")
	if code != 0 {
		t.Fatalf("render failed: %s", stderr)
	}
	sc, err := midifile.ReadScore(out)
	if err != nil {
		t.Fatal(err)
	}
	var ons []float64
	for _, ev := range sc.Events {
		if ev.Msg.Status&0xF0 == 0x90 && ev.Msg.Data2 > 0 {
			ons = append(ons, ev.Seconds)
		}
	}
	if len(ons) < 10 {
		t.Fatalf("%d note-ons: the kick did not switch the neuron into firing", len(ons))
	}
	if ons[0] < 1 || ons[0] > 1.05 {
		t.Errorf("first spike note at %.4f s, want just after the kick at 1 s", ons[0])
	}
}

func TestRenderWritesWhatItSays(t *testing.T) {
	dir := t.TempDir()
	wavPath := filepath.Join(dir, "sub", "snic.wav")
	csvPath := filepath.Join(dir, "snic.csv")
	code, _, stderr := runCLI(t, "render", "snic", "--set", "current=10", "--duration", "1s", "--rate", "44100",
		"-o", wavPath, "--csv", csvPath)
	if code != 0 {
		t.Fatalf("render failed: %s", stderr)
	}
	a, err := wav.ReadFile(wavPath)
	if err != nil {
		t.Fatal(err)
	}
	if a.SampleRate != 44100 || a.Frames() != 44100 || len(a.Channels) != 2 {
		t.Errorf("WAV is %d Hz, %d frames, %d channels; want 44100, 44100, 2", a.SampleRate, a.Frames(), len(a.Channels))
	}
	csv, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	// At most 1000 rows a second: every ceil(44100/1000) = 45 frames, plus the start.
	if want := 1 + 1 + (44100+44)/45; lines[0] != "t_ms,a.V,a.n,a.I" || len(lines) != want {
		t.Errorf("CSV header %q with %d lines; want t_ms,a.V,a.n,a.I and %d lines", lines[0], len(lines), want)
	}
	if !strings.Contains(stderr, "snic: 1.0 s at 44100 Hz") || !strings.Contains(stderr, "spikes: a ") {
		t.Errorf("summary line missing or wrong: %q", stderr)
	}
}

func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	o := filepath.Join(dir, "x.wav")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"render", "snic"}, 2, "render needs -o OUT.wav"},
		{[]string{"render", "-o", o}, 2, "render takes one PATCH"},
		{[]string{"render", "nosuch", "-o", o}, 1, "nosuch"},
		{[]string{"render", "snic", "-o", o, "--ramp", "current=0:10"}, 2, `"current=0:10" is not TARGET=FROM:TO:SECONDS`},
		{[]string{"render", "snic", "-o", o, "--ramp", "current=0:x:3"}, 2, `"x" is not a number`},
		{[]string{"render", "snic", "-o", o, "--set", "z.current=3"}, 1, "z.current"},
		{[]string{"render", "snic", "-o", o, "--set", "a.bogus=3"}, 1, "bogus"},
		{[]string{"render", "snic", "-o", o, "--set", "current=1e9"}, 1, "outside the allowed range"},
		{[]string{"render", "snic", "-o", o, "--kick", "q=1:1@1"}, 1, `has no neuron "q"`},
		{[]string{"render", "snic", "-o", o, "--format", "mp3"}, 2, "mp3"},
		{[]string{"render", "snic", "-o", o, "--score", filepath.Join(dir, "none.mid")}, 1, "none.mid"},
		{[]string{"render", "snic", "-o", o, "--duration", "soon"}, 2, "invalid value"},
		{[]string{"render", "snic", "-o", o, "--kick", "a=20:1@5", "--duration", "1s"}, 1, "after the end of the render"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

func TestPatchesListsEveryBuiltin(t *testing.T) {
	code, stdout, _ := runCLI(t, "patches")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range patches.BuiltinNames() {
		if !strings.Contains(stdout, name+"\n") {
			t.Errorf("patches does not list %s", name)
		}
	}
	if code, stdout, _ := runCLI(t, "help"); code != 0 || !strings.Contains(stdout, "separatrix render") {
		t.Errorf("help: exit %d, %q", code, stdout)
	}
}

// TestREADMECommandsRun runs every "separatrix ..." line of the README, with its output
// files moved to a temporary directory: the README must stay true.
func TestREADMECommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("renders about two minutes of sound")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "separatrix ") {
			continue
		}
		args := strings.Fields(line)[1:]
		for i, a := range args {
			for _, ext := range []string{".wav", ".mid", ".csv", ".png", ".svg"} {
				if strings.HasSuffix(a, ext) {
					args[i] = filepath.Join(dir, filepath.Base(a))
				}
			}
		}
		if args[0] == "render" {
			args = append(args, "--quiet")
		}
		if args[0] == "exhibit" {
			// The README names the installation file from the repository's top.
			args[1] = filepath.Join("..", "..", args[1])
			if !slices.Contains(args, "--check") {
				t.Errorf("README: %s: an exhibit line must be a --check (it would play until stopped)", line)
				continue
			}
		}
		if args[0] == "play" {
			// play runs until stopped, and changes process-wide settings (the garbage
			// collector's): run the real program for a second, its view on a free port.
			if out, err := exec.Command(sepBin, readmePlayArgs(args)...).CombinedOutput(); err != nil {
				t.Errorf("README: %s\n%v: %s", line, err, out)
			}
			n++
			continue
		}
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Errorf("README: %s\nexit %d: %s", line, code, stderr)
		}
		n++
	}
	if n < 13 {
		t.Errorf("found %d README command lines, expected the render and analysis examples", n)
	}
}

// readmePlayArgs makes a README play line safe to run in a test: one second long, no
// status line, and a view (if any) on a free port of the same host.
func readmePlayArgs(args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		switch {
		case a == "--view" && (i+1 == len(out) || !addrLike.MatchString(out[i+1])):
			out[i] = "--view=127.0.0.1:0"
		case addrLike.MatchString(a) && i > 0 && out[i-1] == "--view":
			out[i] = a[:strings.LastIndexByte(a, ':')] + ":0"
		}
	}
	return append(out, "--duration", "1s", "--quiet")
}

// TestFailedRenderKeepsEarlierTake: a render that fails leaves an existing file alone.
func TestFailedRenderKeepsEarlierTake(t *testing.T) {
	dir := t.TempDir()
	o := filepath.Join(dir, "take.wav")
	if code, _, stderr := runCLI(t, "render", "snic", "-o", o, "--duration", "0.1s", "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	before := sha(t, o)
	if code, _, _ := runCLI(t, "render", "snic", "-o", o, "--set", "a.gNA=3", "--quiet"); code == 0 {
		t.Fatal("a render with an unknown control succeeded")
	}
	if sha(t, o) != before {
		t.Error("the failed render changed the earlier take")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestHelpPrintsUsageOnce: help for a command prints its usage once, with its flags.
func TestHelpPrintsUsageOnce(t *testing.T) {
	code, _, stderr := runCLI(t, "help", "render")
	if code != 0 || strings.Count(stderr, "Usage: separatrix render") != 1 || !strings.Contains(stderr, "-ramp") {
		t.Errorf("help render: exit %d, %q", code, stderr)
	}
}

// TestREADMEPatchExampleParses: the patch in the README's "Writing a patch" is valid.
func TestREADMEPatchExampleParses(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var patchBlocks, installations, tours int
	for _, part := range strings.Split(string(readme), "```toml\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatal("a ```toml block in the README does not end")
		}
		switch {
		case strings.Contains(block, "\npatches = "): // an installation
			installations++
			if _, err := patches.ParseInstallation("../../README.md", []byte(block)); err != nil {
				t.Errorf("the README's example installation does not parse:\n%v", err)
			}
		case strings.HasPrefix(block, "[tour]"): // a tour, shown alone: hysteresis's
			tours++
			src, _ := patches.BuiltinSource("hysteresis")
			text, _, _ := strings.Cut(string(src), "\n[tour]")
			if _, err := patches.Parse("README.md", []byte(text+"\n"+block)); err != nil {
				t.Errorf("the README's example tour does not parse in hysteresis:\n%v", err)
			}
		case strings.HasPrefix(block, "format = 1") && patchBlocks == 0: // the example patch
			patchBlocks++
			p, err := patches.Parse("README.md", []byte(block))
			if err != nil {
				t.Fatalf("the README's example patch does not parse:\n%v", err)
			}
			if len(p.NeuronNames) != 2 || len(p.MIDI.CC) == 0 || len(p.MIDI.Spikes) == 0 {
				t.Errorf("the README example lost its parts: %+v", p.MIDI)
			}
		}
	}
	if patchBlocks != 1 || installations != 1 || tours != 1 {
		t.Errorf("found %d example patches, %d installations and %d tours in the README; want one of each", patchBlocks, installations, tours)
	}
}
