package analysis_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
)

// Where does the bistable integrator start firing, and where does it stop?
func ExampleSystem_Analyze() {
	p, _ := emu.INaPK.Preset("saddle-node")
	s, err := analysis.NewSystem(emu.INaPK, emu.INaPK.Values(nil, p))
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
	s, _ := analysis.NewSystem(emu.INaPK, nil) // the default preset, snic
	for _, e := range s.Equilibria(0) {
		fmt.Printf("%-15s V = %6.2f mV\n", e.Kind(), e.State[0])
	}
	// Output:
	// stable node     V = -65.95 mV
	// saddle          V = -56.14 mV
	// unstable focus  V = -27.28 mV
}
