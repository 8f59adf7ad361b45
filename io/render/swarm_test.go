package render

import (
	"fmt"
	"math"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// TestSwarmRateIsTheAverageOfItsMembers: the swarm patch's population rate against
// current is the average of the rates of single neurons at its members' currents (the
// knob's value, -2 to +2 in 1000 even steps), within 2%, from below the first
// member's threshold to every member firing: recruitment as the knob turns.
func TestSwarmRateIsTheAverageOfItsMembers(t *testing.T) {
	p := load(t, "swarm")
	spec := p.Engine.Neurons[0]
	n := spec.Population.Count
	if n != 1000 || len(spec.Population.Spread) != 1 || spec.Population.Spread[0].Width != 2 {
		t.Fatalf("swarm is %d members spread %+v; this test expects 1000 at ±2", n, spec.Population.Spread)
	}
	const rate, skip, seconds = 48000, 0.25, 1.25
	currents := []float64{3, 4.5, 5.5, 8}
	if testing.Short() {
		// A quick look (the arm64 tests run emulated, 20 times slower): 50 members over
		// the same spread, at two currents.
		n = 50
		p.Engine.Neurons[0].Population.Count = n
		spec.Population.Count = n
		currents = []float64{4.5, 8}
	}
	for _, current := range currents {
		var pop int
		perf := Performance{Sets: []Set{{Target: "a.current", Value: current}}}
		sink := Sink{Spike: func(s emu.Spike) {
			if float64(s.Frame) >= skip*rate {
				pop++
			}
		}}
		if _, err := Run(p, perf, Options{SampleRate: rate, Duration: skip + seconds}, sink); err != nil {
			t.Fatal(err)
		}

		singles := make([]emu.NeuronSpec, n)
		for k := range singles {
			singles[k] = spec
			singles[k].Population = emu.Population{}
			singles[k].Name = fmt.Sprint("n", k)
			singles[k].Current = current - 2 + 4*float64(k)/float64(n-1)
		}
		e, err := emu.New(emu.Config{Neurons: singles, SpikeCapacity: 1 << 16})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Prepare(rate, 480); err != nil {
			t.Fatal(err)
		}
		out := [][]float32{make([]float32, 480), make([]float32, 480)}
		single := 0
		for f := 0; f < (skip+seconds)*rate; f += 480 {
			e.Process(out)
			for {
				s, ok := e.Spikes().Pop()
				if !ok {
					break
				}
				if float64(s.Frame) >= skip*rate {
					single++
				}
			}
		}
		popRate := float64(pop) / float64(n) / seconds
		avg := float64(single) / float64(n) / seconds
		t.Logf("at %g µA/cm²: the swarm fires %.3f Hz a member, single neurons at its currents %.3f Hz on average", current, popRate, avg)
		if current == 3 && avg == 0 || current == 8 && avg < 50 {
			t.Fatalf("single neurons average %.3f Hz at %g: not the recruitment this test is about", avg, current)
		}
		if math.Abs(popRate-avg) > 0.02*avg {
			t.Errorf("at %g µA/cm²: the swarm fires %.3f Hz a member, single neurons at its currents %.3f Hz (want within 2%%)", current, popRate, avg)
		}
	}
}
