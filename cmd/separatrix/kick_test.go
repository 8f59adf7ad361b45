package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/render"
)

// TestKickFlag: --kick takes one pulse as before, or a pair or train with pulses= and
// interval= after the time; anything else is refused with the form to use.
func TestKickFlag(t *testing.T) {
	good := []struct {
		arg  string
		want render.Kick
	}{
		{"a=20:1@2", render.Kick{Neuron: "a", Amplitude: 20, Ms: 1, At: 2}},
		{" b = -5 : 0.5 @ 0.25 ", render.Kick{Neuron: "b", Amplitude: -5, Ms: 0.5, At: 0.25}},
		{"a=4.5:0.5@2,pulses=2,interval=1.5", render.Kick{Neuron: "a", Amplitude: 4.5, Ms: 0.5, At: 2, Pulses: 2, Interval: 1.5}},
		{"all=4:0.5@0,interval=3.2", render.Kick{Neuron: "all", Amplitude: 4, Ms: 0.5, At: 0, Interval: 3.2}},
		{"a=4:0.5@1, pulses = 16", render.Kick{Neuron: "a", Amplitude: 4, Ms: 0.5, At: 1, Pulses: 16}},
	}
	for _, g := range good {
		var k kickFlags
		if err := k.Set(g.arg); err != nil {
			t.Errorf("--kick %q: %v", g.arg, err)
			continue
		}
		if len(k) != 1 || k[0] != g.want {
			t.Errorf("--kick %q = %+v, want %+v", g.arg, k, g.want)
		}
	}
	bad := []struct{ arg, want string }{
		{"a=20:1", "is not NEURON=AMPLITUDE:MS@SECONDS (e.g. a=20:1@2, or a=4.5:0.5@2,pulses=2,interval=1.5 for a pair)"},
		{"a=x:1@2", `"x" is not a number`},
		{"a=4:0.5@1,pulses=2.5", "pulses must be a whole number, 1 to 16 (2 is a pair)"},
		{"a=4:0.5@1,pulses=0", "pulses must be a whole number, 1 to 16"},
		{"a=4:0.5@1,pulses=x", `pulses="x" is not a number`},
		{"a=4:0.5@1,interval=0.01", "the interval must be 0.1 to 1000 ms of model time"},
		{"a=4:0.5@1,width=3", `"width=3" is not an option of a kick (pulses=N and interval=MS make a pair or a train, e.g. a=4:0.5@1,pulses=2,interval=1.5)`},
		{"a=4:0.5@1,", `"" is not an option of a kick`},
	}
	for _, b := range bad {
		var k kickFlags
		if err := k.Set(b.arg); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("--kick %q: error %v, want %q", b.arg, err, b.want)
		}
	}
}

// TestRenderKickPairs: pairs from the command line fire the timing patch's neurons as
// its MIDI notes do. The resonator (b, C5 on channel 2) fires to a pair at its damped
// period (its interval set by --set) and not to one in antiphase; the integrator (a, C4
// on channel 1) fires to the patch's pair and not to one pulse.
func TestRenderKickPairs(t *testing.T) {
	dir := t.TempDir()
	mid := filepath.Join(dir, "pairs.mid")
	code, _, stderr := runCLI(t, "render", "timing", "-o", filepath.Join(dir, "pairs.wav"), "--midi", mid, "--quiet",
		"--set", "b.interval=3.2",
		"--kick", "b=16:0.5@0.5", // the patch's pair, 3.2 ms apart: fires
		"--kick", "b=16:0.5@1,interval=1.6", // half the period: does not
		"--kick", "a=4.3:0.5@1.5", // the patch's pair, 1.5 ms apart: fires
		"--kick", "a=4.3:0.5@2,pulses=1", // one pulse: does not
		"--duration", "2.5s")
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	sc, err := midifile.ReadScore(mid)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range sc.Events {
		if ev.Msg.Status&0xF0 == 0x90 && ev.Msg.Data2 > 0 {
			who := map[byte]string{0: "a", 1: "b"}[ev.Msg.Status&0x0F]
			kick := "none"
			for _, at := range []float64{0.5, 1, 1.5, 2} {
				if ev.Seconds >= at && ev.Seconds < at+0.1 {
					kick = strconv.FormatFloat(at, 'g', -1, 64)
				}
			}
			got = append(got, who+"@"+kick)
		}
	}
	if want := "b@0.5 a@1.5"; strings.Join(got, " ") != want {
		t.Errorf("spikes after the kicks: %v, want %s", got, want)
	}
}
