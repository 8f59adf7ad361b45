package emu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Population makes one neuron of a Config many: Count members of the same model that
// differ as Spread says, played and addressed as one neuron. Its controls move every
// member and keep the spread (current = 5 puts the members' currents around 5); a kick,
// a held note or a reset reaches every member; noise is each member's own (independent
// processes of the neuron's sigma); its sound is the members' mix scaled by 1/√Count, so
// members firing out of step sound as loud as one neuron whatever their number (in step
// they are louder, up to the limiter). Its spikes are each member's (Spike.Member), and
// State, Param and the tap show the member nearest its own values. A population is
// stepped in a batch of its own, its input added by the kernel, so a knob moving costs
// one value a sample, not Count.
type Population struct {
	Count  int      // members, 1 to MaxNeurons in all (0 means 1: a single neuron)
	Spread []Spread // how the members differ; none: all alike (their noise still differs)
	Seed   uint64   // draws the members' offsets: the same seed, the same members
}

// Spread is how one control differs across a population's members: each member's value
// is the neuron's plus an offset drawn once, when the engine is built.
type Spread struct {
	Control int32 // ControlCurrent or ControlParam+k
	Dist    SpreadDist
	Width   float64 // uniform: the half-width (offsets in ±Width); normal: the standard deviation
}

// SpreadDist is the distribution of a Spread's offsets.
type SpreadDist uint8

const (
	// SpreadEven places the members at equal steps across ±Width (member 0 at -Width,
	// the last at +Width): the population's rate against current is then the average
	// of single neurons at those currents, with no sampling noise.
	SpreadEven    SpreadDist = iota
	SpreadUniform            // offsets drawn uniformly in ±Width
	SpreadNormal             // offsets drawn from a normal distribution of standard deviation Width
)

func (d SpreadDist) String() string {
	switch d {
	case SpreadEven:
		return "even"
	case SpreadUniform:
		return "uniform"
	case SpreadNormal:
		return "normal"
	}
	return fmt.Sprintf("SpreadDist(%d)", uint8(d))
}

// members is how many neurons spec s stands for.
func (s *NeuronSpec) members() int { return max(s.Population.Count, 1) }

// checkPopulation refuses a population the engine cannot build: a spread of an unknown
// control, a negative or non-finite width, or one wider than the control's range.
func checkPopulation(s *NeuronSpec) error {
	p := s.Population
	if p.Count < 0 {
		return fmt.Errorf("a population of %d members", p.Count)
	}
	seen := map[int32]bool{}
	for _, sp := range p.Spread {
		lo, hi, ok := ControlRange(s.Model, sp.Control)
		if !ok || !(sp.Control == ControlCurrent || sp.Control >= ControlParam) {
			return fmt.Errorf("a spread of control %d: only the current and the model's parameters can be spread", sp.Control)
		}
		name := controlName(s.Model, sp.Control)
		if seen[sp.Control] {
			return fmt.Errorf("%s is spread twice", name)
		}
		seen[sp.Control] = true
		if sp.Dist > SpreadNormal {
			return fmt.Errorf("the spread of %s has an unknown distribution %d", name, sp.Dist)
		}
		if !(sp.Width >= 0 && sp.Width <= hi-lo) {
			return fmt.Errorf("the spread of %s is %g wide: it must be between 0 and the control's range, %g", name, sp.Width, hi-lo)
		}
	}
	return nil
}

func controlName(m *Model, c int32) string {
	if c >= ControlParam && int(c-ControlParam) < len(m.Params) {
		return m.Params[c-ControlParam].Name
	}
	if c >= 0 && int(c) < len(controlNames) {
		return controlNames[c]
	}
	return fmt.Sprint("control ", c)
}

// offsets draws a spread's offset for each of n members.
func (sp Spread) offsets(n int, rng *rand.Rand) []float64 {
	off := make([]float64, n)
	for k := range off {
		switch sp.Dist {
		case SpreadEven:
			if n > 1 {
				off[k] = sp.Width * (2*float64(k)/float64(n-1) - 1)
			}
		case SpreadUniform:
			off[k] = sp.Width * (2*rng.Float64() - 1)
		case SpreadNormal:
			off[k] = sp.Width * rng.NormFloat64()
		}
	}
	return off
}

var controlNames = [...]string{"current", "gain", "pan", "noise", "pulses", "interval"}

var errPopulationGap = errors.New("a population cannot have gap junctions (they need each member's voltage at every RK4 stage): use synapses")

// popGain is the gain of each member of a population of n: the mix of n members firing
// out of step sums like independent signals, √n times one.
func popGain(n int) float64 { return 1 / math.Sqrt(float64(n)) }

// addPopulation makes the members of population neuron i, spec s, in batch b: each with
// its spread parameters (clamped to their ranges) and current offset, and its own noise.
// It returns the member that stands for the population (State, Param, the tap): the one
// whose offsets are smallest, nearest the population's own values.
func (b *batch) addPopulation(i int, s *NeuronSpec) int {
	n := s.members()
	rng := rand.New(rand.NewPCG(s.Population.Seed, 0x9e3779b97f4a7c15))
	b.pop = true
	b.pCentre = append([]float64(nil), s.Params...)
	b.pOffset = make([][]float64, len(s.Params))
	var current []float64
	for _, sp := range s.Population.Spread {
		off := sp.offsets(n, rng)
		if sp.Control == ControlCurrent {
			current = off
		} else {
			b.pOffset[sp.Control-ControlParam] = off
		}
	}
	member := *s
	member.Params = make([]float64, len(s.Params))
	for k := 0; k < n; k++ {
		for p := range member.Params {
			member.Params[p] = b.memberParam(p, k, s.Params[p])
		}
		m := b.add(i, &member)
		if current != nil {
			b.offset[m] = current[k]
		}
	}
	b.noise = make([]float64, n)
	centre, best := 0, math.Inf(1)
	for k := 0; k < n; k++ {
		d := math.Abs(b.offset[k])
		for _, off := range b.pOffset {
			if off != nil {
				d += math.Abs(off[k])
			}
		}
		if d < best {
			centre, best = k, d
		}
	}
	return centre
}

// memberParam is member k's value of parameter p when the population's is v: v plus the
// member's offset, within the parameter's range.
func (b *batch) memberParam(p, k int, v float64) float64 {
	if off := b.pOffset[p]; off != nil {
		v += off[k]
	}
	pm := b.model.Params[p]
	return max(pm.Min, min(pm.Max, v))
}
