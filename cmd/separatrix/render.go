package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/separatrix-audio/separatrix/io/csvout"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
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

// kickFlags collects repeatable --kick NEURON=AMPLITUDE:MS@SECONDS.
type kickFlags []render.Kick

func (k *kickFlags) String() string { return "" }
func (k *kickFlags) Set(s string) error {
	neuron, spec, ok1 := strings.Cut(s, "=")
	pulse, at, ok2 := strings.Cut(spec, "@")
	amp, ms, ok3 := strings.Cut(pulse, ":")
	if !ok1 || !ok2 || !ok3 || neuron == "" {
		return fmt.Errorf("%q is not NEURON=AMPLITUDE:MS@SECONDS (e.g. a=20:1@2)", s)
	}
	var v [3]float64
	for i, p := range []string{amp, ms, at} {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%q: %q is not a number", s, p)
		}
		v[i] = x
	}
	*k = append(*k, render.Kick{Neuron: strings.TrimSpace(neuron), Amplitude: v[0], Ms: v[1], At: v[2]})
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
	fs.Var(&f.kicks, "kick", "kick NEURON=AMPLITUDE:MS@SECONDS: a current pulse of AMPLITUDE for MS ms of model time at SECONDS (NEURON all: every neuron)")
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
		out      = fs.String("o", "", "write the audio to this WAV `file` (required)")
		duration = fs.Duration("duration", 0, "render this long, e.g. 3s or 1m30s (default: as long as the ramps or the score, else 10s)")
		midiOut  = fs.String("midi", "", "write one note per spike (the patch's spike mapping) to this Standard MIDI `file`")
		csvOut   = fs.String("csv", "", "write t_ms and every neuron's state and current, at most 1000 rows a second, to this CSV `file`")
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
	p, err := patches.Load(patch)
	if err != nil {
		return err
	}
	perf, err := pf.performance()
	if err != nil {
		return err
	}

	// Every file is written under a temporary name and renamed when the render has
	// succeeded: a failed render never destroys an earlier take.
	var files tempFiles
	defer files.cleanup()
	for _, path := range []string{*out, *midiOut, *csvOut} {
		if path != "" {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
		}
	}
	channels := p.Engine.Channels
	if channels == 0 {
		channels = 2
	}
	audio, err := wav.Create(files.temp(*out), *rate, channels, wf)
	if err != nil {
		return err
	}
	defer audio.Close()
	sink := render.Sink{Audio: audio.Write}
	var notes *midifile.Writer
	if *midiOut != "" {
		notes = midifile.NewWriter(float64(*rate))
		sink.MIDI = func(m midimap.Timed) error { notes.Add(m); return nil }
	}
	var table *csvout.Writer
	if *csvOut != "" {
		table, err = csvout.Create(files.temp(*csvOut), render.Header(p))
		if err != nil {
			return err
		}
		defer table.Close()
		sink.Table = table.Row
	}
	bar := newProgressBar(stderr, *quiet)
	sink.Progress = bar.update
	start := time.Now()
	res, err := render.Run(p, perf, render.Options{SampleRate: *rate, Duration: duration.Seconds(), Seed: *seed}, sink)
	bar.done()
	if err != nil {
		return err
	}
	if err := audio.Close(); err != nil {
		return err
	}
	written := []string{*out}
	if notes != nil {
		notes.SetTrackName(p.Name)
		notes.SetLength(res.Frames)
		if err := notes.WriteFile(files.temp(*midiOut)); err != nil {
			return err
		}
		written = append(written, *midiOut)
	}
	if table != nil {
		if err := table.Close(); err != nil {
			return err
		}
		written = append(written, *csvOut)
	}
	if err := files.commit(); err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintln(stderr, summary(p, res, time.Since(start), written))
	}
	return nil
}

// tempFiles maps output paths to temporary names beside them, renamed into place by
// commit and removed by cleanup if commit never ran.
type tempFiles struct {
	paths, temps []string
	done         bool
}

func (t *tempFiles) temp(path string) string {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+fmt.Sprintf(".%d.tmp", os.Getpid()))
	t.paths, t.temps = append(t.paths, path), append(t.temps, tmp)
	return tmp
}

func (t *tempFiles) commit() error {
	for i := range t.paths {
		if err := os.Rename(t.temps[i], t.paths[i]); err != nil {
			return err
		}
	}
	t.done = true
	return nil
}

func (t *tempFiles) cleanup() {
	if !t.done {
		for _, tmp := range t.temps {
			os.Remove(tmp)
		}
	}
}

// summary is the one line a render ends with.
func summary(p *patches.Patch, res *render.Result, took time.Duration, written []string) string {
	var spikes []string
	for i, n := range res.Stats.Spikes {
		spikes = append(spikes, fmt.Sprintf("%s %d", p.NeuronNames[i], n))
	}
	peak := "silent"
	if res.Stats.Peak > 0 {
		peak = fmt.Sprintf("%.1f dBFS", 20*math.Log10(res.Stats.Peak))
	}
	s := fmt.Sprintf("%s: %.1f s at %d Hz in %.1f s; spikes: %s; resets: %d; peak %s",
		p.Name, res.Seconds(), res.SampleRate, took.Seconds(), strings.Join(spikes, ", "), res.Stats.Resets, peak)
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
