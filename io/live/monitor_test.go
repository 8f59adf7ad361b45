package live

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/patches"
)

// waitSnapshot waits up to 5 s for the monitor to satisfy cond.
func waitSnapshot(t *testing.T, m *Monitor, what string, cond func(MonitorSnapshot) bool) MonitorSnapshot {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := m.Snapshot()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 5 s for %s; the monitor says %+v", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The monitor sees the audio stop (a device that renders nothing) and come back, keeps
// the gap, logs both for the journal, and tells the last input and its source.
func TestMonitorFollowsTheAudio(t *testing.T) {
	var hold atomic.Bool
	var fs *fakeStream
	open := opener(&fs, 128, 0, 128*time.Second/48000)
	m := &Monitor{}
	log := &syncBuf{}
	handles := make(chan func(midimap.Msg), 1)
	stop := startSession(t, Options{
		Patches: []*patches.Patch{mustLoad(t, "snic")},
		OpenStream: func(p func([][]float32)) (Stream, error) {
			s, err := open(p)
			fs.hold = &hold
			return s, err
		},
		ConnectInputs: handOver(handles),
		Monitor:       m,
		Log:           log,
	})
	handle := <-handles
	waitSnapshot(t, m, "the audio flowing", func(s MonitorSnapshot) bool { return s.Flowing && s.Patch == "snic" })
	handle(midimap.Msg{Status: 0xB0, Data1: 1, Data2: 64})
	s := waitSnapshot(t, m, "a MIDI input", func(s MonitorSnapshot) bool { return s.InputFrom == "midi" })
	if time.Since(s.LastInput) > 5*time.Second || !s.LastInput.After(s.Started) {
		t.Errorf("last input at %v, started %v", s.LastInput, s.Started)
	}
	hold.Store(true)
	stopped := waitSnapshot(t, m, "the audio stopped", func(s MonitorSnapshot) bool { return !s.Flowing })
	if len(stopped.Gaps) != 1 || !stopped.Gaps[0].To.IsZero() {
		t.Fatalf("gaps while stopped: %+v, want one still open", stopped.Gaps)
	}
	time.Sleep(300 * time.Millisecond)
	hold.Store(false)
	back := waitSnapshot(t, m, "the audio back", func(s MonitorSnapshot) bool { return s.Flowing })
	if len(back.Gaps) != 1 || back.Gaps[0].To.IsZero() {
		t.Fatalf("gaps after the audio came back: %+v, want one closed", back.Gaps)
	}
	if d := back.Gaps[0].To.Sub(back.Gaps[0].From); d < 300*time.Millisecond || d > 3*time.Second {
		t.Errorf("the gap lasted %v; the stream was held for about 0.8 s", d)
	}
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"audio: stopped", "audio: flowing again after"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, log.String())
		}
	}
}

// What a visitor set survives a restart: the state saved on the way out holds the
// patch playing and the controls moved, and a session restored from it plays them.
func TestStateSurvivesARestart(t *testing.T) {
	ps := func() []*patches.Patch { return []*patches.Patch{mustLoad(t, "snic"), softHysteresis(t)} }
	saved := make(chan State, 16)
	handles := make(chan func(midimap.Msg), 1)
	stop := startSession(t, Options{Patches: ps(), ConnectInputs: handOver(handles), SaveState: func(s State) { saved <- s }})
	handle := <-handles
	time.Sleep(100 * time.Millisecond)
	handle(midimap.Msg{Status: 0xC0, Data1: 1}) // program 1: hysteresis
	time.Sleep(100 * time.Millisecond)
	// The 14-bit knob from where the current starts (-2) up to 3.5.
	for _, m := range []midimap.Msg{{Status: 0xB0, Data1: 1, Data2: 0}, {Status: 0xB0, Data1: 33, Data2: 0},
		{Status: 0xB0, Data1: 1, Data2: 87}, {Status: 0xB0, Data1: 33, Data2: 40}} {
		handle(m)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	var last State
	for len(saved) > 0 {
		last = <-saved
	}
	cur, ok := last.Controls["hysteresis"]["a.current"]
	if last.Patch != "hysteresis" || !ok || cur < 3 || cur > 4 {
		t.Fatalf("saved %+v; want patch hysteresis with a.current about 3.5", last)
	}
	status := &syncBuf{}
	stop = startSession(t, Options{Patches: ps(), Restore: &last, Status: status})
	time.Sleep(700 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if want := "\rhysteresis | a I=" + strconvF(cur); !strings.Contains(status.String(), want) {
		t.Errorf("the restored session does not show %q:\n%q", want, status.String())
	}
}

func strconvF(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// A stream that renders with no device behind it (a clock standing in for a lost JACK
// server) is not sound flowing: the monitor says stopped until a device plays again.
func TestMonitorHearsOnlyADevice(t *testing.T) {
	var audible atomic.Bool
	audible.Store(true)
	m := &Monitor{}
	log := &syncBuf{}
	stop := startSession(t, Options{Patches: []*patches.Patch{mustLoad(t, "snic")}, Monitor: m, Log: log, Audible: audible.Load})
	waitSnapshot(t, m, "the audio flowing", func(s MonitorSnapshot) bool { return s.Flowing })
	audible.Store(false)
	gone := waitSnapshot(t, m, "the device gone", func(s MonitorSnapshot) bool { return !s.Flowing })
	if len(gone.Gaps) != 1 {
		t.Fatalf("gaps %+v, want one open", gone.Gaps)
	}
	audible.Store(true)
	waitSnapshot(t, m, "the device back", func(s MonitorSnapshot) bool { return s.Flowing && !s.Gaps[0].To.IsZero() })
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "audio: stopped (no device plays the sound)") {
		t.Errorf("the log lacks the device's loss:\n%s", log.String())
	}
}

// The state is written a few times a visit, not once a move: a minute of knob turning
// gives one save (on the way out), and a session nobody touched saves nothing.
func TestStateSavedSparingly(t *testing.T) {
	for _, touched := range []bool{false, true} {
		var saves atomic.Int32
		handles := make(chan func(midimap.Msg), 1)
		stop := startSession(t, Options{Patches: []*patches.Patch{mustLoad(t, "snic")}, ConnectInputs: handOver(handles),
			SaveState: func(State) { saves.Add(1) }})
		handle := <-handles
		if touched {
			for k := range 60 { // a knob turned for 1.2 s
				handle(midimap.ControlChange(1, 1, k))
				time.Sleep(20 * time.Millisecond)
			}
		} else {
			time.Sleep(500 * time.Millisecond)
		}
		if _, err := stop(); err != nil {
			t.Fatal(err)
		}
		want := int32(0)
		if touched {
			want = 1
		}
		if n := saves.Load(); n != want {
			t.Errorf("touched %v: %d saves, want %d", touched, n, want)
		}
	}
}
