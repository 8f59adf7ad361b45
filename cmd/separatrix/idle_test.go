//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
)

// BenchmarkIdlePlay: what an instrument that does nothing costs. It runs `play
// hysteresis` (the neuron at rest, nothing touched) for 30 s, or
// $SEPARATRIX_IDLE_SECONDS, and reports from the process's own CPU time the share of a
// core it used, and how many times a second its threads were switched out:
//
//   - clock: no sound card and no MIDI (the engine paced by the clock); goal under 1.5%;
//   - clock-midi-in: the same asked to listen to every MIDI input, of which there is none
//     here: the clock then wakes a hundred times a second, not ten, as for a player;
//   - jack: the native JACK output on the tests' dummy server, no MIDI; goal under 3%.
//
// The first 3 s (start-up) and the last second are left out of the measurement, and the
// xruns the program reports at the end are reported too. Run it alone on the machine:
// other work slows every wake-up down.
//
//	go test -run '^$' -bench IdlePlay -benchtime 1x ./cmd/separatrix
//
// $SEPARATRIX_IDLE_GOMAXPROCS (e.g. "2,4") runs each case once per GOMAXPROCS given,
// instead of once with the program's own choice.
func BenchmarkIdlePlay(b *testing.B) {
	seconds := 30
	if s := os.Getenv("SEPARATRIX_IDLE_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 6 {
			b.Fatalf("SEPARATRIX_IDLE_SECONDS=%q: want a whole number of seconds, 6 or more", s)
		}
		seconds = n
	}
	procs := []string{""} // the program's own choice
	if s := os.Getenv("SEPARATRIX_IDLE_GOMAXPROCS"); s != "" {
		procs = strings.Split(s, ",")
		for _, p := range procs {
			if n, err := strconv.Atoi(p); err != nil || n < 1 {
				b.Fatalf("SEPARATRIX_IDLE_GOMAXPROCS=%q: want whole numbers, 1 or more, separated by commas", s)
			}
		}
	}
	type idleCase struct {
		name string
		args []string
		env  []string
		goal float64 // % of a core
	}
	var cases []idleCase
	for _, p := range procs {
		for _, tc := range []idleCase{
			{"clock", []string{"--host", "alsa"}, []string{"JACK_DEFAULT_SERVER=nosuchserver", "JACK_NO_START_SERVER=1"}, 1.5},
			{"clock-midi-in", []string{"--host", "alsa", "--midi-in", "all", "--midi-driver", "jack"}, []string{"JACK_DEFAULT_SERVER=nosuchserver", "JACK_NO_START_SERVER=1"}, 0},
			{"jack", []string{"--host", "jack"}, nil, 3},
		} {
			if p != "" {
				tc.name += "/GOMAXPROCS=" + p
				tc.env = append(tc.env, "GOMAXPROCS="+p)
			}
			cases = append(cases, tc)
		}
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			if strings.HasPrefix(tc.name, "jack") {
				jacktest.Need(b, jack, jackErr)
			}
			for range b.N {
				args := append([]string{"play", "hysteresis", "--duration", fmt.Sprintf("%ds", seconds)}, tc.args...)
				u := measureIdle(b, args, tc.env, time.Duration(seconds)*time.Second)
				b.ReportMetric(u.core, "%core")
				b.ReportMetric(u.switches, "ctxsw/s")
				b.ReportMetric(float64(u.xruns), "xruns")
				goal := ""
				if tc.goal > 0 {
					goal = fmt.Sprintf(" (goal under %g%%)", tc.goal)
				}
				b.Logf("play hysteresis, %s, %.0f s measured: %.2f%% of a core%s, %.0f context switches a second, %d threads; %d xruns in the run",
					tc.name, u.window.Seconds(), u.core, goal, u.switches, u.threads, u.xruns)
			}
		})
	}
}

// idleUse is what a process used over a window of its life.
type idleUse struct {
	window   time.Duration
	core     float64 // CPU time over the window, in % of one core
	switches float64 // context switches a second, all threads
	threads  int
	xruns    int // as the program's summary says
}

// measureIdle runs the program with args for total, and measures it from 3 s after the
// start to 1 s before the end.
func measureIdle(b *testing.B, args, env []string, total time.Duration) idleUse {
	b.Helper()
	cmd := exec.Command(sepBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waited := false
	defer func() {
		if !waited { // a failed measurement: stop the program
			cmd.Process.Kill()
			<-exited
		}
	}()
	pid := cmd.Process.Pid
	sample := func() (cpu time.Duration, switches int64, threads int, at time.Time) {
		at = time.Now()
		cpu, err := procCPU(pid)
		if err != nil {
			b.Fatalf("%v (the program said: %s)", err, stderr.String())
		}
		switches, threads = procSwitches(pid)
		return cpu, switches, threads, at
	}
	time.Sleep(3 * time.Second)
	cpu0, sw0, _, t0 := sample()
	time.Sleep(total - 4*time.Second)
	cpu1, sw1, threads, t1 := sample()
	err := <-exited
	waited = true
	if err != nil {
		b.Fatalf("separatrix %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	window := t1.Sub(t0)
	u := idleUse{
		window:   window,
		core:     100 * (cpu1 - cpu0).Seconds() / window.Seconds(),
		switches: float64(sw1-sw0) / window.Seconds(),
		threads:  threads,
		xruns:    -1,
	}
	// "played 30.0 s; spikes: a 0; notes 0; xruns 0; ..."
	if _, after, ok := strings.Cut(stderr.String(), "; xruns "); ok {
		if n, err := strconv.Atoi(strings.TrimRight(after[:strings.IndexByte(after+";", ';')], " ")); err == nil {
			u.xruns = n
		}
	}
	if u.xruns < 0 {
		b.Fatalf("the summary gives no xruns:\n%s", stderr.String())
	}
	return u
}

// procCPU is the user and system time of process pid so far, all its threads
// together (/proc/PID/stat, fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the CPU time of process %d: %w", pid, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: count the
	// fields after its closing one.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("process %d: /proc/%d/stat is too short: %q", pid, pid, s)
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime: fields 14 and 15 of the whole line
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("process %d: /proc/%d/stat field %q: %w", pid, pid, f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100, nil
}

// procSwitches adds up the voluntary and involuntary context switches of the threads
// of process pid that live now (/proc/PID/task/*/status), and counts those threads.
func procSwitches(pid int) (switches int64, threads int) {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	for _, path := range tasks {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // a thread that just ended
		}
		threads++
		for _, line := range strings.Split(string(data), "\n") {
			name, value, ok := strings.Cut(line, ":")
			if ok && (name == "voluntary_ctxt_switches" || name == "nonvoluntary_ctxt_switches") {
				n, _ := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
				switches += n
			}
		}
	}
	return switches, threads
}
