package analysis

import (
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// What analyze costs: a monostable integrator (the firing cycle is followed down to a
// SNIC, where periods grow without bound), a bistable resonator, and the two presets
// with a second bistable range above rest's, whose firing cycle is also followed up to
// a fold of cycles (Morris-Lecar homoclinic's is the slowest preset).
func BenchmarkAnalyze(b *testing.B) {
	for _, c := range []struct {
		model  *emu.Model
		preset string
	}{
		{emu.INaPK(), "snic"},
		{emu.INaPK(), "hopf-sub"},
		{emu.FitzHughNagumo(), "classic"},
		{emu.MorrisLecar(), "homoclinic"},
	} {
		p, _ := c.model.Preset(c.preset)
		s, err := NewSystem(c.model, c.model.Values(nil, p))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.model.Name+"/"+c.preset, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Analyze(0, p.Sweep[0], p.Sweep[1], p.Init); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// What a portrait costs, most of it the basin grid of a bistable neuron.
func BenchmarkPortrait(b *testing.B) {
	m := emu.INaPK()
	p, _ := m.Preset("saddle-node")
	s, err := NewSystem(m, m.Values(nil, p))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.Portrait(2, p.Init, PortraitOptions{})
	}
}
