package midimap

import (
	"fmt"
	"math"

	"github.com/separatrix-audio/separatrix/emu"
)

// Apply maps a controller's travel x in [0, 1] through the curve. The result is in
// [0, 1], non-decreasing in x, with Apply(0) == 0 and Apply(1) == 1 exactly. x outside
// [0, 1] is clamped and NaN counts as 0. An unknown curve acts as Linear.
func (c Curve) Apply(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	if x >= 1 {
		return 1
	}
	switch c {
	case Exp:
		return expCurve(x)
	case Log:
		return 1 - expCurve(1-x)
	}
	return x
}

// expCurve is (2^(6x) - 1) / 63: slope 0.066 at 0, 4.2 at 1.
func expCurve(x float64) float64 {
	return (math.Exp2(6*x) - 1) / 63
}

// lerp returns a + t(b-a) for t in [0, 1], exactly a at t = 0 and exactly b at t = 1,
// kept within [a, b] so that it is monotone in t despite rounding.
func lerp(a, b, t float64) float64 {
	if !(t > 0) {
		return a
	}
	if t >= 1 {
		return b
	}
	v := a + t*(b-a)
	lo, hi := a, b
	if lo > hi {
		lo, hi = hi, lo
	}
	return math.Max(lo, math.Min(hi, v))
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Validate reports the first entry of cfg that NewControls or NewSpikeNotes cannot
// honour. Both constructors panic on a config that does not validate, so call it on
// anything read from a patch.
//
// Rules: channels are 1..16 (0 = any, for CC and kick maps only); controllers are
// 0..119 (120..127 are channel-mode messages); a 14-bit LSB differs from its MSB; notes
// are 0..127 and velocities 1..127; every number is finite and every duration is
// non-negative (a ModeSpike note lasts more than 0 s); RateMax > 0 where a rate
// controller is set; a parameter control (emu.ControlParam+k) names one neuron. Two
// spike maps may not share a key (channel and note) or a rate controller (channel and
// controller), since each key and controller has one owner.
func (cfg Config) Validate() error {
	for i, m := range cfg.CC {
		if err := m.validate(); err != nil {
			return fmt.Errorf("midimap: cc map %d (%s): %w", i, m.Target, err)
		}
	}
	for i, k := range cfg.Kicks {
		if err := k.validate(); err != nil {
			return fmt.Errorf("midimap: kick map %d (notes %d..%d): %w", i, k.NoteLow, k.NoteHigh, err)
		}
	}
	for i, s := range cfg.Spikes {
		if err := s.validate(); err != nil {
			return fmt.Errorf("midimap: spike map %d (neuron %d): %w", i, s.Neuron, err)
		}
		for j, o := range cfg.Spikes[:i] {
			if o.Channel == s.Channel && o.Note <= s.top() && s.Note <= o.top() {
				return fmt.Errorf("midimap: spike maps %d and %d both play note %d on channel %d", j, i, max(o.Note, s.Note), s.Channel)
			}
			if s.RateCC >= 0 && o.Channel == s.Channel && o.RateCC == s.RateCC {
				return fmt.Errorf("midimap: spike maps %d and %d both send rate on controller %d, channel %d", j, i, s.RateCC, s.Channel)
			}
		}
	}
	if !finite(cfg.MaxNotesPerSecond) || cfg.MaxNotesPerSecond < 0 {
		return fmt.Errorf("midimap: MaxNotesPerSecond %g is not a finite number >= 0", cfg.MaxNotesPerSecond)
	}
	return nil
}

func (m CCMap) validate() error {
	switch {
	case m.Channel < 0 || m.Channel > 16:
		return fmt.Errorf("channel %d is not 0 (any) or 1..16", m.Channel)
	case !m.Bend && (m.CC < 0 || m.CC >= firstModeCC):
		return fmt.Errorf("controller %d is not 0..119", m.CC)
	case !m.Bend && m.LSB != -1 && (m.LSB < 0 || m.LSB >= firstModeCC):
		return fmt.Errorf("LSB controller %d is not -1 (7-bit) or 0..119", m.LSB)
	case !m.Bend && m.LSB == m.CC:
		return fmt.Errorf("LSB controller %d is the MSB controller", m.LSB)
	case m.Soft && !finite(m.Start):
		return fmt.Errorf("start value %g is not finite", m.Start)
	case m.Neuron < emu.AllNeurons:
		return fmt.Errorf("neuron %d is not an index or emu.AllNeurons", m.Neuron)
	case m.Control < 0:
		return fmt.Errorf("control %d is negative", m.Control)
	case m.Neuron == emu.AllNeurons && m.Control >= emu.ControlParam:
		return fmt.Errorf("a model parameter needs one neuron, not all")
	case !finite(m.Min) || !finite(m.Max):
		return fmt.Errorf("range [%g, %g] is not finite", m.Min, m.Max)
	case int(m.Curve) >= len(curveNames):
		return fmt.Errorf("unknown %v", m.Curve)
	case !finite(m.Smoothing) || m.Smoothing < 0:
		return fmt.Errorf("smoothing %g s is not a finite number >= 0", m.Smoothing)
	}
	return nil
}

func (k KickMap) validate() error {
	switch {
	case k.Channel < 0 || k.Channel > 16:
		return fmt.Errorf("channel %d is not 0 (any) or 1..16", k.Channel)
	case k.NoteLow < 0 || k.NoteHigh > 127 || k.NoteLow > k.NoteHigh:
		return fmt.Errorf("note range is not within 0..127, low to high")
	case k.Neuron < emu.AllNeurons:
		return fmt.Errorf("neuron %d is not an index or emu.AllNeurons", k.Neuron)
	case !finite(k.MinAmp) || !finite(k.MaxAmp):
		return fmt.Errorf("amplitudes %g, %g are not finite", k.MinAmp, k.MaxAmp)
	case !finite(k.Duration) || k.Duration < 0:
		return fmt.Errorf("duration %g ms is not a finite number >= 0", k.Duration)
	case k.Pulses < 0 || k.Pulses > emu.MaxPulses:
		return fmt.Errorf("%d pulses is not 0 (the neuron's) or 1..%d", k.Pulses, emu.MaxPulses)
	case k.Hold && k.Pulses > 1:
		return fmt.Errorf("a held kick is one current as long as the note, not %d pulses", k.Pulses)
	}
	return nil
}

func (s SpikeMap) validate() error {
	switch {
	case s.Neuron < 0:
		return fmt.Errorf("neuron index is negative")
	case int(s.Mode) >= len(modeNames):
		return fmt.Errorf("unknown %v", s.Mode)
	case s.Channel < 1 || s.Channel > 16:
		return fmt.Errorf("channel %d is not 1..16", s.Channel)
	case s.Note < 0 || s.Note > 127:
		return fmt.Errorf("note %d is not 0..127", s.Note)
	case s.Velocity < 1 || s.Velocity > 127:
		return fmt.Errorf("velocity %d is not 1..127", s.Velocity)
	case !finite(s.Duration) || s.Duration < 0 || (s.Mode == ModeSpike && s.Duration == 0):
		return fmt.Errorf("duration %g s is not a finite number > 0", s.Duration)
	case !finite(s.Release) || s.Release < 0:
		return fmt.Errorf("release %g s is not a finite number >= 0", s.Release)
	case s.RateCC != -1 && (s.RateCC < 0 || s.RateCC >= firstModeCC):
		return fmt.Errorf("rate controller %d is not -1 (none) or 0..119", s.RateCC)
	case s.RateCC >= 0 && (!finite(s.RateMax) || s.RateMax <= 0):
		return fmt.Errorf("RateMax %g Hz is not a finite number > 0", s.RateMax)
	case s.Members < 0:
		return fmt.Errorf("%d members", s.Members)
	case s.NoteTop != 0 && (s.NoteTop <= s.Note || s.NoteTop > 127):
		return fmt.Errorf("top note %d is not above note %d and at most 127", s.NoteTop, s.Note)
	case s.NoteTop != 0 && (s.Members < 2 || s.Mode != ModeSpike):
		return fmt.Errorf("a range of notes spreads a population's members (Members > 1, ModeSpike), not %d members in %v", s.Members, s.Mode)
	}
	return nil
}

// top is the highest key the map plays.
func (s SpikeMap) top() int { return max(s.Note, s.NoteTop) }
