package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/separatrix-audio/separatrix/emu/probe"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/patches"
)

// TestTimingRenderFiresWhereTheProbePredicts: the timing patch rendered from the
// command line, a note every 100 ms (each fires a pair into both neurons) while --ramp
// sweeps the interval knob's target from 1 to 6 ms. Read back from the MIDI file (the
// integrator's spikes are C4 on channel 1, the resonator's C5 on channel 2), each
// neuron fires to exactly the pairs whose interval the doublet experiment (probe
// doublet, run at the patch's holding current, pulse amplitude and width) says fire
// it; pairs within one probe step of a predicted edge are not judged. And the ranges
// are the ones the patch promises: the integrator's starts at the shortest interval,
// the resonator's lies around its damped period and after the integrator's.
func TestTimingRenderFiresWhereTheProbePredicts(t *testing.T) {
	const (
		rate     = 48000
		first    = 0.2  // s: the first note, once both neurons rest at their currents
		every    = 0.1  // s between notes: the resonator's ringing has died (11 ms decay)
		notes    = 245  // up to 24.7 s
		sweep    = 25.0 // s: the interval ramps from lo to hi over the whole render
		lo, hi   = 1.0, 6.0
		probeMs  = 0.05 // the probe's interval step
		duration = "25.2s"
	)
	p, err := patches.Load("timing")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	score, wavPath, midPath := filepath.Join(dir, "notes.mid"), filepath.Join(dir, "timing.wav"), filepath.Join(dir, "timing.mid")
	w := midifile.NewWriter(rate)
	for k := 0; k < notes; k++ {
		f := int64(math.Round((first + every*float64(k)) * rate))
		w.Add(midimap.Timed{Frame: f, Msg: midimap.NoteOn(1, 60, 100)})
		w.Add(midimap.Timed{Frame: f + rate/50, Msg: midimap.NoteOff(1, 60)})
	}
	if err := w.WriteFile(score); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "render", "timing", "-o", wavPath, "--midi", midPath, "--score", score,
		"--ramp", "interval=1:6:25", "--duration", duration, "--quiet"); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	out, err := midifile.ReadScore(midPath)
	if err != nil {
		t.Fatal(err)
	}
	// fired[n][k]: neuron n spiked after note k (before the next).
	var fired [2][notes]int
	for _, ev := range out.Events {
		m := ev.Msg
		if m.Status&0xF0 != 0x90 || m.Data2 == 0 {
			continue
		}
		n := -1
		switch {
		case m.Status&0x0F == 0 && m.Data1 == 60:
			n = 0
		case m.Status&0x0F == 1 && m.Data1 == 72:
			n = 1
		}
		k := int(math.Floor((ev.Seconds - first) / every))
		if n < 0 || k < 0 || k >= notes {
			t.Fatalf("a note %v at %.4f s that no kick explains", m, ev.Seconds)
		}
		fired[n][k]++
	}

	dt := p.Speed * 1000 / rate // ms of model time per sample
	for n, name := range []string{"the integrator (a)", "the resonator (b)"} {
		spec := p.Engine.Neurons[n]
		kick := kickMapOf(t, p, int32(n))
		res, err := probe.Doublet(probe.Neuron{Spec: spec, Current: spec.Current},
			probe.DoubletOptions{Amplitude: kick.MinAmp, Width: kick.Duration, From: lo, To: hi, Steps: int(math.Round((hi-lo)/probeMs)) + 1})
		if err != nil {
			t.Fatal(err)
		}
		predict := func(iv float64) (fires, sure bool) {
			j := int(math.Floor((iv - lo) / probeMs))
			if j < 0 || j+1 >= len(res.Trials) {
				return false, false
			}
			a, b := res.Trials[j].Fired, res.Trials[j+1].Fired
			return a, a == b && (j == 0 || res.Trials[j-1].Fired == a) && (j+2 >= len(res.Trials) || res.Trials[j+2].Fired == a)
		}
		var judged, wrong int
		lowest, highest := math.Inf(1), math.Inf(-1)
		for k := 0; k < notes; k++ {
			// The interval the engine gave this pair: the ramp's value at the note's
			// frame, rounded to whole samples.
			f := math.Round((first + every*float64(k)) * rate)
			iv := math.Round((lo+(hi-lo)*f/(sweep*rate))/dt) * dt
			if fired[n][k] > 1 {
				t.Errorf("%s: %d spikes after the pair at %.3f ms", name, fired[n][k], iv)
			}
			if fired[n][k] > 0 {
				lowest, highest = math.Min(lowest, iv), math.Max(highest, iv)
			}
			want, sure := predict(iv)
			if !sure {
				continue
			}
			judged++
			if got := fired[n][k] > 0; got != want {
				wrong++
				t.Errorf("%s: the pair %.3f ms apart fired %v; the probe predicts %v", name, iv, got, want)
			}
		}
		if judged < notes*8/10 {
			t.Errorf("%s: only %d of %d pairs judged: the prediction's edges are blurred", name, judged, notes)
		}
		t.Logf("%s (amplitude %g, %g ms): fired from %.3f to %.3f ms; %d of %d pairs judged, %d wrong; damped period %v",
			name, kick.MinAmp, kick.Duration, lowest, highest, judged, notes, wrong, fmtPtr(res.PredictedIntervalMs))
		switch n {
		case 0: // an integrator fires to the closest pairs and not beyond a limit
			if !(lowest < lo+0.05 && highest < 2.5) {
				t.Errorf("%s fired from %.3f to %.3f ms: want from the shortest interval to below 2.5 ms", name, lowest, highest)
			}
		case 1: // a resonator fires near its damped period only
			T := res.PredictedIntervalMs
			if T == nil || !(lowest <= *T && *T <= highest) || !(lowest > 2.5 && highest < 4.5) {
				t.Errorf("%s fired from %.3f to %.3f ms: want a window around its damped period %v, between 2.5 and 4.5 ms",
					name, lowest, highest, fmtPtr(T))
			}
		}
	}
}

// kickMapOf is the patch's kick map for neuron n alone.
func kickMapOf(t *testing.T, p *patches.Patch, n int32) midimap.KickMap {
	t.Helper()
	for _, k := range p.MIDI.Kicks {
		if k.Neuron == n {
			if k.MinAmp != k.MaxAmp {
				t.Fatalf("the kick map of neuron %d scales with velocity (%g to %g): the test needs one amplitude", n, k.MinAmp, k.MaxAmp)
			}
			return k
		}
	}
	t.Fatalf("no kick map for neuron %d", n)
	return midimap.KickMap{}
}

func fmtPtr(x *float64) any {
	if x == nil {
		return "none"
	}
	return *x
}
