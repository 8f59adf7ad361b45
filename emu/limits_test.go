package emu

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestNewRefusesNetworksBeyondLimits: a network over a limit is refused before New
// allocates for it (so 100000 neurons cost nothing), with the limit in the message; a
// network at every limit builds.
func TestNewRefusesNetworksBeyondLimits(t *testing.T) {
	network := func(neurons, synapses, gaps int) Config {
		spec := presetSpec(t, "inapk", "snic", 0)
		cfg := Config{Neurons: make([]NeuronSpec, neurons)}
		for i := range cfg.Neurons {
			cfg.Neurons[i] = spec
			cfg.Neurons[i].Name = fmt.Sprint("n", i)
		}
		for k := 0; k < synapses; k++ {
			cfg.Synapses = append(cfg.Synapses, Synapse{From: k % neurons, To: (k + 1) % neurons, G: 0.001, Tau: 5, Reversal: -80})
		}
		for k := 0; k < gaps; k++ { // neuron i to i+1+k/neurons: distinct pairs
			a := k % neurons
			cfg.Gaps = append(cfg.Gaps, Gap{A: a, B: (a + 1 + k/neurons) % neurons, G: 0.001})
		}
		return cfg
	}
	cases := []struct {
		name                    string
		neurons, synapses, gaps int
		want                    string // "" builds
	}{
		{"at every limit", MaxNeurons, MaxSynapses, MaxGaps, ""},
		{"one neuron too many", MaxNeurons + 1, 0, 0, "1025 neurons, more than the 1024"},
		{"100000 neurons", 100000, 0, 0, "100000 neurons, more than the 1024"},
		{"one synapse too many", 2, MaxSynapses + 1, 0, "16385 synapses, more than the 16384"},
		{"one gap junction too many", MaxNeurons, 0, MaxGaps + 1, "8193 gap junctions, more than the 8192"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := network(c.neurons, c.synapses, c.gaps)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := New(cfg)
			runtime.ReadMemStats(&after)
			if c.want == "" {
				if err != nil {
					t.Fatalf("a network at the limits was refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New = %v, want an error saying %q", err, c.want)
			}
			// Refused before allocating: the message only (an engine of 1024 neurons
			// allocates hundreds of kB).
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4096 {
				t.Errorf("refusing the network allocated %d bytes, want at most 4096", alloc)
			}
		})
	}
}

// TestCouplingIsBoundedPerNeuron: MaxCoupling bounds one neuron's coupling in all. New
// refuses gap junctions that add up to more on one neuron, each within the limit; the
// synaptic conductance open on a neuron is held to what its gap junctions leave, however
// strong and fast its synapses fire.
func TestCouplingIsBoundedPerNeuron(t *testing.T) {
	spec := func(name string, current float64) NeuronSpec {
		s := presetSpec(t, "inapk", "snic", current)
		s.Name = name
		return s
	}
	four := []NeuronSpec{spec("a", 0), spec("b", 0), spec("c", 0), spec("d", 0)}
	for _, c := range []struct {
		name string
		gaps []Gap
		want string // "" builds
	}{
		{"each neuron at the limit", []Gap{{A: 0, B: 1, G: 60}, {A: 0, B: 2, G: 40}, {A: 1, B: 3, G: 40}}, ""},
		{"three gaps of 40 on one neuron", []Gap{{A: 0, B: 1, G: 40}, {A: 0, B: 2, G: 40}, {A: 0, B: 3, G: 40}},
			`neuron "a"'s gap junctions add up to 120 mS/cm², more than the 100 one neuron may have in all`},
		{"one gap over the limit", []Gap{{A: 2, B: 3, G: 101}}, "gap junction conductance 101 is outside 0 to 100"},
	} {
		_, err := New(Config{Neurons: four, Gaps: c.gaps})
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: New says %v, want %q", c.name, err, c.want)
		}
	}

	// b fires fast and opens strong, slow synapses on a, which has 60 mS/cm² of gaps.
	cfg := Config{
		Neurons: []NeuronSpec{spec("a", 0), spec("b", 40), spec("c", 0)},
		Gaps:    []Gap{{A: 0, B: 2, G: 60}},
		Synapses: []Synapse{
			{From: 1, To: 0, G: MaxCoupling, Tau: 1000, Reversal: -80},
			{From: 1, To: 0, G: MaxCoupling, Tau: 1000, Reversal: 0},
		},
	}
	e := newTestEngine(t, cfg, 48000, 64)
	out := makeOut(2, 64)
	b, k := e.batches[e.batchOf[0]], e.slot[0]
	most := 0.0
	for blk := 0; blk < 200; blk++ {
		e.Process(out)
		most = max(most, b.gc[k])
	}
	if e.Stats().Spikes[1] < 5 {
		t.Fatalf("the presynaptic neuron fired %d times: the test opens no synapse", e.Stats().Spikes[1])
	}
	if most != MaxCoupling-60 {
		t.Errorf("the synaptic conductance on a neuron with 60 mS/cm² of gaps reached %g, want it held to %d", most, MaxCoupling-60)
	}
}

// BenchmarkNetworkCost measures what neurons, synapses and gap junctions cost per second
// of sound at 48 kHz and speed 1 (I_Na,p+I_K, snic preset, one RK4 step per sample): the
// measurements MaxNeurons, MaxSynapses and MaxGaps are chosen from. x-realtime above 1
// plays live on one core; below 1 it only renders.
func BenchmarkNetworkCost(b *testing.B) {
	cases := []struct {
		name             string
		neurons          int
		synapses, gapsOn bool
	}{
		{"neurons=128", 128, false, false},
		{"neurons=128/synapses=all-to-all", 128, true, false},
		{"neurons=128/gaps=all-pairs", 128, false, true},
		{"neurons=1024", 1024, false, false},
		{"at every limit", MaxNeurons, true, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cfg := Config{SpikeCapacity: 1 << 16}
			for i := 0; i < c.neurons; i++ {
				s := presetSpec(b, "inapk", "snic", 5+40*float64(i)/float64(c.neurons))
				s.Name, s.Gain = fmt.Sprint("n", i), 1/float64(c.neurons)
				cfg.Neurons = append(cfg.Neurons, s)
			}
			for i := 0; i < min(c.neurons, 128); i++ { // every pair of (at most) 128 neurons
				for j := 0; j < min(c.neurons, 128); j++ {
					if c.synapses && i != j {
						cfg.Synapses = append(cfg.Synapses, Synapse{From: i, To: j, G: 0.01, Tau: 5, Reversal: -80})
					}
					if c.gapsOn && i < j {
						cfg.Gaps = append(cfg.Gaps, Gap{A: i, B: j, G: 0.01})
					}
				}
			}
			const block = 128
			e := newTestEngine(b, cfg, 48000, block)
			out := makeOut(2, block)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				processAndDrain(e, out)
			}
			perSample := float64(b.Elapsed().Nanoseconds()) / (float64(b.N) * block)
			b.ReportMetric(perSample, "ns/sample")
			b.ReportMetric(1e9/48000/perSample, "x-realtime")
			b.ReportMetric(float64(len(cfg.Synapses)), "synapses")
			b.ReportMetric(float64(len(cfg.Gaps)), "gaps")
		})
	}
}
