package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/csvout"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/outfile"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/io/wav"
	"github.com/separatrix-audio/separatrix/patches"
)

// rampFlags collects repeatable --ramp TARGET=FROM:TO:SECONDS.
type rampFlags []render.Ramp

func (r *rampFlags) String() string { return "" }
func (r *rampFlags) Set(s string) error {
	target, spec, ok := strings.Cut(s, "=")
	parts := strings.Split(spec, ":")
	if !ok || target == "" || len(parts) != 3 {
		return fmt.Errorf("%q is not TARGET=FROM:TO:SECONDS (e.g. current=0:10:20)", s)
	}
	var v [3]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%q: %q is not a number", s, p)
		}
		v[i] = x
	}
	if v[2] <= 0 {
		return fmt.Errorf("%q: a ramp must last more than 0 seconds", s)
	}
	*r = append(*r, render.Ramp{Target: strings.TrimSpace(target), From: v[0], To: v[1], Seconds: v[2]})
	return nil
}

// setFlags collects repeatable --set TARGET=VALUE.
type setFlags []render.Set

func (s *setFlags) String() string { return "" }
func (s *setFlags) Set(arg string) error {
	target, value, ok := strings.Cut(arg, "=")
	if !ok || target == "" {
		return fmt.Errorf("%q is not TARGET=VALUE (e.g. current=10 or b.gK=12)", arg)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%q: %q is not a number", arg, value)
	}
	*s = append(*s, render.Set{Target: strings.TrimSpace(target), Value: x})
	return nil
}

// kickFlags collects repeatable --kick NEURON=AMPLITUDE:MS@SECONDS[,pulses=N][,interval=MS].
type kickFlags []render.Kick

func (k *kickFlags) String() string { return "" }
func (k *kickFlags) Set(s string) error {
	single, options, hasOptions := strings.Cut(s, ",")
	neuron, spec, ok1 := strings.Cut(single, "=")
	pulse, at, ok2 := strings.Cut(spec, "@")
	amp, ms, ok3 := strings.Cut(pulse, ":")
	if !ok1 || !ok2 || !ok3 || neuron == "" {
		return fmt.Errorf("%q is not NEURON=AMPLITUDE:MS@SECONDS (e.g. a=20:1@2, or a=4.5:0.5@2,pulses=2,interval=1.5 for a pair)", s)
	}
	var v [3]float64
	for i, p := range []string{amp, ms, at} {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%q: %q is not a number", s, p)
		}
		v[i] = x
	}
	kick := render.Kick{Neuron: strings.TrimSpace(neuron), Amplitude: v[0], Ms: v[1], At: v[2]}
	if hasOptions {
		for _, o := range strings.Split(options, ",") {
			key, value, _ := strings.Cut(o, "=")
			x, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			switch key = strings.TrimSpace(key); {
			case key != "pulses" && key != "interval":
				return fmt.Errorf("%q: %q is not an option of a kick (pulses=N and interval=MS make a pair or a train, e.g. %s,pulses=2,interval=1.5)", s, o, single)
			case err != nil || math.IsNaN(x) || math.IsInf(x, 0):
				return fmt.Errorf("%q: %s=%q is not a number", s, key, value)
			case key == "pulses" && (x != math.Trunc(x) || x < 1 || x > emu.MaxPulses):
				return fmt.Errorf("%q: pulses must be a whole number, 1 to %d (2 is a pair)", s, emu.MaxPulses)
			case key == "pulses":
				kick.Pulses = int(x)
			case !(x >= emu.MinInterval && x <= emu.MaxInterval):
				return fmt.Errorf("%q: the interval must be %g to %d ms of model time", s, emu.MinInterval, emu.MaxInterval)
			default:
				kick.Interval = x
			}
		}
	}
	*k = append(*k, kick)
	return nil
}

// performanceFlags are the scripted-performance flags render, trace and play share.
type performanceFlags struct {
	ramps rampFlags
	sets  setFlags
	kicks kickFlags
	score *string // nil for play, which takes its MIDI live
}

func addPerformanceFlags(fs *flag.FlagSet, withScore bool) *performanceFlags {
	f := &performanceFlags{}
	fs.Var(&f.kicks, "kick", "kick NEURON=AMPLITUDE:MS@SECONDS[,pulses=N][,interval=MS]: a current pulse of AMPLITUDE for MS ms of model time at SECONDS (NEURON all: every neuron); "+
		"with pulses=N, N such pulses whose onsets are interval=MS ms of model time apart (default: the neuron's pulses and interval, which --set NEURON.interval=MS sets)")
	fs.Var(&f.ramps, "ramp", "ramp TARGET=FROM:TO:SECONDS; repeat it: ramps on one target follow each other")
	fs.Var(&f.sets, "set", "set TARGET=VALUE from the start; TARGET is current (every neuron) or NEURON.PARAM (a.current, b.gK)")
	if withScore {
		f.score = fs.String("score", "", "play this Standard MIDI `file` through the patch's MIDI mapping")
	}
	return f
}

// performance gathers the performance the flags describe, reading the score if any.
func (f *performanceFlags) performance() (render.Performance, error) {
	perf := render.Performance{Sets: f.sets, Ramps: f.ramps, Kicks: f.kicks}
	if f.score != nil && *f.score != "" {
		sc, err := midifile.ReadScore(*f.score)
		if err != nil {
			return perf, err
		}
		for _, ev := range sc.Events {
			perf.Score = append(perf.Score, render.ScoreEvent{Seconds: ev.Seconds, Msg: ev.Msg})
		}
		perf.ScoreLength = sc.Length
	}
	return perf, nil
}

// newFlagSet returns the flag set of a command whose -h prints its synopsis, what it
// does, its flags and an example.
func newFlagSet(name, synopsis, about, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: separatrix %s %s\n\n%s Flags:\n", name, synopsis, about)
		fs.PrintDefaults()
		if example != "" {
			fmt.Fprintln(fs.Output(), "\nExample: "+example)
		}
	}
	return fs
}

// onePatch parses a command's arguments and returns its one PATCH.
func onePatch(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	rest, err := parseInterspersed(fs, args, stderr)
	if err != nil {
		return "", err
	}
	if len(rest) != 1 {
		return "", usageError{fs.Name() + " takes one PATCH (see 'separatrix patches')"}
	}
	return rest[0], nil
}

func runRender(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("render", "PATCH -o OUT.wav [flags]", "Renders PATCH (a built-in name or a .toml file) offline.",
		"separatrix render hysteresis -o out/h.wav --ramp current=0:8:20 --ramp current=8:0:20 --midi out/h.mid --csv out/h.csv", stderr)
	var (
		out      = fs.String("o", "", "write the audio to this WAV `file` (required; a FIFO or a terminal gets a stream, /dev/null nothing)")
		duration = fs.Duration("duration", 0, "render this long, e.g. 3s or 1m30s (default: as long as the ramps or the score, else 10s)")
		midiPath = fs.String("midi", "", "write one note per spike (the patch's spike mapping) to this Standard MIDI `file`")
		csvPath  = fs.String("csv", "", "write t_ms and every neuron's state and current, at most 1000 rows a second, to this CSV `file`")
		rate     = fs.Int("rate", 48000, "sample rate in `Hz`")
		seed     = fs.Uint64("seed", 0, "noise seed (default: the patch's)")
		format   = fs.String("format", "pcm16", "WAV sample format: pcm16, pcm24 or float32")
		quiet    = fs.Bool("quiet", false, "no progress bar and no summary")
		pf       = addPerformanceFlags(fs, true)
	)
	patch, err := onePatch(fs, args, stderr)
	if err != nil {
		return err
	}
	if *out == "" {
		return usageError{"render needs -o OUT.wav"}
	}
	wf, err := wav.ParseFormat(*format)
	if err != nil {
		return usageError{err.Error()}
	}
	// What the render reads and writes, checked before anything is written: no output
	// may be an input or another output.
	files := outfile.Files{MakeDirs: true}
	if patches.IsFile(patch) {
		files.Input("the patch file", patch)
	}
	files.Input("--score", *pf.score)
	audioOut := files.Output("-o", *out)
	midiOut := files.Output("--midi", *midiPath)
	csvOut := files.Output("--csv", *csvPath)
	if err := files.Check(); err != nil {
		return usageError{err.Error()}
	}
	p, err := patches.Load(patch)
	if err != nil {
		return err
	}
	perf, err := pf.performance()
	if err != nil {
		return err
	}

	// Every file is written under a temporary name and put in place when the render has
	// succeeded: a failed or interrupted render never destroys an earlier take, and
	// leaves no temporary file behind (kill -9 excepted).
	defer files.Abort()
	ctx, stop := files.Interruptible(context.Background())
	defer stop()
	channels := p.Engine.Channels
	if channels == 0 {
		channels = 2
	}
	audio, err := createWAV(audioOut, *rate, channels, wf)
	if err != nil {
		return err
	}
	var rendered int64 // frames
	sink := render.Sink{Audio: func(block [][]float32) error {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		rendered += int64(len(block[0]))
		return audio.Write(block)
	}}
	var notes *midifile.Writer
	var notesFile *outfile.File
	if midiOut != nil {
		// Created now, written at the end: a MIDI file that cannot be created fails the
		// render before it starts, not after.
		if notesFile, err = midiOut.Create(); err != nil {
			return err
		}
		notes = midifile.NewWriter(float64(*rate))
		sink.MIDI = func(m midimap.Timed) error { notes.Add(m); return nil }
	}
	var table *csvout.Writer
	if csvOut != nil {
		f, err := csvOut.Create()
		if err != nil {
			return err
		}
		if table, err = csvout.New(f, render.Header(p)); err != nil {
			return err
		}
		sink.Table = table.Row
	}
	bar := newProgressBar(stderr, *quiet)
	sink.Progress = bar.update
	start := time.Now()
	ropt := render.Options{SampleRate: *rate, Duration: duration.Seconds(), Seed: *seed}
	res, err := render.Run(p, perf, ropt, sink)
	bar.done()
	if err != nil {
		var in *outfile.Interrupted
		if errors.As(err, &in) {
			files.Abort()
			return fmt.Errorf("%w at %.1f s of %s s; %s", in, float64(rendered)/float64(*rate),
				strconv.FormatFloat(ropt.Length(&perf), 'f', -1, 64), files.Summary())
		}
		return err
	}
	// A signal from here on is too late to stop anything: the take is complete and kept.
	if err := audio.Close(); err != nil {
		return err
	}
	written := []string{*out}
	if notes != nil {
		notes.SetTrackName(p.Name)
		notes.SetLength(res.Frames)
		if _, err := notes.WriteTo(notesFile); err != nil {
			return fmt.Errorf("%s: %w", *midiPath, err)
		}
		written = append(written, *midiPath)
	}
	if table != nil {
		if err := table.Close(); err != nil {
			return err
		}
		written = append(written, *csvPath)
	}
	if err := files.Commit(); err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintln(stderr, summary(p, res, time.Since(start), written))
	}
	return nil
}

// createWAV opens the audio output: a file or a device that can seek gets a header
// patched at the end, a FIFO or a terminal a stream whose header says "unknown length".
func createWAV(o *outfile.Output, rate, channels int, f wav.Format) (*wav.Writer, error) {
	file, err := o.Create()
	if err != nil {
		return nil, err
	}
	if file.Seekable() {
		return wav.NewWriter(file, rate, channels, f)
	}
	return wav.NewStreamWriter(file, rate, channels, f)
}

// spikeCounts says how many spikes each neuron fired ("a 12, b 3"); for more than eight
// neurons, the total and the busiest, so that the line stays a line.
func spikeCounts(names []string, spikes []uint64) string {
	if len(spikes) <= 8 {
		parts := make([]string, len(spikes))
		for i, n := range spikes {
			parts[i] = fmt.Sprintf("%s %d", names[i], n)
		}
		return strings.Join(parts, ", ")
	}
	var total uint64
	busiest := 0
	for i, n := range spikes {
		total += n
		if n > spikes[busiest] {
			busiest = i
		}
	}
	if total == 0 {
		return fmt.Sprintf("none from %d neurons", len(spikes))
	}
	return fmt.Sprintf("%d from %d neurons (most: %s %d)", total, len(spikes), names[busiest], spikes[busiest])
}

// summary is the one line a render ends with.
func summary(p *patches.Patch, res *render.Result, took time.Duration, written []string) string {
	peak := "silent"
	if res.Stats.Peak > 0 {
		peak = fmt.Sprintf("%.1f dBFS", 20*math.Log10(res.Stats.Peak))
	}
	s := fmt.Sprintf("%s: %.1f s at %d Hz in %.1f s; spikes: %s; resets: %d; peak %s",
		p.Name, res.Seconds(), res.SampleRate, took.Seconds(), spikeCounts(p.NeuronNames, res.Stats.Spikes), res.Stats.Resets, peak)
	if res.NotesSent+res.NotesDropped > 0 {
		s += fmt.Sprintf("; notes: %d", res.NotesSent)
		if res.NotesDropped > 0 {
			s += fmt.Sprintf(" (%d over the cap dropped)", res.NotesDropped)
		}
	}
	return s + " -> " + strings.Join(written, ", ")
}

// progressBar draws on stderr only when it is a terminal.
type progressBar struct {
	w    io.Writer
	on   bool
	last int
}

func newProgressBar(w io.Writer, quiet bool) *progressBar {
	return &progressBar{w: w, on: !quiet && isTerminal(w), last: -1}
}

func (b *progressBar) update(done, total int64) {
	if !b.on || total == 0 {
		return
	}
	pct := int(100 * done / total)
	if pct == b.last {
		return
	}
	b.last = pct
	const width = 30
	fill := width * pct / 100
	fmt.Fprintf(b.w, "\r[%s%s] %3d%%", strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct)
}

func (b *progressBar) done() {
	if b.on && b.last >= 0 {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
