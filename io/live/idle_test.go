package live

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/patches"
)

// The spike-note loop sleeps between spikes, yet what a burst leaves sounding still
// ends while the session plays on: the note-offs (a spike note's after its length, a
// gate note's when the neuron falls silent) and the rate controller's return to 0 come
// with the frames, with no spike to wake the loop. Both ways of waking it are tried:
// from the goroutine that runs Process, and the 2 ms look of a device's own thread.
func TestSpikeNotesEndWithoutSpikes(t *testing.T) {
	for _, tc := range []struct {
		patch       string
		onGoroutine bool
	}{
		{"hysteresis", true},   // gate note 60, rate controller 20
		{"hysteresis", false},  //
		{"saddle-node", true},  // 20 ms notes, rate controller 20
		{"saddle-node", false}, //
	} {
		name := tc.patch + map[bool]string{true: "/woken", false: "/polled"}[tc.onGoroutine]
		t.Run(name, func(t *testing.T) {
			p := mustLoad(t, tc.patch)
			out := &recordingOut{}
			handles := make(chan func(midimap.Msg), 1)
			stop := startSession(t, Options{
				Patches:            []*patches.Patch{p},
				ProcessOnGoroutine: tc.onGoroutine,
				ConnectInputs:      handOver(handles),
				Out:                out,
			})
			handle := <-handles
			time.Sleep(100 * time.Millisecond)
			handle(midimap.NoteOn(1, 72, 100)) // a kick into firing
			waitMIDI(t, out, "a note-on after the kick into firing", func(ons, _ int, _ bool) bool { return ons > 0 })
			time.Sleep(200 * time.Millisecond)
			handle(midimap.NoteOn(1, 48, 100)) // a kick back to rest
			// Silence: no spike from here on. Everything must end while the session runs.
			waitMIDI(t, out, "every note off and the rate controller at 0, the neuron at rest", func(ons, left int, rateUp bool) bool {
				return left == 0 && !rateUp
			})
			if _, err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// waitMIDI waits up to 5 s until cond holds for what out has been sent: the note-ons,
// the notes left sounding, and whether the last rate controller (CC 20) is above 0.
func waitMIDI(t *testing.T, out *recordingOut, what string, cond func(ons, left int, rateUp bool) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out.mu.Lock()
		msgs := append([]midimap.Msg(nil), out.msgs...)
		out.mu.Unlock()
		ons, left := hanging(msgs)
		rateUp := false
		for _, m := range msgs {
			if m.Status&0xF0 == 0xB0 && m.Data1 == 20 {
				rateUp = m.Data2 > 0
			}
		}
		if cond(ons, left, rateUp) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 5 s for %s; sent: %v", what, msgs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The control loop sleeps unless MIDI or the view wakes it, or a scripted setting falls
// due: a ramp that starts later still tells a soft-takeover knob the value it must meet.
// Here the second of two chained ramps holds the current at 3 from 0.1 s on; the knob,
// moved to 0.02, has not met 3 and must not take over. (Had the loop missed the second
// ramp, the knob would have met the first one's 0 and pulled the current to 0.02.)
func TestScriptedSettingsReachSoftTakeover(t *testing.T) {
	p := softHysteresis(t)
	handles := make(chan func(midimap.Msg), 1)
	status := &syncBuf{}
	stop := startSession(t, Options{
		Patches:       []*patches.Patch{p},
		ConnectInputs: handOver(handles),
		Perf: render.Performance{Ramps: []render.Ramp{
			{Target: "a.current", From: 0, To: 0, Seconds: 0.1},
			{Target: "a.current", From: 3, To: 3, Seconds: 0.1},
		}},
		Status: status,
	})
	handle := <-handles
	time.Sleep(400 * time.Millisecond)                     // both ramps over
	handle(midimap.Msg{Status: 0xB0, Data1: 1, Data2: 32}) // -2 + 8*32/127 = 0.016: within a step of the first ramp's 0, far from 3
	time.Sleep(600 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(status.String(), "\r")
	last := lines[len(lines)-1]
	for i := len(lines) - 1; i >= 0 && !strings.Contains(last, " I="); i-- {
		last = lines[i]
	}
	if !strings.Contains(last, "a I=3.00") {
		t.Errorf("the knob took over a current it had not met: the last status reads %q, want a I=3.00", last)
	}
}

// burstStream renders like a clock that wakes every 100 ms: 38 buffers of 128 frames at
// once (0.1013 s of sound), then nothing until the next wake-up.
type burstStream struct {
	process func([][]float32)
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func (b *burstStream) Start() error {
	go func() {
		defer close(b.done)
		out := [][]float32{make([]float32, 128), make([]float32, 128)}
		tick := time.NewTicker(38 * 128 * time.Second / 48000)
		defer tick.Stop()
		for {
			for range 38 {
				b.process(out)
			}
			select {
			case <-b.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return nil
}

func (b *burstStream) SampleRate() float64 { return 48000 }

func (b *burstStream) Close() error {
	b.once.Do(func() { close(b.stop) })
	<-b.done
	return nil
}

// The status line's firing rate counts the spikes over the sound played, so a stream
// that renders in bursts (a clock waking ten times a second, four status lines a
// second) shows a steady rate: the neuron fires at about 915 Hz at 5, and every line
// must read within 3% of the same (a line read while a block renders may count its
// frames and not yet its spikes: 128 frames, 1% of a quarter second). Over the time
// passed, a quarter second held two bursts or three: 740 or 1110 spikes a second.
func TestStatusRateSteadyWhenRenderedInBursts(t *testing.T) {
	p := mustLoad(t, "hysteresis")
	status := &syncBuf{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := Run(ctx, Options{
		Patches: []*patches.Patch{p}, SampleRate: 48000, Buffer: 128,
		OpenStream: func(proc func([][]float32)) (Stream, error) {
			return &burstStream{process: proc, stop: make(chan struct{}), done: make(chan struct{})}, nil
		},
		Perf:   render.Performance{Sets: []render.Set{{Target: "a.current", Value: 5}}},
		Status: status,
	})
	if err != nil {
		t.Fatal(err)
	}
	var rates []float64
	for _, m := range regexp.MustCompile(` a I=5\.00 ([0-9]+)/s`).FindAllStringSubmatch(status.String(), -1) {
		r, _ := strconv.ParseFloat(m[1], 64)
		rates = append(rates, r)
	}
	if len(rates) < 6 {
		t.Fatalf("%d status lines with a rate in 3 s, want 6 or more: %q", len(rates), status.String())
	}
	rates = rates[1:] // the first may span the start (the kick into firing)
	med := slices.Sorted(slices.Values(rates))[len(rates)/2]
	if med < 800 || med > 1000 {
		t.Errorf("the status line reads %v spikes a second at 5, want about 915", med)
	}
	for _, r := range rates {
		if r < 0.97*med || r > 1.03*med {
			t.Errorf("the status rates jitter: %v (median %v), want each within 3%% of the median", rates, med)
			break
		}
	}
}
