package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/wav"
)

// The live tests run the real program against a private dummy JACK server (real time, no
// sound card) and real JACK clients: jack_rec records, jack_midiseq plays notes in,
// jack_midi_dump shows the notes out.

var (
	jack    *jacktest.Server
	jackErr error
	sepBin  string
)

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "septest")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		sepBin = filepath.Join(dir, "separatrix")
		if out, err := exec.Command("go", "build", "-o", sepBin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building separatrix: %v\n%s", err, out)
			return 1
		}
		if jack, jackErr = jacktest.StartIfInstalled(); jack != nil {
			defer jack.Stop()
		}
		return m.Run()
	}()
	os.Exit(code)
}

func needJACK(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("live JACK tests take seconds of real time")
	}
	jacktest.Need(t, jack, jackErr)
}

// startClient runs a JACK example client for at most limit, returning its output buffer.
func startClient(t *testing.T, limit time.Duration, name string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	// stdbuf: the clients print through stdio, fully buffered into a pipe otherwise.
	cmd := exec.Command("timeout", append([]string{"-k", "2", fmt.Sprintf("%.0f", limit.Seconds()), "stdbuf", "-oL", name}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGINT: timeout starts its child with SIGTERM blocked; JACK clients quit on SIGINT.
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() })
	return cmd, &out
}

// waitPort waits until a JACK port whose name contains part exists on the tests'
// server.
func waitPort(t *testing.T, part string) {
	t.Helper()
	waitPortOn(t, jack, part)
}

// waitPortOn waits until a port whose name contains part exists on srv.
func waitPortOn(t *testing.T, srv *jacktest.Server, part string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ports, _ := srv.Ports()
		for _, p := range ports {
			if strings.Contains(p, part) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	ports, _ := srv.Ports()
	t.Fatalf("no JACK port %q appeared; ports: %v", part, ports)
}

// waitConnected waits until the JACK port named port has a connection.
func waitConnected(t *testing.T, port string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("jack_lsp", "-c").Output()
		lines := strings.Split(string(out), "\n")
		for i, l := range lines {
			if l == port && i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := exec.Command("jack_lsp", "-c").Output()
	t.Fatalf("JACK port %s never got connected:\n%s", port, out)
}

// countPeaks counts upward crossings of 60% of a signal's range, re-armed below 30%.
func countPeaks(x []float64) int {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	up, down := lo+0.6*(hi-lo), lo+0.3*(hi-lo)
	n, armed := 0, false
	for _, v := range x {
		if armed && v >= up {
			n++
			armed = false
		} else if v < down {
			armed = true
		}
	}
	return n
}

// TestPlaySNICThroughJACK: `play snic --set current=10` through JACK, recorded with
// jack_rec: the recording's spike rate equals the offline render's within 2%, and jackd
// finds our client late in no cycle (0 client xruns at 128 frames over the run).
//
// This VM's scheduler sometimes delays any process past a 2.7 ms cycle (a plain C
// PortAudio client gets xruns here too, see io/audio's tests), so the run is tried up
// to three times and passes on the first clean one; every attempt is logged. (play's
// JACK output is a C callback fed from a ring, so it is rarely the late one.)
func TestPlaySNICThroughJACK(t *testing.T) {
	needJACK(t)
	playSNICThroughJACK(t, false)
}

// TestPlayWithViewThroughJACK: the same, with the view serving two pages that ask for
// every display frame: the sound keeps the same judge of xruns.
func TestPlayWithViewThroughJACK(t *testing.T) {
	needJACK(t)
	playSNICThroughJACK(t, true)
}

// playSNICThroughJACK plays snic firing through JACK, records the server's output with
// jack_rec and compares the spike rate with the offline render; client xruns are judged
// against JACK's own jack_metro in the same conditions. With withView, play serves the
// view and two pages pull every display frame at 60 a second meanwhile.
func playSNICThroughJACK(t *testing.T, withView bool) {
	dir := t.TempDir()
	offline := filepath.Join(dir, "offline.wav")
	if code, _, stderr := runCLI(t, "render", "snic", "--set", "current=10", "--duration", "4s", "-o", offline, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	b, err := wav.ReadFile(offline)
	if err != nil {
		t.Fatal(err)
	}
	tail := b.Channels[0][b.SampleRate:] // past the start, as the recording
	renderRate := float64(countPeaks(tail)) / (float64(len(tail)) / float64(b.SampleRate))

	var failures []string
	for attempt := 1; attempt <= 3; attempt++ {
		args := []string{"play", "snic", "--set", "current=10", "--host", "jack", "--buffer", "128", "--duration", "6s"}
		if withView {
			args = append(args, "--view", "127.0.0.1:0")
		}
		play := exec.Command(sepBin, args...)
		var perr lockedBuffer
		play.Stderr = &perr
		if err := play.Start(); err != nil {
			t.Fatal(err)
		}
		waitPort(t, audio.JACKClientName)
		stopPages := func() {}
		if withView {
			stopPages = pullFrames(t, &perr, 2)
		}
		time.Sleep(time.Second) // past the start
		rec := filepath.Join(dir, fmt.Sprintf("rec%d.wav", attempt))
		recorder := exec.Command("timeout", "-k", "2", "10", "jack_rec", "-f", rec, "-d", "3", "-b", "16", "system:monitor_1", "system:monitor_2")
		var rout bytes.Buffer
		recorder.Stdout, recorder.Stderr = &rout, &rout
		if err := recorder.Start(); err != nil {
			t.Fatal(err)
		}
		// Client xruns are counted while the recording runs, not while JACK re-sorts
		// its graph for jack_rec's arrival and departure.
		waitPort(t, "jackrec")
		time.Sleep(300 * time.Millisecond)
		before := jack.ClientXruns(audio.JACKClientName)
		time.Sleep(2200 * time.Millisecond)
		xruns := jack.ClientXruns(audio.JACKClientName) - before
		if err := recorder.Wait(); err != nil {
			t.Fatalf("jack_rec: %v\n%s", err, rout.String())
		}
		stopPages() // before play ends: the pages count only frames play could send
		if err := play.Wait(); err != nil {
			t.Fatalf("play: %v\n%s", err, perr.String())
		}
		a, err := wav.ReadFile(rec)
		if err != nil {
			t.Fatal(err)
		}
		liveRate := float64(countPeaks(a.Channels[0])) / (float64(a.Frames()) / float64(a.SampleRate))
		if liveRate == 0 || math.Abs(liveRate-renderRate)/renderRate > 0.02 {
			t.Fatalf("live spike rate %.2f/s, offline %.2f/s: want within 2%%", liveRate, renderRate)
		}
		t.Logf("attempt %d: spike rate live %.2f/s, offline %.2f/s; client xruns while recording: %d", attempt, liveRate, renderRate, xruns)
		if xruns == 0 {
			return
		}
		failures = append(failures, fmt.Sprint(xruns))
	}
	// Every attempt had client xruns. On this VM JACK's own example clients get them
	// too (measured: jack_metro 5 in 10 s beside jack_rec, 1 alone): judge ours against
	// jack_metro in the same conditions, so that a real problem of ours (a callback that
	// waits for the Go scheduler or the garbage collector, which gave bursts of 5-20)
	// still fails.
	worstMetro := 0
	for round := 0; round < 3; round++ {
		recorder := exec.Command("timeout", "-k", "2", "10", "jack_rec", "-f", filepath.Join(dir, "base.wav"), "-d", "3", "-b", "16", "system:monitor_1", "system:monitor_2")
		if err := recorder.Start(); err != nil {
			t.Fatal(err)
		}
		// jack_metro closes its client from its SIGINT handler and can hang there
		// (seen on CI): timeout kills it 2 s after the interrupt.
		metro := exec.Command("timeout", "-k", "2", "-s", "INT", "10", "jack_metro", "-b", "120", "-n", "metro")
		if err := metro.Start(); err != nil {
			t.Fatal(err)
		}
		waitPort(t, "jackrec")
		waitPort(t, "metro")
		time.Sleep(300 * time.Millisecond)
		before := jack.ClientXruns("metro")
		time.Sleep(2200 * time.Millisecond)
		worstMetro = max(worstMetro, jack.ClientXruns("metro")-before)
		metro.Process.Signal(os.Interrupt)
		metro.Wait()
		recorder.Wait()
	}
	best := math.MaxInt
	for _, f := range failures {
		n, _ := strconv.Atoi(f)
		best = min(best, n)
	}
	t.Logf("client xruns per 2.2 s: ours %s (best %d), jack_metro's worst of 3: %d", strings.Join(failures, ", "), best, worstMetro)
	if best > 2*worstMetro+1 {
		t.Errorf("jackd found our client late in every attempt (client xruns per run: %s), more than JACK's own jack_metro (%d) in the same conditions",
			strings.Join(failures, ", "), worstMetro)
	}
}

// dumpNotes parses jack_midi_dump output into "on 60", "off 60" lines.
func dumpNotes(out string) []string {
	var notes []string
	re := regexp.MustCompile(`^\s*(?:\d+:\s+)?([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})`)
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		st, _ := strconv.ParseUint(m[1], 16, 8)
		note, _ := strconv.ParseUint(m[2], 16, 8)
		vel, _ := strconv.ParseUint(m[3], 16, 8)
		switch {
		case st&0xF0 == 0x90 && vel > 0:
			notes = append(notes, fmt.Sprintf("on %d", note))
		case st&0xF0 == 0x80 || st&0xF0 == 0x90:
			notes = append(notes, fmt.Sprintf("off %d", note))
		}
	}
	return notes
}

// TestPlayMIDIThroughJACK: kicks sent by jack_midiseq switch the saddle-node patch into
// firing, and its spikes arrive at jack_midi_dump as note-on/note-off pairs with the
// patch's note.
func TestPlayMIDIThroughJACK(t *testing.T) {
	needJACK(t)
	_, dump := startClient(t, 30*time.Second, "jack_midi_dump", "dump")
	// Note 72 (a kick that switches firing on) once every 2 s.
	startClient(t, 30*time.Second, "jack_midiseq", "seqk", "96000", "24000", "72", "4800")
	waitPort(t, "dump")
	waitPort(t, "seqk")
	play := exec.Command(sepBin, "play", "saddle-node", "--set", "current=4", "--host", "jack", "--midi-driver", "jack",
		"--midi-in", "seqk", "--midi-out", "dump", "--duration", "3s")
	var perr bytes.Buffer
	play.Stderr = &perr
	if err := play.Run(); err != nil {
		t.Fatalf("play: %v\n%s", err, perr.String())
	}
	time.Sleep(200 * time.Millisecond)
	notes := dumpNotes(dump.String())
	ons, offs := 0, 0
	sounding := 0
	for _, n := range notes {
		if strings.HasPrefix(n, "on ") {
			ons++
			sounding++
		} else {
			offs++
			if sounding > 0 {
				sounding--
			}
		}
		if n != "on 60" && n != "off 60" {
			t.Fatalf("unexpected note %q (the patch plays note 60)", n)
		}
	}
	if ons < 50 {
		t.Fatalf("%d note-ons: the kick did not switch the neuron into firing\n%s", ons, perr.String())
	}
	if sounding != 0 || offs < ons {
		t.Errorf("%d note-ons, %d note-offs: every note-on needs its note-off", ons, offs)
	}
}

// TestSIGINTSendsNoteOff: SIGINT in the middle of a held note: jack_midi_dump shows its
// note-off before the port closes.
func TestSIGINTSendsNoteOff(t *testing.T) {
	needJACK(t)
	_, dump := startClient(t, 30*time.Second, "jack_midi_dump", "dumpint")
	waitPort(t, "dumpint")
	// hysteresis holds note 60 (gate mode) while the neuron fires: at 5 it fires.
	play := exec.Command(sepBin, "play", "hysteresis", "--set", "current=5", "--host", "jack", "--midi-driver", "jack",
		"--midi-out", "dumpint", "--duration", "20s", "--quiet")
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(dumpNotes(dump.String()), ","), "on 60") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	notes := dumpNotes(dump.String())
	if len(notes) == 0 || notes[len(notes)-1] != "on 60" {
		t.Fatalf("no held note 60 before SIGINT: %v", notes)
	}
	play.Process.Signal(os.Interrupt)
	if err := play.Wait(); err != nil {
		t.Fatalf("play after SIGINT: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	notes = dumpNotes(dump.String())
	if notes[len(notes)-1] != "off 60" {
		t.Errorf("after SIGINT the last notes are %v: want the note-off of 60", notes[max(0, len(notes)-3):])
	}
}

// TestPlayWithNothingHere: no JACK server, no ALSA device, no MIDI system (exactly this
// machine without jackd): play says so in a few short lines and plays until --duration,
// exit status 0; devices says why there is nothing.
func TestPlayWithNothingHere(t *testing.T) {
	env := append(os.Environ(), "JACK_DEFAULT_SERVER=nosuchserver", "JACK_NO_START_SERVER=1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	play := jacktest.CommandContext(ctx, sepBin, "play", "hysteresis", "--midi-in", "all", "--duration", "2s")
	play.Env = env
	start := time.Now()
	out, err := play.CombinedOutput()
	if err != nil {
		t.Fatalf("play: %v\n%s", err, out)
	}
	if took := time.Since(start); took < 2*time.Second || took > 10*time.Second {
		t.Errorf("play took %v, want about the 2 s of --duration", took)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 6 {
		t.Errorf("play printed %d lines; want a few short ones:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if len(l) > 200 {
			t.Errorf("a long line: %q", l)
		}
	}
	dev := jacktest.CommandContext(ctx, sepBin, "devices")
	dev.Env = env
	dout, err := dev.CombinedOutput()
	if err != nil {
		t.Fatalf("devices: %v\n%s", err, dout)
	}
	if !strings.Contains(string(dout), "MIDI") || !strings.Contains(strings.ToLower(string(dout)), "audio") {
		t.Errorf("devices output does not cover audio and MIDI:\n%s", dout)
	}
	if !strings.Contains(string(dout), `JACK (play --host jack): audio: no JACK server "nosuchserver" is running`) {
		t.Errorf("devices does not say that no JACK server runs:\n%s", dout)
	}
}

// TestDevicesListsJACK: with a server running, devices says what play --host jack
// plays to and which clients --audio can name.
func TestDevicesListsJACK(t *testing.T) {
	needJACK(t)
	code, out, stderr := runCLI(t, "devices")
	if code != 0 {
		t.Fatalf("devices: exit %d\n%s", code, stderr)
	}
	want := "JACK (play --host jack): 48000 Hz, 128 frames per cycle; plays to system:playback_1, system:playback_2 by default"
	if !strings.Contains(out, want) || !strings.Contains(out, "clients to name with --audio: system") {
		t.Errorf("devices output lacks %q and the client list:\n%s", want, out)
	}
}

// TestCCSweepShowsHysteresis: a 14-bit CC 1/33 sweep up then down over the hysteresis
// patch, sent from a JACK MIDI port the test opens: firing (the patch's gate note) starts
// at a higher current than where it stops, both near the offline render's values (4.51
// and -0.30 µA/cm²; see io/render's TestSaddleNodeHysteresis).
func TestCCSweepShowsHysteresis(t *testing.T) {
	needJACK(t)
	d, knob := jackKnob(t, "sweeper")
	type noteAt struct {
		on   bool
		when time.Time
	}
	notes := make(chan noteAt, 64)
	in, err := mididrv.OpenVirtualInput(d, "notes", func(m midimap.Msg, when time.Time) {
		switch {
		case m.Status&0xF0 == 0x90 && m.Data1 == 60 && m.Data2 > 0:
			notes <- noteAt{true, when}
		case (m.Status&0xF0 == 0x80 || m.Status&0xF0 == 0x90) && m.Data1 == 60:
			notes <- noteAt{false, when}
		}
	}, mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	client := d.ClientName()
	play := exec.Command(sepBin, "play", "hysteresis", "--host", "jack", "--midi-driver", "jack",
		"--midi-in", client+":knob", "--midi-out", client+":notes", "--duration", "25s", "--quiet")
	var perr bytes.Buffer
	play.Stderr = &perr
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	defer play.Process.Kill()
	waitPort(t, audio.JACKClientName)
	waitConnected(t, client+":knob")
	waitConnected(t, client+":notes")
	time.Sleep(500 * time.Millisecond)
	const half = 8 * time.Second // each way; the knob spans -2..6 µA/cm²
	current := func(x float64) float64 { return -2 + 8*x }
	send := func(x float64) {
		v := int(math.Round(x * 16383))
		knob.Send(midimap.ControlChange(1, 1, v>>7))
		knob.Send(midimap.ControlChange(1, 33, v&0x7F))
	}
	// Park the knob at the bottom first: with soft takeover it must meet the patch's
	// starting current (-2, the bottom) before it moves anything. A CI run once lost
	// 200 ms of parking (no note at all followed: the knob never took over), so park
	// for a second.
	for i := 0; i < 100; i++ {
		send(0)
		time.Sleep(10 * time.Millisecond)
	}
	t0 := time.Now()
	knobAt := func(at time.Time) float64 {
		e := at.Sub(t0)
		if e < half {
			return float64(e) / float64(half)
		}
		return math.Max(0, 2-float64(e)/float64(half))
	}
	for e := time.Duration(0); e <= 2*half; e = time.Since(t0) {
		send(knobAt(time.Now()))
		time.Sleep(10 * time.Millisecond)
	}
	send(0)
	time.Sleep(300 * time.Millisecond)
	play.Process.Signal(os.Interrupt)
	play.Wait()
	close(notes)
	var on, off []float64
	for n := range notes {
		i := current(knobAt(n.when))
		if n.on {
			on = append(on, i)
		} else {
			off = append(off, i)
		}
	}
	if len(on) == 0 || len(off) == 0 {
		t.Fatalf("gate notes: on at %v, off at %v\n%s", on, off, perr.String())
	}
	start, stop := on[0], off[len(off)-1]
	t.Logf("firing started at %.2f going up, stopped at %.2f going down (on %v, off %v)", start, stop, on, off)
	if math.Abs(start-4.51) > 0.4 || math.Abs(stop-(-0.30)) > 0.4 || !(start > stop+3) {
		t.Errorf("firing started at %.2f and stopped at %.2f µA/cm²; want 4.51 and -0.30 (+-0.4)", start, stop)
	}
}
