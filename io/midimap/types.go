package midimap

import "fmt"

// Msg is one short MIDI channel message. It is a value (no allocation), unlike gomidi's
// midi.Message; convert at the driver edge.
type Msg struct {
	Status, Data1, Data2 byte
}

// Timed is a message stamped with the engine frame at which it happens.
type Timed struct {
	Frame int64
	Msg   Msg
}

// Curve shapes a controller's travel before it is scaled to [Min, Max].
type Curve uint8

const (
	Linear Curve = iota // equal steps everywhere
	Exp                 // fine control at the low end: (2^(6x) - 1) / 63
	Log                 // fine control at the high end: the mirror image of Exp
)

var curveNames = []string{"linear", "exp", "log"}

func (c Curve) String() string {
	if int(c) < len(curveNames) {
		return curveNames[c]
	}
	return fmt.Sprintf("Curve(%d)", uint8(c))
}

// ParseCurve reads a curve name as written in patches.
func ParseCurve(s string) (Curve, error) {
	for i, n := range curveNames {
		if n == s {
			return Curve(i), nil
		}
	}
	return 0, fmt.Errorf("unknown curve %q (known: linear, exp, log)", s)
}

// CCMap binds a controller to an engine control.
type CCMap struct {
	Target    string // as written in the patch, for messages: "a.current", "current"
	Channel   int    // 1..16, or 0 for any channel
	CC        int    // 0..127; the MSB controller of a 14-bit pair
	LSB       int    // -1 for a 7-bit controller, else the LSB controller (usually CC+32)
	Neuron    int32  // engine neuron index, or emu.AllNeurons
	Control   int32  // emu.ControlCurrent, ..., emu.ControlParam+k
	Min, Max  float64
	Curve     Curve
	Smoothing float64 // seconds of sound over which each move is ramped (no zipper noise)

	// Bend makes the map listen to pitch bend (14 bits, 0..16383) on Channel instead of
	// a controller; CC and LSB are then unused.
	Bend bool
	// Soft turns on soft takeover: while the knob's position disagrees with the
	// target's value (after a patch start, a program change, a ramp or another knob),
	// its moves are ignored until it passes the value, so nothing jumps.
	Soft bool
	// Start is the target's value when playing starts (for soft takeover).
	Start float64
}

// KickMap turns notes into current pulses ("kicks"), pairs or short trains of them, or
// currents held as long as the note.
type KickMap struct {
	Channel           int   // 1..16, or 0 for any channel
	NoteLow, NoteHigh int   // inclusive note range
	Neuron            int32 // engine neuron index, or emu.AllNeurons
	MinAmp, MaxAmp    float64
	Duration          float64 // pulse length, ms of model time
	// Pulses is how many pulses a note fires, 0 to emu.MaxPulses (0: the neuron's
	// pulses control). Their interval is the neuron's interval control, which a knob
	// can turn.
	Pulses int
	// Hold makes the current last as long as the note is held instead of Duration: a
	// note-on sets the neuron's held current to the amplitude (emu.EventHold), the
	// note-off of the last note still held in the map sets it back to 0.
	Hold bool
}

// SpikeMode says how a neuron's spikes become notes.
type SpikeMode uint8

const (
	// ModeSpike sends one note per spike.
	ModeSpike SpikeMode = iota
	// ModeGate holds one note while the neuron fires and releases it when it falls silent:
	// bistable switching as a held note.
	ModeGate
)

var modeNames = []string{"spike", "gate"}

func (m SpikeMode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("SpikeMode(%d)", uint8(m))
}

// ParseSpikeMode reads a mode name as written in patches.
func ParseSpikeMode(s string) (SpikeMode, error) {
	for i, n := range modeNames {
		if n == s {
			return SpikeMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown spike mode %q (known: spike, gate)", s)
}

// SpikeMap turns one neuron's spikes into MIDI.
type SpikeMap struct {
	Neuron   int32 // engine neuron index
	Mode     SpikeMode
	Channel  int     // 1..16
	Note     int     // 0..127
	Velocity int     // 1..127
	Duration float64 // ModeSpike: note length in seconds of sound
	// ModeGate: the note ends after this many seconds of sound without a spike;
	// 0 picks three times the last inter-spike interval, at least 50 ms. The same
	// silence sends the rate controller to 0, in either mode.
	Release float64
	RateCC  int     // -1 for none, else the firing rate is sent on this controller
	RateMax float64 // firing rate (Hz, model time) sent as CC value 127
	// Members is the size of the neuron's population (0 or 1: a single neuron). Its
	// rate controller then carries the members' average rate (spikes of every member
	// over the last PopulationRateWindow, per member), not one member's.
	Members int
	// NoteTop, above Note, spreads a population's members over the keys Note to
	// NoteTop, member k on key Note + k·(NoteTop-Note+1)/Members (ModeSpike only): a
	// note per member across a range of pitches. 0: every spike plays Note.
	NoteTop int
}

// PopulationRateWindow is the time constant, in seconds of sound, of the average a
// population's rate controller sends.
const PopulationRateWindow = 0.2

// Config is a patch's whole MIDI mapping.
type Config struct {
	CC     []CCMap
	Kicks  []KickMap
	Spikes []SpikeMap
	// MaxNotesPerSecond caps the note-ons sent to one output; the excess is dropped and
	// counted (a DIN cable carries about 1000 messages a second). 0 means no cap. The
	// cap is a token bucket over sound time; see NewSpikeNotes.
	MaxNotesPerSecond float64
}
