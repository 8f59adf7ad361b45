package live

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/view"
	"github.com/separatrix-audio/separatrix/patches"
)

// softHysteresis is the hysteresis patch with its knob on soft takeover.
func softHysteresis(t *testing.T) *patches.Patch {
	t.Helper()
	src, _ := patches.BuiltinSource("hysteresis")
	text := strings.Replace(string(src), "smoothing = 0.05", "smoothing = 0.05\ntakeover = \"soft\"", 1)
	p, err := patches.Parse("soft-hysteresis.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// viewPage is a minimal page: it keeps the JSON messages the server sends.
type viewPage struct {
	conn *websocket.Conn
	mu   sync.Mutex
	msgs []map[string]any // since the last waitFor looked
	all  []map[string]any // every one
}

func openPage(t *testing.T, addr string) *viewPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var conn *websocket.Conn
	var err error
	for { // the server starts serving once the session has started
		conn, _, err = websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
		if err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(16 << 20)
	p := &viewPage{conn: conn}
	go func() {
		for {
			typ, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			if typ == websocket.MessageText {
				var m map[string]any
				json.Unmarshal(data, &m)
				p.mu.Lock()
				p.msgs = append(p.msgs, m)
				p.all = append(p.all, m)
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
	return p
}

func (p *viewPage) send(t *testing.T, v any) {
	b, _ := json.Marshal(v)
	if err := p.conn.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

// waitFor asks for display frames until a message satisfies cond, for at most 10 s.
func (p *viewPage) waitFor(t *testing.T, what string, cond func(m map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		for _, m := range p.msgs {
			if cond(m) {
				p.mu.Unlock()
				return m
			}
		}
		p.msgs = p.msgs[:0]
		p.mu.Unlock()
		p.send(t, map[string]any{"t": "ready"})
		time.Sleep(16 * time.Millisecond)
	}
	t.Fatalf("waited 10 s for %s", what)
	return nil
}

// playWithView runs a session of opt (its stream a paced fake, its view on a free
// port) until the test ends, and returns a page connected to the view.
func playWithView(t *testing.T, opt Options) *viewPage {
	t.Helper()
	srv, err := view.Listen(view.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	opt.View = srv
	startSession(t, opt)
	return openPage(t, srv.Addr().String())
}

func sliderIs(v float64) func(map[string]any) bool {
	return func(m map[string]any) bool {
		if m["t"] != "controls" {
			return false
		}
		vals := m["values"].([]any)
		return len(vals) > 0 && vals[0].(float64) == v
	}
}

func firing(want bool) func(map[string]any) bool {
	return func(m map[string]any) bool {
		if m["t"] != "status" {
			return false
		}
		n := m["neurons"].([]any)[0].(map[string]any)
		return n["firing"] == want
	}
}

// TestViewSteersLikeMIDI: a page's slider, kick and reset reach the engine through the
// control loop; a knob moves the page's slider; after a page move the soft knob waits to
// be caught instead of jumping.
func TestViewSteersLikeMIDI(t *testing.T) {
	handles := make(chan func(midimap.Msg), 1)
	p := playWithView(t, Options{
		Patches:       []*patches.Patch{softHysteresis(t)},
		ConnectInputs: handOver(handles),
	})
	handle := <-handles
	p.waitFor(t, "the slider at the patch's start, -2", sliderIs(-2))
	p.waitFor(t, "rest at the start", firing(false))

	// The page's slider to the top (6): past the saddle-node, the neuron fires.
	p.send(t, map[string]any{"t": "set", "slider": 0, "value": 6})
	p.waitFor(t, "the slider at 6", sliderIs(6))
	p.waitFor(t, "firing with the slider at the top", firing(true))
	// Back to the bottom (-2): below the loop, it stops.
	p.send(t, map[string]any{"t": "set", "slider": 0, "value": -2})
	p.waitFor(t, "rest with the slider at the bottom", firing(false))

	// Inside the loop (2) a kick switches rest to firing, and reset puts it back.
	p.send(t, map[string]any{"t": "set", "slider": 0, "value": 2})
	time.Sleep(300 * time.Millisecond)
	p.waitFor(t, "still at rest at 2", firing(false))
	p.send(t, map[string]any{"t": "kick", "kick": 0})
	p.waitFor(t, "firing after the kick", firing(true))
	p.send(t, map[string]any{"t": "reset"})
	p.waitFor(t, "rest after the reset", firing(false))

	// The knob (CC 1, 7-bit) far from the slider's 2 is ignored (soft takeover)...
	p.mu.Lock()
	mark := len(p.all)
	p.mu.Unlock()
	handle(midimap.ControlChange(1, 1, 0))
	time.Sleep(200 * time.Millisecond)
	p.waitFor(t, "a status after the knob's move", func(m map[string]any) bool { return m["t"] == "status" })
	p.mu.Lock()
	for _, m := range p.all[mark:] {
		if m["t"] == "controls" {
			t.Errorf("the knob far from the slider moved it: %v", m["values"])
		}
	}
	p.mu.Unlock()
	// ...until it passes the slider's value: 80/127 of -2..6 is 3.04.
	handle(midimap.ControlChange(1, 1, 80))
	m := p.waitFor(t, "the knob moving the slider", func(m map[string]any) bool {
		return m["t"] == "controls" && m["values"].([]any)[0].(float64) > 3
	})
	if v := m["values"].([]any)[0].(float64); v < 3.0 || v > 3.1 {
		t.Errorf("the knob at 80 put the slider at %g, want about 3.04", v)
	}
}

// TestViewSwitchesPatch: with two patches, a page's patch choice crossfades to the
// other as a program change does, and the page gets the new patch's sliders.
func TestViewSwitchesPatch(t *testing.T) {
	log := &syncBuf{}
	p := playWithView(t, Options{Patches: []*patches.Patch{mustLoad(t, "hysteresis"), mustLoad(t, "snic")}, Log: log})
	p.waitFor(t, "hysteresis playing", func(m map[string]any) bool { return m["t"] == "status" && m["playing"] == 0.0 })
	p.send(t, map[string]any{"t": "patch", "index": 1})
	p.waitFor(t, "snic playing", func(m map[string]any) bool { return m["t"] == "status" && m["playing"] == 1.0 })
	p.waitFor(t, "snic's slider values", func(map[string]any) bool {
		for _, m := range p.all { // this message may have come with the status
			if m["t"] == "controls" && m["patch"] == 1.0 {
				return true
			}
		}
		return false
	})
	if !strings.Contains(log.String(), "program 1: snic") {
		t.Errorf("the switch was not logged as a program change: %q", log.String())
	}
}

// TestViewHoldButton: rebound's key map holds an inhibitory current as long as a key is
// down; its button on the page does the same, and the resonator fires on release while
// the integrator never does.
func TestViewHoldButton(t *testing.T) {
	p := playWithView(t, Options{Patches: []*patches.Patch{mustLoad(t, "rebound")}})
	rate := func(m map[string]any, k int) float64 {
		return m["neurons"].([]any)[k].(map[string]any)["rate"].(float64)
	}
	p.waitFor(t, "both at rest", func(m map[string]any) bool {
		return m["t"] == "status" && m["time"].(float64) > 1 && rate(m, 0) == 0 && rate(m, 1) == 0
	})
	p.send(t, map[string]any{"t": "kick", "kick": 0}) // a hold button needs "down"
	p.waitFor(t, "the refusal of a hold without down", func(m map[string]any) bool { return m["t"] == "error" })
	p.send(t, map[string]any{"t": "kick", "kick": 0, "down": true})
	time.Sleep(1200 * time.Millisecond) // held: no spike, and the rates' second forgets the start
	p.waitFor(t, "silence while held", func(m map[string]any) bool {
		return m["t"] == "status" && rate(m, 0) == 0 && rate(m, 1) == 0
	})
	p.send(t, map[string]any{"t": "kick", "kick": 0, "down": false})
	m := p.waitFor(t, "the resonator's rebound spike", func(m map[string]any) bool { return m["t"] == "status" && rate(m, 1) > 0 })
	if rate(m, 0) != 0 {
		t.Errorf("the integrator fired on release too (rate %g)", rate(m, 0))
	}
}

// TestProgramChangeReleasesHeldKeys: a key held on rebound when a program change leaves
// it is let go there at once (its note-off will reach the other patch): the resonator's
// rebound spike comes in the crossfade, and no inhibition stays stuck on the patch.
func TestProgramChangeReleasesHeldKeys(t *testing.T) {
	handles := make(chan func(midimap.Msg), 1)
	stop := startSession(t, Options{
		Patches:       []*patches.Patch{mustLoad(t, "rebound"), mustLoad(t, "snic")},
		ConnectInputs: handOver(handles),
	})
	handle := <-handles
	time.Sleep(200 * time.Millisecond)
	handle(midimap.NoteOn(1, 40, 100)) // below middle C: hold both neurons down
	time.Sleep(300 * time.Millisecond)
	handle(midimap.Msg{Status: 0xC0, Data1: 1}) // to snic, the key still down
	time.Sleep(300 * time.Millisecond)
	sum, err := stop()
	if err != nil {
		t.Error(err)
	}
	if sum == nil || sum.Spikes[1] != 1 || sum.Spikes[0] != 0 {
		t.Fatalf("rebound's spikes: %v; want the resonator's one rebound spike as the key is let go at the switch", sum)
	}
}

// TestViewAudioLatency: the page shows the latency the output reports (a ring-fed
// stream's periods ahead plus its driver's), and two buffers where it reports none.
func TestViewAudioLatency(t *testing.T) {
	for _, tc := range []struct {
		name    string
		latency func() (time.Duration, bool)
		wantMs  float64
	}{
		{"reported", func() (time.Duration, bool) { return 10700 * time.Microsecond, true }, 10.7},
		{"none", func() (time.Duration, bool) { return 0, false }, 2 * 128 / 48.0},
		{"no function", nil, 2 * 128 / 48.0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := playWithView(t, Options{Patches: []*patches.Patch{mustLoad(t, "hysteresis")}, StreamLatency: tc.latency})
			p.waitFor(t, fmt.Sprintf("a hello with audio latency %.2f ms", tc.wantMs), func(map[string]any) bool {
				for _, m := range p.all { // the hello came first
					if ms, ok := m["audioLatencyMs"].(float64); ok && m["t"] == "hello" {
						if math.Abs(ms-tc.wantMs) > 0.01 {
							t.Fatalf("audio latency %.3f ms, want %.3f", ms, tc.wantMs)
						}
						return true
					}
				}
				return false
			})
		})
	}
}
