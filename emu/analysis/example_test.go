package analysis_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
)

// Where does the bistable integrator start firing, and where does it stop?
func ExampleSystem_Analyze() {
	m := emu.INaPK()
	p, _ := m.Preset("saddle-node")
	s, err := analysis.NewSystem(m, m.Values(nil, p))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Analyze(0, p.Sweep[0], p.Sweep[1])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s\n", r.Stability, r.Excitability)
	fmt.Printf("rest lost in a %s at I = %.2f\n", r.RestLoss.Kind, r.RestLoss.Current)
	fmt.Printf("firing stops at I = %.2f (%s)\n", *r.CycleEnd, r.CycleEndKind)
	// Output:
	// bistable integrator
	// rest lost in a saddle-node at I = 4.51
	// firing stops at I = -0.30 (homoclinic)
}

func ExampleSystem_Equilibria() {
	s, _ := analysis.NewSystem(emu.INaPK(), nil) // the default preset, snic
	for _, e := range s.Equilibria(0) {
		fmt.Printf("%-15s V = %6.2f mV\n", e.Kind(), e.State[0])
	}
	// Output:
	// stable node     V = -65.95 mV
	// saddle          V = -56.14 mV
	// unstable focus  V = -27.28 mV
}

// Every interval where a stable equilibrium and a stable cycle coexist: FitzHugh-Nagumo
// is bistable just below where rest is lost, and again at the top, where the high state
// has regained stability while firing goes on (depolarisation block).
func ExampleReport_bistableRanges() {
	p, _ := emu.FitzHughNagumo().Preset("classic")
	s, err := analysis.NewSystem(emu.FitzHughNagumo(), emu.FitzHughNagumo().Values(nil, p))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Analyze(0, p.Sweep[0], p.Sweep[1])
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range r.BistableRanges {
		fmt.Printf("%s and %s from %.3f (%s of %s) to %.3f (%s of %s)\n", b.States[0], b.States[1],
			b.From.Current, b.From.Kind, b.From.Of, b.To.Current, b.To.Kind, b.To.Of)
	}
	// Output:
	// rest and firing from 0.324 (fold of firing) to 0.331 (hopf of rest)
	// high and firing from 1.419 (hopf of high) to 1.426 (fold of firing)
}
