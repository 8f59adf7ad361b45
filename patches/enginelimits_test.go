package patches

import (
	"fmt"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// TestLimitsAreTheEngines: every range a patch is checked against is the engine's. A
// value at emu's limit reads and plays; one just beyond it is refused by Parse, with the
// limit in the message, and by emu.New when it reaches the engine. Were a limit written
// here a second time and the two drifted apart, one side of this would fail.
func TestLimitsAreTheEngines(t *testing.T) {
	inapk := emu.INaPK()
	_, noiseMax, _ := emu.ControlRange(inapk, emu.ControlNoise)
	type place int
	const (
		top place = iota
		output
		neuronA
		synapse
		gap
		kick
	)
	for _, c := range []struct {
		name          string
		at            place
		key           string
		limit, beyond float64
		engine        func(cfg *emu.Config, v float64) // sets the value in the engine's config; nil: not an engine value
	}{
		{"fastest speed", top, "speed", emu.MaxSpeed, emu.MaxSpeed * 1.01, func(c *emu.Config, v float64) { c.Speed = v }},
		{"highest ceiling", output, "ceiling_db", emu.MaxCeilingDB, emu.MaxCeilingDB / 2, func(c *emu.Config, v float64) { c.CeilingDB = v }},
		{"lowest ceiling", output, "ceiling_db", emu.MinCeilingDB, emu.MinCeilingDB - 1, func(c *emu.Config, v float64) { c.CeilingDB = v }},
		{"largest current", neuronA, "current", inapk.CurrentMax, inapk.CurrentMax + 1, func(c *emu.Config, v float64) { c.Neurons[0].Current = v }},
		{"loudest gain", neuronA, "gain", emu.MaxGain, emu.MaxGain + 0.01, func(c *emu.Config, v float64) { c.Neurons[0].Gain = v }},
		{"hardest left", neuronA, "pan", -1, -1.01, func(c *emu.Config, v float64) { c.Neurons[0].Pan = v }},
		{"most noise", neuronA, "noise", noiseMax, noiseMax * 1.01, func(c *emu.Config, v float64) { c.Neurons[0].Noise = v }},
		{"slowest noise", neuronA, "noise_tau", emu.MaxTimeConstant, emu.MaxTimeConstant * 2, func(c *emu.Config, v float64) { c.Neurons[0].NoiseTau = v }},
		{"fastest noise", neuronA, "noise_tau", emu.MinTimeConstant, emu.MinTimeConstant / 2, func(c *emu.Config, v float64) { c.Neurons[0].NoiseTau = v }},
		{"most pulses", neuronA, "pulses", emu.MaxPulses, emu.MaxPulses + 1, func(c *emu.Config, v float64) { c.Neurons[0].Pulses = int(v) }},
		{"shortest interval", neuronA, "interval", emu.MinInterval, emu.MinInterval / 2, func(c *emu.Config, v float64) { c.Neurons[0].Interval = v }},
		{"longest interval", neuronA, "interval", emu.MaxInterval, emu.MaxInterval + 1, func(c *emu.Config, v float64) { c.Neurons[0].Interval = v }},
		{"strongest synapse", synapse, "g", emu.MaxCoupling, emu.MaxCoupling + 1, func(c *emu.Config, v float64) { c.Synapses[0].G = v }},
		{"slowest synapse", synapse, "tau", emu.MaxTimeConstant, emu.MaxTimeConstant + 1, func(c *emu.Config, v float64) { c.Synapses[0].Tau = v }},
		{"fastest synapse", synapse, "tau", emu.MinTimeConstant, emu.MinTimeConstant / 2, func(c *emu.Config, v float64) { c.Synapses[0].Tau = v }},
		{"highest reversal", synapse, "reversal", emu.MaxReversal, emu.MaxReversal + 1, func(c *emu.Config, v float64) { c.Synapses[0].Reversal = v }},
		{"lowest reversal", synapse, "reversal", emu.MinReversal, emu.MinReversal - 1, func(c *emu.Config, v float64) { c.Synapses[0].Reversal = v }},
		{"strongest gap junction", gap, "g", emu.MaxCoupling, emu.MaxCoupling + 1, func(c *emu.Config, v float64) { c.Gaps[0].G = v }},
		{"longest kick", kick, "duration", emu.MaxKickDuration, emu.MaxKickDuration + 1, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each table with what it needs; the case's key replaces a default.
			lines := func(at place, v float64, defaults ...string) string {
				var out string
				for _, d := range defaults {
					if at != c.at || !strings.HasPrefix(d, c.key+" ") {
						out += d + "\n"
					}
				}
				if at == c.at {
					out += fmt.Sprintf("%s = %v\n", c.key, v)
				}
				return out
			}
			text := func(v float64) string {
				return "format = 1\n" + lines(top, v) +
					"[output]\n" + lines(output, v) +
					"[[neuron]]\n" + lines(neuronA, v, `name = "a"`, `model = "inapk"`) +
					"[[neuron]]\n" + lines(-1, v, `name = "b"`, `model = "inapk"`) +
					"[[synapse]]\n" + lines(synapse, v, `from = "a"`, `to = "b"`, "g = 1", "reversal = 0") +
					"[[gap]]\n" + lines(gap, v, `neurons = ["a", "b"]`, "g = 1") +
					"[[midi.kick]]\n" + lines(kick, v, "note = 60", `neuron = "a"`, "amplitude = 10")
			}
			p, err := Parse("limits.toml", []byte(text(c.limit)))
			if err != nil {
				t.Fatalf("%s = %v, at the engine's limit, is refused: %v", c.key, c.limit, err)
			}
			_, err = Parse("limits.toml", []byte(text(c.beyond)))
			if err == nil {
				t.Fatalf("%s = %v, beyond the engine's limit %v, reads", c.key, c.beyond, c.limit)
			}
			if limit := fmt.Sprint(c.limit); !strings.Contains(err.Error(), limit) && !strings.Contains(err.Error(), fmt.Sprintf("%g", c.limit)) {
				t.Errorf("%s = %v is refused without the limit %v: %v", c.key, c.beyond, c.limit, err)
			}
			if c.engine == nil {
				return
			}
			if _, err := emu.New(p.Engine); err != nil {
				t.Fatalf("the engine refuses the patch at the limit: %v", err)
			}
			cfg := p.Engine
			cfg.Neurons = append([]emu.NeuronSpec(nil), cfg.Neurons...)
			cfg.Synapses = append([]emu.Synapse(nil), cfg.Synapses...)
			cfg.Gaps = append([]emu.Gap(nil), cfg.Gaps...)
			c.engine(&cfg, c.beyond)
			if _, err := emu.New(cfg); err == nil {
				t.Errorf("emu.New takes %s = %v, which the patch refuses", c.key, c.beyond)
			}
		})
	}
}
