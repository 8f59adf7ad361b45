package emu

import (
	"fmt"
	"math"
	"strings"
)

// Event kinds.
const (
	// EventSet moves a control to Value, ramping linearly over Time seconds of sound
	// (0: at once). Values outside the control's range are clamped and counted.
	EventSet uint8 = iota + 1
	// EventKick fires a train of square current pulses of amplitude Value, each
	// lasting Time ms of model time (0 to MaxKickDuration): Pulses pulses (0: the
	// neuron's ControlPulses), their onsets Interval ms of model time apart (0: the
	// neuron's ControlInterval, read when the kick starts). The first pulse starts at
	// the event's frame; a single pulse is a train of one. A new kick replaces a train
	// still running; pulses longer than the interval merge into one.
	EventKick
	// EventReset puts the neuron back to its initial state, with no kick and no held
	// current.
	EventReset
	// EventHold adds a steady current of Value to the neuron's input until the next
	// EventHold replaces it (Value 0 ends it): a current that lasts as long as a note is
	// held, where a kick lasts a fixed time. Kicks add to it.
	EventHold
)

// Controls of every neuron; a model's parameter k is ControlParam+k.
const (
	ControlCurrent int32 = iota
	ControlGain
	ControlPan
	ControlNoise
	ControlPulses   // pulses per kick, rounded to a whole number when a kick starts
	ControlInterval // ms of model time between the onsets of a kick's pulses
	ControlParam
)

// AllNeurons as an event's Neuron applies it to every neuron (controls below ControlParam
// only, since parameters differ between models).
const AllNeurons = -1

// Event is a timestamped control change. Frame counts samples since the engine started;
// an event is applied at the start of that frame (or at once if the frame has passed).
type Event struct {
	Frame   int64
	Kind    uint8
	Neuron  int32
	Control int32
	// Pulses and Interval shape an EventKick's train (see EventKick); 0 takes the
	// neuron's own control. Other kinds ignore them.
	Pulses   int32
	Value    float64
	Time     float64
	Interval float64
}

// neuronControls are each neuron's controls and what follows from them, by engine index.
type neuronControls struct {
	current          []float64
	pulses, interval []float64 // the controls ControlPulses and ControlInterval
	held             []float64 // held current (EventHold)
	gain, pan        []float64 // the batch keeps the channel gains they make
	noiseSigma       []float64
	noiseTau         []float64
	noise, noiseA    []float64
	noiseB           []float64
	curMin, curMax   []float64
}

// kickTrains are each neuron's running kick, a train of pulses, by engine index.
type kickTrains struct {
	kick       []float64 // amplitude of the running train's pulses
	kickLeft   []int64   // samples left of the pulse running now
	kickWidth  []int64   // samples per pulse of the running train
	pulsesLeft []int32   // pulses of the train still to start
	nextPulse  []int64   // frame of the next pulse's onset
	trainStep  []int64   // frames between the train's onsets
}

// rampState holds the ramps running (a knob moving), at most one per neuron and control.
type rampState struct {
	ramps    []ramp
	rampSlot []int32 // per neuron*controls: index into ramps, or -1
	nControl int
}

type ramp struct {
	neuron, control int32
	inc, target     float64
	left            int64
}

// Control resolves a control name of neuron i ("current", "gain", "pan", "noise",
// "pulses", "interval" or a parameter of its model). With i == AllNeurons the model's
// parameters are not valid.
func (e *Engine) Control(i int, name string) (int32, error) {
	if i == AllNeurons {
		return ControlIndex(nil, name)
	}
	c, err := ControlIndex(e.cfg.Neurons[i].Model, name)
	if err != nil {
		return 0, fmt.Errorf("neuron %q: %w", e.cfg.Neurons[i].Name, err)
	}
	return c, nil
}

// ControlIndex resolves the name of a control of a neuron of model m: "current", "gain",
// "pan", "noise", "pulses", "interval", or one of m's parameters. With m nil (every
// neuron at once) the parameters are not valid.
func ControlIndex(m *Model, name string) (int32, error) {
	switch name {
	case "current":
		return ControlCurrent, nil
	case "gain":
		return ControlGain, nil
	case "pan":
		return ControlPan, nil
	case "noise":
		return ControlNoise, nil
	case "pulses":
		return ControlPulses, nil
	case "interval":
		return ControlInterval, nil
	}
	if m == nil {
		return 0, fmt.Errorf("%q is not a control of every neuron (name one: NEURON.%s)", name, name)
	}
	if p := m.Param(name); p >= 0 {
		return ControlParam + int32(p), nil
	}
	return 0, fmt.Errorf("no control %q on a %s neuron (known: current, gain, pan, noise, pulses, interval, %s)",
		name, m.Name, joinNames(m.ParamNames()))
}

// ControlValue is the value control c has when a neuron of this spec starts: its
// current, gain, pan, noise, pulses (at least 1), interval (DefaultInterval for 0) or a
// parameter; 0 for a control the spec does not have.
func (s NeuronSpec) ControlValue(c int32) float64 {
	switch c {
	case ControlCurrent:
		return s.Current
	case ControlGain:
		return s.Gain
	case ControlPan:
		return s.Pan
	case ControlNoise:
		return s.Noise
	case ControlPulses:
		return float64(max(s.Pulses, 1))
	case ControlInterval:
		if s.Interval == 0 {
			return DefaultInterval
		}
		return s.Interval
	}
	if k := int(c - ControlParam); k >= 0 && k < len(s.Params) {
		return s.Params[k]
	}
	return 0
}

// ControlName is the name ControlIndex resolves to control c of a neuron of model m
// ("current", ..., or a parameter's name); false for a control m does not have.
func ControlName(m *Model, c int32) (string, bool) {
	switch c {
	case ControlCurrent:
		return "current", true
	case ControlGain:
		return "gain", true
	case ControlPan:
		return "pan", true
	case ControlNoise:
		return "noise", true
	case ControlPulses:
		return "pulses", true
	case ControlInterval:
		return "interval", true
	}
	if k := int(c - ControlParam); m != nil && k >= 0 && k < len(m.Params) {
		return m.Params[k].Name, true
	}
	return "", false
}

// ControlRange is the range an event value for control c of a neuron of model m is
// clamped to.
func ControlRange(m *Model, c int32) (lo, hi float64, ok bool) {
	switch {
	case c == ControlCurrent:
		return m.CurrentMin, m.CurrentMax, true
	case c == ControlGain:
		return 0, MaxGain, true
	case c == ControlPan:
		return -1, 1, true
	case c == ControlNoise:
		return 0, maxNoise(m), true
	case c == ControlPulses:
		return 1, MaxPulses, true
	case c == ControlInterval:
		return MinInterval, MaxInterval, true
	case c >= ControlParam && int(c-ControlParam) < len(m.Params):
		p := m.Params[c-ControlParam]
		return p.Min, p.Max, true
	}
	return 0, 0, false
}

func joinNames(s []string) string { return strings.Join(s, ", ") }

// Schedule gives the engine a scripted performance: events sorted by frame, applied at
// their frames alongside the ring's (at the same frame, scheduled events first). The
// engine keeps the slice and never modifies it. Call it before Process starts, or
// between Process calls from the same goroutine; it replaces any earlier schedule,
// skipping events whose frames have passed. Live play and render both script this way,
// so both apply the same events at the same samples.
func (e *Engine) Schedule(events []Event) {
	for i := 1; i < len(events); i++ {
		if events[i].Frame < events[i-1].Frame {
			panic("emu: Schedule needs events sorted by frame")
		}
	}
	e.schedule, e.nextSch = events, 0
	for e.nextSch < len(events) && events[e.nextSch].Frame < e.frame {
		e.nextSch++
	}
}

// applyDueEvents applies every scheduled and queued event stamped at or before the
// current frame.
func (e *Engine) applyDueEvents() {
	for e.nextSch < len(e.schedule) && e.schedule[e.nextSch].Frame <= e.frame {
		e.apply(e.schedule[e.nextSch])
		e.nextSch++
	}
	for {
		ev, ok := e.events.Peek()
		if !ok || ev.Frame > e.frame {
			return
		}
		e.events.Pop()
		e.apply(ev)
	}
}

func (e *Engine) apply(ev Event) {
	if !finite(ev.Value) || !finite(ev.Time) || !finite(ev.Interval) {
		e.stats.rejected.Add(1)
		return
	}
	if ev.Neuron == AllNeurons {
		if ev.Kind == EventSet && ev.Control >= ControlParam {
			e.stats.rejected.Add(1)
			return
		}
		for i := 0; i < e.n; i++ {
			e.applyTo(i, ev)
		}
		return
	}
	if ev.Neuron < 0 || int(ev.Neuron) >= e.n {
		e.stats.rejected.Add(1)
		return
	}
	e.applyTo(int(ev.Neuron), ev)
}

func (e *Engine) applyTo(i int, ev Event) {
	switch ev.Kind {
	case EventSet:
		lo, hi, ok := e.controlRange(i, ev.Control)
		if !ok {
			e.stats.rejected.Add(1)
			return
		}
		v := ev.Value
		if v < lo || v > hi {
			v = math.Max(lo, math.Min(hi, v))
			e.stats.clamped.Add(1)
		}
		e.startRamp(i, ev.Control, v, ev.Time)
	case EventKick:
		a := e.clampKick(i, ev.Value)
		d := ev.Time
		if !(d >= 0 && d <= MaxKickDuration) {
			d = math.Max(0, math.Min(MaxKickDuration, d))
			e.stats.clamped.Add(1)
		}
		// The pulse lasts a whole number of samples; its amplitude is scaled so that
		// the charge it delivers (amplitude × duration) is the one asked for.
		n := max(int64(math.Round(d/e.dtModel)), 1)
		if d > 0 {
			a *= d / (float64(n) * e.dtModel)
		}
		e.kick[i] = a
		e.kickLeft[i], e.kickWidth[i] = n, n
		e.startTrain(i, ev)
		e.markLive(i)
	case EventHold:
		e.held[i] = e.clampKick(i, ev.Value)
		e.markLive(i)
	case EventReset:
		e.resetNeuron(i)
	default:
		e.stats.rejected.Add(1)
	}
}

// clampKick keeps a kick's or held note's amplitude within the width of the neuron's
// current range, counting a clamp.
func (e *Engine) clampKick(i int, a float64) float64 {
	span := e.curMax[i] - e.curMin[i]
	if a < -span || a > span {
		a = math.Max(-span, math.Min(span, a))
		e.stats.clamped.Add(1)
	}
	return a
}

// startTrain schedules the pulses of kick ev after the first, which starts now: the
// event's pulse count and interval, or the neuron's controls where the event gives 0.
func (e *Engine) startTrain(i int, ev Event) {
	count := int32(math.Round(e.pulses[i]))
	if ev.Pulses != 0 {
		count = ev.Pulses
		if count < 1 || count > MaxPulses {
			count = max(1, min(MaxPulses, count))
			e.stats.clamped.Add(1)
		}
	}
	iv := e.interval[i]
	if ev.Interval != 0 {
		iv = ev.Interval
		if !(iv >= MinInterval && iv <= MaxInterval) {
			iv = math.Max(MinInterval, math.Min(MaxInterval, iv))
			e.stats.clamped.Add(1)
		}
	}
	step := max(int64(math.Round(iv/e.dtModel)), 1)
	e.pulsesLeft[i] = count - 1
	e.trainStep[i] = step
	e.nextPulse[i] = e.frame + step
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (e *Engine) controlRange(i int, c int32) (lo, hi float64, ok bool) {
	return ControlRange(e.cfg.Neurons[i].Model, c)
}

func (e *Engine) controlValue(i int, c int32) float64 {
	switch c {
	case ControlCurrent:
		return e.current[i]
	case ControlGain:
		return e.gain[i]
	case ControlPan:
		return e.pan[i]
	case ControlNoise:
		return e.noiseSigma[i]
	case ControlPulses:
		return e.pulses[i]
	case ControlInterval:
		return e.interval[i]
	}
	b := e.batches[e.batchOf[i]]
	if b.pop {
		return b.pCentre[c-ControlParam]
	}
	return b.p[c-ControlParam][e.slot[i]]
}

func (e *Engine) setControl(i int, c int32, v float64) {
	switch c {
	case ControlCurrent:
		e.current[i] = v
		e.markLive(i)
	case ControlGain:
		e.gain[i] = v
		e.setPan(i)
	case ControlPan:
		e.pan[i] = v
		e.setPan(i)
	case ControlNoise:
		e.noiseSigma[i] = v
		e.setNoise(i)
	case ControlPulses:
		e.pulses[i] = v
	case ControlInterval:
		e.interval[i] = v
	default:
		b, p := e.batches[e.batchOf[i]], int(c-ControlParam)
		if !b.pop {
			b.setParam(e.slot[i], p, v)
			return
		}
		b.pCentre[p] = v
		for k := range b.in {
			b.setParam(k, p, b.memberParam(p, k, v))
		}
	}
}

// startRamp moves control c of neuron i to v over seconds of sound, replacing any ramp
// already running on it.
func (e *Engine) startRamp(i int, c int32, v, seconds float64) {
	n := int64(math.Round(seconds * e.sampleRate))
	key := i*e.nControl + int(c)
	if n <= 0 {
		if r := e.rampSlot[key]; r >= 0 {
			e.removeRamp(int(r))
		}
		e.setControl(i, c, v)
		return
	}
	inc := (v - e.controlValue(i, c)) / float64(n)
	if r := e.rampSlot[key]; r >= 0 {
		e.ramps[r] = ramp{neuron: int32(i), control: c, inc: inc, target: v, left: n}
		return
	}
	if len(e.ramps) == cap(e.ramps) { // cannot happen: one slot per neuron and control
		e.setControl(i, c, v)
		return
	}
	e.rampSlot[key] = int32(len(e.ramps))
	e.ramps = append(e.ramps, ramp{neuron: int32(i), control: c, inc: inc, target: v, left: n})
}

func (e *Engine) removeRamp(r int) {
	last := len(e.ramps) - 1
	gone := e.ramps[r]
	e.rampSlot[int(gone.neuron)*e.nControl+int(gone.control)] = -1
	if r != last {
		e.ramps[r] = e.ramps[last]
		moved := e.ramps[r]
		e.rampSlot[int(moved.neuron)*e.nControl+int(moved.control)] = int32(r)
	}
	e.ramps = e.ramps[:last]
}

func (e *Engine) stepRamps() {
	for r := 0; r < len(e.ramps); {
		rp := &e.ramps[r]
		i, c := int(rp.neuron), rp.control
		rp.left--
		if rp.left <= 0 {
			e.setControl(i, c, rp.target)
			e.removeRamp(r)
			continue
		}
		if c >= ControlParam && e.count[i] > 1 {
			// A population's parameter is each member's: moved every popRampStep
			// samples (0.7 ms at 48 kHz), a thousand members cost what one does.
			if rp.left%popRampStep == 0 {
				e.setControl(i, c, rp.target-rp.inc*float64(rp.left))
			}
		} else {
			e.setControl(i, c, e.controlValue(i, c)+rp.inc)
		}
		r++
	}
}

// popRampStep is how many samples apart a ramp moves a population's parameter.
const popRampStep = 32

func (e *Engine) setPan(i int) {
	b, k0, n := e.batches[e.batchOf[i]], e.slot[i], 1
	if b.pop {
		k0, n = 0, len(b.in)
	}
	// Equal-power pan: a centred neuron is 3 dB down in each channel.
	l, r := e.gain[i], 0.0
	if e.cfg.Channels != 1 {
		a := (e.pan[i] + 1) * math.Pi / 4
		l, r = e.gain[i]*math.Cos(a), e.gain[i]*math.Sin(a)
	}
	if n > 1 {
		l, r = l*popGain(n), r*popGain(n)
	}
	for k := k0; k < k0+n; k++ {
		b.setGains(k, l, r)
	}
}

func (e *Engine) setNoise(i int) {
	if e.dtModel == 0 {
		return
	}
	a := math.Exp(-e.dtModel / e.noiseTau[i])
	e.noiseA[i] = a
	e.noiseB[i] = e.noiseSigma[i] * math.Sqrt(1-a*a)
	if e.noiseSigma[i] == 0 {
		e.noise[i] = 0
	}
	e.popDirty[i] = e.count[i] > 1
	e.markLive(i)
}

func (e *Engine) resetNeuron(i int) {
	b, k0, n := e.batches[e.batchOf[i]], e.slot[i], 1
	if b.pop {
		k0, n = 0, len(b.in)
	}
	for k := k0; k < k0+n; k++ {
		for v := range b.x {
			b.x[v][k] = b.rest[v][k]
		}
		b.restart(k)
		if b.pop {
			b.noise[k] = 0
		}
	}
	e.kick[i], e.kickLeft[i], e.pulsesLeft[i], e.held[i] = 0, 0, 0, 0
	e.noise[i] = 0
	e.popDirty[i] = e.count[i] > 1
	e.markLive(i)
}
