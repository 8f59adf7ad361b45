package midimap

import (
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// TestRateCCIsThinned: a neuron firing at a jittery 1 kHz sends at most one rate
// controller message every RateCCInterval, not one per spike.
func TestRateCCIsThinned(t *testing.T) {
	cfg := Config{Spikes: []SpikeMap{{Neuron: 0, Mode: ModeGate, Channel: 1, Note: 60, Velocity: 100, RateCC: 20, RateMax: 1200}}}
	const rate = 48000
	s := NewSpikeNotes(cfg, rate, 1000.0/rate)
	var out []Timed
	frame := int64(0)
	for i := 0; i < 1000; i++ { // 1 s of spikes 47 or 49 frames apart: the value flickers
		gap := int64(47 + 2*(i%2))
		frame += gap
		out = s.Spike(out, emu.Spike{Frame: frame, Neuron: 0, ISI: float64(gap) * 1000 / rate})
	}
	ccs := 0
	last := int64(-1 << 40)
	for _, m := range out {
		if m.Msg.Status == 0xB0 && m.Msg.Data1 == 20 {
			ccs++
			if m.Frame-last < int64(RateCCInterval*rate) {
				t.Fatalf("two rate messages %d frames apart", m.Frame-last)
			}
			last = m.Frame
		}
	}
	if ccs == 0 || ccs > 51 {
		t.Errorf("%d rate messages in 1 s, want 1 to 51", ccs)
	}
}
