package live

import (
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/wav"
	"github.com/separatrix-audio/separatrix/patches"
)

// waitCaption waits up to 5 s for the next caption.
func waitCaption(t *testing.T, captions <-chan string, want string) time.Time {
	t.Helper()
	select {
	case c := <-captions:
		if c != want {
			t.Fatalf("caption %q, want %q", c, want)
		}
		return time.Now()
	case <-time.After(5 * time.Second):
		t.Fatalf("no caption %q within 5 s", want)
	}
	return time.Time{}
}

// The attract tour starts after the idle time (MIDI clock from a device does not count
// as a visitor), plays its steps with their captions, and the first visitor's move ends
// it where it stands: the current the tour was ramping stops at its present value, and
// a soft-takeover knob far from it does not pull it away.
func TestAttractTourPlaysAndHandsOver(t *testing.T) {
	p := softHysteresis(t)
	p.Tour = &patches.Tour{Length: 10, Steps: []patches.TourStep{
		{At: 0, Caption: "At rest.", Kick: -1},
		{At: 0.1, Caption: "The current rises...", Target: "a.current", Neuron: 0, Control: int(emu.ControlCurrent), To: 6, Over: 2, Kick: -1},
	}}
	captions := make(chan string, 16)
	handles := make(chan func(midimap.Msg), 1)
	status := &syncBuf{}
	start := time.Now()
	stop := startSession(t, Options{
		Patches:       []*patches.Patch{p},
		ConnectInputs: handOver(handles),
		Status:        status,
		Attract:       &Attract{Idle: 1500 * time.Millisecond, Caption: func(c string) { captions <- c }},
	})
	handle := <-handles
	clockDone, clockStopped := make(chan struct{}), make(chan struct{})
	go func() { // a MIDI clock ticking all along: not a visitor
		defer close(clockStopped)
		for {
			select {
			case <-clockDone:
				return
			case <-time.After(20 * time.Millisecond):
				handle(midimap.Msg{Status: 0xF8})                     // clock
				handle(midimap.Msg{Status: 0xF1, Data1: 0x12})        // time code
				handle(midimap.Msg{Status: 0xF2, Data1: 0, Data2: 4}) // song position
			}
		}
	}()
	at := waitCaption(t, captions, "At rest.")
	close(clockDone)
	<-clockStopped
	if at.Sub(start) < 1500*time.Millisecond {
		t.Fatalf("the tour started %v after the session, before its idle time of 1.5 s", at.Sub(start))
	}
	waitCaption(t, captions, "The current rises...")
	time.Sleep(900 * time.Millisecond)                    // the current about 2.7, on its way to 6
	handle(midimap.Msg{Status: 0xB0, Data1: 1, Data2: 0}) // the knob at its bottom, -2: far from the current
	waitCaption(t, captions, "")
	time.Sleep(time.Second) // less than the idle time, after which the tour would start again
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	var currents []float64
	for _, m := range regexp.MustCompile(`a I=(-?[0-9.]+)`).FindAllStringSubmatch(status.String(), -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		currents = append(currents, v)
	}
	if len(currents) < 8 {
		t.Fatalf("only %d status lines: %q", len(currents), status.String())
	}
	last := currents[len(currents)-3:] // the last 0.75 s, after the visitor's move
	for _, v := range last {
		if v != last[0] {
			t.Fatalf("the current still moves after the tour ended: %v (all: %v)", last, currents)
		}
	}
	if last[0] < 1 || last[0] > 5 {
		t.Errorf("the tour ended with the current at %.2f: it should stop where the ramp stood (between 1 and 5), neither finish it to 6 nor take the knob's -2 (all: %v)", last[0], currents)
	}
}

// The tour moves from patch to patch in order, skipping a patch with nothing to play,
// and plays a MIDI score through a patch's own MIDI map where one is given instead.
func TestAttractMovesThroughThePatches(t *testing.T) {
	withTour := func(t *testing.T, name, caption string) *patches.Patch {
		p := mustLoad(t, name)
		p.Tour = &patches.Tour{Length: 1, Steps: []patches.TourStep{{At: 0, Caption: caption, Kick: -1}}}
		return p
	}
	none := mustLoad(t, "snic")
	none.Tour = nil
	scored := mustLoad(t, "hysteresis")
	scored.Tour = nil
	// The score: the 14-bit mod wheel (CC 1 and 33 on channel 1, hysteresis's current)
	// at the bottom, where the current starts (a soft-takeover knob engages there), then
	// to the top at 0.1 s.
	score := &midifile.Score{Length: 1, Events: []midifile.ScoreEvent{
		{Seconds: 0, Msg: midimap.Msg{Status: 0xB0, Data1: 1, Data2: 0}},
		{Seconds: 0, Msg: midimap.Msg{Status: 0xB0, Data1: 33, Data2: 0}},
		{Seconds: 0.1, Msg: midimap.Msg{Status: 0xB0, Data1: 1, Data2: 127}},
		{Seconds: 0.1, Msg: midimap.Msg{Status: 0xB0, Data1: 33, Data2: 127}},
	}}
	captions := make(chan string, 64)
	status := &syncBuf{}
	stop := startSession(t, Options{
		Patches: []*patches.Patch{withTour(t, "saddle-node", "one"), none, scored, withTour(t, "hopf-super", "two")},
		Status:  status,
		Attract: &Attract{Idle: time.Second, Scores: []*midifile.Score{2: score}, Caption: func(c string) { captions <- c }},
	})
	waitCaption(t, captions, "one")
	waitCaption(t, captions, "two") // snic skipped; hysteresis's score shows no caption
	waitCaption(t, captions, "one") // and round again
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status.String(), "hysteresis | a I=6.00") {
		t.Errorf("the score did not turn hysteresis's current to 6 through its mod wheel:\n%q", status.String())
	}
	if strings.Contains(status.String(), "\rsnic") {
		t.Errorf("the tour played snic, which has no tour and no score")
	}
}

// The volume cap holds whatever a visitor does: the knob at the top, the patch's own gain
// at its maximum, kicks hammered in; the recording (what was played) never peaks above
// it, and the sound is not silenced instead (it comes close to the cap).
func TestCapHoldsWhateverTheKnobs(t *testing.T) {
	const capDB = -20.0
	p := mustLoad(t, "hysteresis")
	p.Engine.Neurons[0].Gain = emu.MaxGain
	path := filepath.Join(t.TempDir(), "capped.wav")
	handles := make(chan func(midimap.Msg), 1)
	stop := startSession(t, Options{Patches: []*patches.Patch{p}, ConnectInputs: handOver(handles), Record: path, CapDB: capDB})
	handle := <-handles
	for _, m := range []midimap.Msg{{Status: 0xB0, Data1: 1, Data2: 0}, {Status: 0xB0, Data1: 33, Data2: 0},
		{Status: 0xB0, Data1: 1, Data2: 127}, {Status: 0xB0, Data1: 33, Data2: 127}} {
		handle(m)
	}
	for range 20 {
		handle(midimap.NoteOn(1, 84, 127))
		time.Sleep(25 * time.Millisecond)
		handle(midimap.NoteOff(1, 84))
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	a, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	peak := 0.0
	for _, ch := range a.Channels {
		for _, v := range ch {
			peak = math.Max(peak, math.Abs(float64(v)))
		}
	}
	limit := math.Pow(10, capDB/20)
	if peak > limit+1.0/32767 {
		t.Errorf("the recording peaks at %.4f (%.2f dBFS), over the cap of %.4f (%g dBFS)", peak, 20*math.Log10(peak), limit, capDB)
	}
	if peak < 0.8*limit {
		t.Errorf("the recording peaks at %.4f, far below the cap of %.4f: was it played at all?", peak, limit)
	}
}

// Quiet hours: the level Options.Level gives reaches the sound (here silence from 0.5 s
// of the session on), while the session plays on.
func TestLevelFollowsTheClock(t *testing.T) {
	p := mustLoad(t, "hysteresis")
	p.Engine.Neurons[0].Current = 5 // firing
	path := filepath.Join(t.TempDir(), "quiet.wav")
	start := time.Now()
	stop := startSession(t, Options{Patches: []*patches.Patch{p}, Record: path, Level: func(now time.Time) float64 {
		if now.Sub(start) > 500*time.Millisecond {
			return 0
		}
		return 1
	}})
	time.Sleep(500*time.Millisecond + LevelRamp*time.Second + 700*time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	a, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	peak := func(from, to float64) float64 {
		m := 0.0
		for _, v := range a.Channels[0][int(from*48000):int(to*48000)] {
			m = math.Max(m, math.Abs(v))
		}
		return m
	}
	n := float64(len(a.Channels[0])) / 48000
	if loud := peak(0.1, 0.4); loud < 0.1 {
		t.Fatalf("the patch peaks at %.3f before the quiet hours: not firing?", loud)
	}
	if quiet := peak(n-0.4, n); quiet != 0 {
		t.Errorf("the last 0.4 s peak at %.4f: the quiet hours' silence did not come", quiet)
	}
}

// The page shows the tour's caption while the tour plays, and none once a page's move
// has ended it.
func TestViewShowsTheTourCaption(t *testing.T) {
	p := softHysteresis(t)
	p.Tour = &patches.Tour{Length: 30, Steps: []patches.TourStep{{At: 0, Caption: "At rest.", Kick: -1}}}
	page := playWithView(t, Options{Patches: []*patches.Patch{p}, Attract: &Attract{Idle: time.Second}})
	page.waitFor(t, "the caption with the tour playing", func(m map[string]any) bool {
		return m["t"] == "status" && m["caption"] == "At rest." && m["attract"] == true
	})
	page.send(t, map[string]any{"t": "set", "slider": 0, "value": 1})
	page.waitFor(t, "no caption once a visitor plays", func(m map[string]any) bool {
		return m["t"] == "status" && m["caption"] == "" && m["attract"] == false
	})
}

// currentsIn reads the status lines' a.current values.
func currentsIn(t *testing.T, status string) []float64 {
	t.Helper()
	var currents []float64
	for _, m := range regexp.MustCompile(`a I=(-?[0-9.]+)`).FindAllStringSubmatch(status, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		currents = append(currents, v)
	}
	return currents
}

// A page's slider move is where a later tour's ramp starts: a visitor who ends that tour
// mid-ramp finds the current where the ramp stood, not where the patch began.
func TestPageMoveThenTourStopsWithoutAJump(t *testing.T) {
	p := softHysteresis(t)
	p.Tour = &patches.Tour{Length: 10, Steps: []patches.TourStep{
		{At: 0, Caption: "down", Target: "a.current", Neuron: 0, Control: int(emu.ControlCurrent), To: 0, Over: 3, Kick: -1},
	}}
	captions := make(chan string, 16)
	status := &syncBuf{}
	page := playWithView(t, Options{Patches: []*patches.Patch{p}, Status: status,
		Attract: &Attract{Idle: time.Second, Caption: func(c string) { captions <- c }}})
	page.waitFor(t, "the page connected", func(m map[string]any) bool { return m["t"] == "status" })
	page.send(t, map[string]any{"t": "set", "slider": 0, "value": 5})
	waitCaption(t, captions, "down") // from 5 towards 0 over 3 s
	time.Sleep(time.Second)
	page.send(t, map[string]any{"t": "reset"}) // a visitor: the tour stops where it stands
	waitCaption(t, captions, "")
	time.Sleep(800 * time.Millisecond)
	currents := currentsIn(t, status.String())
	if len(currents) < 3 {
		t.Fatalf("too few status lines: %q", status.String())
	}
	if last := currents[len(currents)-1]; last < 2 || last > 4.6 {
		t.Errorf("the tour stopped with the current at %.2f; its ramp from 5 stood near 3.3 (all: %v)", last, currents)
	}
}

// A score tour plays through a map of its own: its moves do not engage the visitor's
// soft knobs, which learn where the score left each control and wait to be caught there.
func TestScoreTourHandsOverToSoftKnobs(t *testing.T) {
	p := softHysteresis(t)
	p.Tour = nil
	score := &midifile.Score{Length: 20, Events: []midifile.ScoreEvent{ // the mod wheel to the top: 6
		{Seconds: 0.1, Msg: midimap.Msg{Status: 0xB0, Data1: 1, Data2: 127}},
		{Seconds: 0.1, Msg: midimap.Msg{Status: 0xB0, Data1: 33, Data2: 127}},
	}}
	handles := make(chan func(midimap.Msg), 1)
	captions := make(chan string, 16)
	status := &syncBuf{}
	stop := startSession(t, Options{Patches: []*patches.Patch{p}, ConnectInputs: handOver(handles), Status: status,
		Attract: &Attract{Idle: time.Second, Scores: []*midifile.Score{score}, Caption: func(c string) { captions <- c }}})
	handle := <-handles
	time.Sleep(1800 * time.Millisecond)                   // the tour on, the score's move made
	handle(midimap.Msg{Status: 0xB0, Data1: 1, Data2: 0}) // the visitor's knob at its bottom, -2
	handle(midimap.Msg{Status: 0xB0, Data1: 33, Data2: 0})
	waitCaption(t, captions, "")
	time.Sleep(700 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	currents := currentsIn(t, status.String())
	if len(currents) == 0 || currents[len(currents)-1] != 6 {
		t.Errorf("after the visitor's knob at the bottom the current reads %v; it should stay at the score's 6\n%q", currents, status.String())
	}
}

// A step at the very end of a tour plays before the next tour starts.
func TestTourStepAtItsEnd(t *testing.T) {
	p := mustLoad(t, "snic")
	p.Tour = &patches.Tour{Length: 1, Steps: []patches.TourStep{{At: 0, Caption: "start", Kick: -1}, {At: 1, Caption: "end", Kick: -1}}}
	captions := make(chan string, 16)
	startSession(t, Options{Patches: []*patches.Patch{p}, Attract: &Attract{Idle: time.Second, Caption: func(c string) { captions <- c }}})
	waitCaption(t, captions, "start")
	waitCaption(t, captions, "end")
	waitCaption(t, captions, "start")
}

// Quiet hours hold from the very first sample: a restart at night is silent.
func TestQuietHoursFromTheFirstSample(t *testing.T) {
	p := mustLoad(t, "hysteresis")
	p.Engine.Neurons[0].Current = 5 // firing
	path := filepath.Join(t.TempDir(), "night.wav")
	stop := startSession(t, Options{Patches: []*patches.Patch{p}, Record: path, Level: func(time.Time) float64 { return 0 }})
	time.Sleep(500 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	a, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for f, v := range a.Channels[0] {
		if v != 0 {
			t.Fatalf("sample %d is %g: the night's silence did not hold from the start", f, v)
		}
	}
	if len(a.Channels[0]) < 4800 {
		t.Fatalf("only %d frames recorded", len(a.Channels[0]))
	}
}
