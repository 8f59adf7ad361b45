package render

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/patches"
)

var update = flag.Bool("update", false, "rewrite the golden renders in testdata/golden")

// Golden renders are compared within a tolerance, not bit for bit: math.Exp and fused
// multiply-adds round differently on other architectures, and that must not fail a
// render that sounds the same. What the tolerances allow is far below hearing and far
// above rounding; a change of sound exceeds them and is reported by where it starts.
const (
	goldenRate       = 48000
	goldenWindow     = 480  // frames per stored window: 10 ms
	goldenSampleTol  = 2e-4 // full scale, about -74 dBFS
	goldenSpikeFrame = 2    // frames a spike may move
)

// networkPatch joins three models by a gap junction and two synapses, with noise, so the
// coupled stepping has a golden render of its own (no built-in patch has a gap).
const networkPatch = `
format = 1
name = "golden-network"
speed = 2
seed = 11

[[neuron]]
name = "a"
model = "hh"
current = 8
pan = -0.5

[[neuron]]
name = "b"
model = "morris-lecar"
preset = "hopf"
current = 90
pan = 0.5

[[neuron]]
name = "c"
model = "inapk"
preset = "hopf-sub"
current = 45
noise = 2
gain = 0.5

[[gap]]
neurons = ["a", "b"]
g = 0.3

[[synapse]]
from = "a"
to = "c"
g = 0.5
tau = 3
reversal = 0

[[synapse]]
from = "c"
to = "a"
g = 1
tau = 5
reversal = -80
`

func note(at float64, on bool, n, vel int) ScoreEvent {
	if on {
		return ScoreEvent{Seconds: at, Msg: midimap.NoteOn(1, n, vel)}
	}
	return ScoreEvent{Seconds: at, Msg: midimap.NoteOff(1, n)}
}

// goldenCases play every kind of input through built-in patches and the network above:
// ramps, noise, kicks, trains, held notes, synapses and gap junctions.
var goldenCases = []struct {
	name  string
	patch string // a built-in, or "" for networkPatch
	perf  Performance
}{
	{"hysteresis", "hysteresis", Performance{
		Sets:  []Set{{Target: "noise", Value: 0.5}},
		Ramps: []Ramp{{Target: "current", From: -2, To: 6, Seconds: 0.6}, {Target: "current", From: 6, To: -1, Seconds: 0.4}},
		Kicks: []Kick{{Neuron: "a", Amplitude: -20, Ms: 1, At: 0.8}},
	}},
	{"flip-flop", "flip-flop", Performance{Score: []ScoreEvent{
		note(0.1, true, 40, 100), note(0.15, false, 40, 0), note(0.5, true, 70, 127), note(0.55, false, 70, 0),
	}}},
	{"timing", "timing", Performance{Kicks: []Kick{
		// Pairs into both, as the patch's notes give them: 1 ms apart only the
		// integrator fires, near the resonator's period only the resonator, 6 ms neither.
		{Neuron: "a", Amplitude: 4.3, Ms: 0.5, At: 0.1, Pulses: 2, Interval: 1},
		{Neuron: "b", Amplitude: 16, Ms: 0.5, At: 0.1, Pulses: 2, Interval: 1},
		{Neuron: "a", Amplitude: 4.3, Ms: 0.5, At: 0.4, Pulses: 2, Interval: 3.2},
		{Neuron: "b", Amplitude: 16, Ms: 0.5, At: 0.4, Pulses: 2, Interval: 3.2},
		{Neuron: "a", Amplitude: 4.3, Ms: 0.5, At: 0.7, Pulses: 2, Interval: 6},
		{Neuron: "b", Amplitude: 16, Ms: 0.5, At: 0.7, Pulses: 2, Interval: 6},
	}}},
	{"rebound", "rebound", Performance{Score: []ScoreEvent{
		note(0.2, true, 40, 100), note(0.5, false, 40, 0), note(0.7, true, 70, 90), note(0.72, false, 70, 0),
	}}},
	// Into firing at once, then slowly up through the upper Hopf point (1.42), where the
	// oscillation dies away. (A slow ramp up through the lower one at 0.33 is a knife's
	// edge: the delayed onset there amplifies rounding, and fused multiply-adds on arm64
	// moved the first spike by 13 frames.)
	{"fitzhugh-nagumo", "fitzhugh-nagumo", Performance{
		Ramps: []Ramp{{Target: "current", From: 0.8, To: 1.6, Seconds: 1}},
	}},
	{"network", "", Performance{
		Ramps: []Ramp{{Target: "a.current", From: 8, To: 12, Seconds: 1}},
		Kicks: []Kick{{Neuron: "c", Amplitude: 30, Ms: 2, At: 0.3}},
	}},
}

// goldenRender is what a golden file holds: every spike, and per window of each channel
// its first sample, its lowest and its highest.
type goldenRender struct {
	frames, channels int
	spikes           []emu.Spike
	windows          [][]float64 // [window][channel*3 + 0 first, 1 min, 2 max]
}

func renderGolden(t *testing.T, patch string, perf Performance) goldenRender {
	t.Helper()
	var p *patches.Patch
	var err error
	if patch == "" {
		p, err = patches.Parse("golden-network.toml", []byte(networkPatch))
	} else {
		p, err = patches.Load(patch)
	}
	if err != nil {
		t.Fatal(err)
	}
	var g goldenRender
	var cur []float64
	at := 0
	sink := Sink{
		Spike: func(s emu.Spike) { g.spikes = append(g.spikes, emu.Spike{Frame: s.Frame, Neuron: s.Neuron}) },
		Audio: func(block [][]float32) error {
			g.channels = len(block)
			for f := range block[0] {
				if at%goldenWindow == 0 {
					cur = make([]float64, 3*len(block))
					g.windows = append(g.windows, cur)
					for c := range block {
						x := float64(block[c][f])
						cur[3*c], cur[3*c+1], cur[3*c+2] = x, x, x
					}
				}
				for c := range block {
					x := float64(block[c][f])
					cur[3*c+1], cur[3*c+2] = math.Min(cur[3*c+1], x), math.Max(cur[3*c+2], x)
				}
				at++
			}
			return nil
		},
	}
	if _, err := Run(p, perf, Options{SampleRate: goldenRate, Duration: 1}, sink); err != nil {
		t.Fatal(err)
	}
	g.frames = at
	return g
}

func (g goldenRender) write(path, name string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# golden render %q: %d Hz, %d frames; every spike, then per %d-frame window and channel the first sample, the lowest and the highest\n",
		name, goldenRate, g.frames, goldenWindow)
	fmt.Fprintf(&b, "# after a deliberate change of sound: go test ./io/render -run TestGoldenRenders -update\n")
	fmt.Fprintf(&b, "frames %d channels %d window %d\n", g.frames, g.channels, goldenWindow)
	fmt.Fprintf(&b, "spikes %d\n", len(g.spikes))
	for _, s := range g.spikes {
		fmt.Fprintf(&b, "%d %d\n", s.Frame, s.Neuron)
	}
	fmt.Fprintf(&b, "windows %d\n", len(g.windows))
	for _, w := range g.windows {
		for i, x := range w {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.7g", x)
		}
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func readGolden(path string) (goldenRender, error) {
	var g goldenRender
	f, err := os.Open(path)
	if err != nil {
		return g, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	next := func() (string, bool) {
		for sc.Scan() {
			line++
			if s := sc.Text(); !strings.HasPrefix(s, "#") {
				return s, true
			}
		}
		return "", false
	}
	bad := func(what string) error { return fmt.Errorf("%s:%d: %s", path, line, what) }
	s, _ := next()
	var window int
	if _, err := fmt.Sscanf(s, "frames %d channels %d window %d", &g.frames, &g.channels, &window); err != nil || window != goldenWindow {
		return g, bad("want frames N channels C window " + fmt.Sprint(goldenWindow))
	}
	var n int
	if s, _ = next(); func() error { _, err := fmt.Sscanf(s, "spikes %d", &n); return err }() != nil {
		return g, bad("want spikes N")
	}
	for i := 0; i < n; i++ {
		s, _ = next()
		var sp emu.Spike
		if _, err := fmt.Sscanf(s, "%d %d", &sp.Frame, &sp.Neuron); err != nil {
			return g, bad("want FRAME NEURON")
		}
		g.spikes = append(g.spikes, sp)
	}
	if s, _ = next(); func() error { _, err := fmt.Sscanf(s, "windows %d", &n); return err }() != nil {
		return g, bad("want windows N")
	}
	for i := 0; i < n; i++ {
		s, _ = next()
		fields := strings.Fields(s)
		if len(fields) != 3*g.channels {
			return g, bad(fmt.Sprintf("%d values, want %d", len(fields), 3*g.channels))
		}
		w := make([]float64, len(fields))
		for k, fld := range fields {
			if _, err := fmt.Sscan(fld, &w[k]); err != nil {
				return g, bad(err.Error())
			}
		}
		g.windows = append(g.windows, w)
	}
	return g, sc.Err()
}

// compareGolden describes how got departs from want beyond the tolerances: the first
// spike that differs and the first window that differs, with the largest difference.
// It returns nothing when they agree.
func compareGolden(got, want goldenRender) []string {
	var diffs []string
	if got.frames != want.frames || got.channels != want.channels {
		return []string{fmt.Sprintf("%d frames of %d channels, the golden render has %d of %d",
			got.frames, got.channels, want.frames, want.channels)}
	}
	seconds := func(frame int64) float64 { return float64(frame) / goldenRate }
	maxShift := int64(0)
	for i := 0; i < min(len(got.spikes), len(want.spikes)); i++ {
		g, w := got.spikes[i], want.spikes[i]
		shift := g.Frame - w.Frame
		if shift < 0 {
			shift = -shift
		}
		if g.Neuron != w.Neuron || shift > goldenSpikeFrame {
			diffs = append(diffs, fmt.Sprintf("spike %d is neuron %d at %.5f s (frame %d), the golden render has neuron %d at %.5f s (frame %d)",
				i, g.Neuron, seconds(g.Frame), g.Frame, w.Neuron, seconds(w.Frame), w.Frame))
			break
		}
		maxShift = max(maxShift, shift)
	}
	if len(got.spikes) != len(want.spikes) {
		diffs = append(diffs, fmt.Sprintf("%d spikes, the golden render has %d", len(got.spikes), len(want.spikes)))
	}
	names := []string{"first sample", "lowest sample", "highest sample"}
	first, worst, worstAt := -1, 0.0, 0
	for w := range want.windows {
		for k := range want.windows[w] {
			d := math.Abs(got.windows[w][k] - want.windows[w][k])
			if d > goldenSampleTol && first < 0 {
				first = w*len(want.windows[w]) + k
			}
			if d > worst {
				worst, worstAt = d, w*len(want.windows[w])+k
			}
		}
	}
	if first >= 0 {
		per := 3 * want.channels
		describe := func(at int) string {
			w, k := at/per, at%per
			return fmt.Sprintf("the %s of channel %d in %.2f-%.2f s is %.6g, the golden render has %.6g",
				names[k%3], k/3, seconds(int64(w*goldenWindow)), seconds(int64((w+1)*goldenWindow)),
				got.windows[w][k], want.windows[w][k])
		}
		diffs = append(diffs, "the sound departs first where "+describe(first)+
			fmt.Sprintf("; the largest difference, %.3g, where ", worst)+describe(worstAt))
	}
	return diffs
}

// TestGoldenRenders renders each case and compares it with testdata/golden/NAME.txt
// within goldenSampleTol and goldenSpikeFrame, so it holds on every architecture and a
// change says what changed. go test -run TestGoldenRenders -update rewrites the files
// after a deliberate change of sound (listen to it first).
func TestGoldenRenders(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			got := renderGolden(t, c.patch, c.perf)
			path := filepath.Join("testdata", "golden", c.name+".txt")
			if *update {
				if err := got.write(path, c.name); err != nil {
					t.Fatal(err)
				}
			}
			want, err := readGolden(path)
			if err != nil {
				t.Fatalf("%v (go test ./io/render -run TestGoldenRenders -update writes it)", err)
			}
			if len(want.spikes) == 0 {
				t.Errorf("the golden render has no spike: the case tests too little")
			}
			for _, d := range compareGolden(got, want) {
				t.Error(d)
			}
		})
	}
}

// TestGoldenCompareReports: the comparison passes a render within the tolerances and
// reports one beyond them by where it departs, for spikes and samples.
func TestGoldenCompareReports(t *testing.T) {
	base := goldenRender{frames: 960, channels: 1,
		spikes:  []emu.Spike{{Frame: 100}, {Frame: 500, Neuron: 1}},
		windows: [][]float64{{0.1, -0.2, 0.3}, {0.0, -0.5, 0.5}}}
	clone := func() goldenRender {
		g := base
		g.spikes = append([]emu.Spike(nil), base.spikes...)
		g.windows = [][]float64{append([]float64(nil), base.windows[0]...), append([]float64(nil), base.windows[1]...)}
		return g
	}
	within := clone()
	within.spikes[1].Frame += goldenSpikeFrame
	within.windows[1][2] += goldenSampleTol / 2
	moved := clone()
	moved.spikes[1].Frame += goldenSpikeFrame + 1
	louder := clone()
	louder.windows[1][2] = 0.6
	extra := clone()
	extra.spikes = append(extra.spikes, emu.Spike{Frame: 900})
	for _, c := range []struct {
		name string
		got  goldenRender
		want []string // substrings of the report, in order; none: it passes
	}{
		{"within the tolerances", within, nil},
		{"a spike moved", moved, []string{"spike 1 is neuron 1 at 0.01048 s (frame 503)", "at 0.01042 s (frame 500)"}},
		{"a louder window", louder, []string{"highest sample of channel 0 in 0.01-0.02 s is 0.6", "has 0.5", "largest difference, 0.1"}},
		{"one spike more", extra, []string{"3 spikes, the golden render has 2"}},
	} {
		got := strings.Join(compareGolden(c.got, base), "\n")
		if len(c.want) == 0 && got != "" {
			t.Errorf("%s: reported %q", c.name, got)
		}
		for _, w := range c.want {
			i := strings.Index(got, w)
			if i < 0 {
				t.Errorf("%s: the report %q does not say %q", c.name, got, w)
				break
			}
			got = got[i+len(w):]
		}
	}
}
