package live

import (
	"fmt"
	"math"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/patches"
)

// Attract is installation mode's attract tour (separatrix exhibit): after Idle with no
// input from any source (MIDI, a page, OSC), each patch plays its tour by itself (the
// patch's own, or a MIDI score through its MIDI map), one patch after another, with
// captions. The first input ends it where it stands: every control the tour was moving
// stops at its present value, so nothing jumps, and a soft-takeover knob waits to be
// caught there.
type Attract struct {
	// Idle is how long no input must last before the tour starts (at least a second).
	Idle time.Duration
	// Scores[i], if not nil, is played through patch i's MIDI map instead of its tour.
	// Scores may be shorter than the patches.
	Scores []*midifile.Score
	// Caption, if not nil, receives each caption as the tour shows it, and "" when the
	// tour ends. It is called from the control loop and must not block.
	Caption func(string)
}

// tour is the attract tour in progress; only the control loop touches it.
type tour struct {
	on     bool
	patch  int
	start  int64 // the patch's engine frame at the tour's start
	length int64 // frames
	next   int   // the next step or score event
	ramps  []tourRamp
}

// tourRamp is a control the tour moves: where it stands at any frame, so that the
// tour can be stopped there.
type tourRamp struct {
	neuron, control int32
	from, to        float64
	start, frames   int64
}

// at is the ramp's value at frame f.
func (r tourRamp) at(f int64) float64 {
	if r.frames <= 0 || f >= r.start+r.frames {
		return r.to
	}
	if f <= r.start {
		return r.from
	}
	return r.from + (r.to-r.from)*float64(f-r.start)/float64(r.frames)
}

// minIdle bounds Attract.Idle from below: a tour that cut in between a visitor's moves
// would take the instrument out of their hands.
const minIdle = time.Second

// noteInput records that a visitor did something, now.
func (s *session) noteInput() { s.lastInput.Store(time.Now().UnixNano()) }

// isInput tells a visitor's MIDI from the traffic devices send by themselves: clock,
// active sensing and the other system real-time messages do not count.
func isInput(m midimap.Msg) bool { return m.Status < 0xF8 }

// attractDue returns how long until the tour should start (0 or less: now), or false
// without an attract mode.
func (s *session) attractDue() (time.Duration, bool) {
	a := s.opt.Attract
	if a == nil {
		return 0, false
	}
	idle := max(a.Idle, minIdle)
	return time.Until(time.Unix(0, s.lastInput.Load()).Add(idle)), true
}

// hasTour reports whether patch i has something for the tour to play.
func (s *session) hasTour(i int) bool {
	if a := s.opt.Attract; a != nil && i < len(a.Scores) && a.Scores[i] != nil {
		return true
	}
	t := s.opt.Patches[i].Tour
	return t != nil && len(t.Steps) > 0
}

// startTour plays patch i's tour from its beginning, switching to the patch.
func (s *session) startTour(i int) {
	s.tour.on = true // switchTo logs no program changes of the tour's: a day of them would flood the journal
	s.switchTo(i)
	e := s.player.Engine(i)
	length := 0.0
	if sc := s.score(i); sc != nil {
		length = sc.Length
	} else {
		length = s.opt.Patches[i].Tour.Length
	}
	s.tour = tour{on: true, patch: i, start: e.Frame(), length: int64(math.Max(length, 1) * s.opt.SampleRate),
		ramps: s.tour.ramps[:0]}
	s.attracting.Store(true)
}

func (s *session) score(i int) *midifile.Score {
	if a := s.opt.Attract; a != nil && i < len(a.Scores) {
		return a.Scores[i]
	}
	return nil
}

// stepTour plays what of the tour is due, moves on to the next patch's tour at the end
// of one, and returns the wait until the next step.
func (s *session) stepTour(evBuf []emu.Event) ([]emu.Event, time.Duration) {
	t := &s.tour
	e := s.player.Engine(t.patch)
	now := e.Frame()
	if now >= t.start+t.length {
		next := t.patch
		for k := 1; k <= len(s.opt.Patches); k++ {
			if j := (t.patch + k) % len(s.opt.Patches); s.hasTour(j) {
				next = j
				break
			}
		}
		s.startTour(next)
		t, e = &s.tour, s.player.Engine(next)
		now = e.Frame()
	}
	due := func(seconds float64) int64 { return t.start + int64(seconds*s.opt.SampleRate) }
	var wait int64
	if sc := s.score(t.patch); sc != nil {
		for t.next < len(sc.Events) && due(sc.Events[t.next].Seconds) <= now {
			evBuf = s.controls[t.patch].Handle(evBuf[:0], sc.Events[t.next].Msg, now)
			s.pushAll(t.patch, evBuf)
			t.next++
		}
		wait = t.start + t.length - now
		if t.next < len(sc.Events) {
			wait = min(wait, due(sc.Events[t.next].Seconds)-now)
		}
	} else {
		steps := s.opt.Patches[t.patch].Tour.Steps
		for t.next < len(steps) && due(steps[t.next].At) <= now {
			s.playStep(t.patch, steps[t.next], now)
			t.next++
		}
		wait = t.start + t.length - now
		if t.next < len(steps) {
			wait = min(wait, due(steps[t.next].At)-now)
		}
	}
	return evBuf, time.Duration(float64(max(wait, 0)) / s.opt.SampleRate * float64(time.Second))
}

// playStep plays one step of a patch's tour at frame now.
func (s *session) playStep(patch int, st patches.TourStep, now int64) {
	e := s.player.Engine(patch)
	if st.Caption != "" {
		s.caption(st.Caption)
	}
	if st.Target != "" {
		neuron, control := int32(st.Neuron), int32(st.Control)
		frames := int64(st.Over * s.opt.SampleRate)
		for _, n := range s.neuronsOf(patch, neuron) {
			s.tour.ramps = append(s.tour.ramps, tourRamp{neuron: n, control: control,
				from: s.value(patch, n, control), to: st.To, start: now, frames: frames})
		}
		e.Events().Push(emu.Event{Frame: now, Kind: emu.EventSet, Neuron: neuron, Control: control, Value: st.To, Time: st.Over})
		s.noteValue(patch, neuron, control, st.To)
		s.controls[patch].Sync(neuron, control, st.To)
		s.view.noteSet(patch, neuron, control, st.To)
	}
	if st.Kick >= 0 {
		if ev, ok := s.opt.Patches[patch].TourKick(st.Kick); ok {
			ev.Frame = now
			e.Events().Push(ev)
		}
	}
}

// stopTour ends the tour where it stands (a visitor's input): every control it moves
// stops at its present value, which the knobs and the page learn, and held score notes
// are let go.
func (s *session) stopTour() {
	t := &s.tour
	if !t.on {
		return
	}
	e := s.player.Engine(t.patch)
	now := e.Frame()
	for _, r := range t.ramps {
		if now >= r.start+r.frames {
			continue // finished: the control already rests at its value
		}
		v := r.at(now)
		// A short ramp from wherever the engine has it to where the tour's ramp stands:
		// the two differ by at most a block's movement, which this smooths.
		e.Events().Push(emu.Event{Frame: now, Kind: emu.EventSet, Neuron: r.neuron, Control: r.control, Value: v, Time: 0.01})
		s.noteValue(t.patch, r.neuron, r.control, v)
		s.controls[t.patch].Sync(r.neuron, r.control, v)
		s.view.noteSet(t.patch, r.neuron, r.control, v)
	}
	for _, ev := range s.controls[t.patch].ReleaseHeld(nil, now) {
		e.Events().Push(ev)
	}
	*t = tour{ramps: t.ramps[:0]}
	s.attracting.Store(false)
	s.caption("")
	fmt.Fprintf(s.opt.Log, "attract: a visitor plays\n")
}

// caption shows the tour's caption c ("" none).
func (s *session) caption(c string) {
	s.captionNow.Store(&c)
	s.opt.Monitor.update(func(st *MonitorSnapshot) { st.Caption = c })
	if s.opt.Attract != nil && s.opt.Attract.Caption != nil {
		s.opt.Attract.Caption(c)
	}
}

// pushAll pushes events to patch i's engine, keeping the values the session follows.
func (s *session) pushAll(i int, evs []emu.Event) {
	e := s.player.Engine(i)
	for _, ev := range evs {
		e.Events().Push(ev) // a full ring drops and counts
		if ev.Kind == emu.EventSet {
			s.noteValue(i, ev.Neuron, ev.Control, ev.Value)
			s.view.noteSet(i, ev.Neuron, ev.Control, ev.Value)
		}
	}
}

// neuronsOf expands emu.AllNeurons into patch i's neurons.
func (s *session) neuronsOf(i int, neuron int32) []int32 {
	if neuron != emu.AllNeurons {
		return []int32{neuron}
	}
	all := make([]int32, len(s.opt.Patches[i].Engine.Neurons))
	for k := range all {
		all[k] = int32(k)
	}
	return all
}

// controlKey names one control of one neuron.
type controlKey struct{ neuron, control int32 }

// value is the last value the session set (neuron, control) of patch i to, or the
// patch's own value before any.
func (s *session) value(i int, neuron, control int32) float64 {
	if v, ok := s.values[i][controlKey{neuron, control}]; ok {
		return v
	}
	return s.opt.Patches[i].Engine.Neurons[neuron].ControlValue(control)
}

// noteValue records a value set on patch i (neuron may be emu.AllNeurons).
func (s *session) noteValue(i int, neuron, control int32, v float64) {
	for _, n := range s.neuronsOf(i, neuron) {
		s.values[i][controlKey{n, control}] = v
		s.echo(i, n, control, v)
	}
}
