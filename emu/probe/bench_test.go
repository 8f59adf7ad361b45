package probe

import "testing"

// Each experiment with its defaults, on a resonator near its Hopf point (the slowest
// case: its ringing takes longest to die away) and on an integrator.
func BenchmarkExperiments(b *testing.B) {
	for _, c := range []struct {
		preset string
		I      float64
	}{{"hopf-super", 13}, {"snic", 0}} {
		n := neuron(b, c.preset, c.I)
		for _, e := range []struct {
			name string
			run  func() error
		}{
			{"doublet", func() error { _, err := Doublet(n, DoubletOptions{}); return err }},
			{"rebound", func() error { _, err := Rebound(n, ReboundOptions{}); return err }},
			{"threshold", func() error { _, err := Threshold(n, ThresholdOptions{}); return err }},
			{"chirp", func() error { _, err := Chirp(n, ChirpOptions{}); return err }},
		} {
			b.Run(c.preset+"/"+e.name, func(b *testing.B) {
				for b.Loop() {
					if err := e.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
