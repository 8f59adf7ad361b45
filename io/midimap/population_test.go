package midimap

import (
	"math"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// TestSpikeNotesSpreadMembersOverKeys: a population's spike map with a range of notes
// plays member k on key Note + k·keys/Members, every note-on with its note-off.
func TestSpikeNotesSpreadMembersOverKeys(t *testing.T) {
	cfg := Config{Spikes: []SpikeMap{{Neuron: 0, Mode: ModeSpike, Channel: 1, Note: 60, NoteTop: 64, Velocity: 100,
		Duration: 0.01, RateCC: -1, Members: 10}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s := NewSpikeNotes(cfg, 1000, 1)
	var k tracker
	for member := int32(0); member < 10; member++ {
		out := s.Spike(nil, emu.Spike{Frame: int64(100 * member), Neuron: 0, Member: member})
		if err := k.feed(out); err != nil {
			t.Fatal(err)
		}
		var keys []byte
		for _, m := range out {
			if m.Msg.Status == statusNoteOn {
				keys = append(keys, m.Msg.Data1)
			}
		}
		if want := byte(60 + member/2); len(keys) != 1 || keys[0] != want {
			t.Errorf("member %d played keys %v, want [%d]", member, keys, want)
		}
	}
	if err := k.feed(s.AllOff(nil, 2000)); err != nil || k.sounding() != 0 {
		t.Errorf("after AllOff: %v, %d keys sounding", err, k.sounding())
	}
}

// TestSpikeNotesPopulationRate: a population's rate controller carries its members'
// average rate (all spikes over the window, per member), where one member's interval
// would give that member's own rate; with the members spread over keys too, and only the
// members of the upper keys firing, it still hears them all.
func TestSpikeNotesPopulationRate(t *testing.T) {
	const members = 100
	for _, c := range []struct {
		name    string
		top     int
		firstUp int32 // the first member that fires; half of them do
	}{{"one note", 0, 0}, {"notes 36 to 96, upper half firing", 96, members / 2}} {
		note := 60
		if c.top != 0 {
			note = 36
		}
		cfg := Config{Spikes: []SpikeMap{{Neuron: 0, Mode: ModeSpike, Channel: 1, Note: note, NoteTop: c.top, Velocity: 100,
			Duration: 0.001, RateCC: 20, RateMax: 100, Members: members}}}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		s := NewSpikeNotes(cfg, 1000, 1) // frames are model ms
		// Half the members fire at 40 Hz, half are silent: the average is 20 Hz, CC 25.
		last, sent := -1, 0
		for f := int64(0); f < 3000; f++ {
			for m := c.firstUp; m < c.firstUp+members/2; m++ {
				if (f+int64(m)*7)%25 == 0 { // every 25 ms, members out of step
					out := s.Spike(nil, emu.Spike{Frame: f, Neuron: 0, Member: m, ISI: 25})
					out = append(out, s.Advance(nil, f)...)
					for _, msg := range out {
						if msg.Msg.Status == statusControlChange && msg.Msg.Data1 == 20 {
							last = int(msg.Msg.Data2)
							sent++
						}
					}
				}
			}
		}
		if want := int(math.Round(20 * 127.0 / 100)); math.Abs(float64(last-want)) > 1 {
			t.Errorf("%s: rate controller %d after 3 s (%d messages), want the average rate 20 Hz as %d (one member's rate, 40 Hz, is %d)",
				c.name, last, sent, want, int(math.Round(40*127.0/100)))
		}
	}
}

// TestSpikeMapRangeRefusals: a range of notes needs a population in spike mode, keys in
// order, and no overlap with another map's keys.
func TestSpikeMapRangeRefusals(t *testing.T) {
	base := SpikeMap{Neuron: 0, Mode: ModeSpike, Channel: 1, Note: 60, NoteTop: 70, Velocity: 100, Duration: 0.01, RateCC: -1, Members: 50}
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"single neuron", func(c *Config) { c.Spikes[0].Members = 1 }, "spreads a population's members"},
		{"gate mode", func(c *Config) { c.Spikes[0].Mode, c.Spikes[0].Duration = ModeGate, 0 }, "spreads a population's members"},
		{"top below", func(c *Config) { c.Spikes[0].NoteTop = 50 }, "top note 50 is not above note 60"},
		{"overlap", func(c *Config) {
			o := base
			o.Note, o.NoteTop, o.Neuron = 65, 0, 1
			c.Spikes = append(c.Spikes, o)
		}, "both play note 65"},
	} {
		cfg := Config{Spikes: []SpikeMap{base}}
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate = %v, want %q", c.name, err, c.want)
		}
	}
}
