package view

import (
	"github.com/separatrix-audio/separatrix/emu"
)

// Source is the playing session the view watches and steers (io/live implements it).
// Every method may be called from any goroutine; none blocks.
type Source interface {
	// Patches describes the patches being played; it never changes.
	Patches() []PatchInfo
	// Playing is the index of the patch now playing.
	Playing() int
	// Tap is patch p's state tap (emu.Config.TapRate set). The view is its only reader.
	Tap(p int) *emu.Tap
	// Frame is the number of frames patch p's engine has rendered.
	Frame(p int) int64
	// SampleRate is the rate the engines run at.
	SampleRate() float64
	// Values appends the present value of each of patch p's sliders to dst: what the
	// last MIDI move, page move or scripted event set it to.
	Values(dst []float64, p int) []float64
	// Command queues a page's action for the thread that feeds the engines; false when
	// it was dropped (a full queue), counted by the source.
	Command(c Command) bool
	// Status is what the page's status panel shows besides the neurons.
	Status() Status
}

// PatchInfo is what the page shows of one patch.
type PatchInfo struct {
	Name        string
	Description string
	Neurons     []NeuronInfo
	Sliders     []Slider
	Kicks       []Kick
}

// NeuronInfo is one neuron of a patch: its spec (model, parameters, initial state) and
// the range of current its bifurcation diagram and portrait cache span.
type NeuronInfo struct {
	Spec         emu.NeuronSpec
	CurrentRange [2]float64
}

// Slider is one control the patch maps to a MIDI controller: a slider on the page.
type Slider struct {
	Target   string // as the patch writes it: "a.current", "noise"
	Neuron   int32  // engine index, or emu.AllNeurons
	Control  int32  // emu.ControlCurrent, ...
	Min, Max float64
	Unit     string
	// Smoothing is the ramp time of a move in seconds of sound, as for the knob.
	Smoothing float64
}

// Kick is a button that sends a current pulse, as a note of the patch's kick map does.
type Kick struct {
	Label     string // "kick +30", for the button
	Neuron    int32  // engine index, or emu.AllNeurons
	Amplitude float64
	Duration  float64 // ms of model time
	Pulses    int     // pulses per press (0: the neuron's own pulses control)
	// Hold makes the button a held current, as the patch's key is: on while the button
	// is pressed, off when it is let go.
	Hold bool
}

// CommandKind says what a Command does.
type CommandKind uint8

const (
	CommandSet    CommandKind = iota + 1 // slider Index of Patch to Value
	CommandKick                          // kick button Index of Patch (Value 1: pressed, 0: let go, for a Hold button)
	CommandReset                         // every neuron of Patch back to its initial state
	CommandSwitch                        // play patch Index (a program change)
)

// Command is a page's action, already checked: indices in range, values clamped.
type Command struct {
	Kind  CommandKind
	Patch int
	Index int
	Value float64
}

// Status is the session's health as the page shows it.
type Status struct {
	Xruns          uint64
	Load           float64 // fraction of the audio period the callback takes (p99)
	AudioLatency   float64 // seconds from a frame rendered to it heard (the output's buffering)
	DroppedEvents  uint64  // control events lost to full rings (MIDI and pages)
	MIDIIn         uint64
	DroppedCommand uint64 // page commands lost to a full queue

	// Caption is the attract tour's caption now, "" for none: one line the page shows
	// large under the phase plane. The view sends at most maxCaption bytes of it.
	Caption string
	// Attract is whether the attract tour is playing: the page then invites a visitor to
	// play (any command a page sends counts as input and ends the tour).
	Attract bool
}
