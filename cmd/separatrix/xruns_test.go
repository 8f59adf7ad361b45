package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/mididrv/jackmidi"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// The xrun judge: does play click more than a JACK client written in C? On a dummy JACK
// server, rounds of `play` alternate with rounds of JACK's own example client
// jack_metro, all of equal length, while a C client sends notes in (jack_midiseq:
// kicks on and off), a JACK MIDI client turns a knob (CC 2, the noise, every 10 ms),
// jack_midi_dump takes the spike notes out, play records to a WAV file (--record), and
// another process keeps the other core busy. In each round's window the late cycles
// are counted from jackd's log (the driver's late wake-ups, "JackTimedDriver::Process
// XRun", and the cycles some client did not finish in time, "Process error"), plus, for
// play, the periods its ring ran dry (silence it reports itself). Rounds alternate
// because the machine's own hiccups come and go by the minute: a path judged in the
// same minutes as jack_metro meets the same machine.
//
// Two judgements: the totals, and the cycles late by the round's subject's own fault
// (see roundCount.own), which the machine's stalls do not blur.
//
// Run it as a benchmark, with the counts printed:
//
//	go test ./cmd/separatrix -run TestXrunsAgainstJackMetro -count=1 -v
//
// SEPARATRIX_XRUNS_ROUNDS (default 5) rounds of each, SEPARATRIX_XRUNS_WINDOW (default
// 3s) counted per round, SEPARATRIX_XRUNS_PERIODS (default 128,64) and
// SEPARATRIX_XRUNS_PATHS (default native,portaudio; also direct: PortAudio with
// --latency low, and native-1: --latency 1) choose what runs. SEPARATRIX_XRUNS_BUSY
// (default 1) is the number of processes that compute without pause throughout;
// SEPARATRIX_XRUNS_BUILDFLAGS builds play with other go build flags.

// xrunsAllowed is the most late cycles and underruns a path may have over rounds in
// which jack_metro had metro. Measured on a 2-core VM with the other core busy (ten
// runs of 5 or 8 rounds of 3 s, at 128 and 64 frames): the machine stalls now and
// then, and a stall makes every client late at once for 2 to 5 cycles, in whichever
// round runs; the ring-fed paths' totals exceeded jack_metro's by at most 7 (two
// stalls in one path's rounds, none in jack_metro's), the direct callback's by up to
// 58. Half of jack_metro's count again allows for a noisier machine.
func xrunsAllowed(metro int) int { return metro + 8 + metro/2 }

// ownAllowance is how many more cycles than jack_metro play may be late by its own
// fault, underruns included (but those in cycles where the independent witnesses were
// late too: a machine-wide stall, which the total still counts). Measured as above: the ring-fed paths 0 in every run,
// the direct callback 25 and 54 in two of four.
const ownAllowance = 2

// ccSenderEnv makes the test binary a knob-turning JACK MIDI client instead of running
// the tests (a process of its own: one JACK server per process).
const ccSenderEnv = "SEPARATRIX_XRUNS_CC_CLIENT"

func init() {
	if name := os.Getenv(ccSenderEnv); name != "" {
		os.Exit(sendCCs(name))
	}
}

// sendCCs opens JACK MIDI client name with an output port "out" and sends CC 2 on
// channel 1 every 10 ms, a triangle from 0 to 127 and back each 2 s, until its stdin
// closes.
func sendCCs(name string) int {
	d, err := jackmidi.New(jackmidi.ClientName(name))
	if err != nil {
		fmt.Println("jack:", err)
		return 1
	}
	defer d.Close()
	out, err := mididrv.OpenVirtualOutput(d, "out", mididrv.Options{})
	if err != nil {
		fmt.Println("port:", err)
		return 1
	}
	fmt.Println("ready", d.ClientName())
	stdinClosed := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stdinClosed) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stdinClosed:
			return 0
		case <-tick.C:
		}
		v := i % 200 // 0..199: up over 100 ticks, down over 100
		if v > 100 {
			v = 200 - v
		}
		out.Send(midimap.ControlChange(1, 2, v*127/100))
	}
}

// xrunPath is one way of playing that the judge compares with jack_metro.
type xrunPath struct {
	name string
	bin  string   // the separatrix binary
	args []string // after the common ones
}

// roundCount is what one round counted.
type roundCount struct {
	driverLate int // "JackTimedDriver::Process XRun": the server's timer woke late
	graphLate  int // "Process error": a cycle in which some client had not finished
	underruns  int // periods play's ring ran dry (play only)
	// ownUnderruns are the underruns not explained by the machine: beyond the cycles in
	// which the independent witnesses were late too (a stall that holds every thread
	// holds play's renderer as well; jack_metro, computing in its callback, has no ring
	// to run dry and is only late then).
	ownUnderruns int
	// own counts the late cycles that were the round's subject's own fault (play's,
	// or jack_metro's): jackd found one of its clients not finished and neither of
	// the independent sources (the note and knob clients, which have no inputs and so
	// do not wait for anyone). When every client is late, the machine stalled.
	own int
	// late counts, by client, the times jackd found a client not finished.
	late map[string]int
}

func (c roundCount) total() int { return c.driverLate + c.graphLate + c.underruns }

func TestXrunsAgainstJackMetro(t *testing.T) {
	needJACK(t)
	for _, tool := range []string{"jack_metro", "jack_midiseq", "jack_midi_dump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	rounds := envInt(t, "SEPARATRIX_XRUNS_ROUNDS", 5)
	window := 3 * time.Second
	if s := os.Getenv("SEPARATRIX_XRUNS_WINDOW"); s != "" {
		var err error
		if window, err = time.ParseDuration(s); err != nil {
			t.Fatal(err)
		}
	}
	periods := []int{128, 64}
	if s := os.Getenv("SEPARATRIX_XRUNS_PERIODS"); s != "" {
		periods = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			periods = append(periods, n)
		}
	}
	names := []string{"native", "portaudio"}
	if s := os.Getenv("SEPARATRIX_XRUNS_PATHS"); s != "" {
		names = strings.Split(s, ",")
	}
	// SEPARATRIX_XRUNS_BUILDFLAGS builds play with other flags (an -overlay to try a
	// change, say) for every path.
	flags := strings.Fields(os.Getenv("SEPARATRIX_XRUNS_BUILDFLAGS"))
	build := func(name string, more ...string) string {
		bin := filepath.Join(t.TempDir(), name)
		args := append(append(append([]string{"build"}, flags...), more...), "-o", bin, ".")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return bin
	}
	nativeBin := sepBin
	if len(flags) > 0 {
		nativeBin = build("separatrix")
	}
	var paBin string // play --host jack through PortAudio's JACK host API
	for _, n := range names {
		if n != "native" && n != "native-1" && paBin == "" {
			paBin = build("separatrix-portaudiojack", "-tags", "portaudiojack")
		}
	}
	for _, period := range periods {
		t.Run(fmt.Sprint(period), func(t *testing.T) {
			var paths []xrunPath
			buf := "--buffer=" + strconv.Itoa(period)
			for _, n := range names {
				switch n {
				case "native":
					paths = append(paths, xrunPath{n, nativeBin, nil})
				case "native-1":
					paths = append(paths, xrunPath{n, nativeBin, []string{"--latency", "1"}})
				case "portaudio":
					paths = append(paths, xrunPath{n, paBin, []string{buf}})
				case "direct":
					paths = append(paths, xrunPath{n, paBin, []string{buf, "--latency", "low"}})
				default:
					t.Fatalf("SEPARATRIX_XRUNS_PATHS: unknown path %q (native, native-1, portaudio, direct)", n)
				}
			}
			judgeXruns(t, period, rounds, window, paths)
		})
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, s)
	}
	return n
}

// judgeXruns runs the rounds on a server of its own at period frames and fails a path
// whose total is more than jack_metro's plus xrunsAllowed.
func judgeXruns(t *testing.T, period, rounds int, window time.Duration, paths []xrunPath) {
	shared := os.Getenv("JACK_DEFAULT_SERVER")
	srv, err := jacktest.StartWith(48000, period)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the server stops after the clients below.
	t.Cleanup(func() {
		srv.Stop()
		os.Setenv("JACK_DEFAULT_SERVER", shared)
	})
	dir := t.TempDir()
	for range envInt(t, "SEPARATRIX_XRUNS_BUSY", 1) {
		busy := exec.Command("sh", "-c", "while :; do :; done")
		if err := busy.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { busy.Process.Kill(); busy.Wait() })
	}

	// The company for every round: notes in, a knob in, notes out.
	startClient(t, time.Hour, "jack_midi_dump", "xdump")
	// A kick on (note 72) at 0 s and off (note 48) at 0.5 s, every second.
	startClient(t, time.Hour, "jack_midiseq", "xseq", "48000", "0", "72", "2400", "24000", "48", "2400")
	knob := startCCSender(t, "xknob")
	waitPortOn(t, srv, "xdump")
	waitPortOn(t, srv, "xseq")
	waitPortOn(t, srv, knob+":out")
	witnesses := []string{"xseq", knob}

	metro := make([]roundCount, rounds)
	ours := make([][]roundCount, len(paths))
	for i := range ours {
		ours[i] = make([]roundCount, rounds)
	}
	for r := range rounds {
		metro[r] = metroRound(t, srv, window, witnesses)
		for k := range paths {
			// Alternate the order of the paths from round to round.
			i := k
			if r%2 == 1 {
				i = len(paths) - 1 - k
			}
			ours[i][r] = playRound(t, srv, window, paths[i], knob, filepath.Join(dir, "rec.wav"), witnesses)
		}
	}
	mt := sumRounds(metro)
	t.Logf("%d frames, %d rounds of %v each, jack_metro: %s (total %d, its own %d); clients not finished: %s",
		period, rounds, window, fmtRounds(metro), mt.total(), mt.own, fmtLate(mt.late))
	for i, p := range paths {
		pt := sumRounds(ours[i])
		allowed := xrunsAllowed(mt.total())
		ownAllowed := mt.own + ownAllowance
		t.Logf("%d frames, play %-9s: %s (total %d, allowed %d; its own %d and %d underruns, %d of them in machine-wide stalls, allowed %d); clients not finished: %s",
			period, p.name, fmtRounds(ours[i]), pt.total(), allowed, pt.own, pt.underruns, pt.underruns-pt.ownUnderruns, ownAllowed, fmtLate(pt.late))
		if pt.total() > allowed {
			t.Errorf("%d frames: play (%s) had %d late cycles and underruns in %d rounds of %v, jack_metro %d in as many: more than the %d allowed",
				period, p.name, pt.total(), rounds, window, mt.total(), allowed)
		}
		if pt.own+pt.ownUnderruns > ownAllowed {
			t.Errorf("%d frames: play (%s) was late by itself in %d cycles and ran dry %d times outside machine-wide stalls in %d rounds of %v, jack_metro late by itself %d times: more than the %d allowed",
				period, p.name, pt.own, pt.ownUnderruns, rounds, window, mt.own, ownAllowed)
		}
	}
}

func sumRounds(rs []roundCount) roundCount {
	s := roundCount{late: map[string]int{}}
	for _, r := range rs {
		s.driverLate += r.driverLate
		s.graphLate += r.graphLate
		s.underruns += r.underruns
		s.ownUnderruns += r.ownUnderruns
		s.own += r.own
		for c, n := range r.late {
			s.late[c] += n
		}
	}
	return s
}

// fmtLate lists the clients found not finished, most often first.
func fmtLate(late map[string]int) string {
	if len(late) == 0 {
		return "none"
	}
	names := make([]string, 0, len(late))
	for c := range late {
		names = append(names, c)
	}
	sort.Slice(names, func(i, j int) bool {
		return late[names[i]] > late[names[j]] || late[names[i]] == late[names[j]] && names[i] < names[j]
	})
	var parts []string
	for _, c := range names {
		parts = append(parts, fmt.Sprintf("%s %d", c, late[c]))
	}
	return strings.Join(parts, ", ")
}

// fmtRounds lists the rounds' totals, each as driver+graph+underruns when not zero.
func fmtRounds(rs []roundCount) string {
	var parts []string
	for _, r := range rs {
		s := strconv.Itoa(r.total())
		if r.total() > 0 {
			s += fmt.Sprintf(" (%d+%d+%d)", r.driverLate, r.graphLate, r.underruns)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// notFinished finds the client in jackd's "client = NAME was not finished" line.
var notFinished = regexp.MustCompile(`client = (.*) was not finished`)

// countLog counts the late cycles in a piece of jackd's log. subject names the
// clients whose own lateness is counted (play's, or jack_metro), witnesses the
// independent sources.
func countLog(log string, subject, witnesses []string) roundCount {
	c := roundCount{
		driverLate: strings.Count(log, "JackTimedDriver::Process XRun"),
		late:       map[string]int{},
	}
	// jackd names each client it found not finished, then ends the cycle with
	// "Process error".
	var cycle []string
	for _, l := range strings.Split(log, "\n") {
		if m := notFinished.FindStringSubmatch(l); m != nil {
			cycle = append(cycle, m[1])
			c.late[m[1]]++
			continue
		}
		if !strings.Contains(l, "Process error") {
			continue
		}
		c.graphLate++
		subj, witnessed := false, false
		for _, name := range cycle {
			subj = subj || slices.Contains(subject, name)
			witnessed = witnessed || slices.Contains(witnesses, name)
		}
		if subj && !witnessed {
			c.own++
		}
		cycle = cycle[:0]
	}
	return c
}

// metroRound runs jack_metro for one round and counts its window.
func metroRound(t *testing.T, srv *jacktest.Server, window time.Duration, witnesses []string) roundCount {
	t.Helper()
	// jack_metro closes its client from its SIGINT handler and can hang there (seen on
	// CI): timeout kills it 2 s after the interrupt.
	cmd := exec.Command("timeout", "-k", "2", "-s", "INT", "60", "jack_metro", "-b", "120", "-n", "xmetro")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitPortOn(t, srv, "xmetro:")
	time.Sleep(500 * time.Millisecond)
	off := len(srv.Log())
	time.Sleep(window)
	c := countLog(srv.Log()[off:], []string{"xmetro"}, witnesses)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	return c
}

// underrunLine is play's report of the periods its ring ran dry.
var underrunLine = regexp.MustCompile(`the rendering thread was late (\d+) time`)

// playRound runs play for one round: the saddle-node patch, bistable at current 4, so
// that the kicks switch its firing (some 400 spike notes a second) on and off.
func playRound(t *testing.T, srv *jacktest.Server, window time.Duration, p xrunPath, knob, rec string, witnesses []string) roundCount {
	t.Helper()
	// SEPARATRIX_XRUNS_PLAY plays another patch, with its settings ("swarm --set
	// current=6": a thousand neurons).
	what := []string{"saddle-node", "--set", "current=4"}
	if w := strings.Fields(os.Getenv("SEPARATRIX_XRUNS_PLAY")); len(w) > 0 {
		what = w
	}
	args := append(append(append([]string{"play"}, what...), "--host", "jack", "--midi-driver", "jack",
		"--midi-in", "xseq", "--midi-in", knob, "--midi-out", "xdump", "--record", rec, "--duration", "60s"), p.args...)
	cmd := exec.Command(p.bin, args...)
	var stderr jacktest.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(15 * time.Second)
	for !(strings.Contains(stderr.String(), "audio: ") && strings.Count(stderr.String(), "MIDI in: ") >= 2) {
		if time.Now().After(deadline) {
			t.Fatalf("play (%s) did not start in 15 s:\n%s", p.name, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	off := len(srv.Log())
	time.Sleep(window)
	c := countLog(srv.Log()[off:], []string{"separatrix", audio.JACKClientName, "PortAudio"}, witnesses)
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("play (%s): %v\n%s", p.name, err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("play (%s) did not stop within 10 s of SIGINT:\n%s", p.name, stderr.String())
	}
	out := stderr.String()
	if !strings.Contains(out, "played ") || strings.Contains(out, "notes 0;") {
		t.Fatalf("play (%s) sent no spike notes:\n%s", p.name, out)
	}
	if m := underrunLine.FindStringSubmatch(out); m != nil {
		c.underruns, _ = strconv.Atoi(m[1])
	}
	stalls := c.underruns
	for _, w := range witnesses {
		stalls = min(stalls, c.late[w])
	}
	c.ownUnderruns = c.underruns - stalls
	if fi, err := os.Stat(rec); err != nil || fi.Size() < int64(window.Seconds()*48000*2*2) {
		t.Fatalf("play (%s) recorded no %v to %s: %v", p.name, window, rec, err)
	}
	return c
}

// startCCSender starts the knob-turning client (this test binary as sendCCs) and
// returns its JACK client name.
func startCCSender(t *testing.T, name string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ccSenderEnv+"="+name)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	client, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if err != nil || !ok {
		t.Fatalf("the knob client did not start: %q %v", line, err)
	}
	go io.Copy(io.Discard, stdout)
	return client
}
