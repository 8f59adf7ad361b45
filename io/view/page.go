package view

import (
	"context"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/separatrix-audio/separatrix/emu"
)

// page is one connected browser: a reader goroutine for its messages and a writer
// goroutine that answers each "ready" with the newest records.
type page struct {
	s    *Server
	conn *websocket.Conn

	ready chan float64 // a display frame asked for (carries the page's lag); holds one

	authorized atomic.Bool
	lagMs      atomic.Uint64 // float64 bits
	rejected   atomic.Uint64
	dropped    atomic.Uint64 // display frames asked for while a write was in progress
	lost       uint64        // records the page never got (writer goroutine only)

	// Writer goroutine only.
	neuron  int              // selected neuron of the playing patch
	traces  []int            // neurons whose records are sent in full (selected first)
	sel     selection        // the page's last choice
	selects chan selection   // from the reader
	seq     []uint64         // per patch: seq of the next record to send
	sent    map[sentKey]bool // geometry sent: key → complete
	values  []float64        // slider values last sent
	patch   int              // playing patch last seen
	buf     []byte
	tokens  float64 // command rate limit (reader goroutine)
	refill  time.Time
}

type selection struct {
	patch  int // the patch playing when the page chose
	neuron int
	traces []int
}

type sentKey struct{ kind, patch, neuron, cell int }

// Commands a page may send per second (burst the same): far more than a finger drags,
// far fewer than would flood the engine's event ring.
const commandRate = 240

// maxTraces bounds the neurons a page receives in full.
const maxTraces = 8

func newPage(s *Server, conn *websocket.Conn) *page {
	p := &page{s: s, conn: conn, ready: make(chan float64, 1), selects: make(chan selection, 4),
		sent: map[sentKey]bool{}, patch: -1, tokens: commandRate, refill: time.Now()}
	p.authorized.Store(s.opt.PIN == "" && !s.opt.ReadOnly)
	p.seq = make([]uint64, len(s.src.Patches()))
	return p
}

func (p *page) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { defer cancel(); p.readLoop(ctx) }()
	p.writeLoop(ctx)
}

// --- reading ---

type message struct {
	T      string   `json:"t"`
	LagMs  *float64 `json:"lagMs"`
	Neuron *int     `json:"neuron"`
	Traces []int    `json:"traces"`
	PIN    *string  `json:"pin"`
	Slider *int     `json:"slider"`
	Value  *float64 `json:"value"`
	Kick   *int     `json:"kick"`
	Down   *bool    `json:"down"`
	Index  *int     `json:"index"`
}

func (p *page) readLoop(ctx context.Context) {
	for {
		typ, data, err := p.conn.Read(ctx)
		if err != nil {
			return // closed, or a message over maxMessage (the library closes then)
		}
		if typ != websocket.MessageText {
			p.reject("binary messages are not understood")
			continue
		}
		src := p.s.src
		req, err := parseRequest(data, src.Patches(), src.Playing())
		if err != nil {
			p.reject(err.Error())
			continue
		}
		p.handle(ctx, req)
	}
}

func (p *page) reject(why string) {
	p.rejected.Add(1)
	p.s.rejected.Add(1)
	p.sendJSON(context.Background(), map[string]any{"t": "error", "message": why})
}

// request is a page's message, checked against the patches.
type request struct {
	kind  string // "ready", "select", "auth" or "command"
	lagMs float64
	sel   selection
	pin   string
	cmd   Command
}

// parseRequest reads and checks one message of a page (see doc.go): indices in range,
// values finite and clamped to their slider. It never panics, whatever data holds.
func parseRequest(data []byte, patches []PatchInfo, playing int) (request, error) {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return request{}, errors.New("a message that is not a JSON object")
	}
	info := patches[playing]
	switch m.T {
	case "ready":
		r := request{kind: "ready", lagMs: math.NaN()}
		if m.LagMs != nil && *m.LagMs >= 0 && *m.LagMs < 1e6 {
			r.lagMs = *m.LagMs
		}
		return r, nil
	case "select":
		if m.Neuron == nil || *m.Neuron < 0 || *m.Neuron >= len(info.Neurons) {
			return request{}, errors.New("select: no such neuron")
		}
		if len(m.Traces) > maxTraces {
			return request{}, fmt.Errorf("select: at most %d traces", maxTraces)
		}
		sel := selection{patch: playing, neuron: *m.Neuron, traces: []int{*m.Neuron}}
		for _, k := range m.Traces {
			if k < 0 || k >= len(info.Neurons) {
				return request{}, errors.New("select: no such neuron to trace")
			}
			if !slices.Contains(sel.traces, k) {
				sel.traces = append(sel.traces, k)
			}
		}
		if len(sel.traces) > maxTraces {
			return request{}, fmt.Errorf("select: at most %d traces", maxTraces)
		}
		return request{kind: "select", sel: sel}, nil
	case "auth":
		if m.PIN == nil || len(*m.PIN) > 64 {
			return request{}, errors.New("auth: no PIN")
		}
		return request{kind: "auth", pin: *m.PIN}, nil
	}
	var c Command
	switch m.T {
	case "set":
		if m.Slider == nil || *m.Slider < 0 || *m.Slider >= len(info.Sliders) || m.Value == nil || math.IsNaN(*m.Value) || math.IsInf(*m.Value, 0) {
			return request{}, errors.New("set: no such slider, or no value")
		}
		sl := info.Sliders[*m.Slider]
		lo, hi := math.Min(sl.Min, sl.Max), math.Max(sl.Min, sl.Max)
		c = Command{Kind: CommandSet, Patch: playing, Index: *m.Slider, Value: math.Max(lo, math.Min(hi, *m.Value))}
	case "kick":
		if m.Kick == nil || *m.Kick < 0 || *m.Kick >= len(info.Kicks) {
			return request{}, errors.New("kick: no such button")
		}
		if info.Kicks[*m.Kick].Hold && m.Down == nil {
			return request{}, errors.New(`kick: a hold button sends "down":true when pressed and "down":false when let go`)
		}
		c = Command{Kind: CommandKick, Patch: playing, Index: *m.Kick, Value: 1}
		if m.Down != nil && !*m.Down {
			c.Value = 0 // a held button let go
		}
	case "reset":
		c = Command{Kind: CommandReset, Patch: playing}
	case "patch":
		if m.Index == nil || *m.Index < 0 || *m.Index >= len(patches) {
			return request{}, errors.New("patch: no such patch")
		}
		c = Command{Kind: CommandSwitch, Patch: playing, Index: *m.Index}
	default:
		return request{}, fmt.Errorf("unknown message %.20q", m.T)
	}
	return request{kind: "command", cmd: c}, nil
}

func (p *page) handle(ctx context.Context, r request) {
	switch r.kind {
	case "ready":
		if !math.IsNaN(r.lagMs) {
			p.lagMs.Store(math.Float64bits(r.lagMs))
		}
		select {
		case p.ready <- r.lagMs:
		default:
			// The previous frame is still being written: this one is skipped.
			p.dropped.Add(1)
			p.s.droppedFrames.Add(1)
		}
	case "select":
		select {
		case p.selects <- r.sel:
		default:
			p.reject("select: too many at once")
		}
	case "auth":
		ok := p.s.opt.PIN != "" && !p.s.opt.ReadOnly && subtle.ConstantTimeCompare([]byte(r.pin), []byte(p.s.opt.PIN)) == 1
		if !ok {
			p.rejected.Add(1)
			p.s.rejected.Add(1)
			fmt.Fprintf(p.s.opt.Log, "view: a wrong PIN from a page\n")
			// A guesser waits a second per try, on this page's reader only.
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
		}
		p.authorized.Store(ok || p.authorized.Load())
		p.sendJSON(ctx, map[string]any{"t": "auth", "ok": ok})
	case "command":
		if !p.authorized.Load() {
			if p.s.opt.ReadOnly {
				p.reject("this view is read-only")
			} else {
				p.reject("steering needs the PIN that play printed")
			}
			return
		}
		now := time.Now()
		p.tokens = math.Min(commandRate, p.tokens+now.Sub(p.refill).Seconds()*commandRate)
		p.refill = now
		if p.tokens < 1 {
			p.reject("too many commands: slow down")
			return
		}
		p.tokens--
		p.s.src.Command(r.cmd) // a full queue drops and counts (Status.DroppedCommand)
	}
}

// --- writing ---

func (p *page) writeLoop(ctx context.Context) {
	if err := p.sendJSON(ctx, p.hello()); err != nil {
		return
	}
	status := time.NewTicker(250 * time.Millisecond)
	defer status.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case sel := <-p.selects:
			p.sel = sel
			if sel.patch == p.patch {
				p.neuron, p.traces = sel.neuron, sel.traces
			}
		case <-p.ready:
			if err := p.frame(ctx); err != nil {
				return
			}
		case <-status.C:
			if err := p.sendJSON(ctx, p.status()); err != nil {
				return
			}
		}
	}
}

// frame sends what is new for one display frame: geometry the page lacks, slider
// values that moved, and the records since the last frame.
func (p *page) frame(ctx context.Context) error {
	src, s := p.s.src, p.s
	playing := src.Playing()
	info := src.Patches()[playing]
	if playing != p.patch {
		p.patch, p.neuron, p.traces = playing, 0, defaultTraces(len(info.Neurons))
		if p.sel.traces != nil && p.sel.patch == playing {
			p.neuron, p.traces = p.sel.neuron, p.sel.traces
		}
		p.values = nil
	}
	if p.neuron >= len(info.Neurons) {
		p.neuron, p.traces = 0, defaultTraces(len(info.Neurons))
	}
	// Slider values: a knob moved, another page, a ramp.
	vals := src.Values(nil, playing)
	if !equalFloats(vals, p.values) {
		p.values = vals
		if err := p.sendJSON(ctx, map[string]any{"t": "controls", "patch": playing, "values": vals}); err != nil {
			return err
		}
	}

	s.hub.mu.Lock()
	s.hub.drainLocked()
	hs := s.hub.patches[playing]
	// The selected neuron's present current picks the portrait.
	I := math.NaN()
	if hs.next > 0 {
		at := (hs.next - 1) % hs.cap
		I = float64(hs.data[int(at)*hs.stride+p.neuron*emu.TapFields+emu.TapI])
	}
	p.buf = p.encodeTrail(p.buf[:0], playing, hs)
	s.hub.mu.Unlock()

	if !math.IsNaN(I) {
		if err := p.sendGeometry(ctx, playing, I); err != nil {
			return err
		}
	}
	if err := p.write(ctx, websocket.MessageBinary, p.buf); err != nil {
		return err
	}
	s.frames.Add(1)
	return nil
}

func (p *page) sendGeometry(ctx context.Context, patch int, I float64) error {
	a := p.s.atlas
	cell := a.Want(patch, p.neuron, I)
	if msg := a.Diagram(patch, p.neuron); msg != nil {
		k := sentKey{3, patch, p.neuron, 0}
		if !p.sent[k] {
			p.sent[k] = true
			if err := p.write(ctx, websocket.MessageBinary, msg); err != nil {
				return err
			}
		}
	}
	msg, complete := a.Portrait(patch, p.neuron, cell)
	if msg == nil {
		return nil
	}
	k := sentKey{2, patch, p.neuron, cell}
	if got, ok := p.sent[k]; ok && (got || !complete) {
		return nil
	}
	p.sent[k] = complete
	return p.write(ctx, websocket.MessageBinary, msg)
}

// encodeTrail appends a TRAIL message (see doc.go) with the records the page has not
// had. Called with the hub locked.
func (p *page) encodeTrail(b []byte, patch int, hs *history) []byte {
	from := p.seq[patch]
	oldest := uint64(0)
	if hs.next > hs.cap {
		oldest = hs.next - hs.cap
	}
	if from < oldest {
		if from > 0 {
			p.lost += oldest - from
			p.s.droppedRecords.Add(oldest - from)
		}
		from = oldest
	}
	k := hs.next - from
	p.seq[patch] = hs.next
	made := 0.0
	if hs.next > 0 {
		made = hs.made[(hs.next-1)%hs.cap]
	}
	le := binary.LittleEndian
	b = append(b, 1, byte(patch))
	b = le.AppendUint16(b, uint16(len(p.traces)))
	b = le.AppendUint32(b, uint32(k))
	spikesAt := len(b)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, uint32(p.lost))
	b = le.AppendUint64(b, math.Float64bits(made))
	for _, n := range p.traces {
		b = le.AppendUint16(b, uint16(n))
	}
	for seq := from; seq < hs.next; seq++ {
		at := seq % hs.cap
		b = le.AppendUint64(b, math.Float64bits(hs.t[at]))
		rec := hs.data[int(at)*hs.stride:]
		for _, n := range p.traces {
			for f := range emu.TapFields {
				b = le.AppendUint32(b, math.Float32bits(rec[n*emu.TapFields+f]))
			}
		}
	}
	spikes := 0
	for seq := from; seq < hs.next; seq++ {
		at := seq % hs.cap
		rec := hs.data[int(at)*hs.stride:]
		for n := range hs.neurons {
			if rec[n*emu.TapFields+emu.TapSpikes] > 0 && spikes < math.MaxUint16 {
				b = le.AppendUint16(b, uint16(seq-from))
				b = le.AppendUint16(b, uint16(n))
				spikes++
			}
		}
	}
	le.PutUint32(b[spikesAt:], uint32(spikes))
	return b
}

func (p *page) write(ctx context.Context, typ websocket.MessageType, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	if err := p.conn.Write(ctx, typ, b); err != nil {
		return err
	}
	p.s.bytes.Add(uint64(len(b)))
	return nil
}

func (p *page) sendJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return p.write(ctx, websocket.MessageText, b)
}

func defaultTraces(n int) []int {
	t := make([]int, min(n, maxTraces))
	for i := range t {
		t[i] = i
	}
	return t
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
