package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/patches"
)

// Each drawing command writes the picture it names, with the parts the issue lists in
// its legend (SVG text), and a PNG of the default size.
func TestFigureCommands(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"portrait", "hysteresis", "--current", "2", "-o", filepath.Join(dir, "p.svg")},
			[]string{"hysteresis (inapk saddle-node) at I = 2 µA/cm²", "V (mV)", "V-nullcline", "n-nullcline",
				"stable node", "saddle", "unstable focus", "stable limit cycle", "separatrix", "basin of the firing cycle",
				"trajectory from the patch"}},
		{[]string{"portrait", "hopf-sub", "--current", "45", "-o", filepath.Join(dir, "hs.svg")},
			[]string{"stable focus", "unstable limit cycle", "stable limit cycle", "basin of the firing cycle"}},
		{[]string{"portrait", "hh", "--current", "8", "-o", filepath.Join(dir, "hh.svg")},
			[]string{"(V, n) projection of the 4-variable model", "m, h at their steady state"}},
		{[]string{"bifurcation", "hopf-sub", "--steps", "30", "-o", filepath.Join(dir, "b.svg")},
			[]string{"bistable resonator", "Hopf (sub) 48.9", "fold of cycles 42.2", "stable equilibrium",
				"unstable equilibrium", "rate of firing or oscillation (Hz)", "bistable range"}},
		{[]string{"bifurcation", "snic", "--steps", "30", "-o", filepath.Join(dir, "s.svg")},
			[]string{"monostable integrator", "SNIC 4.51"}},
		{[]string{"trace", "hysteresis", "--ramp", "current=-1:6:2", "--ramp", "current=6:-1:2", "-o", filepath.Join(dir, "t.svg")},
			[]string{"hysteresis", "4 s of sound", "spikes", "V (mV)", "I (µA/cm²)", "t (s of sound)"}},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", c.args, code, errs)
			continue
		}
		path := c.args[len(c.args)-1]
		if !strings.Contains(out, "wrote "+path) {
			t.Errorf("%v: printed %q", c.args, out)
		}
		svg, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(svg), w) {
				t.Errorf("%v: the SVG lacks %q", c.args, w)
			}
		}
	}
	// PNG, the default size.
	path := filepath.Join(dir, "p.png")
	if code, _, errs := runCLI(t, "portrait", "snic", "-o", path); code != 0 {
		t.Fatalf("portrait snic: %s", errs)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 600 {
		t.Errorf("portrait.png is %dx%d, want 800x600", b.Dx(), b.Dy())
	}
}

func TestFigureCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"portrait", "snic"}, "needs -o FILE.png or -o FILE.svg"},
		{[]string{"portrait", "snic", "-o", filepath.Join(dir, "x.pdf")}, "want a .png or .svg file"},
		{[]string{"bifurcation", "snic", "--from", "3", "--to", "2", "-o", filepath.Join(dir, "x.png")}, "empty range"},
		{[]string{"bifurcation", "snic", "--steps", "3", "-o", filepath.Join(dir, "x.png")}, "give 10 to 2000"},
		{[]string{"trace", "snic", "--ramp", "current=1:2", "-o", filepath.Join(dir, "x.png")}, "TARGET=FROM:TO:SECONDS"},
		{[]string{"portrait", "flip-flop", "--neuron", "c", "-o", filepath.Join(dir, "x.png")}, "it has a, b"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.png")); err == nil {
		t.Error("a failed command left x.png behind")
	}
}

// Every built-in patch gets its portrait and its bifurcation diagram.
func TestFiguresOfEveryPatch(t *testing.T) {
	if testing.Short() {
		t.Skip("draws two pictures of every built-in patch (about 30 s)")
	}
	dir := t.TempDir()
	for _, name := range patches.BuiltinNames() {
		for _, cmd := range [][]string{
			{"portrait", name, "-o", filepath.Join(dir, name+"-portrait.svg")},
			{"bifurcation", name, "--steps", "20", "-o", filepath.Join(dir, name+"-bifurcation.svg")},
		} {
			code, _, errs := runCLI(t, cmd...)
			if code != 0 {
				t.Errorf("%v: exit %d: %s", cmd, code, errs)
				continue
			}
			svg, err := os.ReadFile(cmd[len(cmd)-1])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(svg), name+" (") {
				t.Errorf("%v: the picture's title does not name the patch", cmd)
			}
		}
	}
}
