package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/live"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/io/sdnotify"
	"github.com/separatrix-audio/separatrix/io/view"
	"github.com/separatrix-audio/separatrix/patches"
)

func runExhibit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("exhibit", flag.ContinueOnError)
	var (
		check    = fs.Bool("check", false, "check FILE and list what it would open, then stop (opens nothing)")
		duration = fs.Duration("duration", 0, "stop after this long, e.g. 10m (default: until stopped)")
		state    = fs.String("state", "", "keep the state across restarts in this `file` (default: the installation's state_file, else under $XDG_STATE_HOME)")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: separatrix exhibit FILE [flags]\n\nRuns the museum installation FILE describes: its patches, devices, view, attract tour,\nvolume cap, quiet hours and OSC, until stopped (systemd: see deploy/). Flags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"exhibit takes one installation FILE (see the README's \"Installing in a museum\")"}
	}
	in, err := patches.LoadInstallation(rest[0])
	if err != nil {
		return err
	}
	statePath := *state
	if statePath == "" {
		statePath = in.StateFile
	}
	if statePath == "" {
		if statePath, err = defaultStatePath(in.Name); err != nil {
			return err
		}
	}
	scores, err := loadScores(in)
	if err != nil {
		return err
	}
	if *check {
		describeInstallation(stdout, in, scores, statePath)
		return nil
	}
	return runInstallation(in, scores, statePath, *duration, stderr)
}

// loadScores reads the MIDI scores the attract mode plays instead of tours, by patch.
func loadScores(in *patches.Installation) ([]*midifile.Score, error) {
	scores := make([]*midifile.Score, len(in.Patches))
	for i, path := range in.Attract.Scores {
		sc, err := midifile.ReadScore(path)
		if err != nil {
			return nil, fmt.Errorf("installation %s: the score of %s: %w", in.Source, in.Patches[i].Name, err)
		}
		scores[i] = sc
	}
	return scores, nil
}

// defaultStatePath is $XDG_STATE_HOME/separatrix/NAME.json (~/.local/state by default).
func defaultStatePath(name string) (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no place for the installation's state (no home directory): give --state FILE: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	slug := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
	if slug == "" {
		slug = "installation"
	}
	return filepath.Join(dir, "separatrix", slug+".json"), nil
}

// describeInstallation prints what exhibit would open and play (--check).
func describeInstallation(w io.Writer, in *patches.Installation, scores []*midifile.Score, statePath string) {
	fmt.Fprintf(w, "installation %q (%s) is valid.\n", in.Name, in.Source)
	fmt.Fprintln(w, "patches (program change N plays the Nth):")
	for i, p := range in.Patches {
		tour := "no tour"
		switch {
		case scores[i] != nil:
			tour = fmt.Sprintf("tour: the score %s, %.0f s", in.Attract.Scores[i], scores[i].Length)
		case p.Tour != nil:
			tour = fmt.Sprintf("tour: %d steps, %.0f s", len(p.Tour.Steps), p.Tour.Length)
		}
		fmt.Fprintf(w, "  %d  %s (%s)\n", i, p.Name, tour)
	}
	a := in.Audio
	fmt.Fprintf(w, "audio: host %s, device %s, %s Hz, %s frames, latency %s\n", orText(a.Host, "the system's"),
		orText(a.Device, "the default"), orNumber(a.Rate, 48000), orNumber(a.Buffer, 128), orText(a.Latency, "normal"))
	m := in.MIDI
	ins := "none"
	if len(m.In) > 0 {
		ins = strings.Join(m.In, ", ")
	}
	fmt.Fprintf(w, "MIDI: driver %s; in: %s; out: %s; virtual ports: %v\n", orText(m.Driver, "auto"), ins, orText(m.Out, "none"), m.Virtual)
	if v := in.View; v.Enabled {
		mode := "visitors steer"
		switch {
		case v.ReadOnly:
			mode = "watch only"
		case v.PIN != "":
			mode = "steering needs the PIN"
		}
		fmt.Fprintf(w, "view: http://%s/ (%s; kiosk page http://%s/kiosk; health http://%s/health)\n", v.Addr, mode, v.Addr, v.Addr)
	} else {
		fmt.Fprintln(w, "view: none (no [view] section: no page and no /health)")
	}
	if in.Attract.Enabled {
		fmt.Fprintf(w, "attract: the tour starts after %s without input\n", in.Attract.Idle)
	} else {
		fmt.Fprintln(w, "attract: off")
	}
	fmt.Fprintf(w, "volume cap: %g dBFS\n", in.CapDB)
	for _, q := range in.Quiet {
		level := fmt.Sprintf("cap %g dBFS", q.CapDB)
		if q.Silent {
			level = "silent"
		}
		fmt.Fprintf(w, "quiet hours: %02d:%02d to %02d:%02d, %s\n", q.From/60, q.From%60, q.To/60, q.To%60, level)
	}
	o := in.OSC
	if o.Listen == "" && o.Send == "" {
		fmt.Fprintln(w, "OSC: off")
	} else {
		fmt.Fprintf(w, "OSC: in %s; out %s at %g messages a second\n", orText(o.Listen, "none"), orText(o.Send, "none"), o.StateRate)
	}
	fmt.Fprintf(w, "state kept in %s\n", statePath)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orNumber(n, def int) string {
	if n == 0 {
		n = def
	}
	return fmt.Sprint(n)
}

// runInstallation plays an installation until the duration ends or a signal comes.
func runInstallation(in *patches.Installation, scores []*midifile.Score, statePath string, duration time.Duration, stderr io.Writer) error {
	started := time.Now()
	ps := make([]*patches.Patch, len(in.Patches))
	for i, p := range in.Patches {
		// A museum's knobs never jump: every map takes over softly, whatever the patch says.
		q := *p
		q.MIDI.CC = append(q.MIDI.CC[:0:0], p.MIDI.CC...)
		for k := range q.MIDI.CC {
			q.MIDI.CC[k].Soft = true
		}
		ps[i] = &q
	}
	lat, err := parseLatency(in.Audio.Latency)
	if err != nil {
		return fmt.Errorf("installation %s: %w", in.Source, err)
	}
	restore, err := loadState(statePath, stderr)
	if err != nil {
		return err
	}
	mon := &live.Monitor{}
	notify := sdnotify.New()
	notify.Log = stderr
	var env liveEnv
	var oscIn atomic.Pointer[osc.Receiver]
	ls := liveSetup{
		patches: ps, rate: orInt(in.Audio.Rate, 48000), buffer: orInt(in.Audio.Buffer, 128), lat: lat,
		host: in.Audio.Host, device: in.Audio.Device,
		midi:    midiConfig{Driver: orText(in.MIDI.Driver, "auto"), Ins: in.MIDI.In, Out: in.MIDI.Out, Virtual: in.MIDI.Virtual, Wait: true},
		view:    viewFlag{on: in.View.Enabled, addr: in.View.Addr},
		viewPIN: in.View.PIN, viewReadOnly: in.View.ReadOnly,
		duration: duration,
		osc:      oscSetup{listen: in.OSC.Listen, send: in.OSC.Send, rate: in.OSC.StateRate, receiver: &oscIn},
	}
	ls.viewHealth = func() view.Health {
		return health(in, mon, env, oscIn.Load(), started)
	}
	ls.configure = func(opt *live.Options, e liveEnv) (func(), error) {
		env = e
		if in.Attract.Enabled {
			opt.Attract = &live.Attract{Idle: in.Attract.Idle, Scores: scores}
		}
		opt.CapDB = in.CapDB
		if len(in.Quiet) > 0 {
			opt.Level = func(now time.Time) float64 { return quietLevel(in, now) }
		}
		opt.Monitor = mon
		// The clock that stands in for a lost device renders, but nobody hears it.
		opt.Audible = func() bool {
			st, ok := e.stream().(*audio.Supervised)
			return ok && st.OnDevice()
		}
		opt.Restore = restore
		opt.SaveState = func(st live.State) {
			if err := saveState(statePath, st); err != nil {
				fmt.Fprintf(stderr, "could not keep the state: %v\n", err)
			}
		}
		// systemd: ready once the sound flows, the watchdog fed only while it does.
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for !mon.Snapshot().Flowing {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
			notify.Ready()
			notify.Status("playing " + in.Name)
			fmt.Fprintf(stderr, "exhibit %s: playing\n", in.Name)
			notify.Feed(ctx, func() bool { return soundFlows(mon.Snapshot(), time.Now()) })
		}()
		return func() {
			notify.Stopping()
			cancel()
			<-done
		}, nil
	}
	fmt.Fprintf(stderr, "exhibit %s: %d patches, cap %g dBFS, state in %s\n", in.Name, len(ps), in.CapDB, statePath)
	return playLive(ls, stderr)
}

func orInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// quietLevel is the output gain at time now: 1 outside quiet hours, the quiet cap
// relative to the installation's cap inside, 0 when silent.
func quietLevel(in *patches.Installation, now time.Time) float64 {
	minute := now.Hour()*60 + now.Minute()
	for _, q := range in.Quiet {
		if q.Contains(minute) {
			if q.Silent {
				return 0
			}
			return math.Min(math.Pow(10, (q.CapDB-in.CapDB)/20), 1)
		}
	}
	return 1
}

// capNow is the cap in force at now, dBFS (-Inf: silent).
func capNow(in *patches.Installation, now time.Time) float64 {
	minute := now.Hour()*60 + now.Minute()
	for _, q := range in.Quiet {
		if q.Contains(minute) {
			if q.Silent {
				return math.Inf(-1)
			}
			return q.CapDB
		}
	}
	return in.CapDB
}

// staleMonitor is how old the monitor's last look may be before the session counts as
// stuck: the monitor looks eight times a second.
const staleMonitor = 2 * time.Second

// soundFlows says whether a device plays the sound, by a snapshot that is fresh: a stuck
// session (its monitor no longer looking) does not feed the watchdog.
func soundFlows(s live.MonitorSnapshot, now time.Time) bool {
	return s.Flowing && now.Sub(s.Updated) < staleMonitor
}

// health is what GET /health reports.
func health(in *patches.Installation, mon *live.Monitor, env liveEnv, oscIn *osc.Receiver, started time.Time) view.Health {
	now := time.Now()
	s := mon.Snapshot()
	h := view.Health{
		UptimeS: now.Sub(started).Seconds(), Version: version(),
		Resets: s.Resets, Patch: s.Patch, Attract: s.Attract, CapDB: capNow(in, now),
		OSC: view.OSCHealth{Received: s.OSC.Received, Malformed: s.OSC.Refused},
	}
	if oscIn != nil {
		h.OSC.Listening = oscIn.Addr().String()
		h.OSC.Malformed += oscIn.Stats().Malformed
	}
	h.Audio = view.AudioHealth{State: view.AudioStopped, Device: orText(in.Audio.Device, "default"),
		SampleRate: float64(orInt(in.Audio.Rate, 48000)), Buffer: orInt(in.Audio.Buffer, 128), LastAudio: s.LastAudio}
	// The stream always looks for its device (at the start too): not playing is
	// reconnecting, unless the session itself no longer answers.
	switch {
	case soundFlows(s, now):
		h.Audio.State = view.AudioPlaying
	case now.Sub(s.Updated) < staleMonitor:
		h.Audio.State = view.AudioReconnecting
	}
	if env.stream != nil {
		if st := env.stream(); st != nil {
			ss := st.Stats()
			h.Audio.Xruns, h.Audio.Underruns = ss.Xruns, ss.Underruns
		}
	}
	for _, g := range s.Gaps {
		end := g.To
		if end.IsZero() {
			end = now
		}
		h.Audio.Gaps = append(h.Audio.Gaps, view.AudioGap{From: g.From, To: g.To, Seconds: end.Sub(g.From).Seconds()})
	}
	if env.midi != nil {
		h.MIDI.Inputs, h.MIDI.Output, h.MIDI.Connected = env.midi.ports()
	}
	if s.InputFrom != "" {
		h.LastInput = view.LastInput{Time: s.LastInput, Source: s.InputFrom}
	}
	return h
}

// version is the program's version as the build recorded it: the module version, else
// the commit.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = s.Value
			if len(v) > 12 {
				v = v[:12]
			}
		}
	}
	return v
}

// loadState reads the state a previous run kept. A missing file is no state; a file that
// cannot be read as one is set aside (renamed, never overwritten) and the installation
// starts afresh.
func loadState(path string, log io.Writer) (*live.State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the installation's state: %w", err)
	}
	var st live.State
	if len(data) > maxStateFile {
		err = fmt.Errorf("%d bytes, more than a state ever holds", len(data))
	} else {
		err = json.Unmarshal(data, &st)
	}
	if err != nil {
		aside := path + ".unreadable-" + time.Now().Format("20060102-150405")
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("the state %s cannot be read (%v) nor set aside: %w", path, err, rerr)
		}
		fmt.Fprintf(log, "the state %s could not be read (%v): set aside as %s; starting afresh\n", path, err, aside)
		return nil, nil
	}
	return &st, nil
}

// maxStateFile bounds the state file read back: patches' controls are a few kB.
const maxStateFile = 1 << 20

// saveState writes the state atomically: a power cut leaves the old state or the new.
func saveState(path string, st live.State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
