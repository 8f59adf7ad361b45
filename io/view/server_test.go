package view

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/patches"
)

// fakeSession plays patches' engines on a goroutine paced like an audio callback (a
// block of 128 frames every 128/48000 s) and applies page commands as live does.
type fakeSession struct {
	t        *testing.T
	infos    []PatchInfo
	engines  []*emu.Engine
	playing  atomic.Int32
	values   [][]atomic.Uint64
	cmds     chan Command
	got      []Command // every command applied, in order (session goroutine)
	gotMu    sync.Mutex
	dropped  atomic.Uint64
	blocks   atomic.Int64
	stop     chan struct{}
	done     chan struct{}
	pace     bool
	maxBlock int
}

const testRate = 48000

func newFakeSession(t *testing.T, pace bool, names ...string) *fakeSession {
	return newFakeSessionWith(t, pace, nil, names...)
}

// newFakeSessionWith gives every engine the scripted events schedule.
func newFakeSessionWith(t *testing.T, pace bool, schedule []emu.Event, names ...string) *fakeSession {
	f := &fakeSession{t: t, cmds: make(chan Command, 64), stop: make(chan struct{}), done: make(chan struct{}), pace: pace, maxBlock: 128}
	for _, name := range names {
		p, err := patches.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		f.engines = append(f.engines, testEngine(t, p, schedule))
		info := PatchInfo{Name: p.Name, Description: p.Description}
		for i, spec := range p.Engine.Neurons {
			rng := spec.Sweep
			if i == 0 && len(p.MIDI.CC) > 0 && p.MIDI.CC[0].Control == emu.ControlCurrent {
				rng = [2]float64{p.MIDI.CC[0].Min, p.MIDI.CC[0].Max}
			}
			info.Neurons = append(info.Neurons, NeuronInfo{Spec: spec, CurrentRange: rng})
		}
		for _, m := range p.MIDI.CC {
			info.Sliders = append(info.Sliders, Slider{Target: m.Target, Neuron: m.Neuron, Control: m.Control, Min: m.Min, Max: m.Max, Smoothing: 0})
		}
		for _, k := range p.MIDI.Kicks {
			info.Kicks = append(info.Kicks, Kick{Label: "kick", Neuron: k.Neuron, Amplitude: k.MaxAmp, Duration: k.Duration})
		}
		f.infos = append(f.infos, info)
		f.values = append(f.values, make([]atomic.Uint64, len(info.Sliders)))
	}
	go f.run()
	t.Cleanup(func() { close(f.stop); <-f.done })
	return f
}

func testEngine(t *testing.T, p *patches.Patch, schedule []emu.Event) *emu.Engine {
	cfg := p.Engine
	cfg.TapRate = 500
	e, err := emu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Prepare(testRate, 128); err != nil {
		t.Fatal(err)
	}
	e.Schedule(schedule)
	return e
}

func (f *fakeSession) run() {
	defer close(f.done)
	out := [][]float32{make([]float32, 128), make([]float32, 128)}
	period := 128 * time.Second / testRate
	next := time.Now()
	for {
		select {
		case <-f.stop:
			return
		case c := <-f.cmds:
			f.apply(c)
		default:
		}
		e := f.engines[f.playing.Load()]
		e.Process(out)
		for {
			if _, ok := e.Spikes().Pop(); !ok {
				break
			}
		}
		f.blocks.Add(1)
		if f.pace {
			next = next.Add(period)
			time.Sleep(time.Until(next))
		} else if f.blocks.Load()%64 == 0 {
			time.Sleep(time.Millisecond) // let the pages keep up
		}
	}
}

func (f *fakeSession) apply(c Command) {
	f.gotMu.Lock()
	f.got = append(f.got, c)
	f.gotMu.Unlock()
	e := f.engines[c.Patch]
	switch c.Kind {
	case CommandSet:
		sl := f.infos[c.Patch].Sliders[c.Index]
		e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventSet, Neuron: sl.Neuron, Control: sl.Control, Value: c.Value})
		f.values[c.Patch][c.Index].Store(math.Float64bits(c.Value))
	case CommandKick:
		k := f.infos[c.Patch].Kicks[c.Index]
		e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventKick, Neuron: k.Neuron, Value: k.Amplitude, Time: k.Duration})
	case CommandReset:
		e.Events().Push(emu.Event{Frame: e.Frame(), Kind: emu.EventReset, Neuron: emu.AllNeurons})
	case CommandSwitch:
		f.playing.Store(int32(c.Index))
	}
}

func (f *fakeSession) commands() []Command {
	f.gotMu.Lock()
	defer f.gotMu.Unlock()
	return append([]Command(nil), f.got...)
}

func (f *fakeSession) Patches() []PatchInfo { return f.infos }
func (f *fakeSession) Playing() int         { return int(f.playing.Load()) }
func (f *fakeSession) Tap(p int) *emu.Tap   { return f.engines[p].Tap() }
func (f *fakeSession) Frame(p int) int64    { return f.engines[p].Frame() }
func (f *fakeSession) SampleRate() float64  { return testRate }
func (f *fakeSession) Values(dst []float64, p int) []float64 {
	for i := range f.values[p] {
		dst = append(dst, math.Float64frombits(f.values[p][i].Load()))
	}
	return dst
}
func (f *fakeSession) Command(c Command) bool {
	select {
	case f.cmds <- c:
		return true
	default:
		f.dropped.Add(1)
		return false
	}
}
func (f *fakeSession) Status() Status {
	return Status{AudioLatency: 256.0 / testRate, DroppedCommand: f.dropped.Load()}
}

// serve starts a server for src and returns it once it is serving.
func serve(t *testing.T, src Source, opt Options) *Server {
	t.Helper()
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:0"
	}
	s, err := Listen(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, src) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return within 5 s of its context ending")
		}
	})
	return s
}

// testPage is a page driven by the test: it decodes what the server sends.
type testPage struct {
	t     *testing.T
	conn  *websocket.Conn
	hello map[string]any

	mu        sync.Mutex
	trails    []trail
	portraits []portraitHead
	diagrams  int
	controls  [][]float64
	status    []map[string]any
	errors    []string
	auth      []bool
	closed    chan struct{}
}

type trail struct {
	patch    int
	traces   []int
	dropped  uint32
	made     float64
	received time.Time
	t        []float64
	rec      [][]float32 // per record: D × 6
	spikes   [][2]int
}

type portraitHead struct {
	patch, neuron, cell int
	current             float64
	complete            bool
	equilibria          int
}

func dial(t *testing.T, s *Server) *testPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+s.Addr().String()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(16 << 20)
	p := &testPage{t: t, conn: conn, closed: make(chan struct{})}
	typ, data, err := conn.Read(ctx)
	if err != nil || typ != websocket.MessageText {
		t.Fatalf("no hello: %v", err)
	}
	if err := json.Unmarshal(data, &p.hello); err != nil || p.hello["t"] != "hello" {
		t.Fatalf("first message %s is not a hello (%v)", data, err)
	}
	go p.readLoop()
	t.Cleanup(func() { conn.CloseNow() })
	return p
}

func (p *testPage) readLoop() {
	defer close(p.closed)
	for {
		typ, data, err := p.conn.Read(context.Background())
		if err != nil {
			return
		}
		p.mu.Lock()
		if typ == websocket.MessageText {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				p.t.Errorf("server sent text that is not JSON: %q", data)
			}
			switch m["t"] {
			case "controls":
				var vals []float64
				for _, v := range m["values"].([]any) {
					vals = append(vals, v.(float64))
				}
				p.controls = append(p.controls, vals)
			case "status":
				p.status = append(p.status, m)
			case "error":
				p.errors = append(p.errors, m["message"].(string))
			case "auth":
				p.auth = append(p.auth, m["ok"].(bool))
			}
		} else {
			switch data[0] {
			case 1:
				p.trails = append(p.trails, decodeTrail(p.t, data))
			case 2:
				p.portraits = append(p.portraits, decodePortraitHead(data))
			case 3:
				p.diagrams++
			default:
				p.t.Errorf("unknown binary message type %d", data[0])
			}
		}
		p.mu.Unlock()
	}
}

func decodeTrail(t *testing.T, b []byte) trail {
	le := binary.LittleEndian
	tr := trail{patch: int(b[1]), received: time.Now()}
	d, k, s := int(le.Uint16(b[2:])), int(le.Uint32(b[4:])), int(le.Uint32(b[8:]))
	tr.dropped = le.Uint32(b[12:])
	tr.made = math.Float64frombits(le.Uint64(b[16:]))
	at := 24
	for range d {
		tr.traces = append(tr.traces, int(le.Uint16(b[at:])))
		at += 2
	}
	for range k {
		tr.t = append(tr.t, math.Float64frombits(le.Uint64(b[at:])))
		at += 8
		rec := make([]float32, d*emu.TapFields)
		for i := range rec {
			rec[i] = math.Float32frombits(le.Uint32(b[at:]))
			at += 4
		}
		tr.rec = append(tr.rec, rec)
	}
	for range s {
		tr.spikes = append(tr.spikes, [2]int{int(le.Uint16(b[at:])), int(le.Uint16(b[at+2:]))})
		at += 4
	}
	if at != len(b) {
		t.Errorf("TRAIL of %d bytes holds %d", len(b), at)
	}
	return tr
}

// decodePortraitHead reads the fields the server tests need: which cell, complete or
// not, and the number of equilibria (after the two nullcline sections).
func decodePortraitHead(b []byte) portraitHead {
	le := binary.LittleEndian
	h := portraitHead{patch: int(b[1]), neuron: int(le.Uint16(b[2:])), cell: int(le.Uint32(b[4:])),
		current: math.Float64frombits(le.Uint64(b[8:]))}
	at := 16 + 16
	h.complete = b[at]&1 != 0
	at++
	for range 2 { // V- and Y-nullclines
		n := int(le.Uint16(b[at:]))
		at += 2
		for range n {
			at += 4 + 8*int(le.Uint32(b[at:]))
		}
	}
	h.equilibria = int(le.Uint16(b[at:]))
	return h
}

func (p *testPage) send(v any) {
	p.t.Helper()
	b, _ := json.Marshal(v)
	if err := p.conn.Write(context.Background(), websocket.MessageText, b); err != nil {
		p.t.Fatalf("send %s: %v", b, err)
	}
}

func (p *testPage) ready() { p.send(map[string]any{"t": "ready"}) }

// frames asks for n display frames at about 60 a second.
func (p *testPage) frames(n int) {
	for range n {
		p.ready()
		time.Sleep(16 * time.Millisecond)
	}
}

// waitFor polls cond (with the page locked) until it holds or 60 s pass (geometry is
// computed at the lowest priority: a loaded machine makes it wait).
func (p *testPage) waitFor(what string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		p.mu.Lock()
		ok := cond()
		p.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited 60 s for %s", what)
		}
		p.ready()
		time.Sleep(16 * time.Millisecond)
	}
}

// TestTrailHoldsTheEngineStates: the records a page receives are the states the engine
// produced, compared with an offline render of the same patch (same seed, same frames).
func TestTrailHoldsTheEngineStates(t *testing.T) {
	// The SNIC integrator pushed past its bifurcation at once: it fires, the states move.
	firing := []emu.Event{{Frame: 0, Kind: emu.EventSet, Neuron: 0, Control: emu.ControlCurrent, Value: 10}}
	f := newFakeSessionWith(t, true, firing, "snic")
	s := serve(t, f, Options{})
	p := dial(t, s)
	p.waitFor("a second of records", func() bool {
		n := 0
		for _, tr := range p.trails {
			n += len(tr.t)
		}
		return n >= 500
	})
	// The offline render: the same patch, rendered block by block, every record kept.
	pt, _ := patches.Load("snic")
	ref := testEngine(t, pt, firing)
	out := [][]float32{make([]float32, 128), make([]float32, 128)}
	want := map[float64][]float32{}
	buf := make([]float32, ref.Tap().Stride())
	p.mu.Lock()
	trails := append([]trail(nil), p.trails...)
	p.mu.Unlock()
	// The latest record time: a message may carry no records (a display frame asked for
	// before any was rendered), so the last trail may be empty.
	end := 0.0
	for _, tr := range trails {
		for _, at := range tr.t {
			end = max(end, at)
		}
	}
	for ref.Frame() < int64(end*testRate)+1 {
		ref.Process(out)
		for {
			frame, ok := ref.Tap().Pop(buf)
			if !ok {
				break
			}
			want[float64(frame)/testRate] = append([]float32(nil), buf...)
		}
	}
	compared, prevT := 0, -1.0
	for _, tr := range trails {
		if len(tr.traces) != 1 || tr.traces[0] != 0 {
			t.Fatalf("traces %v, want the one neuron", tr.traces)
		}
		for k, tt := range tr.t {
			if tt <= prevT {
				t.Fatalf("record at t=%g after t=%g: out of order or repeated", tt, prevT)
			}
			if prevT >= 0 && tt-prevT > 1.5/500 {
				t.Fatalf("records jump from t=%g to t=%g: some were lost", prevT, tt)
			}
			prevT = tt
			w, ok := want[tt]
			if !ok {
				t.Fatalf("record at t=%g: the offline render has none there", tt)
			}
			for i, got := range tr.rec[k] {
				if got != w[i] {
					t.Fatalf("record at t=%g field %d: page got %g, offline render %g", tt, i, got, w[i])
				}
			}
			compared++
		}
	}
	spikes := 0
	for _, tr := range trails {
		spikes += len(tr.spikes)
		withSpikes := 0
		for _, r := range tr.rec {
			if r[emu.TapSpikes] > 0 {
				withSpikes++
			}
		}
		if len(tr.spikes) != withSpikes {
			t.Fatalf("a frame lists %d spikes; its records hold %d with spikes", len(tr.spikes), withSpikes)
		}
		for _, sp := range tr.spikes {
			if sp[1] != 0 || tr.rec[sp[0]][emu.TapSpikes] == 0 {
				t.Fatalf("spike %v: no such spike in the records", sp)
			}
		}
	}
	if compared < 500 || spikes == 0 {
		t.Fatalf("compared %d records, %d spikes: the test saw too little", compared, spikes)
	}
	t.Logf("%d records in %d frames match the offline render; %d spikes", compared, len(trails), spikes)
}

// TestStalledPageHoldsUpNothing: a page that stops reading does not stop the engine
// (which never waits on the tap) nor the other pages, and what it missed is counted.
func TestStalledPageHoldsUpNothing(t *testing.T) {
	f := newFakeSession(t, true, "hysteresis")
	s := serve(t, f, Options{})
	// A page that asks for frames and never reads what it is sent: the socket's
	// buffers fill and the server's writes to it block.
	stalled := stalledPage(t, s)
	for range 2000 {
		stalled.ready()
	}
	healthy := dial(t, s)
	before := f.blocks.Load()
	start := time.Now()
	healthy.frames(120) // two seconds at 60 a second
	elapsed := time.Since(start)
	healthy.mu.Lock()
	n := len(healthy.trails)
	var records int
	for _, tr := range healthy.trails {
		records += len(tr.t)
	}
	healthy.mu.Unlock()
	if n < 100 {
		t.Errorf("the healthy page got %d of 120 frames while another page stalled", n)
	}
	if d := s.Stats().DroppedFrames; d == 0 {
		t.Errorf("no frame of the stalled page was dropped: its readys queued up somewhere")
	}
	blocks := f.blocks.Load() - before
	wantBlocks := elapsed.Seconds() * testRate / 128
	if float64(blocks) < 0.9*wantBlocks {
		t.Errorf("the engine rendered %d blocks in %v, want about %.0f: something held it up", blocks, elapsed, wantBlocks)
	}
	if d := f.engines[0].Tap().Dropped(); d != 0 {
		t.Errorf("the tap dropped %d records: the hub fell behind", d)
	}
	t.Logf("healthy page: %d frames, %d records in %v; engine %d blocks", n, records, elapsed, blocks)
}

// TestBadMessagesAreRefused: malformed, unknown and out-of-range messages are refused
// and counted, a value out of range is clamped, and the server goes on serving.
func TestBadMessagesAreRefused(t *testing.T) {
	f := newFakeSession(t, false, "hysteresis")
	s := serve(t, f, Options{})
	p := dial(t, s)
	bad := []string{
		`not json`,
		`{"t":"launch"}`,
		`{"t":"set","slider":7,"value":1}`,
		`{"t":"set","slider":-1,"value":1}`,
		`{"t":"set","slider":0}`,
		`{"t":"set","slider":0,"value":"NaN"}`,
		`{"t":"kick","kick":99}`,
		`{"t":"patch","index":3}`,
		`{"t":"select","neuron":5}`,
		`{"t":"select","neuron":0,"traces":[0,1,2,3,4,5,6,7,8]}`,
		`{"t":"auth"}`,
		`[1,2,3]`,
	}
	for _, m := range bad {
		if err := p.conn.Write(context.Background(), websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	p.conn.Write(context.Background(), websocket.MessageBinary, []byte{1, 2, 3})
	p.send(map[string]any{"t": "set", "slider": 0, "value": 1e9}) // clamped to the top
	p.waitFor("every refusal", func() bool { return len(p.errors) >= len(bad)+1 })
	if got := s.Stats().Rejected; got != uint64(len(bad)+1) {
		t.Errorf("%d messages refused, want %d", got, len(bad)+1)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(f.commands()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cmds := f.commands()
	if len(cmds) != 1 || cmds[0].Kind != CommandSet || cmds[0].Value != 6 {
		t.Fatalf("commands reaching the engine: %+v; want only the clamped set to 6", cmds)
	}
	// A message over the size limit closes that page only.
	huge := `{"t":"ready","pad":"` + strings.Repeat("x", 4096) + `"}`
	p.conn.Write(context.Background(), websocket.MessageText, []byte(huge))
	select {
	case <-p.closed:
	case <-time.After(5 * time.Second):
		t.Errorf("a 4 kB message did not close the page")
	}
	q := dial(t, s)
	q.waitFor("frames after the refusals", func() bool { return len(q.trails) > 5 })
}

// TestPINGuardsSteering: with a PIN, a page watches freely but steers only after the
// right PIN; read-only refuses steering to everyone.
func TestPINGuardsSteering(t *testing.T) {
	f := newFakeSession(t, false, "hysteresis")
	s := serve(t, f, Options{PIN: "482913"})
	p := dial(t, s)
	if p.hello["pinRequired"] != true || p.hello["authorized"] != false {
		t.Fatalf("hello says pinRequired %v authorized %v", p.hello["pinRequired"], p.hello["authorized"])
	}
	p.waitFor("frames without a PIN", func() bool { return len(p.trails) > 3 })
	p.send(map[string]any{"t": "kick", "kick": 0})
	p.send(map[string]any{"t": "auth", "pin": "000000"})
	p.waitFor("the wrong PIN's answer", func() bool { return len(p.auth) == 1 })
	p.send(map[string]any{"t": "kick", "kick": 0})
	p.send(map[string]any{"t": "auth", "pin": "482913"})
	p.waitFor("the right PIN's answer", func() bool { return len(p.auth) == 2 })
	p.send(map[string]any{"t": "kick", "kick": 0})
	deadline := time.Now().Add(5 * time.Second)
	for len(f.commands()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p.mu.Lock()
	auth := append([]bool(nil), p.auth...)
	p.mu.Unlock()
	if auth[0] || !auth[1] {
		t.Errorf("auth answers %v, want [false true]", auth)
	}
	if cmds := f.commands(); len(cmds) != 1 || cmds[0].Kind != CommandKick {
		t.Errorf("commands reaching the engine: %+v; want the one kick after the PIN", cmds)
	}

	g := newFakeSession(t, false, "hysteresis")
	ro := serve(t, g, Options{ReadOnly: true})
	r := dial(t, ro)
	r.send(map[string]any{"t": "set", "slider": 0, "value": 5})
	r.waitFor("the read-only refusal", func() bool { return len(r.errors) == 1 })
	if len(g.commands()) != 0 || r.hello["readonly"] != true {
		t.Errorf("a read-only view passed %v on (hello readonly %v)", g.commands(), r.hello["readonly"])
	}
}

func TestNeedsPIN(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7400": false, "localhost:7400": false, "[::1]:7400": false,
		"0.0.0.0:7400": true, ":7400": true, "192.168.1.20:7400": true, "[::]:7400": true, "museum.local:7400": true,
	} {
		if got := NeedsPIN(addr); got != want {
			t.Errorf("NeedsPIN(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestEightPages: eight pages at once all get their frames, and a slider moved on one
// moves it on the others.
func TestEightPages(t *testing.T) {
	f := newFakeSession(t, true, "hysteresis")
	s := serve(t, f, Options{})
	var pages []*testPage
	for range 8 {
		pages = append(pages, dial(t, s))
	}
	var wg sync.WaitGroup
	for _, p := range pages {
		wg.Add(1)
		go func() { defer wg.Done(); p.frames(60) }()
	}
	pages[0].send(map[string]any{"t": "set", "slider": 0, "value": 3.25})
	wg.Wait()
	for i, p := range pages {
		p.waitFor(fmt.Sprintf("page %d's slider at 3.25", i), func() bool {
			n := len(p.controls)
			return n > 0 && p.controls[n-1][0] == 3.25
		})
		p.mu.Lock()
		if len(p.trails) < 30 {
			t.Errorf("page %d got %d of 60 frames", i, len(p.trails))
		}
		p.mu.Unlock()
	}
	st := s.Stats()
	if st.Pages != 8 {
		t.Errorf("Stats counts %d pages, want 8", st.Pages)
	}
	t.Logf("8 pages: %d frames, %.1f kB/s a page", st.Frames, float64(st.Bytes)/1024/8/1.0)
}

// TestGeometryFollowsTheCurrent: moving the current from rest (3 equilibria) past the
// saddle-node (one) brings the portrait of the new cell, nullclines first.
func TestGeometryFollowsTheCurrent(t *testing.T) {
	f := newFakeSession(t, true, "hysteresis") // starts at -2: rest, saddle and a node
	s := serve(t, f, Options{})
	p := dial(t, s)
	p.waitFor("a portrait at the start", func() bool { return len(p.portraits) > 0 && p.diagrams == 1 })
	p.mu.Lock()
	first := p.portraits[0]
	p.mu.Unlock()
	if first.equilibria != 3 || math.Abs(first.current-(-2)) > 0.1 {
		t.Fatalf("first portrait at I=%g has %d equilibria; want 3 near -2", first.current, first.equilibria)
	}
	p.send(map[string]any{"t": "set", "slider": 0, "value": 6})
	p.waitFor("a complete portrait at 6", func() bool {
		n := len(p.portraits)
		return n > 0 && p.portraits[n-1].complete && math.Abs(p.portraits[n-1].current-6) < 0.1
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	last := p.portraits[len(p.portraits)-1]
	if last.equilibria != 1 {
		t.Errorf("portrait at I=%g has %d equilibria; past the saddle-node there is one", last.current, last.equilibria)
	}
	if p.diagrams != 1 {
		t.Errorf("the diagram was sent %d times; once is enough", p.diagrams)
	}
	seen := map[[2]int]bool{}
	for _, h := range p.portraits {
		k := [2]int{h.cell, map[bool]int{false: 0, true: 1}[h.complete]}
		if seen[k] {
			t.Errorf("cell %d (complete %v) sent twice", h.cell, h.complete)
		}
		seen[k] = true
	}
}

// BenchmarkViewLag measures how long after a record is rendered a page has it: the
// view's share of the lag behind the sound (the display adds up to one frame, 16.7 ms at
// 60 Hz; the sound itself is heard an audio buffer after rendering). Reported as
// lag-p50-ms and lag-p95-ms, with the bandwidth one page takes.
func BenchmarkViewLag(b *testing.B) {
	t := &testing.T{}
	f := newFakeSession(t, true, "hysteresis")
	defer func() { close(f.stop); <-f.done }()
	s, err := Listen(Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx, f)
	conn, _, err := websocket.Dial(ctx, "ws://"+s.Addr().String()+"/ws", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(16 << 20)
	var lags []float64
	bytes := 0
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		conn.Write(ctx, websocket.MessageText, []byte(`{"t":"ready"}`))
		for {
			typ, data, err := conn.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			bytes += len(data)
			if typ == websocket.MessageBinary && data[0] == 1 {
				made := math.Float64frombits(binary.LittleEndian.Uint64(data[16:]))
				if made > 0 {
					lags = append(lags, float64(time.Now().UnixNano())/1e6-made)
				}
				break
			}
		}
		time.Sleep(16 * time.Millisecond) // a 60 Hz display
	}
	b.StopTimer()
	if len(lags) == 0 {
		b.Fatal("no lag measured")
	}
	sort.Float64s(lags)
	b.ReportMetric(lags[len(lags)/2], "lag-p50-ms")
	b.ReportMetric(lags[len(lags)*95/100], "lag-p95-ms")
	b.ReportMetric(float64(bytes)/1024/time.Since(start).Seconds(), "kB/s")
}

// rawPage is a WebSocket client written by hand, so that it can stop reading entirely.
type rawPage struct {
	t    *testing.T
	conn net.Conn
}

// stalledPage connects with a tiny receive buffer, reads the handshake's answer and
// nothing after it.
func stalledPage(t *testing.T, s *Server) *rawPage {
	t.Helper()
	d := net.Dialer{Control: nil}
	conn, err := d.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).SetReadBuffer(4096)
	t.Cleanup(func() { conn.Close() })
	key := base64.StdEncoding.EncodeToString([]byte("separatrix-stall"))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", s.Addr(), key)
	// The answer's headers, byte by byte: nothing of the first message is read.
	var head []byte
	one := make([]byte, 1)
	for !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
		if _, err := conn.Read(one); err != nil {
			t.Fatalf("handshake: %v (%q)", err, head)
		}
		head = append(head, one[0])
	}
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 101")) {
		t.Fatalf("handshake refused: %q", head)
	}
	return &rawPage{t: t, conn: conn}
}

// ready sends a masked text frame {"t":"ready"} (a client's frames must be masked).
func (r *rawPage) ready() {
	payload := []byte(`{"t":"ready"}`)
	mask := [4]byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | byte(len(payload)), mask[0], mask[1], mask[2], mask[3]}
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	r.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.conn.Write(frame); err != nil {
		r.t.Fatalf("stalled page's ready: %v", err)
	}
}
