//go:build unix

package mididrv_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/mididrv/internal/testjack"
	"github.com/separatrix-audio/separatrix/io/mididrv/jackmidi"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2/drivers"
)

var (
	server    *jacktest.Server
	serverErr error
)

const helperEnv = "MIDIDRV_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "open" {
		helperOpen()
		return
	}
	if jackmidi.Available {
		server, serverErr = jacktest.StartIfInstalled()
	} else {
		serverErr = fmt.Errorf("%w: this build has no JACK MIDI (cgo is off)", jacktest.ErrNotInstalled)
	}
	code := m.Run()
	if server != nil {
		testjack.Stop(server)
	}
	os.Exit(code)
}

func needServer(t *testing.T) {
	t.Helper()
	jacktest.Need(t, server, serverErr)
}

// openJack opens the "jack" driver for one test, retrying: clients started right after
// the server came up have been seen to fail once.
func openJack(t *testing.T) drivers.Driver {
	t.Helper()
	var err error
	for range 5 {
		var d drivers.Driver
		if d, err = mididrv.Open("jack"); err == nil {
			t.Cleanup(func() { d.Close() })
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal(err)
	return nil
}

// client is an example JACK client run under timeout (they never exit by themselves).
type client struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startClient runs `timeout 120 args...` and waits for the JACK port port to appear,
// starting again if the client fails to connect.
func startClient(t *testing.T, port string, args ...string) *client {
	t.Helper()
	for try := 0; try < 3; try++ {
		c := &client{out: new(syncBuffer), done: make(chan struct{})}
		c.cmd = exec.Command("timeout", append([]string{"-k", "2", "120"}, args...)...)
		c.cmd.Stdout, c.cmd.Stderr = c.out, io.Discard
		// A group of its own, so that a client that ignores signals can be killed
		// with its timeout; and Wait does not wait for pipes a straggler holds.
		c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		c.cmd.WaitDelay = time.Second
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { c.cmd.Wait(); close(c.done) }()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			select {
			case <-c.done:
				goto again
			default:
			}
			if ps, _ := server.Ports(); slices.Contains(ps, port) {
				t.Cleanup(func() { c.stop() })
				return c
			}
		}
		c.stop()
	again:
	}
	t.Fatalf("%v did not bring up %s", args, port)
	return nil
}

// stop interrupts timeout, which passes the signal on to the client, and waits; it
// returns what the client printed. (Not SIGTERM: timeout 9.1 starts the client with
// SIGTERM blocked, so jack_midiseq would never see it.)
func (c *client) stop() string {
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL) // the group started above
		<-c.done
	}
	return c.out.String()
}

// dumped parses jack_midi_dump's lines ("   0: 90 48 6e note on (channel 0): ...")
// into "90 48 6E" strings.
var dumpLine = regexp.MustCompile(`(?m)^\s*(?:\d+:\s*)?([0-9a-f]{2}(?: [0-9a-f]{2})*)\s+\S`)

func dumped(s string) []string {
	var msgs []string
	for _, m := range dumpLine.FindAllStringSubmatch(s, -1) {
		msgs = append(msgs, strings.ToUpper(m[1]))
	}
	return msgs
}

type event struct {
	m    midimap.Msg
	when time.Time
}

type recorder struct {
	mu     sync.Mutex
	events []event
}

func (r *recorder) handle(m midimap.Msg, when time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{m, when})
}

func (r *recorder) snapshot() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// seqArgs loops 24000 frames (0.5 s at 48 kHz): note 60 from frame 0 for 8000 frames,
// note 63 from frame 12000 for 8000 frames.
var seqArgs = []string{"jack_midiseq", "seq", "24000", "0", "60", "8000", "12000", "63", "8000"}

// seqCycle is what jack_midiseq sends, in order, with the frames from each message
// to the next.
var seqCycle = []struct {
	m    midimap.Msg
	next int
}{
	{midimap.Msg{Status: 0x90, Data1: 60, Data2: 64}, 8000},
	{midimap.Msg{Status: 0x80, Data1: 60, Data2: 64}, 4000},
	{midimap.Msg{Status: 0x90, Data1: 63, Data2: 64}, 8000},
	{midimap.Msg{Status: 0x80, Data1: 63, Data2: 64}, 4000},
}

// checkSeq checks events against seqCycle: order, rate, and (if spacing) spacing to
// the frame within the tolerance of JACK's frame-to-time estimate. The dummy driver's
// clock is a timer that wakes late on a loaded machine, so its frames run a little
// slower than 48 kHz of wall-clock time: spacing is checked at the rate measured over
// the run.
func checkSeq(t *testing.T, events []event, spacing bool) {
	t.Helper()
	if len(events) < 8 {
		t.Fatalf("only %d messages", len(events))
	}
	k := slices.IndexFunc(seqCycle, func(c struct {
		m    midimap.Msg
		next int
	}) bool {
		return c.m == events[0].m
	})
	if k < 0 {
		t.Fatalf("first message %v is not one jack_midiseq sends", events[0].m)
	}
	frames := make([]int, len(events)) // each event's frame, counted from the first
	for i := range events {
		c := seqCycle[(k+i)%len(seqCycle)]
		if events[i].m != c.m {
			t.Fatalf("message %d is %v, want %v", i, events[i].m, c.m)
		}
		if i+1 < len(events) {
			frames[i+1] = frames[i] + c.next
		}
	}
	span := events[len(events)-1].when.Sub(events[0].when)
	rate := float64(frames[len(frames)-1]) / span.Seconds()
	if rate < 0.97*48000 || rate > 1.01*48000 {
		t.Errorf("frames arrive at %.0f Hz, want about 48000", rate)
	}
	var devs []time.Duration
	for i := 1; i < len(events); i++ {
		want := time.Duration(float64(frames[i]-frames[i-1]) / rate * float64(time.Second))
		devs = append(devs, (events[i].when.Sub(events[i-1].when) - want).Abs())
	}
	slices.Sort(devs)
	median, worst := devs[len(devs)/2], devs[len(devs)-1]
	t.Logf("%d messages at %.0f frames/s; spacing off by %v (median), %v (worst)", len(events), rate, median, worst)
	// Mapping frames to the wall clock goes through JACK's estimate of when each
	// period began. On a quiet machine that is good to microseconds, and most gaps
	// must be right to a fraction of a period (stamping whole periods would put the
	// median near a third of one). On a busy one the dummy driver's timer wakes late
	// and clients miss cycles (xruns), and only gross errors can be told apart.
	period := time.Second * 128 / 48000
	if worst > 10*period {
		t.Errorf("spacing off by up to %v", worst)
	}
	if !spacing {
		return
	}
	if x := xruns(); x > 0 || math.Abs(rate/48000-1) > 0.0025 {
		t.Logf("busy machine (%d xruns, %.0f frames/s): spacing not checked to the frame", x, rate)
		return
	}
	if median > period/3 {
		t.Errorf("spacing off by %v (median)", median)
	}
}

var xrunsSeen int

// xruns counts the clients' xruns the JACK server logged since the last call.
func xruns() int {
	n := strings.Count(server.Log(), "was not finished")
	d := n - xrunsSeen
	xrunsSeen = n
	return d
}

func TestInputFromMidiseq(t *testing.T) {
	needServer(t)
	startClient(t, "seq:out", seqArgs...)
	d := openJack(t)
	var rec recorder
	in, err := mididrv.OpenInput(d, "SEQ", rec.handle, mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Port() != "seq:out" {
		t.Errorf("Port() = %q", in.Port())
	}
	// Clients starting up make the server log xruns; count those of the run only.
	time.Sleep(300 * time.Millisecond)
	xruns()
	start := time.Now()
	time.Sleep(1600 * time.Millisecond)
	in.Close()
	n := rec.len()
	time.Sleep(50 * time.Millisecond)
	if rec.len() != n {
		t.Error("Handler called after Close")
	}
	events := rec.snapshot()
	checkSeq(t, events[slices.IndexFunc(events, func(e event) bool { return e.when.After(start) }):], true)
	if s := in.Stats(); s.Received != uint64(n) || s.Ignored != 0 {
		t.Errorf("stats %+v, %d recorded", s, n)
	}
}

func TestInputNoMatch(t *testing.T) {
	needServer(t)
	d := openJack(t)
	_, err := mididrv.OpenInput(d, "no-such-synth", func(midimap.Msg, time.Time) {}, mididrv.Options{})
	var me *mididrv.MatchError
	if !errors.As(err, &me) || !strings.HasPrefix(err.Error(), `no MIDI input matches "no-such-synth"; `) {
		t.Errorf("err = %v", err)
	}
}

// sendPairs sends note-on/note-off pairs for keys from..to and returns what
// jack_midi_dump should print for them.
func sendPairs(t *testing.T, out *mididrv.Output, from, to int) []string {
	t.Helper()
	var want []string
	for k := from; k <= to; k++ {
		for _, m := range []midimap.Msg{midimap.NoteOn(1, k, 100+k%20), midimap.NoteOff(1, k)} {
			if err := out.Send(m); err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("%02X %02X %02X", m.Status, m.Data1, m.Data2))
		}
	}
	return want
}

func TestOutputToMidiDump(t *testing.T) {
	needServer(t)
	dump := startClient(t, "dump:input", "jack_midi_dump", "dump")
	d := openJack(t)
	out, err := mididrv.OpenOutput(d, "dump", mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	want := sendPairs(t, out, 60, 75)
	// A note left on, then silenced.
	out.Send(midimap.NoteOn(2, 72, 110))
	out.AllNotesOff([]int{2})
	want = append(want, "91 48 6E", "81 48 40", "B1 7B 00")
	time.Sleep(200 * time.Millisecond)
	got := dumped(dump.stop())
	if !slices.Equal(got, want) {
		t.Errorf("jack_midi_dump got\n%v\nwant\n%v", got, want)
	}
}

func TestOutputSendDoesNotAllocate(t *testing.T) {
	needServer(t)
	startClient(t, "dump:input", "jack_midi_dump", "dump")
	d := openJack(t)
	out, err := mididrv.OpenOutput(d, "dump", mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	on, off := midimap.NoteOn(1, 60, 100), midimap.NoteOff(1, 60)
	if n := testing.AllocsPerRun(200, func() {
		out.Send(on)
		out.Send(off)
	}); n != 0 {
		t.Errorf("Send: %v allocations per pair, want 0", n)
	}
}

type statusLog struct {
	mu sync.Mutex
	s  []mididrv.Status
}

func (l *statusLog) add(s mididrv.Status) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.s = append(l.s, s)
}

func (l *statusLog) events() []mididrv.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var e []mididrv.Event
	for _, s := range l.s {
		e = append(e, s.Event)
	}
	return e
}

func (l *statusLog) has(e mididrv.Event) func() bool {
	return func() bool { return slices.Contains(l.events(), e) }
}

func (l *statusLog) strings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var e []string
	for _, s := range l.s {
		e = append(e, s.String())
	}
	return e
}

// TestInputReconnects kills jack_midiseq mid-performance and starts it again: the
// Input reports the loss once, stays quiet, and listens again when seq:out is back,
// while an Output of the same driver goes on working throughout.
func TestInputReconnects(t *testing.T) {
	needServer(t)
	seq := startClient(t, "seq:out", seqArgs...)
	dump := startClient(t, "dump:input", "jack_midi_dump", "dump")
	d := openJack(t)
	var rec recorder
	var st statusLog
	in, err := mididrv.OpenInput(d, "seq", rec.handle, mididrv.Options{Status: st.add, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := mididrv.OpenOutput(d, "dump", mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	testjack.WaitFor(t, "messages", 3*time.Second, func() bool { return rec.len() >= 4 })

	seq.stop()
	testjack.WaitFor(t, "the Gone report", 3*time.Second, st.has(mididrv.Gone))
	if in.Port() != "" {
		t.Errorf("Port() = %q while gone", in.Port())
	}
	time.Sleep(300 * time.Millisecond) // three polls: still one report
	quiet := rec.len()
	want := sendPairs(t, out, 40, 43) // the output goes on working
	time.Sleep(300 * time.Millisecond)
	if rec.len() != quiet {
		t.Error("messages while seq is gone")
	}
	if e := st.events(); !slices.Equal(e, []mididrv.Event{mididrv.Gone}) {
		t.Errorf("reports %v while gone, want [Gone]", st.strings())
	}

	startClient(t, "seq:out", seqArgs...)
	testjack.WaitFor(t, "the Back report", 3*time.Second, st.has(mididrv.Back))
	testjack.WaitFor(t, "messages again", 3*time.Second, func() bool { return rec.len() >= quiet+12 })
	in.Close()
	checkSeq(t, rec.snapshot()[quiet:], false)
	if e := st.events(); !slices.Equal(e, []mididrv.Event{mididrv.Gone, mididrv.Back}) {
		t.Errorf("reports %v", st.strings())
	}
	for i, want := range []string{
		`MIDI input "seq:out" is gone; waiting for a port matching "seq"`,
		`MIDI input "seq:out" connected (matches "seq")`,
	} {
		if s := st.strings(); i < len(s) && s[i] != want {
			t.Errorf("report %d: %q, want %q", i, s[i], want)
		}
	}
	if got := dumped(dump.stop()); !slices.Equal(got, want) {
		t.Errorf("the output, while the input was gone: got %v, want %v", got, want)
	}
}

// TestOutputReconnects kills jack_midi_dump and starts another: Send fails with
// ErrDisconnected meanwhile, and the note left sounding is released on the new port.
func TestOutputReconnects(t *testing.T) {
	needServer(t)
	dump := startClient(t, "dump:input", "jack_midi_dump", "dump")
	d := openJack(t)
	var st statusLog
	out, err := mididrv.OpenOutput(d, "dump", mididrv.Options{Status: st.add, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	want1 := sendPairs(t, out, 50, 52)
	out.Send(midimap.NoteOn(1, 70, 90)) // left sounding
	want1 = append(want1, "90 46 5A")
	time.Sleep(100 * time.Millisecond)
	if got := dumped(dump.stop()); !slices.Equal(got, want1) {
		t.Errorf("first dump got %v, want %v", got, want1)
	}
	testjack.WaitFor(t, "the Gone report", 3*time.Second, st.has(mididrv.Gone))
	if err := out.Send(midimap.NoteOn(1, 1, 1)); !errors.Is(err, mididrv.ErrDisconnected) {
		t.Errorf("Send while gone: %v", err)
	}
	dump2 := startClient(t, "dump:input", "jack_midi_dump", "dump")
	testjack.WaitFor(t, "the Back report", 3*time.Second, st.has(mididrv.Back))
	want2 := append([]string{"80 46 40"}, sendPairs(t, out, 53, 54)...)
	time.Sleep(100 * time.Millisecond)
	if e := st.events(); !slices.Equal(e, []mididrv.Event{mididrv.Gone, mididrv.Back}) {
		t.Errorf("reports %v", st.strings())
	}
	out.Close()
	if got := dumped(dump2.stop()); !slices.Equal(got, want2) {
		t.Errorf("second dump got %v, want %v", got, want2)
	}
	if s := out.Stats(); s.Failed != 1 {
		t.Errorf("stats %+v, want 1 failed", s)
	}
}

// TestWaitForPort opens an input before its port exists.
func TestWaitForPort(t *testing.T) {
	needServer(t)
	d := openJack(t)
	var rec recorder
	var st statusLog
	in, err := mididrv.OpenInput(d, "seq", rec.handle, mididrv.Options{Status: st.add, Poll: 100 * time.Millisecond, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	startClient(t, "seq:out", seqArgs...)
	testjack.WaitFor(t, "messages", 3*time.Second, func() bool { return rec.len() >= 2 })
	if e := st.events(); !slices.Equal(e, []mididrv.Event{mididrv.Waiting, mididrv.Back}) {
		t.Errorf("reports %v", st.strings())
	}
}

func TestVirtualPorts(t *testing.T) {
	needServer(t)
	d := openJack(t)
	var rec recorder
	vin, err := mididrv.OpenVirtualInput(d, "in", rec.handle, mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer vin.Close()
	vout, err := mididrv.OpenVirtualOutput(d, "out", mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer vout.Close()
	client := d.(*jackmidi.Driver).ClientName()
	if vin.Port() != client+":in" || vout.Port() != client+":out" {
		t.Errorf("ports %q, %q (client %q)", vin.Port(), vout.Port(), client)
	}
	// Nothing is connected; jack_connect does it, as a DAW would.
	if err := exec.Command("jack_connect", vout.Port(), vin.Port()).Run(); err != nil {
		t.Fatal(err)
	}
	vout.Send(midimap.NoteOn(5, 33, 44))
	testjack.WaitFor(t, "the note", 2*time.Second, func() bool { return rec.len() == 1 })
	if m := rec.snapshot()[0].m; m != midimap.NoteOn(5, 33, 44) {
		t.Errorf("got %v", m)
	}
}

// TestVirtualPortsComeBack kills the JACK server under a driver with virtual ports and
// starts it again: both ports report the loss, are created again under the same names
// once the server is back, and carry messages again.
func TestVirtualPortsComeBack(t *testing.T) {
	needServer(t)
	if testing.Short() {
		t.Skip("kills and restarts a JACK server")
	}
	srv := jacktest.StartPrivate(t) // its own: the others' server stays up
	d := openJack(t)
	var rec recorder
	var st statusLog
	opt := mididrv.Options{Status: st.add, Poll: 100 * time.Millisecond}
	vin, err := mididrv.OpenVirtualInput(d, "in", rec.handle, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer vin.Close()
	vout, err := mididrv.OpenVirtualOutput(d, "out", opt)
	if err != nil {
		t.Fatal(err)
	}
	defer vout.Close()
	inName, outName := vin.Port(), vout.Port()

	srv.Kill()
	count := func(e mididrv.Event) func() bool {
		return func() bool {
			n := 0
			for _, x := range st.events() {
				if x == e {
					n++
				}
			}
			return n == 2
		}
	}
	testjack.WaitFor(t, "both Gone reports", 5*time.Second, count(mididrv.Gone))
	if err := vout.Send(midimap.NoteOn(1, 1, 1)); !errors.Is(err, mididrv.ErrDisconnected) {
		t.Errorf("Send while the server is down: %v, want ErrDisconnected", err)
	}
	time.Sleep(300 * time.Millisecond) // polls while the server is down: no more reports
	if e := st.events(); len(e) != 2 {
		t.Errorf("reports while the server is down: %v", st.strings())
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	testjack.WaitFor(t, "both Back reports", 5*time.Second, count(mididrv.Back))
	if vin.Port() != inName || vout.Port() != outName {
		t.Errorf("ports after the restart: %q, %q; want %q, %q", vin.Port(), vout.Port(), inName, outName)
	}
	if err := exec.Command("jack_connect", outName, inName).Run(); err != nil {
		t.Fatal(err)
	}
	if err := vout.Send(midimap.NoteOn(5, 33, 44)); err != nil {
		t.Fatal(err)
	}
	testjack.WaitFor(t, "the note through the new ports", 2*time.Second, func() bool { return rec.len() == 1 })
	for _, want := range []string{
		fmt.Sprintf(`MIDI input port %q is gone (its MIDI system stopped); creating it again when it can`, inName),
		fmt.Sprintf(`MIDI output port %q created again`, outName),
	} {
		if !slices.Contains(st.strings(), want) {
			t.Errorf("no report %q in %q", want, st.strings())
		}
	}
}

func TestOpen(t *testing.T) {
	if !jackmidi.Available {
		t.Skip("a build without cgo: no rtmidi, no jack")
	}
	if got := mididrv.Drivers(); !slices.Equal(got, []string{"auto", "rtmidi", "jack"}) {
		t.Errorf("Drivers() = %v", got)
	}
	if _, err := mididrv.Open("portmidi"); err == nil || err.Error() != `unknown MIDI driver "portmidi" (known: auto, rtmidi, jack)` {
		t.Errorf("unknown driver: %v", err)
	}
	if _, err := os.Stat("/dev/snd/seq"); err == nil {
		t.Skip("this machine has an ALSA sequencer")
	}
	start := time.Now()
	if _, err := mididrv.Open("rtmidi"); !errors.Is(err, mididrv.ErrNoALSASequencer) || err.Error() != "the ALSA sequencer is not available (no /dev/snd/seq)" {
		t.Errorf("rtmidi without /dev/snd/seq: %v", err)
	}
	if server == nil {
		return
	}
	d, err := mididrv.Open("auto")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.String() != "jackmidi" {
		t.Errorf("auto picked %s, want jackmidi", d)
	}
	ins, outs, err := mididrv.Ports(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("in %v: inputs %v, outputs %v", time.Since(start), ins, outs)
	if !slices.Contains(outs, "system:playback_1") || !slices.Contains(ins, "system:capture_1") {
		// The dummy driver's audio ports are not MIDI: they must not be listed.
	} else {
		t.Errorf("audio ports listed as MIDI: %v %v", ins, outs)
	}
}

// helperOpen runs in a subprocess with JACK_DEFAULT_SERVER naming no server.
func helperOpen() {
	for _, name := range []string{"jack", "auto"} {
		start := time.Now()
		d, err := mididrv.Open(name)
		if d != nil {
			d.Close()
		}
		fmt.Printf("%s\t%v\t%d\n", name, err, time.Since(start).Milliseconds())
	}
}

// TestNoServer opens "jack" and "auto" where no JACK server runs (a subprocess with a
// bogus JACK_DEFAULT_SERVER): a clear error, quickly, and not a word from libjack.
func TestNoServer(t *testing.T) {
	if !jackmidi.Available {
		t.Skip("no JACK support in this build")
	}
	cmd := jacktest.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=open", "JACK_DEFAULT_SERVER=septest-no-such-server", "JACK_NO_START_SERVER=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	lines := 0
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			continue
		}
		lines++
		t.Logf("Open(%q): %s (%s ms)", f[0], f[1], f[2])
		if !strings.Contains(f[1], "no JACK server is running") {
			t.Errorf("Open(%q): %s", f[0], f[1])
		}
		if f[0] == "auto" && !strings.HasPrefix(f[1], "no MIDI driver works here: ") {
			t.Errorf("Open(auto): %s", f[1])
		}
		var ms int
		fmt.Sscan(f[2], &ms)
		if ms > 2000 {
			t.Errorf("Open(%q) took %d ms", f[0], ms)
		}
	}
	if lines != 2 {
		t.Errorf("helper printed:\n%s", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not silent:\n%s", stderr.String())
	}
}
