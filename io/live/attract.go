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

// isInput tells a visitor's MIDI from the traffic devices send by themselves: only
// channel messages count (not clock, active sensing, time code, song position or
// system exclusive, which a show controller may send all day).
func isInput(m midimap.Msg) bool { return m.Status >= 0x80 && m.Status < 0xF0 }

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
	now := s.player.Engine(t.patch).Frame()
	end := t.start + t.length
	// What falls due up to the end plays, the last step at the very end included; then
	// the next patch's tour starts.
	evBuf = s.playDue(evBuf, min(now, end))
	if now >= end {
		s.releaseScore(t.patch)
		next := t.patch
		for k := 1; k <= len(s.opt.Patches); k++ {
			if j := (t.patch + k) % len(s.opt.Patches); s.hasTour(j) {
				next = j
				break
			}
		}
		s.startTour(next)
		t = &s.tour
		now = s.player.Engine(next).Frame()
		end = t.start + t.length
		evBuf = s.playDue(evBuf, now)
	}
	wait := end - now
	if at, ok := s.nextDue(); ok {
		wait = min(wait, at-now)
	}
	return evBuf, time.Duration(float64(max(wait, 0)) / s.opt.SampleRate * float64(time.Second))
}

// due is the frame at which the tour's moment seconds falls.
func (s *session) due(seconds float64) int64 {
	return s.tour.start + int64(seconds*s.opt.SampleRate)
}

// playDue plays the tour's steps (or score events) due by frame upTo.
func (s *session) playDue(evBuf []emu.Event, upTo int64) []emu.Event {
	t := &s.tour
	now := s.player.Engine(t.patch).Frame()
	if sc := s.score(t.patch); sc != nil {
		for t.next < len(sc.Events) && s.due(sc.Events[t.next].Seconds) <= upTo {
			evBuf = s.scoreControls[t.patch].Handle(evBuf[:0], sc.Events[t.next].Msg, now)
			s.playScoreEvents(t.patch, evBuf, now)
			t.next++
		}
		return evBuf
	}
	steps := s.opt.Patches[t.patch].Tour.Steps
	for t.next < len(steps) && s.due(steps[t.next].At) <= upTo {
		s.playStep(t.patch, steps[t.next], now)
		t.next++
	}
	return evBuf
}

// nextDue is the frame of the tour's next step or score event, if any.
func (s *session) nextDue() (int64, bool) {
	t := &s.tour
	if sc := s.score(t.patch); sc != nil {
		if t.next < len(sc.Events) {
			return s.due(sc.Events[t.next].Seconds), true
		}
		return 0, false
	}
	if steps := s.opt.Patches[t.patch].Tour.Steps; t.next < len(steps) {
		return s.due(steps[t.next].At), true
	}
	return 0, false
}

// playScoreEvents pushes what a score's message did through the tour's own MIDI map
// (no soft takeover: the score is the performer). A control it moves is followed like a
// tour step's ramp, so that a visitor's input stops it where it stands, and the
// visitor's knobs learn where it went: they wait to be caught there.
func (s *session) playScoreEvents(patch int, evs []emu.Event, now int64) {
	e := s.player.Engine(patch)
	for _, ev := range evs {
		e.Events().Push(ev) // a full ring drops and counts
		if ev.Kind != emu.EventSet {
			continue
		}
		frames := int64(ev.Time * s.opt.SampleRate)
		for _, n := range s.neuronsOf(patch, ev.Neuron) {
			s.tour.ramps = append(s.tour.ramps, tourRamp{neuron: n, control: ev.Control,
				from: s.value(patch, n, ev.Control), to: ev.Value, start: now, frames: frames})
		}
		s.noteValue(patch, ev.Neuron, ev.Control, ev.Value)
		s.controls[patch].Sync(ev.Neuron, ev.Control, ev.Value)
		s.view.noteSet(patch, ev.Neuron, ev.Control, ev.Value)
	}
}

// releaseScore lets go of what a score holds on patch i (its held keys).
func (s *session) releaseScore(i int) {
	if s.scoreControls == nil || s.scoreControls[i] == nil {
		return
	}
	e := s.player.Engine(i)
	for _, ev := range s.scoreControls[i].ReleaseHeld(nil, e.Frame()) {
		e.Events().Push(ev)
	}
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
	s.releaseScore(t.patch)
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
