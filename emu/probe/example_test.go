package probe_test

import (
	"fmt"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/probe"
)

func inapk(preset string, current float64) probe.Neuron {
	m := emu.INaPK()
	p, _ := m.Preset(preset)
	return probe.Neuron{Spec: emu.NewNeuronSpec("a", m, p), Current: current}
}

// Two pulses fire the resonator most easily when the second arrives one period of the
// damped oscillation the first set off; the integrator when they come together.
func ExampleDoublet() {
	for _, n := range []probe.Neuron{inapk("hopf-super", 10), inapk("snic", 0)} {
		r, err := probe.Doublet(n, probe.DoubletOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-10s %s: best interval %.1f ms", n.Spec.Preset, r.Verdict, *r.BestIntervalMs)
		if r.PredictedIntervalMs != nil {
			fmt.Printf(", damped period 2π/ω %.1f ms", *r.PredictedIntervalMs)
		}
		fmt.Println()
	}
	// Output:
	// hopf-super resonator: best interval 3.4 ms, damped period 2π/ω 3.2 ms
	// snic       integrator: best interval 0.5 ms
}

// An integrator's threshold is all-or-none, a resonator's graded.
func ExampleThreshold() {
	for _, n := range []probe.Neuron{inapk("saddle-node", 0), inapk("hopf-super", 0)} {
		r, err := probe.Threshold(n, probe.ThresholdOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-11s %-10s threshold %.2f µA/cm², 10-90%% width %.2f of it\n",
			n.Spec.Preset, r.Verdict, *r.ThresholdAmplitude, *r.ThresholdWidth)
	}
	// Output:
	// saddle-node integrator threshold 22.58 µA/cm², 10-90% width 0.00 of it
	// hopf-super  resonator  threshold 28.21 µA/cm², 10-90% width 0.14 of it
}

// Held down and let go, the resonator fires near its Hopf point; the integrator never.
func ExampleRebound() {
	for _, n := range []probe.Neuron{inapk("hopf-super", 13), inapk("snic", 0)} {
		r, err := probe.Rebound(n, probe.ReboundOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-10s %-10s rebound spike %v", n.Spec.Preset, r.Verdict, r.ReboundSpike)
		if s := r.Smallest; s != nil {
			fmt.Printf(" from %.0f µA/cm² for %.1f ms", s.Amplitude, s.Width)
		}
		fmt.Println()
	}
	// Output:
	// hopf-super resonator  rebound spike true from -32 µA/cm² for 3.0 ms
	// snic       integrator rebound spike false
}

// The resonator answers a sine best near its damped frequency; the integrator's
// response falls off from the lowest frequency.
func ExampleChirp() {
	for _, n := range []probe.Neuron{inapk("hopf-super", 10), inapk("snic", 0)} {
		r, err := probe.Chirp(n, probe.ChirpOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		if r.PeakHz == nil {
			fmt.Printf("%-10s %-10s no peak above %.0f Hz\n", n.Spec.Preset, r.Verdict, r.FromHz)
			continue
		}
		fmt.Printf("%-10s %-10s peak at %.0f Hz, damped frequency %.0f Hz\n", n.Spec.Preset, r.Verdict, *r.PeakHz, *r.DampedHz)
	}
	// Output:
	// hopf-super resonator  peak at 312 Hz, damped frequency 309 Hz
	// snic       integrator no peak above 1 Hz
}
