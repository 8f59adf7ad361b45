package render

import (
	"testing"

	"github.com/separatrix-audio/separatrix/io/midimap"
)

// BenchmarkRender reports how many times faster than real time one neuron (the snic
// patch at I = 10, firing) renders at 48 kHz, audio, notes and table rows all produced.
func BenchmarkRender(b *testing.B) {
	p, err := loadB(b, "snic")
	if err != nil {
		b.Fatal(err)
	}
	perf := Performance{Sets: []Set{{Target: "current", Value: 10}}}
	var samples, notes, rows int
	sink := Sink{
		Audio: func(block [][]float32) error { samples += len(block[0]); return nil },
		MIDI:  func(midimap.Timed) error { notes++; return nil },
		Table: func([]float64) error { rows++; return nil },
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(p, perf, Options{SampleRate: 48000, Duration: 1}, sink); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
	if samples != b.N*48000 || notes == 0 || rows < b.N*1000 {
		b.Fatalf("render produced %d samples, %d notes, %d rows for %d s", samples, notes, rows, b.N)
	}
}
