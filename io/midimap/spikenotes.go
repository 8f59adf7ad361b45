package midimap

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/separatrix-audio/separatrix/emu"
)

// SpikeNotes turns engine spikes into MIDI for one output (one port, or one SMF).
//
// Call Spike for each spike in frame order, Advance after every block, and AllOff on
// exit or when a CC 120/123 arrives (Controls.TakeAllOff). The output depends only on
// the spikes and the AllOff frames, not on block sizes, so live play sends what render
// writes. The Timed frames appended never decrease across calls, whichever method
// appends them: a message that would be earlier than one already appended (only
// possible when spikes arrive out of order) is stamped with that message's frame.
//
// Every note-on appended gets its note-off, and no key gets two note-ons without a
// note-off between them.
//
// All methods except Stats belong to one goroutine; Stats may be called from any.
// Spike, Advance and AllOff do not allocate when dst has room for MaxAppend messages.
type SpikeNotes struct {
	voices   []voice
	channels []byte // CC-123 status byte of each channel the maps use

	sampleRate  float64
	msPerSample float64 // model ms per frame
	window      float64 // PopulationRateWindow, in frames
	minRelease  int64   // 50 ms, in frames
	ccGap       int64   // RateCCInterval, in frames

	// Token bucket over sound time. Credit is kept in token·frames (one token is
	// sampleRate units) so that whole-number rates count exactly.
	capped       bool
	rate, depth  float64 // tokens per second; bucket size in credit units
	credit       float64
	creditFrame  int64
	last         int64 // frame of the last message appended
	notes, drops atomic.Uint64
}

// RateCCInterval is the shortest time between two firing-rate controller messages of
// one map, in seconds of sound: 50 messages a second at most, smooth to the ear of a
// synth and a small share of a DIN cable.
const RateCCInterval = 0.02

// voice is one spike map, or one key of a map that spreads a population's members over
// a range of keys, and the state of its key and rate controller.
type voice struct {
	neuron    int32
	memberLo  int32 // the members it plays: memberLo <= Spike.Member < memberHi
	memberHi  int32
	members   float64 // > 1: the rate controller carries the population's average
	popRate   float64 // the population's spikes, exponentially weighted (PopulationRateWindow)
	popFrame  int64   // frame popRate was last brought up to
	gate      bool
	on, off   Msg
	ccStatus  byte
	cc        int     // rate controller, -1 for none
	rateScale float64 // CC units per model Hz
	dur       int64   // ModeSpike note length, frames
	release   int64   // silence after this many frames; 0 for auto
	watch     bool    // whether silence matters (gate mode or rate CC)

	sounding bool
	offAt    int64 // ModeSpike: frame of the pending note-off while sounding
	alive    bool  // a spike within the silence window
	silentAt int64 // frame at which the neuron counts as silent, while alive
	lastCC   int   // last rate value sent, -1 for none
	ccFrame  int64 // frame of the last rate value sent
}

// SpikeStats counts note-ons.
type SpikeStats struct {
	Notes   uint64 // note-ons sent
	Dropped uint64 // note-ons dropped by MaxNotesPerSecond (their note-offs with them)
}

// NewSpikeNotes returns the MIDI-out side of cfg (its Spikes maps and
// MaxNotesPerSecond) for an engine running at sampleRate frames per second with
// modelMsPerSample ms of model time per frame (emu.Engine.ModelTimeStep), used to turn
// inter-spike intervals into sound time and rates into model Hz.
//
// It panics if cfg does not Validate or the rates are not finite and positive.
//
// The note cap is a token bucket refilled at MaxNotesPerSecond tokens per second of
// sound, each note-on taking one token; it starts full and holds
// max(1, MaxNotesPerSecond/10, min(MaxNotesPerSecond, len(cfg.Spikes))) tokens. That
// lets every map start a note at the same instant (a chord), while any one second of
// sound carries at most a bucket plus MaxNotesPerSecond note-ons (1.1 × the cap for a
// bucket of a tenth of a second). Sustained excess is thinned evenly, one note every
// 1/MaxNotesPerSecond seconds, rather than let through in bursts.
func NewSpikeNotes(cfg Config, sampleRate, modelMsPerSample float64) *SpikeNotes {
	if err := cfg.Validate(); err != nil {
		panic(err.Error())
	}
	if !finite(sampleRate) || sampleRate <= 0 || !finite(modelMsPerSample) || modelMsPerSample <= 0 {
		panic(fmt.Sprintf("midimap: NewSpikeNotes: sample rate %g and model step %g must be finite and > 0", sampleRate, modelMsPerSample))
	}
	s := &SpikeNotes{
		voices:      make([]voice, 0, len(cfg.Spikes)),
		sampleRate:  sampleRate,
		msPerSample: modelMsPerSample,
		minRelease:  max(1, int64(math.Ceil(0.05*sampleRate))),
		ccGap:       max(1, int64(math.Round(RateCCInterval*sampleRate))),
	}
	s.window = PopulationRateWindow * sampleRate
	for _, m := range cfg.Spikes {
		ch := byte(m.Channel - 1)
		v := voice{
			neuron:   m.Neuron,
			memberLo: 0, memberHi: math.MaxInt32,
			gate:     m.Mode == ModeGate,
			on:       Msg{statusNoteOn | ch, byte(m.Note), byte(m.Velocity)},
			off:      Msg{statusNoteOff | ch, byte(m.Note), 64},
			ccStatus: statusControlChange | ch,
			cc:       m.RateCC,
			dur:      max(1, int64(math.Round(m.Duration*sampleRate))),
			lastCC:   -1,
		}
		if m.Release > 0 {
			v.release = max(1, int64(math.Round(m.Release*sampleRate)))
		}
		if m.RateCC >= 0 {
			v.rateScale = 127 / m.RateMax
		}
		if m.Members > 1 && m.RateCC >= 0 {
			v.members = float64(m.Members)
			if v.release == 0 { // silent once the average has decayed for three windows
				v.release = max(1, int64(math.Round(3*s.window)))
			}
		}
		v.watch = v.gate || v.cc >= 0
		if m.NoteTop == 0 {
			s.voices = append(s.voices, v)
		} else {
			// One voice per key, each with its share of the members; the rate
			// controller, if any, rides on the first.
			keys, n := m.NoteTop-m.Note+1, m.Members
			for p := 0; p < keys; p++ {
				kv := v
				kv.on.Data1, kv.off.Data1 = byte(m.Note+p), byte(m.Note+p)
				kv.memberLo, kv.memberHi = int32((p*n+keys-1)/keys), int32(((p+1)*n+keys-1)/keys)
				if kv.memberLo == kv.memberHi {
					continue // more keys than members
				}
				if p > 0 {
					kv.cc, kv.members = -1, 0
					kv.watch = kv.gate
				}
				s.voices = append(s.voices, kv)
			}
		}
		seen := false
		for _, c := range s.channels {
			seen = seen || c == statusControlChange|ch
		}
		if !seen {
			s.channels = append(s.channels, statusControlChange|ch)
		}
	}
	if r := cfg.MaxNotesPerSecond; r > 0 {
		s.capped, s.rate = true, r
		s.depth = max(1, r/10, min(r, float64(len(cfg.Spikes)))) * sampleRate
		s.credit = s.depth
	}
	return s
}

// Spike appends to dst what spike sp causes: first everything due before sp.Frame (as
// Advance), then, for each map of sp's neuron, at sp.Frame:
//   - the rate controller, if the map has one, sp.ISI is known and the value
//     round(127 · (1000/ISI) / RateMax), clamped to 0..127, differs from the last sent
//     (for a population, Members > 1, the rate is its members' average over
//     PopulationRateWindow, whichever member spiked);
//   - ModeSpike: a note-on, preceded by a note-off if the key still sounds, and its
//     note-off Duration later;
//   - ModeGate: a note-on if the note is not already held.
//
// A note-on over the cap is dropped and counted; in ModeSpike a note still sounding
// then keeps sounding until its own note-off, in ModeGate the next spike tries again.
func (s *SpikeNotes) Spike(dst []Timed, sp emu.Spike) []Timed {
	dst = s.advance(dst, sp.Frame)
	isi := 0.0 // frames; 0 if unknown
	if sp.ISI > 0 && finite(sp.ISI) {
		isi = sp.ISI / s.msPerSample
	}
	t := sp.Frame
	for i := range s.voices {
		v := &s.voices[i]
		if v.neuron != sp.Neuron {
			continue
		}
		played := sp.Member >= v.memberLo && sp.Member < v.memberHi
		// Controller first, so the note starts with it. A population's carries its
		// members' average rate and hears every member's spike, whichever key plays it.
		if v.cc >= 0 && (isi > 0 && played || v.members > 0) {
			hz := 1000 / sp.ISI // model Hz
			if v.members > 0 {
				// The spikes over the window before this one (unbiased at a spike),
				// per frame and member, in model Hz; then this one joins them.
				decayed := v.popRate * math.Exp(-float64(t-v.popFrame)/s.window)
				v.popRate, v.popFrame = decayed+1, t
				hz = decayed / s.window / v.members * 1000 / s.msPerSample
			}
			x := math.Round(hz * v.rateScale)
			val := int(math.Max(0, math.Min(127, x)))
			// At most one rate message every RateCCInterval of sound: a neuron firing at
			// 1 kHz would otherwise fill the cable with controller messages.
			if val != v.lastCC && (v.lastCC < 0 || t-v.ccFrame >= s.ccGap) {
				dst = s.emit(dst, t, Msg{v.ccStatus, byte(v.cc), byte(val)})
				v.lastCC, v.ccFrame = val, t
			}
		}
		if v.watch && v.members > 0 {
			v.alive, v.silentAt = true, t+v.release // any member keeps the controller alive
		}
		if !played {
			continue
		}
		switch {
		case v.gate && v.sounding:
		case !s.take(t):
			s.drops.Add(1)
		default:
			if v.sounding { // ModeSpike re-trigger
				dst = s.emit(dst, t, v.off)
			}
			dst = s.emit(dst, t, v.on)
			v.sounding = true
			v.offAt = t + v.dur
			s.notes.Add(1)
		}
		if v.watch && v.members == 0 {
			r := v.release
			if r == 0 {
				r = max(s.minRelease, int64(math.Ceil(math.Min(3*isi, 1<<52))))
			}
			v.alive, v.silentAt = true, t+r
		}
	}
	return dst
}

// Advance appends everything due before frame: ModeSpike note-offs, and for a neuron
// that has fallen silent its gate note-off and a rate controller of 0. Call it after
// every block with the engine's frame count (the first frame not yet rendered); a
// message due at frame itself waits for the next call, since a spike at frame may still
// come.
//
// A neuron falls silent when no spike follows its last one within Release seconds of
// sound, or, with Release 0, within three times the last inter-spike interval and at
// least 50 ms. This applies to ModeSpike maps with a rate controller too.
func (s *SpikeNotes) Advance(dst []Timed, frame int64) []Timed {
	return s.advance(dst, frame)
}

// AllOff appends, after everything due before frame, at frame: a note-off for every
// sounding note, a rate controller of 0 where the last value sent was not 0, and All
// Notes Off (CC 123) on every channel the maps use. Nothing sounds afterwards; a neuron
// that goes on firing starts new notes.
func (s *SpikeNotes) AllOff(dst []Timed, frame int64) []Timed {
	dst = s.advance(dst, frame)
	for i := range s.voices {
		v := &s.voices[i]
		if v.sounding {
			dst = s.emit(dst, frame, v.off)
			v.sounding = false
		}
		if v.cc >= 0 && v.lastCC > 0 {
			dst = s.emit(dst, frame, Msg{v.ccStatus, byte(v.cc), 0})
			v.lastCC = 0
		}
		v.alive = false
	}
	for _, st := range s.channels {
		dst = s.emit(dst, frame, Msg{st, ccAllNotesOff, 0})
	}
	return dst
}

// MaxAppend is the most messages one call of Spike, Advance or AllOff appends:
// 5 per voice (a spike map, or each key of a map that spreads a population over a
// range of keys) plus one per channel used.
func (s *SpikeNotes) MaxAppend() int { return 5*len(s.voices) + len(s.channels) }

// Stats returns the note counts so far. It is safe to call from any goroutine.
func (s *SpikeNotes) Stats() SpikeStats {
	return SpikeStats{Notes: s.notes.Load(), Dropped: s.drops.Load()}
}

// advance appends the pending messages due before frame, earliest first (ties: map
// order, a note-off before its silence).
func (s *SpikeNotes) advance(dst []Timed, frame int64) []Timed {
	for {
		best, at := -1, int64(0)
		for i := range s.voices {
			if d, ok := s.voices[i].next(); ok && d < frame && (best < 0 || d < at) {
				best, at = i, d
			}
		}
		if best < 0 {
			return dst
		}
		v := &s.voices[best]
		if v.sounding && !v.gate && v.offAt == at {
			dst = s.emit(dst, at, v.off)
			v.sounding = false
			continue
		}
		// Silence.
		if v.gate && v.sounding {
			dst = s.emit(dst, at, v.off)
			v.sounding = false
		}
		if v.cc >= 0 && v.lastCC > 0 {
			dst = s.emit(dst, at, Msg{v.ccStatus, byte(v.cc), 0})
			v.lastCC = 0
		}
		v.alive = false
	}
}

// next returns the voice's earliest pending deadline.
func (v *voice) next() (int64, bool) {
	d, ok := int64(0), false
	if v.sounding && !v.gate {
		d, ok = v.offAt, true
	}
	if v.alive && (!ok || v.silentAt < d) {
		d, ok = v.silentAt, true
	}
	return d, ok
}

// take spends a token at frame t, if the cap allows.
func (s *SpikeNotes) take(t int64) bool {
	if !s.capped {
		return true
	}
	if t > s.creditFrame {
		s.credit = math.Min(s.depth, s.credit+float64(t-s.creditFrame)*s.rate)
		s.creditFrame = t
	}
	if s.credit >= s.sampleRate {
		s.credit -= s.sampleRate
		return true
	}
	return false
}

func (s *SpikeNotes) emit(dst []Timed, frame int64, m Msg) []Timed {
	if frame < s.last {
		frame = s.last
	}
	s.last = frame
	return append(dst, Timed{Frame: frame, Msg: m})
}
