package midimap

import (
	"math"
	"sync/atomic"

	"github.com/separatrix-audio/separatrix/emu"
)

// Controls turns incoming MIDI into engine events: controller moves into ramped
// emu.EventSet, notes into emu.EventKick (or, for a held kick map, emu.EventHold while
// the note is held).
//
// Handle and TakeAllOff belong to one goroutine (the one reading MIDI, or the offline
// renderer); Stats may be called from any goroutine.
type Controls struct {
	cc    []ccState
	kicks []KickMap
	held  [][2]uint64 // per kick map: the notes held in a Hold map, one bit per note

	allOff      bool
	allOffFrame int64

	handled, ignored, malformed atomic.Uint64
}

// ccState is one CC map with the controller position last received.
type ccState struct {
	m        CCMap
	msb, lsb byte
	msbSeen  bool // an LSB means nothing until its MSB has arrived

	// Soft takeover: the target's value as far as this map knows, whether the knob has
	// caught it, and the knob's previous value (NaN before its first move).
	value   float64
	engaged bool
	last    float64
}

// ControlStats counts the messages given to Controls.Handle; every message is counted
// once.
type ControlStats struct {
	Handled   uint64 // caused at least one event, released one of several held notes, or an all-off report
	Ignored   uint64 // well-formed but mapped to nothing (including note-offs)
	Malformed uint64 // status below 0x80, or a data byte above 127
}

// NewControls returns the MIDI-in side of cfg (its CC and Kicks maps). It panics if
// cfg does not Validate.
func NewControls(cfg Config) *Controls {
	if err := cfg.Validate(); err != nil {
		panic(err.Error())
	}
	c := &Controls{
		cc:    make([]ccState, len(cfg.CC)),
		kicks: append([]KickMap(nil), cfg.Kicks...),
		held:  make([][2]uint64, len(cfg.Kicks)),
	}
	for i, m := range cfg.CC {
		c.cc[i] = ccState{m: m, value: m.Start, engaged: !m.Soft, last: math.NaN()}
	}
	return c
}

// Sync tells the soft-takeover maps on a target that its value changed elsewhere (a
// ramp, a program change): they wait for their knob to pass value again. neuron may be
// emu.AllNeurons, which syncs maps of every neuron on that control, and maps on
// emu.AllNeurons are synced by any neuron.
func (c *Controls) Sync(neuron, control int32, value float64) {
	for i := range c.cc {
		s := &c.cc[i]
		if s.m.Control != control || !(neuron == emu.AllNeurons || s.m.Neuron == emu.AllNeurons || s.m.Neuron == neuron) {
			continue
		}
		s.value = value
		s.engaged = !s.m.Soft
	}
}

// move applies a knob move to a map and reports whether it becomes an event: always
// without soft takeover; with it, once the knob has reached or passed the target's value
// (within one 7-bit step).
func (c *Controls) move(i int, frame int64) (emu.Event, bool) {
	s := &c.cc[i]
	ev := s.event(frame)
	y := ev.Value
	if !s.engaged {
		tol := math.Abs(s.m.Max-s.m.Min) / 127
		crossed := !math.IsNaN(s.last) && (s.last-s.value)*(y-s.value) <= 0
		if math.Abs(y-s.value) <= tol || crossed {
			s.engaged = true
		}
	}
	s.last = y
	if !s.engaged {
		return ev, false
	}
	// Other maps on the same target now disagree with it: they wait for their knobs.
	for j := range c.cc {
		o := &c.cc[j]
		if j != i && o.m.Control == s.m.Control && (o.m.Neuron == s.m.Neuron || o.m.Neuron == emu.AllNeurons || s.m.Neuron == emu.AllNeurons) {
			o.value = y
			o.engaged = !o.m.Soft
		}
	}
	s.value = y
	return ev, true
}

// Handle appends to dst the engine events that message m, received at engine frame
// frame, causes, and returns the extended slice. It does not allocate when dst has room
// for MaxEvents events.
//
// Controller values:
//   - a 7-bit map (LSB -1) moves to value/127;
//   - a 14-bit map moves on its MSB to (MSB·128)/16383, since a new MSB resets the LSB
//     to 0 as the MIDI specification asks, and on its LSB to (MSB·128 + LSB)/16383; an
//     LSB before the map's first MSB is ignored. A controller that sends only the MSB
//     therefore reaches 16256/16383 of the range: bind such a controller as 7-bit.
//
// The travel passes through the map's Curve and is scaled to [Min, Max] (Min at 0 and
// Max at 1 exactly; Min > Max reverses the controller), giving an emu.EventSet whose
// Time is the map's Smoothing, so the engine ramps instead of stepping. A map with
// Channel 0 listens on every channel and keeps one position for all of them.
//
// A note-on with velocity v ≥ 1 inside a kick map's range gives an emu.EventKick of
// amplitude MinAmp + (MaxAmp-MinAmp)(v-1)/126 lasting Duration ms of model time on
// emu.ControlCurrent, with the map's Pulses (0: the neuron's pulses control, at the
// neuron's interval). In a Hold map it gives an emu.EventHold of that amplitude instead,
// and the note-off (or note-on with velocity 0) of the last note held in the map an
// emu.EventHold of 0: notes are held per note number, whatever their channel. Other
// note-offs are ignored.
//
// All Sound Off (CC 120) and All Notes Off (CC 123), on any channel, release every held
// note (an emu.EventHold of 0 per Hold map that held one) and are reported by
// TakeAllOff. The other channel-mode messages (121, 122, 124..127) and system messages
// (status 0xF0 and up) are ignored.
func (c *Controls) Handle(dst []emu.Event, m Msg, frame int64) []emu.Event {
	if m.Status < 0x80 {
		c.malformed.Add(1)
		return dst
	}
	if m.Status >= 0xF0 {
		c.ignored.Add(1)
		return dst
	}
	kind := m.Status & 0xF0
	// Program change and channel pressure carry one data byte; Data2 is padding there.
	if m.Data1 > 127 || (kind != 0xC0 && kind != 0xD0 && m.Data2 > 127) {
		c.malformed.Add(1)
		return dst
	}
	ch := int(m.Status&0x0F) + 1
	n := len(dst)
	released := false // a held note let go while others of its map are still held
	switch kind {
	case statusControlChange:
		if m.Data1 == ccAllSoundOff || m.Data1 == ccAllNotesOff {
			c.allOff, c.allOffFrame = true, frame
			c.handled.Add(1)
			return c.ReleaseHeld(dst, frame)
		}
		if m.Data1 >= firstModeCC {
			break
		}
		for i := range c.cc {
			s := &c.cc[i]
			if s.m.Bend || (s.m.Channel != 0 && s.m.Channel != ch) {
				continue
			}
			switch int(m.Data1) {
			case s.m.CC:
				s.msb, s.lsb, s.msbSeen = m.Data2, 0, true
			case s.m.LSB: // never -1
				s.lsb = m.Data2
				if !s.msbSeen {
					continue
				}
			default:
				continue
			}
			if ev, ok := c.move(i, frame); ok {
				dst = append(dst, ev)
			}
		}
	case statusPitchBend:
		for i := range c.cc {
			s := &c.cc[i]
			if !s.m.Bend || (s.m.Channel != 0 && s.m.Channel != ch) {
				continue
			}
			// Data1 is the LSB, Data2 the MSB.
			s.msb, s.lsb, s.msbSeen = m.Data2, m.Data1, true
			if ev, ok := c.move(i, frame); ok {
				dst = append(dst, ev)
			}
		}
	case statusNoteOn, statusNoteOff:
		note := int(m.Data1)
		on := kind == statusNoteOn && m.Data2 > 0
		bit, word := uint64(1)<<(note%64), note/64
		for i, k := range c.kicks {
			if (k.Channel != 0 && k.Channel != ch) || note < k.NoteLow || note > k.NoteHigh {
				continue
			}
			ev := emu.Event{Frame: frame, Neuron: k.Neuron, Control: emu.ControlCurrent}
			switch {
			case on && k.Hold:
				c.held[i][word] |= bit
				ev.Kind, ev.Value = emu.EventHold, lerp(k.MinAmp, k.MaxAmp, float64(m.Data2-1)/126)
			case on:
				ev.Kind, ev.Value, ev.Time = emu.EventKick, lerp(k.MinAmp, k.MaxAmp, float64(m.Data2-1)/126), k.Duration
				ev.Pulses = int32(k.Pulses)
			case k.Hold && c.held[i][word]&bit != 0:
				c.held[i][word] &^= bit
				released = true
				if c.held[i] != [2]uint64{} {
					continue // another note of the map is still held
				}
				ev.Kind = emu.EventHold
			default:
				continue
			}
			dst = append(dst, ev)
		}
	}
	if len(dst) > n || released {
		c.handled.Add(1)
	} else {
		c.ignored.Add(1)
	}
	return dst
}

// ReleaseHeld appends an emu.EventHold of 0 for every Hold map holding a note, as if
// each note had been let go at frame, and forgets the notes. A player calls it when the
// note-offs will no longer reach these Controls (a program change to another patch), so
// that no current stays held. It does not allocate when dst has room for MaxEvents
// events.
func (c *Controls) ReleaseHeld(dst []emu.Event, frame int64) []emu.Event {
	for i, k := range c.kicks {
		if c.held[i] != [2]uint64{} {
			c.held[i] = [2]uint64{}
			dst = append(dst, emu.Event{Frame: frame, Kind: emu.EventHold, Neuron: k.Neuron, Control: emu.ControlCurrent})
		}
	}
	return dst
}

// event is the EventSet for the map's current controller position.
func (s *ccState) event(frame int64) emu.Event {
	var x float64
	if s.m.LSB < 0 && !s.m.Bend {
		x = float64(s.msb) / 127
	} else {
		x = float64(int(s.msb)<<7|int(s.lsb)) / 16383
	}
	return emu.Event{
		Frame:   frame,
		Kind:    emu.EventSet,
		Neuron:  s.m.Neuron,
		Control: s.m.Control,
		Value:   lerp(s.m.Min, s.m.Max, s.m.Curve.Apply(x)),
		Time:    s.m.Smoothing,
	}
}

// MaxEvents is the most events one Handle call appends: one per CC map and kick map
// (a note, or an all-off releasing held notes, gives at most one per kick map).
func (c *Controls) MaxEvents() int { return len(c.cc) + len(c.kicks) }

// TakeAllOff reports whether an All Sound Off (CC 120) or All Notes Off (CC 123) has
// arrived since the previous call, and the frame of the latest one; it clears the
// report. Check it after each Handle and answer it with SpikeNotes.AllOff at that frame,
// so that live play and render silence their outputs alike.
func (c *Controls) TakeAllOff() (frame int64, ok bool) {
	frame, ok = c.allOffFrame, c.allOff
	c.allOff = false
	return frame, ok
}

// Stats returns the message counts so far. It is safe to call from any goroutine.
func (c *Controls) Stats() ControlStats {
	return ControlStats{
		Handled:   c.handled.Load(),
		Ignored:   c.ignored.Load(),
		Malformed: c.malformed.Load(),
	}
}
