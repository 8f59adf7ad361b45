package live

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/view"
	"github.com/separatrix-audio/separatrix/patches"
)

// ViewTapRate is how many times a second of sound each engine publishes its neurons'
// state for the view: smooth at a display's 60 frames a second, light on the network.
const ViewTapRate = 500

// viewSource is the session as the view sees it (view.Source).
type viewSource struct {
	s        *session
	infos    []view.PatchInfo
	values   [][]atomic.Uint64 // per patch, per slider: float64 bits
	cmds     chan view.Command
	dropped  atomic.Uint64
	latency  float64
	rate     float64
	patchSet []*patches.Patch
}

// newViewSource: latency is the seconds from a frame rendered to it heard.
func newViewSource(s *session, ps []*patches.Patch, rate, latency float64) *viewSource {
	v := &viewSource{s: s, cmds: make(chan view.Command, 256), rate: rate, patchSet: ps, latency: latency}
	for _, p := range ps {
		info := patchInfo(p)
		v.infos = append(v.infos, info)
		vals := make([]atomic.Uint64, len(info.Sliders))
		for i, sl := range info.Sliders {
			vals[i].Store(math.Float64bits(sliderStart(p, sl)))
		}
		v.values = append(v.values, vals)
	}
	return v
}

// patchInfo describes a patch for the page: its neurons with the current range their
// geometry spans, one slider per mapped target, one button per kick map.
func patchInfo(p *patches.Patch) view.PatchInfo {
	info := view.PatchInfo{Name: p.Name, Description: p.Description}
	seen := map[string]bool{}
	for _, m := range p.MIDI.CC {
		if seen[m.Target] {
			continue
		}
		seen[m.Target] = true
		unit := ""
		switch m.Control {
		case emu.ControlCurrent, emu.ControlNoise:
			unit = p.Engine.Neurons[max(m.Neuron, 0)].Model.CurrentUnit
		case emu.ControlInterval:
			unit = "ms"
		}
		info.Sliders = append(info.Sliders, view.Slider{Target: m.Target, Neuron: m.Neuron, Control: m.Control,
			Min: m.Min, Max: m.Max, Unit: unit, Smoothing: m.Smoothing})
	}
	for _, k := range p.MIDI.Kicks {
		// The middle of the map's velocity range: a firm, ordinary kick.
		amp := (k.MinAmp + k.MaxAmp) / 2
		label := fmt.Sprintf("kick %+.3g", amp)
		switch {
		case k.Hold:
			label = fmt.Sprintf("hold %+.3g", amp)
		case k.Pulses > 1:
			label = fmt.Sprintf("%d × %+.3g", k.Pulses, amp)
		}
		if len(p.Engine.Neurons) > 1 {
			who := "all"
			if k.Neuron >= 0 {
				who = p.NeuronNames[k.Neuron]
			}
			label += " → " + who
		}
		info.Kicks = append(info.Kicks, view.Kick{Label: label, Neuron: k.Neuron, Amplitude: amp, Duration: k.Duration,
			Pulses: k.Pulses, Hold: k.Hold})
	}
	for i, spec := range p.Engine.Neurons {
		info.Neurons = append(info.Neurons, view.NeuronInfo{Spec: spec, CurrentRange: currentRange(p, i)})
	}
	return info
}

// currentRange is the span of current neuron i's geometry covers: the knob's range on
// its current, else its preset's sweep, always holding the current it starts at.
func currentRange(p *patches.Patch, i int) [2]float64 {
	spec := p.Engine.Neurons[i]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, m := range p.MIDI.CC {
		if m.Control == emu.ControlCurrent && (m.Neuron == emu.AllNeurons || int(m.Neuron) == i) {
			lo, hi = math.Min(lo, math.Min(m.Min, m.Max)), math.Max(hi, math.Max(m.Min, m.Max))
		}
	}
	if lo > hi {
		lo, hi = spec.Sweep[0], spec.Sweep[1]
		if !(hi > lo) {
			lo, hi = math.Max(spec.Model.CurrentMin, -20), math.Min(spec.Model.CurrentMax, 50)
		}
	}
	lo, hi = math.Min(lo, spec.Current), math.Max(hi, spec.Current)
	return [2]float64{lo, hi}
}

func sliderStart(p *patches.Patch, sl view.Slider) float64 {
	for _, m := range p.MIDI.CC {
		if m.Target == sl.Target {
			return m.Start
		}
	}
	return 0
}

func (v *viewSource) Patches() []view.PatchInfo { return v.infos }
func (v *viewSource) Playing() int              { return v.s.player.Playing() }
func (v *viewSource) Tap(p int) *emu.Tap        { return v.s.player.Engine(p).Tap() }
func (v *viewSource) Frame(p int) int64         { return v.s.player.Engine(p).Frame() }
func (v *viewSource) SampleRate() float64       { return v.rate }

func (v *viewSource) Values(dst []float64, p int) []float64 {
	for i := range v.values[p] {
		dst = append(dst, math.Float64frombits(v.values[p][i].Load()))
	}
	return dst
}

func (v *viewSource) Command(c view.Command) bool {
	select {
	case v.cmds <- c:
		return true
	default:
		v.dropped.Add(1)
		return false
	}
}

func (v *viewSource) Status() view.Status {
	st := view.Status{AudioLatency: v.latency, DroppedCommand: v.dropped.Load(), MIDIIn: v.s.midiIn.Load()}
	if f := v.s.opt.StreamStats; f != nil {
		ss := f()
		st.Xruns, st.Load = ss.Xruns, ss.LoadP99
	}
	st.DroppedEvents = v.s.midiDropped.Load()
	st.Attract = v.s.attracting.Load()
	if c := v.s.captionNow.Load(); c != nil && st.Attract {
		st.Caption = *c
	}
	for i := range v.infos {
		st.DroppedEvents += v.s.player.Engine(i).Events().Dropped()
	}
	return st
}

// noteSet records a value sent to (neuron, control) of patch p, for the sliders that
// show it. Called by the control loop for every EventSet it pushes or schedules.
func (v *viewSource) noteSet(p int, neuron, control int32, value float64) {
	if v == nil {
		return
	}
	for i, sl := range v.infos[p].Sliders {
		if sl.Control == control && (sl.Neuron == neuron || neuron == emu.AllNeurons) {
			v.values[p][i].Store(math.Float64bits(value))
		}
	}
}

// command turns a page's action into engine events, exactly as MIDI's go: stamped with
// the engine's frame, pushed on its ring (a full ring drops and counts). A slider also
// tells the knobs' soft takeover where the target now is, so a knob waits to be caught.
func (s *session) command(c view.Command, v *viewSource) {
	if c.Patch < 0 || c.Patch >= len(s.opt.Patches) {
		return
	}
	e := s.player.Engine(c.Patch)
	info := v.infos[c.Patch]
	switch c.Kind {
	case view.CommandSet:
		if c.Index < 0 || c.Index >= len(info.Sliders) {
			return
		}
		sl := info.Sliders[c.Index]
		e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventSet, Neuron: sl.Neuron, Control: sl.Control, Value: c.Value, Time: sl.Smoothing})
		s.controls[c.Patch].Sync(sl.Neuron, sl.Control, c.Value)
		s.noteValue(c.Patch, sl.Neuron, sl.Control, c.Value) // kept, echoed, and where a tour's ramp starts
		v.noteSet(c.Patch, sl.Neuron, sl.Control, c.Value)
	case view.CommandKick:
		if c.Index < 0 || c.Index >= len(info.Kicks) {
			return
		}
		k := info.Kicks[c.Index]
		switch {
		case k.Hold:
			// Held while the button is pressed, as the patch's key is held.
			e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventHold, Neuron: k.Neuron, Value: k.Amplitude * c.Value})
		case c.Value != 0: // letting go of an ordinary button does nothing
			e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventKick, Neuron: k.Neuron, Control: emu.ControlCurrent,
				Value: k.Amplitude, Time: k.Duration, Pulses: int32(k.Pulses)})
		}
	case view.CommandReset:
		e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventReset, Neuron: emu.AllNeurons})
	case view.CommandSwitch:
		s.switchTo(c.Index)
	}
}

var _ view.Source = (*viewSource)(nil)
