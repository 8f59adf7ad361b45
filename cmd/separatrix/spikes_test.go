package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/separatrix-audio/separatrix/emu/analysis"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/patches"
)

// elMinus79 is a user's copy of the saddle-node patch with EL = -79 mV at 5 µA/cm²,
// whose firing cycle (-45.0 .. -12.6 mV) never dips below the preset's SpikeLow: every
// spike a note on channel 1 (no cap), a gate note on channel 2, and the rate as CC 20.
const elMinus79 = `format = 1
[[neuron]]
name = "a"
model = "inapk"
preset = "saddle-node"
current = 5
[neuron.params]
EL = -79

[midi]
max_notes_per_second = 0

[[midi.spike]]
neuron = "a"
mode = "spike"
channel = 1
note = 60
duration = 0.0001
rate_cc = 20
rate_max = 2000

[[midi.spike]]
neuron = "a"
mode = "gate"
channel = 2
note = 61
`

// referenceRate is the firing rate, in spikes per second of sound, of the stable cycle
// the analysis finds for the patch's first neuron at current: an integration of its own,
// independent of the engine's spike detector.
func referenceRate(t *testing.T, patch string, current float64) float64 {
	t.Helper()
	p, err := patches.Load(patch)
	if err != nil {
		t.Fatal(err)
	}
	spec := p.Engine.Neurons[0]
	s, err := analysis.NewSystem(spec.Model, spec.Params)
	if err != nil {
		t.Fatal(err)
	}
	best, swing := 0.0, 0.0
	for _, c := range s.Cycles(current) {
		if c.Stable && c.VMax-c.VMin > swing {
			best, swing = c.Period, c.VMax-c.VMin
		}
	}
	if best == 0 {
		t.Fatalf("%s: the analysis finds no stable cycle at %g", patch, current)
	}
	speed := p.Engine.Speed
	if speed == 0 {
		speed = 1
	}
	return 1000 / best * speed
}

// midiChannel is what one channel of a spike MIDI file holds.
type midiChannel struct {
	ons, offs []float64 // note-on and note-off times, s
	cc        []float64 // rate controller values in order
	ccAt      []float64
}

func readSpikeMIDI(t *testing.T, path string) map[int]*midiChannel {
	t.Helper()
	sc, err := midifile.ReadScore(path)
	if err != nil {
		t.Fatal(err)
	}
	chans := map[int]*midiChannel{}
	for _, ev := range sc.Events {
		ch := int(ev.Msg.Status&0x0F) + 1
		c := chans[ch]
		if c == nil {
			c = &midiChannel{}
			chans[ch] = c
		}
		switch {
		case ev.Msg.Status&0xF0 == 0x90 && ev.Msg.Data2 > 0:
			c.ons = append(c.ons, ev.Seconds)
		case ev.Msg.Status&0xF0 == 0x80 || ev.Msg.Status&0xF0 == 0x90:
			c.offs = append(c.offs, ev.Seconds)
		case ev.Msg.Status&0xF0 == 0xB0 && ev.Msg.Data1 == 20:
			c.cc = append(c.cc, float64(ev.Msg.Data2))
			c.ccAt = append(c.ccAt, ev.Seconds)
		}
	}
	return chans
}

var summarySpikes = regexp.MustCompile(`spikes: a (\d+);`)

// renderSpikes renders a patch for one second with MIDI out and returns the spike count
// of the summary and the MIDI file's channels.
func renderSpikes(t *testing.T, args ...string) (int, map[int]*midiChannel) {
	t.Helper()
	dir := t.TempDir()
	mid := filepath.Join(dir, "x.mid")
	args = append(args, "--duration", "1s", "-o", filepath.Join(dir, "x.wav"), "--midi", mid)
	code, _, stderr := runCLI(t, append([]string{"render"}, args...)...)
	if code != 0 {
		t.Fatalf("render failed (%d): %s", code, stderr)
	}
	m := summarySpikes.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no spike count in the summary: %s", stderr)
	}
	n, _ := strconv.Atoi(m[1])
	return n, readSpikeMIDI(t, mid)
}

// TestRenderCountsFastCycle is issue 7's case at the command line: saddle-node at
// 15 µA/cm² fires a 1.3 kHz cycle whose trough stays above SpikeLow. The summary counts
// its spikes at the rate of the cycle the analysis finds, within 2%, and the MIDI
// follows: the patch's cap (500 notes a second) thins the notes evenly through the whole
// second instead of going silent, and the rate controller stays at the top.
func TestRenderCountsFastCycle(t *testing.T) {
	want := referenceRate(t, "saddle-node", 15)
	spikes, chans := renderSpikes(t, "saddle-node", "--set", "current=15")
	if math.Abs(float64(spikes)-want) > 0.02*want {
		t.Errorf("render counts %d spikes in 1 s; the firing cycle runs at %.1f Hz", spikes, want)
	}
	c := chans[1]
	if c == nil {
		t.Fatal("no spike notes on channel 1")
	}
	if len(c.ons) < 500 || len(c.ons) > 551 {
		t.Fatalf("%d note-ons: want the cap's 500 a second (plus its 50-note bucket)", len(c.ons))
	}
	gap := 0.0
	for k := 1; k < len(c.ons); k++ {
		gap = math.Max(gap, c.ons[k]-c.ons[k-1])
	}
	if last := c.ons[len(c.ons)-1]; last < 0.99 || gap > 0.0025 {
		t.Errorf("note-ons until %.4f s with a largest gap of %.4f s: want them evenly through the second", last, gap)
	}
	// The rate controller: 127 = 1200 Hz and above; a 0 would mean "fell silent".
	for k, v := range c.cc {
		if v < 120 && c.ccAt[k] > 0.01 && c.ccAt[k] < 0.999 {
			t.Errorf("rate controller %g at %.4f s while the neuron fires at %.0f Hz", v, c.ccAt[k], want)
		}
	}
	t.Logf("%d spikes (reference %.1f Hz), %d notes, rate CC %v", spikes, want, len(c.ons), c.cc)
}

// TestRenderCountsUsersFastCycle: the same for a user's patch (EL = -79 mV at 5), with
// no note cap: a note per spike, the rate controller at the cycle's rate, and the gate
// note held for the whole second.
func TestRenderCountsUsersFastCycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "el79.toml")
	if err := os.WriteFile(path, []byte(elMinus79), 0o644); err != nil {
		t.Fatal(err)
	}
	want := referenceRate(t, path, 5)
	spikes, chans := renderSpikes(t, path)
	if math.Abs(float64(spikes)-want) > 0.02*want {
		t.Errorf("render counts %d spikes in 1 s; the firing cycle runs at %.1f Hz", spikes, want)
	}
	notes, gate := chans[1], chans[2]
	if notes == nil || gate == nil {
		t.Fatalf("no notes on channel 1 or 2: %v", chans)
	}
	if len(notes.ons) != spikes {
		t.Errorf("%d note-ons on channel 1 for %d spikes: want one each", len(notes.ons), spikes)
	}
	if len(notes.cc) < 2 {
		t.Fatalf("rate controller values %v", notes.cc)
	}
	// The last value before the end of the render (which sends 0).
	rateCC := notes.cc[len(notes.cc)-2]
	if wantCC := 127 * want / 2000; math.Abs(rateCC-wantCC) > 2 {
		t.Errorf("rate controller at %g, want %.1f (%.0f Hz of 2000)", rateCC, wantCC, want)
	}
	if len(gate.ons) != 1 || len(gate.offs) != 1 || gate.offs[0] < 0.99 {
		t.Errorf("gate note: on at %v, off at %v; want one note held for the whole second", gate.ons, gate.offs)
	}
	t.Logf("%d spikes (reference %.1f Hz), rate CC %g, gate %v..%v", spikes, want, rateCC, gate.ons, gate.offs)
}
