package emu

import (
	"fmt"
	"math"
	"testing"
)

// kernelVariants are the kernels this build can step model name with: the portable one,
// and the vector one where this machine has it.
func kernelVariants(name string) map[string]kernel {
	v := map[string]kernel{"portable": models[name].portable}
	if k := models[name].vector; k != nil {
		v["vector"] = k
	}
	return v
}

// traceSpikeTimes returns the spike times (ms) of a voltage trace sampled every dt ms, by
// the engine's rule, interpolated linearly within the sample where V crossed the level.
func traceSpikeTimes(trace []float64, pr *Preset, dt float64) []float64 {
	d := NewSpikeDetector(pr.SpikeHigh, pr.SpikeLow, trace[0])
	var out []float64
	for s := 1; s < len(trace); s++ {
		v0, level := trace[s-1], d.Threshold()
		if d.Step(trace[s]) {
			out = append(out, (float64(s-1)+math.Max(0, level-v0)/(trace[s]-v0))*dt)
		}
	}
	return out
}

// TestKernelsFollowTheReference holds every kernel of every model, on this build, to the
// reference (StepRK4 over the model's Deriv, float64 and math.Exp) at the same step:
// over 1 s of model time at a firing current, every spike within 0.01 ms and the firing
// rate within 1e-4, for every preset, at speeds 1 and 10. The batch has 17 members, so a
// vector kernel steps two full vectors (member 0 is checked) and leaves one member to
// the portable kernel (member 16, checked too).
func TestKernelsFollowTheReference(t *testing.T) {
	const members = 17
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		for variant, k := range kernelVariants(name) {
			for i := range m.Presets {
				pr := &m.Presets[i]
				key := name + "/" + pr.Name
				for _, speed := range []float64{1, 10} {
					spec := presetSpec(t, name, pr.Name, firingCurrent[key])
					if s, ok := firingStart[key]; ok {
						spec.Init = append([]float64(nil), s...)
					}
					specs := make([]NeuronSpec, members)
					for j := range specs {
						specs[j] = spec
						specs[j].Name = string(rune('a' + j))
					}
					const block = 64
					e := newTestEngine(t, Config{Neurons: specs, Speed: speed}, 48000, block)
					b := e.batches[0]
					b.kernel = k
					dt := e.ModelTimeStep()
					samples := int(math.Round(1000 / dt))
					traces := [2][]float64{{spec.Init[0]}, {spec.Init[0]}}
					out := makeOut(2, 1)
					for s := 0; s < samples; s++ {
						e.Process(out)
						traces[0] = append(traces[0], b.x[0][0])
						traces[1] = append(traces[1], b.x[0][members-1])
					}
					x := append([]float64(nil), spec.Init...)
					scratch := make([]float64, 5*len(x))
					f := func(dx, x []float64) { m.Deriv(dx, x, spec.Params, spec.Current) }
					ref := []float64{x[0]}
					for s := 0; s < samples; s++ {
						for sub := 0; sub < b.nsub; sub++ {
							StepRK4(x, b.h, f, scratch)
						}
						ref = append(ref, x[0])
					}
					want := traceSpikeTimes(ref, pr, dt)
					if len(want) < 3 {
						t.Fatalf("%s: the reference fires %d spikes in 1 s at I=%g", key, len(want), spec.Current)
					}
					for j, tr := range traces {
						got := traceSpikeTimes(tr, pr, dt)
						if len(got) != len(want) {
							t.Errorf("%s, %s kernel, speed %g, member %d: %d spikes in 1 s, reference %d", key, variant, speed, j*(members-1), len(got), len(want))
							continue
						}
						worst := 0.0
						for s := range want {
							worst = math.Max(worst, math.Abs(got[s]-want[s]))
						}
						rate := func(ts []float64) float64 { return float64(len(ts)-1) / (ts[len(ts)-1] - ts[0]) }
						rateErr := math.Abs(rate(got)/rate(want) - 1)
						if worst > 0.01 || rateErr > 1e-4 {
							t.Errorf("%s, %s kernel, speed %g, member %d: spike times off by up to %.3g ms (want <= 0.01), rate by %.2g (want <= 1e-4)",
								key, variant, speed, j*(members-1), worst, rateErr)
						}
						if speed == 1 && j == 0 {
							t.Logf("%s, %s kernel: %d spikes, worst %.2g ms, rate %.2g", key, variant, len(want), worst, rateErr)
						}
					}
				}
			}
		}
	}
}

// TestKernelsDetectAndMixAsTheRule: whatever part of spike detection and mixing a kernel
// does itself (a vector kernel does its full vectors, in float32), every member's
// spikes fall on the samples where spike.go's rule finds them in its own voltage, and
// the batch's mix is the sum of (V - centre) / span × gain, for 17 members firing at
// different rates (two vectors and a member left over), panned apart, also on the
// sample where one member blows up and is put back to rest.
func TestKernelsDetectAndMixAsTheRule(t *testing.T) {
	for _, name := range ModelNames() {
		m, _ := LookupModel(name)
		pr := &m.Presets[0]
		for variant, k := range kernelVariants(name) {
			const members = 17
			specs := make([]NeuronSpec, members)
			for j := range specs {
				specs[j] = presetSpec(t, name, pr.Name, firingCurrent[name+"/"+pr.Name]*(0.5+float64(j)/members))
				specs[j].Name = string(rune('a' + j))
				specs[j].Pan = float64(j)/members*2 - 1
				specs[j].Gain = 0.5 + float64(j%3)/4
			}
			e := newTestEngine(t, Config{Neurons: specs}, 48000, 1)
			b := e.batches[0]
			b.kernel = k
			e.Process(makeOut(2, 1)) // loads the inputs
			detectors := make([]SpikeDetector, members)
			for j := range detectors {
				detectors[j] = NewSpikeDetector(pr.SpikeHigh, pr.SpikeLow, b.x[0][j])
				b.restart(j)
			}
			spikes, worst := 0, 0.0
			const blowUp, lane = 10000, 3 // a lane of the first vector blows up there
			for s := 0; s < 20000; s++ {
				if s == blowUp {
					b.x[0][lane] = math.NaN()
				}
				b.spiked = b.spiked[:0]
				b.kernel(b, b.h, b.nsub)
				l, r := b.detectAndMix()
				var want []int32
				wl, wr, scale := 0.0, 0.0, 0.0
				for j := 0; j < members; j++ {
					v := b.x[0][j]
					if s == blowUp && j == lane {
						detectors[j].Reset(v) // back at rest: a jump, not a spike
					} else if detectors[j].Step(v) {
						want = append(want, int32(j))
					}
					x := (v - specs[j].Centre) / specs[j].Span
					wl += x * b.gainL[j]
					wr += x * b.gainR[j]
					scale += math.Abs(x)
				}
				if fmt.Sprint(b.spiked) != fmt.Sprint(want) {
					t.Fatalf("%s, %s kernel, sample %d: spikes of members %v, the rule finds %v", name, variant, s, b.spiked, want)
				}
				spikes += len(want)
				worst = math.Max(worst, math.Max(math.Abs(l-wl), math.Abs(r-wr))/(scale+1e-9))
			}
			if spikes < members {
				t.Fatalf("%s: %d spikes in 20000 samples: the members should fire", name, spikes)
			}
			if worst > 1e-6 {
				t.Errorf("%s, %s kernel: the mix departs from the sum by %.2g of its scale", name, variant, worst)
			}
		}
	}
}
