package live

import (
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
)

// This file's name puts its test first in the package: AllocsPerRun counts the whole
// process, and goroutines of the session tests (a view's geometry worker finishing its
// cell after its server has stopped, slowly under emulation) would count too.

// TestPlayerDoesNotAllocate: the audio callback, crossfading between two patches with
// events arriving (a knob's ramps, kicks, held notes), recording and publishing for the
// view, makes no allocation.
func TestPlayerDoesNotAllocate(t *testing.T) {
	var engines []*emu.Engine
	for _, name := range []string{"snic", "saddle-node"} {
		p := mustLoad(t, name)
		cfg := p.Engine
		cfg.Neurons[0].Current = 10
		cfg.TapRate = ViewTapRate // as with play --view
		e, err := emu.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
	}
	rec := NewSampleRing(48000, 2)
	pl, err := NewPlayer(engines, 48000, 256, rec)
	if err != nil {
		t.Fatal(err)
	}
	pl.PublishState() // as with OSC out: the states published after every block
	out := [][]float32{make([]float32, 128), make([]float32, 128)}
	drain := [][]float32{make([]float32, 4096), make([]float32, 4096)}
	i := 0
	block := func() {
		if i%20 == 0 {
			pl.Switch(i / 20 % 2)
		}
		pl.SetLevel(float64(i%7) / 6) // quiet hours coming and going: the level ramps
		// Events arriving as from a knob and keys: a ramped set, a kick, a held note.
		for _, e := range engines {
			f := e.Frame()
			e.Events().Push(emu.Event{Frame: f + 5, Kind: emu.EventSet, Neuron: 0, Control: emu.ControlCurrent, Value: 9 + float64(i%3), Time: 0.005})
			e.Events().Push(emu.Event{Frame: f + 40, Kind: emu.EventKick, Neuron: 0, Value: 10, Time: 0.5})
			e.Events().Push(emu.Event{Frame: f + 60, Kind: emu.EventHold, Neuron: 0, Value: float64(i % 2)})
		}
		pl.Process(out)
		rec.Read(drain)
		for _, e := range engines {
			for {
				if _, ok := e.Spikes().Pop(); !ok {
					break
				}
			}
		}
		i++
	}
	// AllocsPerRun counts the whole process: a goroutine of an earlier test still
	// winding down (slowly, under emulation) would count too. An allocation of
	// Process's own comes back every time; the fewest of three runs is what it makes.
	allocs := testing.AllocsPerRun(100, block)
	for try := 0; allocs != 0 && try < 2; try++ {
		time.Sleep(500 * time.Millisecond)
		allocs = min(allocs, testing.AllocsPerRun(100, block))
	}
	if allocs != 0 {
		t.Errorf("Player.Process allocates %v times per block", allocs)
	}
	if _, _, _, ok := pl.Published(0); !ok {
		t.Errorf("no state published")
	}
	if pl.Playing() != 0 && pl.Playing() != 1 {
		t.Errorf("playing %d", pl.Playing())
	}
}
