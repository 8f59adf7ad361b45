package render

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/patches"
)

// Ramp moves a target linearly from From to To over Seconds of sound. Successive ramps
// on one target follow each other in time.
type Ramp struct {
	Target   string // "current", "a.current", "b.gK"
	From, To float64
	Seconds  float64
}

// Set puts a target at a value from the start.
type Set struct {
	Target string
	Value  float64
}

// Kick is a current pulse into one neuron (or every neuron: Neuron "all") at a time, or
// a pair or short train of them.
type Kick struct {
	Neuron    string
	Amplitude float64 // in the model's current unit
	Ms        float64 // pulse length, ms of model time
	At        float64 // seconds into the render
	// Pulses (1 to emu.MaxPulses) and Interval (ms of model time between their onsets,
	// emu.MinInterval to emu.MaxInterval) make a train; 0 takes the neuron's pulses
	// and interval controls.
	Pulses   int
	Interval float64
}

// String is the kick as --kick writes it: NEURON=AMPLITUDE:MS@SECONDS, then
// ,pulses=N and ,interval=MS when given.
func (k Kick) String() string {
	s := fmt.Sprintf("%s=%g:%g@%g", k.Neuron, k.Amplitude, k.Ms, k.At)
	if k.Pulses != 0 {
		s += fmt.Sprintf(",pulses=%d", k.Pulses)
	}
	if k.Interval != 0 {
		s += fmt.Sprintf(",interval=%g", k.Interval)
	}
	return s
}

// ScoreEvent is a MIDI message at a time in the render, in seconds.
type ScoreEvent struct {
	Seconds float64
	Msg     midimap.Msg
}

// Performance is what happens to a patch during a render.
type Performance struct {
	Sets  []Set
	Ramps []Ramp
	Kicks []Kick
	// Score is played through the patch's MIDI mapping exactly as live MIDI would be.
	Score       []ScoreEvent
	ScoreLength float64 // seconds
}

// DefaultDuration is how long a render without ramps, score or duration lasts.
const DefaultDuration = 10.0

// MaxDuration is the longest render and the longest performance, in seconds: 24 hours.
// It holds for --duration and for what the ramps, kicks and score imply (Run and
// Schedule refuse a longer one), so that a typo or a corrupt score never starts a
// render of days. midifile.MaxLength is the same limit for a score file.
const MaxDuration = 24 * 3600.0

// Sink receives what a render produces; any field may be nil.
type Sink struct {
	// Audio receives each block of samples (channel buffers, valid only during the call).
	Audio func(block [][]float32) error
	// MIDI receives the patch's spike mapping output in frame order.
	MIDI func(m midimap.Timed) error
	// Spike receives every spike.
	Spike func(s emu.Spike)
	// Table receives rows at most every Decimation frames: time in ms of sound, then per
	// neuron every state variable and the injected current (see Header).
	Table func(row []float64) error
	// Progress is called now and then with frames done and the total.
	Progress func(done, total int64)
}

// Options set the render's rate, length and seed.
type Options struct {
	SampleRate int     // default 48000
	Duration   float64 // seconds; 0: as long as the ramps or the score, else DefaultDuration
	Seed       uint64  // noise seed; 0 keeps the patch's
}

// Result summarises a render.
type Result struct {
	Frames       int64
	SampleRate   int
	Stats        emu.Stats
	NotesSent    uint64
	NotesDropped uint64
	MIDIIgnored  uint64 // score messages the mapping did not use
}

// Seconds is the rendered length.
func (r *Result) Seconds() float64 { return float64(r.Frames) / float64(r.SampleRate) }

// Header is the table's column names for a patch: t_ms, then NEURON.VAR for each state
// variable and NEURON.I for the injected current (control plus kicks).
func Header(p *patches.Patch) []string {
	h := []string{"t_ms"}
	for i, s := range p.Engine.Neurons {
		name := p.NeuronNames[i]
		for _, v := range s.Model.Vars {
			h = append(h, name+"."+v.Name)
		}
		h = append(h, name+".I")
	}
	return h
}

// Decimation is how many frames separate table rows: at most 1000 rows per second.
func Decimation(sampleRate int) int {
	return int(math.Ceil(float64(sampleRate) / 1000))
}

// Length is how long a performance lasts: the longest ramp sequence, the score, or a
// second after the last kick. Run and Schedule refuse a performance whose ramps, kicks or
// score go past MaxDuration; a kick's second is cut at MaxDuration.
func (perf *Performance) Length() float64 {
	ends := map[string]float64{}
	length := perf.ScoreLength
	for _, r := range perf.Ramps {
		ends[r.Target] += r.Seconds
		length = math.Max(length, ends[r.Target])
	}
	for _, k := range perf.Kicks {
		// Leave a second to hear what the kick did.
		length = math.Max(length, k.At+1)
	}
	return length
}

// Length is how many seconds Run renders perf: the Duration asked for, else the
// performance's own length (at most MaxDuration), else DefaultDuration.
func (opt Options) Length(perf *Performance) float64 {
	if opt.Duration != 0 {
		return opt.Duration
	}
	if l := math.Min(perf.Length(), MaxDuration); l != 0 {
		return l
	}
	return DefaultDuration
}

// Run renders the patch through the performance into the sink. It is deterministic: the
// same patch, performance, options and seed give the same samples, notes and rows.
func Run(p *patches.Patch, perf Performance, opt Options, sink Sink) (*Result, error) {
	if opt.SampleRate == 0 {
		opt.SampleRate = 48000
	}
	if opt.SampleRate < 8000 || opt.SampleRate > 384000 {
		return nil, fmt.Errorf("sample rate %d Hz is outside 8000 to 384000", opt.SampleRate)
	}
	if math.IsNaN(opt.Duration) || opt.Duration < 0 || opt.Duration > MaxDuration {
		return nil, fmt.Errorf("duration %g s is outside 0 to 24 hours", opt.Duration)
	}
	if err := checkScore(perf); err != nil {
		return nil, err
	}
	rate := float64(opt.SampleRate)
	events, err := Schedule(p, perf, rate) // before the engine: a performance too long costs nothing
	if err != nil {
		return nil, err
	}
	duration := opt.Length(&perf)
	cfg := p.Engine
	if opt.Seed != 0 {
		cfg.Seed = opt.Seed
	}
	block := Decimation(opt.SampleRate)
	// Enough room for every event of a busy block.
	cfg.EventCapacity = 1 << 14
	cfg.SpikeCapacity = 1 << 16
	e, err := emu.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("patch %s: %w", p.Name, err)
	}
	if err := e.Prepare(rate, block); err != nil {
		return nil, err
	}
	controls := midimap.NewControls(p.MIDI)
	notes := midimap.NewSpikeNotes(p.MIDI, rate, e.ModelTimeStep())

	total := int64(math.Round(duration * rate))
	for _, k := range perf.Kicks {
		if k.At >= duration {
			return nil, fmt.Errorf("--kick %s at %g s comes after the end of the render (%g s): lengthen --duration", k.Neuron, k.At, duration)
		}
	}
	out := make([][]float32, e.Channels())
	for c := range out {
		out[c] = make([]float32, block)
	}
	e.Schedule(events)
	var (
		midiBuf  []midimap.Timed
		pending  []emu.Event // score events not yet in the ring
		row      []float64
		state    []float64
		next     int // next pending event
		nextNote int // next score message
	)
	emitMIDI := func() error {
		if sink.MIDI != nil {
			for _, m := range midiBuf {
				if err := sink.MIDI(m); err != nil {
					return err
				}
			}
		}
		midiBuf = midiBuf[:0]
		return nil
	}
	writeRow := func(frame int64) error {
		if sink.Table == nil {
			return nil
		}
		row = append(row[:0], float64(frame)*1000/rate)
		for i := 0; i < e.Len(); i++ {
			state = e.State(state[:0], i)
			row = append(row, state...)
			row = append(row, e.Injected(i)+e.Kick(i))
		}
		return sink.Table(row)
	}
	if err := writeRow(0); err != nil {
		return nil, err
	}
	lastProgress := int64(0)
	for frame := int64(0); frame < total; {
		n := int64(block)
		if total-frame < n {
			n = total - frame
		}
		end := frame + n
		// Score messages due in this block go through the mapping, as live MIDI does,
		// and reach the engine through its ring, as live MIDI does.
		for nextNote < len(perf.Score) {
			se := perf.Score[nextNote]
			at := int64(math.Round(se.Seconds * rate))
			if at >= end {
				break
			}
			pending = controls.Handle(pending, se.Msg, at)
			if f, ok := controls.TakeAllOff(); ok {
				midiBuf = notes.AllOff(midiBuf, f)
			}
			nextNote++
		}
		for next < len(pending) {
			if !e.Events().Push(pending[next]) {
				// The ring is full: render up to this event and push the rest later.
				end = max(pending[next].Frame, frame+1)
				break
			}
			next++
		}
		if next == len(pending) {
			pending, next = pending[:0], 0
		}
		for c := range out {
			out[c] = out[c][:end-frame]
		}
		e.Process(out)
		if sink.Audio != nil {
			if err := sink.Audio(out); err != nil {
				return nil, err
			}
		}
		for {
			s, ok := e.Spikes().Pop()
			if !ok {
				break
			}
			if sink.Spike != nil {
				sink.Spike(s)
			}
			midiBuf = notes.Spike(midiBuf, s)
		}
		frame = end
		midiBuf = notes.Advance(midiBuf, frame)
		if err := emitMIDI(); err != nil {
			return nil, err
		}
		if frame%int64(block) == 0 || frame == total {
			if err := writeRow(frame); err != nil {
				return nil, err
			}
		}
		if sink.Progress != nil && (frame-lastProgress >= int64(rate/10) || frame == total) {
			sink.Progress(frame, total)
			lastProgress = frame
		}
	}
	// No hanging notes: whatever still sounds ends with the render.
	midiBuf = notes.AllOff(midiBuf, total)
	if err := emitMIDI(); err != nil {
		return nil, err
	}
	ns := notes.Stats()
	return &Result{
		Frames: total, SampleRate: opt.SampleRate, Stats: e.Stats(),
		NotesSent: ns.Notes, NotesDropped: ns.Dropped, MIDIIgnored: controls.Stats().Ignored,
	}, nil
}

// checkScore refuses a score that lasts longer than MaxDuration or has an event at a
// time that is not one (midifile never gives either; a Performance built in code might).
func checkScore(perf Performance) error {
	if !(perf.ScoreLength >= 0 && perf.ScoreLength <= MaxDuration) {
		return fmt.Errorf("the score lasts %s; a performance may last at most 24 hours", hours(perf.ScoreLength))
	}
	for i, ev := range perf.Score {
		if !(ev.Seconds >= 0 && ev.Seconds <= MaxDuration) {
			return fmt.Errorf("score event %d is at %s; a performance may last at most 24 hours", i+1, hours(ev.Seconds))
		}
	}
	return nil
}

// hours writes a time in seconds and, when long, in hours.
func hours(sec float64) string {
	if math.Abs(sec) < 3600 || math.IsNaN(sec) || math.IsInf(sec, 0) {
		return fmt.Sprintf("%g s", sec)
	}
	return fmt.Sprintf("%g s (%.1f hours)", sec, sec/3600)
}

// Schedule turns a performance's sets, ramps and kicks (not its score) into engine
// events sorted by frame, at the given sample rate. Live play uses it too. It refuses
// ramps that together run past MaxDuration on one target, and kicks after it.
func Schedule(p *patches.Patch, perf Performance, rate float64) ([]emu.Event, error) {
	var events []emu.Event
	for _, s := range perf.Sets {
		n, c, err := patches.ResolveTarget(p, s.Target)
		if err != nil {
			return nil, fmt.Errorf("--set %s: %w", s.Target, err)
		}
		if err := checkValue(p, n, c, s.Value); err != nil {
			return nil, fmt.Errorf("--set %s=%g: %w", s.Target, s.Value, err)
		}
		events = append(events, emu.Event{Frame: 0, Kind: emu.EventSet, Neuron: n, Control: c, Value: s.Value})
	}
	start := map[string]float64{}
	for _, r := range perf.Ramps {
		n, c, err := patches.ResolveTarget(p, r.Target)
		if err != nil {
			return nil, fmt.Errorf("--ramp %s: %w", r.Target, err)
		}
		for _, v := range []float64{r.From, r.To} {
			if err := checkValue(p, n, c, v); err != nil {
				return nil, fmt.Errorf("--ramp %s=%g:%g:%g: %w", r.Target, r.From, r.To, r.Seconds, err)
			}
		}
		if !(r.Seconds > 0 && r.Seconds <= MaxDuration) {
			return nil, fmt.Errorf("--ramp %s: %g seconds is not a usable ramp length (more than 0, at most 24 hours)", r.Target, r.Seconds)
		}
		t0 := start[r.Target]
		start[r.Target] = t0 + r.Seconds
		if end := start[r.Target]; end > MaxDuration {
			return nil, fmt.Errorf("--ramp %s=%g:%g:%g: the ramps on %s follow each other and end at %s; a performance may last "+
				"at most 24 hours: shorten them", r.Target, r.From, r.To, r.Seconds, r.Target, hours(end))
		}
		f := int64(math.Round(t0 * rate))
		events = append(events,
			emu.Event{Frame: f, Kind: emu.EventSet, Neuron: n, Control: c, Value: r.From},
			emu.Event{Frame: f, Kind: emu.EventSet, Neuron: n, Control: c, Value: r.To, Time: r.Seconds})
	}
	for _, k := range perf.Kicks {
		n := int32(emu.AllNeurons)
		if k.Neuron != "all" {
			n = -2
			for i, name := range p.NeuronNames {
				if name == k.Neuron {
					n = int32(i)
				}
			}
			if n == -2 {
				return nil, fmt.Errorf("--kick %s: patch %s has no neuron %q (it has %s)", k.Neuron, p.Name, k.Neuron, strings.Join(p.NeuronNames, ", "))
			}
		}
		if !(k.At >= 0 && k.At < MaxDuration) || !(k.Ms > 0 && k.Ms <= emu.MaxKickDuration) || math.IsNaN(k.Amplitude) || math.IsInf(k.Amplitude, 0) {
			return nil, fmt.Errorf("--kick %s: the time must be 0 or more seconds, less than 24 hours, and the pulse 0 to %g ms", k, float64(emu.MaxKickDuration))
		}
		if k.Pulses < 0 || k.Pulses > emu.MaxPulses {
			return nil, fmt.Errorf("--kick %s: pulses must be 1 to %d (2 is a pair)", k, emu.MaxPulses)
		}
		if k.Interval != 0 && !(k.Interval >= emu.MinInterval && k.Interval <= emu.MaxInterval) {
			return nil, fmt.Errorf("--kick %s: the interval must be %g to %d ms of model time", k, emu.MinInterval, emu.MaxInterval)
		}
		events = append(events, emu.Event{Frame: int64(math.Round(k.At * rate)), Kind: emu.EventKick, Neuron: n, Value: k.Amplitude, Time: k.Ms,
			Pulses: int32(k.Pulses), Interval: k.Interval})
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Frame < events[j].Frame })
	return events, nil
}

// checkValue refuses values outside a control's range instead of letting the engine
// clamp them silently: on the command line a typo should be an error.
func checkValue(p *patches.Patch, n, c int32, v float64) error {
	neurons := p.Engine.Neurons
	if n != emu.AllNeurons {
		neurons = neurons[n : n+1]
	}
	for _, s := range neurons {
		lo, hi, ok := emu.ControlRange(s.Model, c)
		if !ok {
			return fmt.Errorf("no such control on %s", s.Name)
		}
		if !(v >= lo && v <= hi) {
			return fmt.Errorf("%g is outside the allowed range %g to %g for neuron %s", v, lo, hi, s.Name)
		}
	}
	return nil
}
