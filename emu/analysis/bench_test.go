package analysis

import (
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// What analyze costs: a monostable integrator (the cycle end is followed down to a
// SNIC, where periods grow without bound) and a bistable resonator.
func BenchmarkAnalyze(b *testing.B) {
	for _, preset := range []string{"snic", "hopf-sub"} {
		p, _ := emu.INaPK.Preset(preset)
		s, err := NewSystem(emu.INaPK, emu.INaPK.Values(nil, p))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(preset, func(b *testing.B) {
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
	p, _ := emu.INaPK.Preset("saddle-node")
	s, err := NewSystem(emu.INaPK, emu.INaPK.Values(nil, p))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.Portrait(2, p.Init, PortraitOptions{})
	}
}
