package patches_test

import (
	"fmt"
	"path/filepath"

	"github.com/separatrix-audio/separatrix/patches"
)

func ExampleLoadInstallation() {
	in, err := patches.LoadInstallation("testdata/installation.toml")
	if err != nil {
		fmt.Println(err) // every line reads FILE:LINE:COL: what is wrong, and the fix
		return
	}
	fmt.Printf("%s: cap %g dBFS\n", in.Name, in.CapDB)
	for i, p := range in.Patches {
		switch score, ok := in.Attract.Scores[i]; {
		case ok:
			fmt.Printf("program %d: %s, tour from the score %s\n", i, p.Name, filepath.Base(score))
		default:
			fmt.Printf("program %d: %s, a %g s tour in %d steps\n", i, p.Name, p.Tour.Length, len(p.Tour.Steps))
		}
	}
	fmt.Println("attract after", in.Attract.Idle)
	for _, q := range in.Quiet {
		fmt.Printf("quiet %02d:%02d-%02d:%02d silent=%v cap=%g; contains 12:30: %v\n",
			q.From/60, q.From%60, q.To/60, q.To%60, q.Silent, q.CapDB, q.Contains(12*60+30))
	}
	fmt.Printf("view %s (PIN %s), OSC in %s, out %s at %g/s\n", in.View.Addr, in.View.PIN, in.OSC.Listen, in.OSC.Send, in.OSC.StateRate)
	// Output:
	// Neuron wall: cap -12 dBFS
	// program 0: hysteresis, a 48 s tour in 9 steps
	// program 1: snic, a 40 s tour in 8 steps
	// program 2: hopf-sub, a 52 s tour in 10 steps
	// program 3: drone, tour from the score drone-tour.mid
	// attract after 1m30s
	// quiet 12:00-13:30 silent=false cap=-30; contains 12:30: true
	// quiet 22:00-07:00 silent=true cap=0; contains 12:30: false
	// view 0.0.0.0:7400 (PIN 2718), OSC in 127.0.0.1:9000, out 192.168.1.20:9001 at 30/s
}
