package osc

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/patches"
)

// Prefix starts every address Separatrix reads and writes.
const Prefix = "/separatrix/"

// MaxProgram is the highest program number /separatrix/program takes (MIDI's range,
// 0 to 127); whether the player has that many patches is the player's to check.
const MaxProgram = 127

// Kind says what an Action does.
type Kind uint8

const (
	// ActionNone does nothing: a kick of strength 0, which is what a TouchOSC push
	// button sends when it is released.
	ActionNone Kind = iota
	// ActionSet moves a control of a neuron to Value (an emu.EventSet).
	ActionSet
	// ActionKick fires a kick (an emu.EventKick) of amplitude Value, Duration and
	// Pulses on a neuron.
	ActionKick
	// ActionProgram switches to patch number Program, as a MIDI program change does.
	ActionProgram
)

var kindNames = [...]string{"none", "set", "kick", "program"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Action is what one incoming message asks of the engine, resolved against a patch.
type Action struct {
	Kind    Kind
	Neuron  int32   // ActionSet, ActionKick: the neuron's index in patch order
	Control int32   // ActionSet: emu.ControlCurrent, ..., emu.ControlParam+k
	Value   float64 // ActionSet: the control's new value; ActionKick: the amplitude, in the model's current unit
	Program int     // ActionProgram: 0 to MaxProgram

	// ActionKick: each pulse's length in ms of model time and the number of pulses
	// (0: the neuron's pulses control), from the patch's kick map.
	Duration float64
	Pulses   int32

	// Clamped says the value sent lay outside its range (the control's, 0 to 1 for a
	// normalized value, -1 to 1 for a kick's strength) and Value is the nearest end.
	// Echo Value back (AppendEcho) so that the controller shows where the knob went.
	Clamped bool
}

// Event returns the engine event that carries out an ActionSet or ActionKick at frame,
// a set ramped over ramp seconds of sound (emu.EventSet: a few tens of ms keep a fader
// sending steps from clicking); ok is false for the other kinds, which are no events.
func (a Action) Event(frame int64, ramp float64) (ev emu.Event, ok bool) {
	switch a.Kind {
	case ActionSet:
		return emu.Event{Frame: frame, Kind: emu.EventSet, Neuron: a.Neuron, Control: a.Control, Value: a.Value, Time: ramp}, true
	case ActionKick:
		return emu.Event{Frame: frame, Kind: emu.EventKick, Neuron: a.Neuron, Value: a.Value, Time: a.Duration, Pulses: a.Pulses}, true
	}
	return emu.Event{}, false
}

// Route resolves an incoming message against patch p (see the package documentation for
// the addresses):
//
//	/separatrix/NEURON/CONTROL f             set CONTROL to the value
//	/separatrix/NEURON/CONTROL/normalized f  set CONTROL to lo + f·(hi-lo) over its range
//	/separatrix/NEURON/kick f                kick NEURON the way the patch's kick map does
//	/separatrix/program i                    switch to patch number i
//
// Wherever a number is taken, i does as well as f, and a program number may come as a
// whole f. A value outside its range is clamped, and Action.Clamped says so: the engine
// clamps every event value to the same range (emu.ControlRange), and a knob turned too
// far should stop at the end, not be ignored. NaN and infinities are refused.
//
// The kick's number is a strength, not a current: 0 < s ≤ 1 plays the patch's first
// [[midi.kick]] map for the neuron (its own or one for "all", not a held one) with
// amplitudes of positive sign the way a note of velocity 1 to 127 plays it (amplitude
// from its first to its second number, its duration and pulses); -1 ≤ s < 0 plays the
// first map of negative amplitudes the same way with |s|; s = 0 does nothing
// (ActionNone). Without an argument, or with T, the strength is 1; F is 0. Strength and
// not amplitude because a usable kick differs a hundredfold between models (0.2 to 120
// in the built-in patches) and needs a duration too, which the patch already chose.
//
// Errors say what is wrong with the message and how it should look: an unknown neuron
// lists the patch's neurons, an unknown control the neuron's (patches.ResolveTarget).
// Route allocates (the "NEURON.CONTROL" string it resolves: one small allocation per
// message, BenchmarkRoute): call it on the receiver's goroutine, never in the audio
// callback.
func Route(p *patches.Patch, m Message) (Action, error) {
	rest, ok := strings.CutPrefix(m.Address, Prefix)
	if !ok {
		return Action{}, fmt.Errorf("osc: %s is not a Separatrix address (they start with %s)", m.Address, Prefix)
	}
	if rest == "program" {
		return program(m)
	}
	neuron, tail, ok := strings.Cut(rest, "/")
	i := p.Neuron(neuron)
	if i < 0 {
		return Action{}, fmt.Errorf("osc: %s: patch %s has no neuron %q (its neurons: %s)", m.Address, p.Name, neuron, strings.Join(p.NeuronNames, ", "))
	}
	if !ok || tail == "" {
		return Action{}, fmt.Errorf("osc: %s names no control (like %s%s/current, %s%s/kick)", m.Address, Prefix, neuron, Prefix, neuron)
	}
	if tail == "kick" {
		return kick(p, i, m)
	}
	control, normalized := strings.CutSuffix(tail, "/normalized")
	if strings.Contains(control, "/") {
		return Action{}, fmt.Errorf("osc: %s is not an address Separatrix knows (NEURON/CONTROL, NEURON/CONTROL/normalized or NEURON/kick after %s)", m.Address, Prefix)
	}
	n, c, err := patches.ResolveTarget(p, neuron+"."+control)
	if err != nil {
		return Action{}, fmt.Errorf("osc: %s: %v", m.Address, err)
	}
	x, err := number(m)
	if err != nil {
		return Action{}, err
	}
	lo, hi, ok := emu.ControlRange(p.Engine.Neurons[n].Model, c)
	if !ok {
		return Action{}, fmt.Errorf("osc: %s: neuron %s has no range for control %q", m.Address, neuron, control)
	}
	a := Action{Kind: ActionSet, Neuron: n, Control: c}
	if normalized {
		x, a.Clamped = clamp(x, 0, 1)
		a.Value = lerp(lo, hi, x)
	} else {
		a.Value, a.Clamped = clamp(x, lo, hi)
	}
	return a, nil
}

// kick resolves /separatrix/NEURON/kick for neuron i.
func kick(p *patches.Patch, i int, m Message) (Action, error) {
	s := 1.0
	switch len(m.Args) {
	case 0:
	case 1:
		if v, ok := m.Args[0].Bool(); ok {
			s = 0
			if v {
				s = 1
			}
			break
		}
		var ok bool
		if s, ok = m.Args[0].Number(); !ok {
			return Action{}, fmt.Errorf("osc: %s takes a strength (f or i, -1 to 1), not %s", m.Address, tagString(m))
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return Action{}, fmt.Errorf("osc: %s: the strength %g is not a number Separatrix can use", m.Address, s)
		}
	default:
		return Action{}, fmt.Errorf("osc: %s takes one strength (f or i, -1 to 1), not %d arguments", m.Address, len(m.Args))
	}
	if s == 0 {
		return Action{}, nil
	}
	negative := s < 0
	found := false
	for _, k := range p.MIDI.Kicks {
		if k.Hold || (k.Neuron != int32(i) && k.Neuron != emu.AllNeurons) {
			continue
		}
		found = true
		if (k.MinAmp+k.MaxAmp < 0) != negative {
			continue
		}
		a := Action{Kind: ActionKick, Neuron: int32(i), Duration: k.Duration, Pulses: int32(k.Pulses)}
		var t float64
		t, a.Clamped = clamp(math.Abs(s), 0, 1)
		a.Value = lerp(k.MinAmp, k.MaxAmp, t)
		return a, nil
	}
	name := p.NeuronNames[i]
	if !found {
		return Action{}, fmt.Errorf("osc: %s: patch %s has no [[midi.kick]] for neuron %s, which is what sets a kick's amplitude and duration", m.Address, p.Name, name)
	}
	sign := "positive"
	if negative {
		sign = "negative"
	}
	return Action{}, fmt.Errorf("osc: %s: patch %s kicks neuron %s with no %s amplitudes, so a strength of %g has nothing to play", m.Address, p.Name, name, sign, s)
}

// program resolves /separatrix/program.
func program(m Message) (Action, error) {
	if len(m.Args) != 1 {
		return Action{}, fmt.Errorf("osc: %s takes one program number (i, or a whole f), not %d arguments", m.Address, len(m.Args))
	}
	x, ok := m.Args[0].Number()
	if !ok {
		return Action{}, fmt.Errorf("osc: %s takes a program number (i, or a whole f), not %s", m.Address, tagString(m))
	}
	if !(x >= 0 && x <= MaxProgram) || x != math.Trunc(x) {
		return Action{}, fmt.Errorf("osc: %s: program %g is not a whole number from 0 to %d", m.Address, x, MaxProgram)
	}
	return Action{Kind: ActionProgram, Program: int(x)}, nil
}

// number reads the one finite number a set message carries.
func number(m Message) (float64, error) {
	if len(m.Args) != 1 {
		return 0, fmt.Errorf("osc: %s takes one number (f or i), not %d arguments", m.Address, len(m.Args))
	}
	x, ok := m.Args[0].Number()
	if !ok {
		return 0, fmt.Errorf("osc: %s takes one number (f or i), not %s", m.Address, tagString(m))
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("osc: %s: the value %g is not a number Separatrix can use", m.Address, x)
	}
	return x, nil
}

// tagString is m's type tag string, for messages about it.
func tagString(m Message) string {
	b := []byte{','}
	for _, a := range m.Args {
		b = append(b, a.Tag())
	}
	return string(b)
}

// clamp returns x within [lo, hi] and whether it had to move.
func clamp(x, lo, hi float64) (float64, bool) {
	if x < lo {
		return lo, true
	}
	if x > hi {
		return hi, true
	}
	return x, false
}

// lerp returns a + t(b-a) for t in [0, 1], exactly a at 0 and exactly b at 1, and never
// outside [a, b] despite rounding.
func lerp(a, b, t float64) float64 {
	if t <= 0 {
		return a
	}
	if t >= 1 {
		return b
	}
	v := a + t*(b-a)
	return math.Max(math.Min(a, b), math.Min(math.Max(a, b), v))
}

// AppendSpike appends the packet /separatrix/NEURON/spike, without arguments (a "bang"),
// sent for each spike of the neuron. Like the other builders it allocates only when dst
// lacks room, and panics if a name cannot be part of an address (a patch's names always
// can: letters, digits, - and _).
func AppendSpike(dst []byte, neuron string) []byte {
	checkNames(neuron, "spike")
	dst = appendPadded(dst, Prefix, neuron, "/", "spike")
	return appendPadded(dst, ",", "", "", "")
}

// AppendRate appends /separatrix/NEURON/rate f: the neuron's firing rate, spikes a
// second of sound.
func AppendRate(dst []byte, neuron string, hz float32) []byte {
	checkNames(neuron, "rate")
	dst = appendPadded(dst, Prefix, neuron, "/", "rate")
	dst = appendPadded(dst, ",f", "", "", "")
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(hz))
}

// AppendState appends /separatrix/NEURON/state f f: the neuron's membrane voltage v (mV)
// and its recovery variable n (the model's last variable, as emu.TapY).
func AppendState(dst []byte, neuron string, v, n float32) []byte {
	checkNames(neuron, "state")
	dst = appendPadded(dst, Prefix, neuron, "/", "state")
	dst = appendPadded(dst, ",ff", "", "", "")
	dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(v))
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(n))
}

// AppendEcho appends /separatrix/NEURON/CONTROL f: a control's value, the address a
// controller sets it with, so that a TouchOSC layout follows changes made elsewhere
// (another controller, MIDI, a clamp).
func AppendEcho(dst []byte, neuron, control string, value float32) []byte {
	checkNames(neuron, control)
	dst = appendPadded(dst, Prefix, neuron, "/", control)
	dst = appendPadded(dst, ",f", "", "", "")
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(value))
}

// checkNames panics unless /separatrix/NEURON/LAST is a valid address with neuron and
// last one path element each.
func checkNames(neuron, last string) {
	for _, s := range [2]string{neuron, last} {
		if s == "" {
			panic("osc: an empty name cannot be part of an address")
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= ' ' || c > '~' || c == '/' {
				panic(fmt.Sprintf("osc: the name %q cannot be part of an address (%q at byte %d)", s, c, i))
			}
		}
	}
	if n := len(Prefix) + len(neuron) + 1 + len(last); n > MaxAddress {
		panic(fmt.Sprintf("osc: the address for %s/%s would be %d bytes long; at most %d will do", neuron, last, n, MaxAddress))
	}
}
