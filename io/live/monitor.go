package live

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/patches"
)

// Monitor is what a running session tells about itself, for an installation's health
// check and watchdog: whether the audio flows, its gaps, the patch playing, the last
// input. Run keeps it up to date (about eight times a second) when Options.Monitor is set;
// Snapshot may be called from any goroutine.
type Monitor struct {
	mu   sync.Mutex
	snap MonitorSnapshot
}

// MonitorSnapshot is a Monitor's state at one moment.
type MonitorSnapshot struct {
	Started time.Time
	// Flowing is true while the stream renders to a device (Options.Audible): false
	// before it starts, from half a second without a rendered frame, and while no device
	// plays (a clock stands in for a dead device or server), until it renders to one again.
	Flowing   bool
	LastAudio time.Time // when the sound was last seen flowing
	Gaps      []Gap     // the most recent gaps in the sound, oldest first (at most MaxGaps)
	Frames    int64     // frames rendered, all patches
	Resets    uint64    // neurons reset for a non-finite state, all patches
	Patch     string    // the patch playing
	Attract   bool      // the attract tour plays
	Caption   string    // the tour's caption now ("" none)
	LastInput time.Time // a visitor's last input (the session's start before any)
	InputFrom string    // "midi", "page" or "osc" ("" before any)
	OSC       OSCStats  // what came in over OSC
	// Updated is when the monitor last looked: a snapshot much older than stallAfter
	// means the session itself is stuck, whatever Flowing says.
	Updated time.Time
}

// Gap is a stretch of time the audio did not flow. To is zero while it lasts.
type Gap struct {
	From, To time.Time
}

// MaxGaps bounds the gaps a Monitor remembers.
const MaxGaps = 16

// Snapshot returns the monitor's present state (a copy).
func (m *Monitor) Snapshot() MonitorSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.snap
	s.Gaps = append([]Gap(nil), m.snap.Gaps...)
	return s
}

func (m *Monitor) update(f func(s *MonitorSnapshot)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	f(&m.snap)
	m.mu.Unlock()
}

// stallAfter is how long without a rendered frame counts as the audio stopped: several
// periods of any sane buffer, short enough for a watchdog.
const stallAfter = 500 * time.Millisecond

// monitorLoop keeps opt.Monitor up to date and logs the audio stopping and coming back,
// one line each, for the journal; it also sets the output level opt.Level asks for.
func (s *session) monitorLoop(ctx context.Context) {
	m := s.opt.Monitor
	tick := time.NewTicker(stallAfter / 4)
	defer tick.Stop()
	var lastFrames int64 = -1
	lastMove := time.Now()
	var lastHeard time.Time // the last tick that found the sound flowing
	flowing := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if s.opt.Level != nil {
				s.player.SetLevel(s.opt.Level(now))
			}
			if m == nil {
				continue
			}
			var frames int64
			var resets uint64
			for i := range s.opt.Patches {
				e := s.player.Engine(i)
				frames += e.Frame()
				resets += e.Stats().Resets
			}
			if frames != lastFrames {
				lastFrames, lastMove = frames, now
			}
			rendering := now.Sub(lastMove) < stallAfter && frames > 0
			nowFlowing := rendering && (s.opt.Audible == nil || s.opt.Audible())
			switch {
			case nowFlowing && !flowing && !lastHeard.IsZero():
				fmt.Fprintf(s.opt.Log, "audio: flowing again after %.1f s\n", now.Sub(lastHeard).Seconds())
			case !nowFlowing && flowing && !rendering:
				fmt.Fprintf(s.opt.Log, "audio: stopped (no sound rendered for %.1f s)\n", now.Sub(lastMove).Seconds())
			case !nowFlowing && flowing:
				fmt.Fprintf(s.opt.Log, "audio: stopped (no device plays the sound)\n")
			}
			if nowFlowing {
				lastHeard = now
			}
			m.update(func(st *MonitorSnapshot) {
				if nowFlowing != flowing {
					if nowFlowing {
						if n := len(st.Gaps); n > 0 && st.Gaps[n-1].To.IsZero() {
							st.Gaps[n-1].To = now
						}
					} else {
						if len(st.Gaps) == MaxGaps {
							st.Gaps = append(st.Gaps[:0], st.Gaps[1:]...)
						}
						st.Gaps = append(st.Gaps, Gap{From: lastHeard})
					}
				}
				st.Flowing = nowFlowing
				st.LastAudio = lastHeard
				st.Updated = now
				st.Frames, st.Resets = frames, resets
				st.Patch = s.opt.Patches[s.player.Playing()].Name
				st.Attract = s.attracting.Load()
				st.OSC = s.oscStats.stats()
			})
			flowing = nowFlowing
		}
	}
}

// inputFrom records a visitor's input for the monitor.
func (s *session) inputFrom(source string) {
	s.noteInput()
	s.opt.Monitor.update(func(st *MonitorSnapshot) {
		st.LastInput, st.InputFrom = time.Now(), source
	})
}

// State is what an installation keeps across a restart: the patch playing and the
// controls the session set (by patch name, then target as a patch names it: "a.current").
type State struct {
	Patch    string                        `json:"patch"`
	Controls map[string]map[string]float64 `json:"controls"`
}

// The state is saved saveAfterQuiet after a visitor's last input, and at least every
// saveAtLeast while one plays on.
const (
	saveAfterQuiet = 20 * time.Second
	saveAtLeast    = 10 * time.Minute
)

// state is the session's state now. The control loop's.
func (s *session) state() State {
	st := State{Patch: s.opt.Patches[s.player.Playing()].Name, Controls: map[string]map[string]float64{}}
	for i, p := range s.opt.Patches {
		vals := map[string]float64{}
		for k, v := range s.values[i] {
			if name, ok := controlName(p, k); ok {
				vals[name] = v
			}
		}
		if len(vals) > 0 {
			st.Controls[p.Name] = vals
		}
	}
	return st
}

// restore applies a saved state before the sound starts: each control at its value at
// frame 0, knobs told (they wait to be caught), and the patch playing. Names the patches
// no longer have are skipped.
func (s *session) restore(st *State) {
	for i, p := range s.opt.Patches {
		e := s.player.Engine(i)
		for target, v := range st.Controls[p.Name] {
			n, c, err := patches.ResolveTarget(p, target)
			if err != nil {
				continue
			}
			e.Events().Push(emu.Event{Frame: 0, Kind: emu.EventSet, Neuron: int32(n), Control: int32(c), Value: v})
			s.noteValue(i, int32(n), int32(c), v)
			s.controls[i].Sync(int32(n), int32(c), v)
			s.view.noteSet(i, int32(n), int32(c), v)
		}
		if p.Name == st.Patch {
			s.player.Switch(i)
		}
	}
}

// controlName is the target a patch would write for key: "a.current".
func controlName(p *patches.Patch, k controlKey) (string, bool) {
	if k.neuron < 0 || int(k.neuron) >= len(p.NeuronNames) {
		return "", false
	}
	name, ok := emu.ControlName(p.Engine.Neurons[k.neuron].Model, k.control)
	if !ok {
		return "", false
	}
	return p.NeuronNames[k.neuron] + "." + name, true
}
