package render

import (
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// TestScheduleKickTrains: a --kick's pulse count and interval ride on its engine event
// (0: the neuron's own controls); values out of range are refused with the kick as the
// performer wrote it; and the interval is a control --set can set for every neuron.
func TestScheduleKickTrains(t *testing.T) {
	p := load(t, "timing")
	good := []struct {
		kick     Kick
		pulses   int32
		interval float64
		neuron   int32
		frame    int64
	}{
		{Kick{Neuron: "a", Amplitude: 4.3, Ms: 0.5, At: 1}, 0, 0, 0, 48000},
		{Kick{Neuron: "b", Amplitude: 16, Ms: 0.5, At: 0.5, Pulses: 2, Interval: 3.2}, 2, 3.2, 1, 24000},
		{Kick{Neuron: "all", Amplitude: 4, Ms: 0.5, At: 0, Pulses: 16, Interval: 1000}, 16, 1000, emu.AllNeurons, 0},
	}
	for _, g := range good {
		events, err := Schedule(p, Performance{Kicks: []Kick{g.kick}}, 48000)
		if err != nil {
			t.Fatalf("--kick %s: %v", g.kick, err)
		}
		want := emu.Event{Frame: g.frame, Kind: emu.EventKick, Neuron: g.neuron, Value: g.kick.Amplitude, Time: 0.5, Pulses: g.pulses, Interval: g.interval}
		if len(events) != 1 || events[0] != want {
			t.Errorf("--kick %s: events %+v, want %+v", g.kick, events, want)
		}
	}
	bad := []struct {
		kick Kick
		want string
	}{
		{Kick{Neuron: "a", Amplitude: 4, Ms: 0.5, At: 1, Pulses: 17}, "--kick a=4:0.5@1,pulses=17: pulses must be 1 to 16 (2 is a pair)"},
		{Kick{Neuron: "a", Amplitude: 4, Ms: 0.5, At: 1, Pulses: -1}, "pulses must be 1 to 16"},
		{Kick{Neuron: "a", Amplitude: 4, Ms: 0.5, At: 1, Pulses: 2, Interval: 0.01},
			"--kick a=4:0.5@1,pulses=2,interval=0.01: the interval must be 0.1 to 1000 ms of model time"},
		{Kick{Neuron: "a", Amplitude: 4, Ms: 0.5, At: 1, Interval: 2000}, "the interval must be 0.1 to 1000 ms"},
	}
	for _, b := range bad {
		if _, err := Schedule(p, Performance{Kicks: []Kick{b.kick}}, 48000); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("--kick %s: error %v, want %q", b.kick, err, b.want)
		}
	}
	events, err := Schedule(p, Performance{Sets: []Set{{Target: "interval", Value: 3.2}, {Target: "b.pulses", Value: 3}}}, 48000)
	if err != nil {
		t.Fatal(err)
	}
	want := []emu.Event{
		{Kind: emu.EventSet, Neuron: emu.AllNeurons, Control: emu.ControlInterval, Value: 3.2},
		{Kind: emu.EventSet, Neuron: 1, Control: emu.ControlPulses, Value: 3},
	}
	if len(events) != 2 || events[0] != want[0] || events[1] != want[1] {
		t.Errorf("--set interval=3.2 --set b.pulses=3: events %+v, want %+v", events, want)
	}
	if _, err := Schedule(p, Performance{Sets: []Set{{Target: "interval", Value: 0}}}, 48000); err == nil ||
		!strings.Contains(err.Error(), "0 is outside the allowed range 0.1 to 1000") {
		t.Errorf("--set interval=0: %v", err)
	}
}

// TestReboundFromAHeldNote: the rebound patch played from a score, as a keyboard would:
// while a low key is held both neurons are silent; when it is let go, the resonator (b,
// channel 2) fires within a few ms and the integrator (a, channel 1) never does. A soft
// key (too little inhibition) gives no rebound, and the release follows the note-off,
// however long the key is held. The notes come back from the MIDI the render writes.
func TestReboundFromAHeldNote(t *testing.T) {
	p := load(t, "rebound")
	const rate = 48000
	on := func(s float64, note, vel byte) ScoreEvent {
		return ScoreEvent{Seconds: s, Msg: midimap.Msg{Status: 0x90, Data1: note, Data2: vel}}
	}
	off := func(s float64, note byte) ScoreEvent {
		return ScoreEvent{Seconds: s, Msg: midimap.Msg{Status: 0x80, Data1: note, Data2: 64}}
	}
	score := []ScoreEvent{
		on(0.5, 48, 100), off(1.0, 48), // held 0.5 s, firm: a rebound at 1.0 s
		on(1.5, 50, 1), off(2.0, 50), // soft (-15 µA/cm²): none
		on(2.5, 40, 127), off(2.52, 40), // held 20 ms, hard: a rebound at 2.52 s
		on(3.0, 45, 100), on(3.1, 47, 100), off(3.3, 45), off(3.6, 47), // two keys: released at the last, 3.6 s
		on(4.0, 52, 100), {Seconds: 4.4, Msg: midimap.Msg{Status: 0xB0, Data1: 123}}, // All Notes Off releases it: 4.4 s
	}
	wantRebounds := []float64{1.0, 2.52, 3.6, 4.4}
	var notes []midimap.Timed
	_, err := Run(p, Performance{Score: score, ScoreLength: 5}, Options{SampleRate: rate}, Sink{MIDI: func(m midimap.Timed) error {
		if m.Msg.Status&0xF0 == 0x90 && m.Msg.Data2 > 0 {
			notes = append(notes, m)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, n := range notes {
		switch ch := n.Msg.Status&0x0F + 1; {
		case ch == 1:
			t.Errorf("the integrator fired at %.4f s", float64(n.Frame)/rate)
		case ch == 2 && n.Msg.Data1 == 72:
			got = append(got, float64(n.Frame)/rate)
		}
	}
	if len(got) != len(wantRebounds) {
		t.Fatalf("the resonator fired at %v s, want once just after each of %v", got, wantRebounds)
	}
	for i, at := range got {
		if lag := at - wantRebounds[i]; !(lag > 0 && lag < 0.01) {
			t.Errorf("rebound %d at %.4f s: %.1f ms after the release at %g s, want within 10 ms", i, at, lag*1000, wantRebounds[i])
		}
	}
}

// TestReboundNeedsTheResonatorNearHopf: what the rebound patch's mod wheel shows. Near
// the resonator's Hopf point (14.5 of 14.66) a light key (velocity 30, -25 µA/cm²) is
// enough for a rebound; at 10 the hardest key (-60) is not.
func TestReboundNeedsTheResonatorNearHopf(t *testing.T) {
	p := load(t, "rebound")
	for _, c := range []struct {
		current  float64
		velocity byte
		rebound  bool
	}{{14.5, 30, true}, {14.5, 1, false}, {10, 127, false}, {13, 127, true}} {
		score := []ScoreEvent{
			{Seconds: 0.3, Msg: midimap.NoteOn(1, 48, int(c.velocity))},
			{Seconds: 0.6, Msg: midimap.NoteOff(1, 48)},
		}
		spikes := 0
		_, err := Run(p, Performance{Sets: []Set{{Target: "b.current", Value: c.current}}, Score: score, ScoreLength: 1},
			Options{}, Sink{Spike: func(s emu.Spike) {
				if s.Neuron == 1 {
					spikes++
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if (spikes == 1) != c.rebound || spikes > 1 {
			t.Errorf("resonator at %g, key velocity %d: %d spikes, want a rebound: %v", c.current, c.velocity, spikes, c.rebound)
		}
	}
}
