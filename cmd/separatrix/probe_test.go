package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeJSON: every experiment's JSON has the fields the issue names, and the verdicts
// tell the resonator (hopf-super below its Hopf point) from the integrator (snic).
func TestProbeJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs eight experiments")
	}
	summary := map[string][]string{
		"doublet":   {"best_interval_ms", "predicted_interval_ms"},
		"rebound":   {"rebound_spike"},
		"threshold": {"threshold_amplitude", "threshold_width"},
		"chirp":     {"peak_hz"},
	}
	for exp, fields := range summary {
		for patch, want := range map[string]string{"hopf-super": "resonator", "snic": "integrator"} {
			code, stdout, stderr := runCLI(t, "probe", exp, patch, "--json")
			if code != 0 {
				t.Fatalf("probe %s %s: exit %d: %s", exp, patch, code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("probe %s %s --json: %v\n%s", exp, patch, err, stdout)
			}
			for _, f := range append([]string{"experiment", "patch", "neuron", "current", "trials", "verdict"}, fields...) {
				if _, ok := got[f]; !ok {
					t.Errorf("probe %s %s --json has no %q: %s", exp, patch, f, stdout[:min(len(stdout), 300)])
				}
			}
			if got["experiment"] != exp || got["patch"] != patch || got["neuron"] != "a" {
				t.Errorf("probe %s %s: head %v %v %v", exp, patch, got["experiment"], got["patch"], got["neuron"])
			}
			if trials, _ := got["trials"].([]any); len(trials) < 3 {
				t.Errorf("probe %s %s: %d trials", exp, patch, len(trials))
			}
			if got["verdict"] != want {
				t.Errorf("probe %s %s: verdict %v, want %s", exp, patch, got["verdict"], want)
			}
		}
	}
}

func TestProbeTextAndPicture(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an experiment")
	}
	out := filepath.Join(t.TempDir(), "doublet.png")
	code, stdout, stderr := runCLI(t, "probe", "doublet", "hopf-super", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"interval ms", "best interval", "2π/ω", "verdict: resonator", "wrote " + out} {
		if !strings.Contains(stdout, s) {
			t.Errorf("probe doublet's report lacks %q:\n%s", s, stdout)
		}
	}
	if st, err := os.Stat(out); err != nil || st.Size() < 10000 {
		t.Errorf("the picture: %v", err)
	}
}

func TestProbeBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"probe", "doublet"}, "EXPERIMENT"},
		{[]string{"probe", "sweep", "snic"}, "no experiment \"sweep\""},
		{[]string{"probe", "chirp", "snic", "--intervals", "1:2:3"}, "--intervals does not go with chirp"},
		{[]string{"probe", "doublet", "snic", "--intervals", "5:1:10"}, "FROM must be below TO"},
		{[]string{"probe", "doublet", "snic", "--intervals", "1:x"}, "FROM:TO:STEPS"},
		{[]string{"probe", "rebound", "snic", "--widths", "1,a"}, "numbers separated by commas"},
		{[]string{"probe", "doublet", "snic", "--neuron", "z"}, "no neuron \"z\""},
		{[]string{"probe", "doublet", "snic", "-o", "x.gif"}, ".png or .svg"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestProbeNoRestState: a current where the neuron fires is refused with the bifurcation
// to stay below, said once.
func TestProbeNoRestState(t *testing.T) {
	code, _, stderr := runCLI(t, "probe", "doublet", "hopf-super", "--current", "20")
	if code != 1 || !strings.Contains(stderr, "has no rest state") || !strings.Contains(stderr, "14.66") || strings.Contains(stderr, "probe: probe:") {
		t.Errorf("exit %d, %q; want exit 1, the Hopf point at 14.66, and one prefix", code, stderr)
	}
}
