package live

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/io/view"
	"github.com/separatrix-audio/separatrix/patches"
)

// dayStream renders as fast as it can, checks every sample, and calls visit between
// blocks (on its own goroutine, as a device's would be) until frames frames are played.
type dayStream struct {
	process  func([][]float32)
	rate     float64
	block    int
	frames   int64
	visit    func(frame int64)
	bad      atomic.Int64 // non-finite samples seen
	done     chan struct{}
	stop     chan struct{}
	once     sync.Once
	finished atomic.Bool
}

func (d *dayStream) Start() error {
	go func() {
		defer close(d.done)
		out := [][]float32{make([]float32, d.block), make([]float32, d.block)}
		for f := int64(0); f < d.frames; f += int64(d.block) {
			select {
			case <-d.stop:
				return
			default:
			}
			d.process(out)
			for _, ch := range out {
				for _, v := range ch {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						d.bad.Add(1)
					}
				}
			}
			d.visit(f)
		}
		d.finished.Store(true)
	}()
	return nil
}

func (d *dayStream) SampleRate() float64 { return d.rate }

func (d *dayStream) Close() error {
	d.once.Do(func() { close(d.stop) })
	<-d.done
	return nil
}

// balanceOut keeps, per channel and key, how many notes sound: what is left at the end
// is a stuck note. It keeps nothing else, so a day of notes costs no memory.
type balanceOut struct {
	mu       sync.Mutex
	sounding map[[2]byte]int
	ons      int
}

func (b *balanceOut) Send(m midimap.Msg) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := [2]byte{m.Status & 0x0F, m.Data1}
	switch {
	case m.Status&0xF0 == 0x90 && m.Data2 > 0:
		b.sounding[key]++
		b.ons++
	case m.Status&0xF0 == 0x80 || m.Status&0xF0 == 0x90:
		if b.sounding[key] > 0 {
			b.sounding[key]--
		}
	}
	return nil
}

// TestSimulatedDay: a day of an installation's sound (24 hours at 8 kHz, faster than
// real time) with visitors coming and going: random MIDI (knobs, keys, program changes,
// garbage), page moves and OSC (controls, kicks, programs, garbage) for five minutes of
// every half hour, the attract tour in between. No sample is ever non-finite, no note is left
// sounding, and the heap at the end is within a few percent of the heap after the first
// hour.
func TestSimulatedDay(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day takes minutes")
	}
	hours := 24.0
	if h, err := strconv.ParseFloat(os.Getenv("SEPARATRIX_DAY_HOURS"), 64); err == nil && h > 1 {
		hours = h // a shorter day while working on it
	}
	const rate, block = 8000, 256
	var ps []*patches.Patch
	for _, name := range []string{"hysteresis", "snic", "saddle-node"} {
		p := mustLoad(t, name)
		// A tenth of the model's speed: the same dynamics, slower in sound, so that a day
		// of sound takes minutes to render on one core (each sample one step).
		p.Engine.Speed = 0.1
		ps = append(ps, p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := &balanceOut{sounding: map[[2]byte]int{}}

	srv, err := view.Listen(view.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	oscSink, err := osc.Listen("127.0.0.1:0", func(osc.Message) {})
	if err != nil {
		t.Fatal(err)
	}
	defer oscSink.Close()
	oscOut, err := osc.Dial(oscSink.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer oscOut.Close()
	oscAddr := make(chan string, 1)

	handles := make(chan func(midimap.Msg), 1)
	var handle func(midimap.Msg)
	var page *websocket.Conn
	var oscIn *osc.Sender
	var heapHour1 uint64
	toursSeen := 0 // half hours whose quiet end found the attract tour playing
	m := &Monitor{}
	total := int64(hours * 3600 * rate)
	var stream *dayStream
	visit := func(f int64) {
		if f == 0 {
			handle = <-handles
			page = dialPage(t, srv.Addr().String())
			var err error
			if oscIn, err = osc.Dial(<-oscAddr); err != nil {
				t.Error(err)
			}
		}
		if f/block == int64(3600*rate)/block { // an hour in: the heap as it settles
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heapHour1 = ms.HeapAlloc
		}
		// Visitors play five minutes of every half hour, a move every half second or so;
		// in between (a few seconds of the test's time) the attract tour takes over.
		inCycle := f % int64(1800*rate)
		if inCycle/block == int64(1700*rate)/block && m.Snapshot().Attract {
			toursSeen++
		}
		if inCycle >= int64(300*rate) || rng.IntN(int(rate/2/block)+1) != 0 {
			return
		}
		switch rng.IntN(12) {
		case 0, 1: // a knob (hysteresis's 14-bit current, snic's 7-bit ones)
			handle(midimap.ControlChange(1, 1+rng.IntN(2), rng.IntN(128)))
			handle(midimap.ControlChange(1, 33, rng.IntN(128)))
		case 2: // a key, pressed and let go
			k := 36 + rng.IntN(60)
			handle(midimap.NoteOn(1, k, 1+rng.IntN(127)))
			handle(midimap.NoteOff(1, k))
		case 3: // a program change, sometimes to a patch that is not there
			handle(midimap.Msg{Status: 0xC0, Data1: byte(rng.IntN(5))})
		case 4: // garbage from a broken device
			handle(midimap.Msg{Status: byte(rng.IntN(256)), Data1: byte(rng.IntN(256)), Data2: byte(rng.IntN(256))})
		case 5, 6: // the page
			cmds := []string{
				`{"t":"set","slider":0,"value":` + strconv.FormatFloat(rng.Float64()*10-2, 'f', 3, 64) + `}`,
				`{"t":"kick","kick":0}`, `{"t":"reset"}`,
				`{"t":"patch","index":` + strconv.Itoa(rng.IntN(4)) + `}`, `{"t":"nonsense"}`,
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			page.Write(ctx, websocket.MessageText, []byte(cmds[rng.IntN(len(cmds))]))
			cancel()
		case 7, 8: // OSC: a fader, normalized or not
			if rng.IntN(2) == 0 {
				oscIn.Send(osc.Message{Address: "/separatrix/a/current/normalized", Args: []osc.Arg{osc.Float(rng.Float32())}})
			} else {
				oscIn.Send(osc.Message{Address: "/separatrix/a/current", Args: []osc.Arg{osc.Float(rng.Float32()*30 - 10)}})
			}
		case 9:
			oscIn.Send(osc.Message{Address: "/separatrix/a/kick", Args: []osc.Arg{osc.Float(rng.Float32()*2 - 1)}})
		case 10:
			oscIn.Send(osc.Message{Address: "/separatrix/program", Args: []osc.Arg{osc.Int(int32(rng.IntN(4)))}})
		case 11: // OSC garbage: random bytes, and a message to nobody
			junk := make([]byte, rng.IntN(64))
			for i := range junk {
				junk[i] = byte(rng.IntN(256))
			}
			oscIn.SendPacket(junk)
			oscIn.Send(osc.Message{Address: "/separatrix/nobody/gK", Args: []osc.Arg{osc.Float(1)}})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		sum *Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Run(ctx, Options{
			Patches: ps, SampleRate: rate, Buffer: block, ProcessOnGoroutine: true,
			OpenStream: func(p func([][]float32)) (Stream, error) {
				stream = &dayStream{process: p, rate: rate, block: block, frames: total, visit: visit,
					done: make(chan struct{}), stop: make(chan struct{})}
				return stream, nil
			},
			ConnectInputs: handOver(handles),
			Out:           out,
			View:          srv,
			Attract:       &Attract{Idle: time.Second},
			OSC: &OSC{
				Listen: func(h func(osc.Message)) (func(), error) {
					r, err := osc.Listen("127.0.0.1:0", h)
					if err != nil {
						return nil, err
					}
					oscAddr <- r.Addr().String()
					return func() { r.Close() }, nil
				},
				Out: oscOut,
			},
			Monitor: m,
		})
		done <- result{sum, err}
	}()
	started := time.Now()
	for stream == nil || !stream.finished.Load() {
		select {
		case r := <-done:
			t.Fatalf("the session ended early: %v", r.err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapEnd := ms.HeapAlloc
	cancel()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	snap := m.Snapshot()
	t.Logf("%.0f hours of sound in %v: %d frames, %d resets, %d note-ons, MIDI in %d (dropped %d), OSC %+v, the tour playing at the end of %d quiet spells; heap %.1f MB after an hour, %.1f MB at the end",
		hours, time.Since(started).Round(time.Second), r.sum.Frames, r.sum.Resets, out.ons, r.sum.MIDIIn, r.sum.MIDIDropped, snap.OSC, toursSeen,
		float64(heapHour1)/1e6, float64(heapEnd)/1e6)
	if n := stream.bad.Load(); n > 0 {
		t.Errorf("%d non-finite samples", n)
	}
	left := 0
	for _, n := range out.sounding {
		left += n
	}
	if left != 0 || out.ons == 0 {
		t.Errorf("%d notes left sounding of %d note-ons", left, out.ons)
	}
	if toursSeen == 0 {
		t.Errorf("the attract tour never played in the quiet spells")
	}
	if snap.OSC.Received == 0 || r.sum.MIDIIn == 0 {
		t.Errorf("the visitors did nothing: OSC %+v, MIDI in %d", snap.OSC, r.sum.MIDIIn)
	}
	// A few percent, and half a megabyte for what the runtime keeps by chance.
	if heapEnd > heapHour1+heapHour1/20+512<<10 {
		t.Errorf("the heap grew from %d bytes after an hour to %d at the end of the day", heapHour1, heapEnd)
	}
}

// dialPage connects to the view like a page and reads (and forgets) what it sends.
func dialPage(t *testing.T, addr string) *websocket.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
		if err == nil {
			conn.SetReadLimit(16 << 20)
			go func() {
				for {
					if _, _, err := conn.Read(context.Background()); err != nil {
						return
					}
				}
			}()
			t.Cleanup(func() { conn.CloseNow() })
			return conn
		}
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
