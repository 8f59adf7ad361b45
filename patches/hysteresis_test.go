package patches

import (
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// sweepSpikes integrates the hysteresis patch's neuron (with emu's reference RK4 and the
// model's own derivative) while the current moves linearly from i0 to i1 over rampMS, then
// holds i1 for holdMS, and counts the spikes in the last 100 ms of the hold.
func sweepSpikes(t *testing.T, x []float64, i0, i1, rampMS, holdMS float64) int {
	t.Helper()
	p, err := Load("hysteresis")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Engine.Neurons[0]
	const h = 0.005 // ms
	var I float64
	f := func(dx, x []float64) { s.Model.Deriv(dx, x, s.Params, I) }
	scratch := make([]float64, 5*len(x))
	det, n := emu.NewSpikeDetector(s.SpikeHigh, s.SpikeLow, x[0]), 0
	rampSteps, holdSteps := int(rampMS/h), int(holdMS/h)
	for k := 0; k < rampSteps+holdSteps; k++ {
		I = i1
		if k < rampSteps {
			I = i0 + (i1-i0)*float64(k)/float64(rampSteps)
		}
		emu.StepRK4(x, h, f, scratch)
		if det.Step(x[0]) && k >= rampSteps+holdSteps-int(100/h) {
			n++
		}
	}
	return n
}

// TestHysteresisLoop checks the numbers hysteresis.toml quotes: from rest the neuron
// starts firing only past the saddle-node at 4.51 µA/cm²; once firing, it keeps firing
// down to -0.297 and falls silent by -0.30.
func TestHysteresisLoop(t *testing.T) {
	rest := func() []float64 { return append([]float64(nil), emu.INaPK().Presets[1].Init...) }
	if n := sweepSpikes(t, rest(), 0, 4.48, 300, 300); n != 0 {
		t.Errorf("up to 4.48: %d spikes; the rest should hold below the saddle-node", n)
	}
	if n := sweepSpikes(t, rest(), 0, 4.55, 300, 300); n < 50 {
		t.Errorf("up to 4.55: %d spikes in 100 ms; it should fire near 900 Hz past the saddle-node", n)
	}
	firing := func() []float64 { // on the cycle at 5 µA/cm²
		x := rest()
		sweepSpikes(t, x, 0, 5, 50, 50)
		return x
	}
	if n := sweepSpikes(t, firing(), 5, -0.29, 500, 300); n < 10 {
		t.Errorf("down to -0.29: %d spikes in 100 ms; the firing should persist", n)
	}
	if n := sweepSpikes(t, firing(), 5, -0.31, 500, 300); n != 0 {
		t.Errorf("down to -0.31: %d spikes in 100 ms; the firing should have stopped", n)
	}
}
