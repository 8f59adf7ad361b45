package live

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/io/wav"
	"github.com/separatrix-audio/separatrix/patches"
)

// fakeStream calls process from its own goroutine like an audio callback: blocks of
// buffer frames, paced by pace (0: as fast as it can), for at most blocks blocks (0: until
// closed).
type fakeStream struct {
	process  func([][]float32)
	buffer   int
	channels int
	blocks   int
	pace     time.Duration
	finished chan struct{}
	stop     chan struct{}
	once     sync.Once
	started  bool
	onClose  func()       // called when Close begins
	hold     *atomic.Bool // while true, no block is rendered (a dead device)
}

func (f *fakeStream) Start() error {
	f.started = true
	go func() {
		defer close(f.finished)
		out := make([][]float32, f.channels)
		for c := range out {
			out[c] = make([]float32, f.buffer)
		}
		next := time.Now()
		for i := 0; f.blocks == 0 || i < f.blocks; i++ {
			select {
			case <-f.stop:
				return
			default:
			}
			if f.hold == nil || !f.hold.Load() {
				f.process(out)
			}
			if f.pace > 0 {
				next = next.Add(f.pace)
				time.Sleep(time.Until(next))
			}
		}
	}()
	return nil
}

func (f *fakeStream) SampleRate() float64 { return 48000 }

func (f *fakeStream) Close() error {
	if f.onClose != nil {
		f.onClose()
	}
	f.once.Do(func() { close(f.stop) })
	if f.started {
		<-f.finished
	}
	return nil
}

func opener(fs **fakeStream, buffer, blocks int, pace time.Duration) func(func([][]float32)) (Stream, error) {
	return func(p func([][]float32)) (Stream, error) {
		*fs = &fakeStream{process: p, buffer: buffer, channels: 2, blocks: blocks, pace: pace,
			finished: make(chan struct{}), stop: make(chan struct{})}
		return *fs, nil
	}
}

// startSession runs a session of opt in the background (at 48 kHz in buffers of 128
// frames, to a fake stream paced in real time, unless opt says otherwise) and returns
// the function that ends it and gives Run's summary and error. The test's end calls it
// too, and reports an error no one asked for.
func startSession(t *testing.T, opt Options) (stop func() (*Summary, error)) {
	t.Helper()
	if opt.SampleRate == 0 {
		opt.SampleRate, opt.Buffer = 48000, 128
	}
	if opt.OpenStream == nil {
		var fs *fakeStream
		opt.OpenStream = opener(&fs, opt.Buffer, 0, time.Duration(opt.Buffer)*time.Second/time.Duration(opt.SampleRate))
	}
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		sum *Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Run(ctx, opt)
		done <- result{sum, err}
	}()
	var once sync.Once
	var r result
	end := func() result {
		once.Do(func() {
			cancel()
			r = <-done
		})
		return r
	}
	var asked atomic.Bool
	t.Cleanup(func() {
		if r := end(); r.err != nil && !asked.Load() {
			t.Error(r.err)
		}
	})
	return func() (*Summary, error) {
		asked.Store(true)
		r := end()
		return r.sum, r.err
	}
}

// handOver is a ConnectInputs that gives the session's MIDI handler to the test.
func handOver(handles chan<- func(midimap.Msg)) func(func(midimap.Msg)) (func(), error) {
	return func(h func(midimap.Msg)) (func(), error) { handles <- h; return func() {}, nil }
}

func mustLoad(t *testing.T, name string) *patches.Patch {
	t.Helper()
	p, err := patches.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSampleRingDropsWhole: a block that does not fit is dropped whole and counted, and
// reads wrap around the ring.
func TestSampleRingDropsWhole(t *testing.T) {
	r := NewSampleRing(100, 2)
	blk := [][]float32{make([]float32, 60), make([]float32, 60)}
	for f := range blk[0] {
		blk[0][f], blk[1][f] = float32(f), -float32(f)
	}
	r.Write(blk)
	r.Write(blk) // does not fit: dropped whole
	if r.Dropped() != 60 {
		t.Fatalf("dropped %d frames, want 60", r.Dropped())
	}
	got := [][]float32{make([]float32, 100), make([]float32, 100)}
	if n := r.Read(got); n != 60 || got[0][59] != 59 || got[1][59] != -59 {
		t.Fatalf("read %d frames, last %v %v", n, got[0][59], got[1][59])
	}
	r.Write(blk) // wraps around
	if n := r.Read(got); n != 60 || got[0][10] != 10 || got[1][59] != -59 {
		t.Fatalf("after wrap: read %d frames, %v %v", n, got[0][10], got[1][59])
	}
}

// TestLiveMatchesRender: the same patch and the same scripted events give the same
// samples live (recorded from the callback) as rendered offline.
func TestLiveMatchesRender(t *testing.T) {
	dir := t.TempDir()
	p := mustLoad(t, "saddle-node")
	perf := render.Performance{
		Sets:  []render.Set{{Target: "current", Value: 4}},
		Kicks: []render.Kick{{Neuron: "a", Amplitude: 20, Ms: 1, At: 0.3}},
		Ramps: []render.Ramp{{Target: "a.current", From: 4, To: 6, Seconds: 0.4}},
	}
	const blocks = 300 // 0.8 s at 128 frames
	var fs *fakeStream
	ctx, cancel := context.WithCancel(context.Background())
	opened := make(chan *fakeStream, 1) // hands the stream over without a data race
	open := func(p func([][]float32)) (Stream, error) {
		st, err := opener(&fs, 128, blocks, 0)(p)
		opened <- fs
		return st, err
	}
	go func() {
		f := <-opened
		<-f.finished
		time.Sleep(50 * time.Millisecond) // let the recorder drain
		cancel()
	}()
	livePath := filepath.Join(dir, "live.wav")
	_, err := Run(ctx, Options{Patches: []*patches.Patch{p}, SampleRate: 48000, Buffer: 128,
		OpenStream: open, Perf: perf, Record: livePath})
	if err != nil {
		t.Fatal(err)
	}
	renderPath := filepath.Join(dir, "render.wav")
	w, err := wav.Create(renderPath, 48000, 2, wav.PCM16)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := render.Run(p, perf, render.Options{SampleRate: 48000, Duration: blocks * 128 / 48000.0}, render.Sink{Audio: w.Write}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	a, err := wav.ReadFile(livePath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wav.ReadFile(renderPath)
	if err != nil {
		t.Fatal(err)
	}
	if a.Frames() != b.Frames() || a.Frames() != blocks*128 {
		t.Fatalf("live recorded %d frames, render %d, want %d", a.Frames(), b.Frames(), blocks*128)
	}
	for c := range a.Channels {
		for f := range a.Channels[c] {
			if a.Channels[c][f] != b.Channels[c][f] {
				t.Fatalf("live and render differ first at frame %d of channel %d: %v vs %v", f, c, a.Channels[c][f], b.Channels[c][f])
			}
		}
	}
}

// recordingOut is a fake MIDI output that keeps what it is sent.
type recordingOut struct {
	mu   sync.Mutex
	msgs []midimap.Msg
}

func (r *recordingOut) Send(m midimap.Msg) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	return nil
}

// TestSessionPlaysMIDIAndLeavesNoHangingNotes: a live note kicks the bistable neuron into
// firing, spike notes go out, a program change switches patch, and when the session
// ends every note-on has its note-off.
func TestSessionPlaysMIDIAndLeavesNoHangingNotes(t *testing.T) {
	sn := mustLoad(t, "saddle-node")
	snic := mustLoad(t, "snic")
	out := &recordingOut{}
	handles := make(chan func(midimap.Msg), 1)
	status := &syncBuf{}
	midiRec := filepath.Join(t.TempDir(), "take.mid")
	stop := startSession(t, Options{
		Patches:       []*patches.Patch{sn, snic},
		ConnectInputs: handOver(handles),
		Out:           out,
		Perf:          render.Performance{Sets: []render.Set{{Target: "current", Value: 4}}},
		Status:        status,
		RecordMIDI:    midiRec,
	})
	handle := <-handles // handed over through a channel: no data race with Run
	time.Sleep(300 * time.Millisecond)
	handle(midimap.NoteOn(1, 72, 100)) // kick: switch into firing
	time.Sleep(400 * time.Millisecond)
	handle(midimap.Msg{Status: 0xC0, Data1: 1}) // program change to snic
	time.Sleep(200 * time.Millisecond)
	sess, err := stop()
	if err != nil {
		t.Error(err)
	}
	if sess == nil {
		t.Fatal("no summary")
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	ons, left := hanging(out.msgs)
	if ons == 0 {
		t.Fatalf("the kick did not start firing: messages %v", out.msgs)
	}
	if left != 0 {
		t.Errorf("%d of %d notes left hanging: %v", left, ons, out.msgs)
	}
	if sess.Spikes[0] < 100 {
		t.Errorf("saddle-node fired %d spikes after the kick", sess.Spikes[0])
	}
	if st := status.String(); !strings.Contains(st, "| a I=4.00") || !strings.Contains(st, "firing") {
		t.Errorf("the status line never showed neuron a firing at I=4: %q", st)
	}
	rec, err := midifile.ReadScore(midiRec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Events) != len(out.msgs) {
		t.Errorf("the MIDI recording holds %d messages, %d were sent", len(rec.Events), len(out.msgs))
	}
}

// hanging counts the notes that msgs turns on and leaves on.
func hanging(msgs []midimap.Msg) (ons, left int) {
	sounding := map[[2]byte]int{}
	for _, m := range msgs {
		key := [2]byte{m.Status & 0x0F, m.Data1}
		switch {
		case m.Status&0xF0 == 0x90 && m.Data2 > 0:
			sounding[key]++
			ons++
		case m.Status&0xF0 == 0x80 || m.Status&0xF0 == 0x90:
			if sounding[key] > 0 {
				sounding[key]--
			}
		}
	}
	for _, n := range sounding {
		left += n
	}
	return ons, left
}

// TestNoteOffsBeforeTheStreamCloses: on the way out the note-offs go out before the
// stream is closed, so a device that is slow to close (or dead) cannot keep a note
// hanging. The bistable neuron is set firing (a held gate note in the hysteresis
// patch) and the session ends while it fires.
func TestNoteOffsBeforeTheStreamCloses(t *testing.T) {
	p := mustLoad(t, "hysteresis")
	out := &recordingOut{}
	var fs *fakeStream
	ctx, cancel := context.WithCancel(context.Background())
	var atClose []midimap.Msg
	open := func(proc func([][]float32)) (Stream, error) {
		st, err := opener(&fs, 128, 0, 128*time.Second/48000)(proc)
		fs.onClose = func() {
			out.mu.Lock()
			atClose = append([]midimap.Msg(nil), out.msgs...)
			out.mu.Unlock()
		}
		return st, err
	}
	done := make(chan error)
	go func() {
		_, err := Run(ctx, Options{Patches: []*patches.Patch{p}, SampleRate: 48000, Buffer: 128,
			OpenStream: open, Out: out,
			Perf: render.Performance{Sets: []render.Set{{Target: "current", Value: 5}}}})
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out.mu.Lock()
		ons, _ := hanging(out.msgs)
		out.mu.Unlock()
		if ons > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the neuron never started its note")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ons, left := hanging(atClose)
	if ons == 0 || left != 0 {
		t.Fatalf("when the stream began to close, %d notes had been turned on and %d were still sounding: %v", ons, left, atClose)
	}
}

// syncBuf is a goroutine-safe log.
type syncBuf struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// TestLearnBindsNextController: --learn binds the next controller that moves, prints
// the patch lines and, with --save, appends them to the patch file, which then parses
// with the new mapping.
func TestLearnBindsNextController(t *testing.T) {
	src, ok := patches.BuiltinSource("snic")
	if !ok {
		t.Fatal("no built-in snic")
	}
	path := filepath.Join(t.TempDir(), "mine.toml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := patches.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	handles := make(chan func(midimap.Msg), 1)
	log := &syncBuf{}
	stop := startSession(t, Options{Patches: []*patches.Patch{p},
		ConnectInputs: handOver(handles), Learn: "a.gK", LearnSave: path, Log: log})
	handle := <-handles
	handle(midimap.NoteOn(1, 60, 100))       // not a controller: ignored
	handle(midimap.ControlChange(3, 21, 64)) // learnt
	handle(midimap.ControlChange(1, 22, 64)) // too late
	time.Sleep(100 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "cc = 21") || !strings.Contains(log.String(), "channel = 3") {
		t.Fatalf("log does not show the learnt mapping:\n%s", log)
	}
	q, err := patches.Load(path)
	if err != nil {
		t.Fatalf("the saved patch does not parse: %v", err)
	}
	var found bool
	for _, m := range q.MIDI.CC {
		if m.CC == 21 && m.Channel == 3 && m.Target == "a.gK" {
			found = true
		}
		if m.CC == 22 {
			t.Error("a second controller was learnt")
		}
	}
	if !found {
		t.Errorf("the saved patch lacks the learnt mapping: %+v", q.MIDI.CC)
	}
}

// A program change crossfades without a click: whatever the switches (one, one and
// back in the middle of the fade, a third patch asked for during a fade), no output
// step is larger than the patches' own steps plus what the equal-power gains add, and
// once the fade is over the output is exactly the new patch's engine. An abrupt switch
// would step by the difference between the two signals (up to 0.6 here).
func TestCrossfadeIsContinuous(t *testing.T) {
	const (
		rate   = 48000
		block  = 128
		blocks = 60
	)
	configs := []struct {
		patch   string
		current float64
	}{{"hopf-super", 20}, {"saddle-node", 0}, {"hopf-super", 28}}
	newEngine := func(i int) *emu.Engine {
		cfg := mustLoad(t, configs[i].patch).Engine
		cfg.Neurons[0].Current = configs[i].current
		e, err := emu.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Prepare(rate, block); err != nil {
			t.Fatal(err)
		}
		// Past the start (a jump from rest at zero current is a kick): on its cycle.
		warm := [][]float32{make([]float32, block), make([]float32, block)}
		for range 80 {
			e.Process(warm)
		}
		return e
	}
	for _, sc := range []struct {
		name     string
		switches map[int]int // block -> patch asked for
		final    int
	}{
		{"one switch", map[int]int{10: 1}, 1},
		{"back mid-fade", map[int]int{10: 1, 13: 0}, 0},
		{"third during fade", map[int]int{10: 1, 12: 2}, 2},
	} {
		t.Run(sc.name, func(t *testing.T) {
			engines := []*emu.Engine{newEngine(0), newEngine(1), newEngine(2)}
			pl, err := NewPlayer(engines, rate, block, nil)
			if err != nil {
				t.Fatal(err)
			}
			// References: each patch's own engine, advanced in exactly the blocks the
			// player advanced it in (a patch not playing is paused), to know its own sound.
			refs := []*emu.Engine{newEngine(0), newEngine(1), newEngine(2)}
			for _, r := range refs {
				// As NewPlayer does to its engines.
				if err := r.Prepare(rate, block); err != nil {
					t.Fatal(err)
				}
			}
			refOut := [][]float32{make([]float32, block), make([]float32, block)}
			var y []float32
			ownStep := 0.0
			prevRef := make([]float32, 3)
			var lastRef []float32 // the final patch's reference over the last block
			for b := 0; b < blocks; b++ {
				if w, ok := sc.switches[b]; ok {
					pl.Switch(w)
				}
				var before [3]int64
				for i, e := range engines {
					before[i] = e.Frame()
				}
				out := [][]float32{make([]float32, block), make([]float32, block)}
				pl.Process(out)
				y = append(y, out[0]...)
				for i, r := range refs {
					if engines[i].Frame() == before[i] {
						continue
					}
					r.Process(refOut)
					for f, v := range refOut[0] {
						prev := prevRef[i]
						if f > 0 {
							prev = refOut[0][f-1]
						}
						ownStep = math.Max(ownStep, math.Abs(float64(v-prev)))
					}
					prevRef[i] = refOut[0][block-1]
					if i == sc.final {
						lastRef = append(lastRef[:0], refOut[0]...)
					}
				}
			}
			fadeLen := 0.02 * rate
			bound := ownStep + 2*math.Pi/2/fadeLen
			worst, at := 0.0, 0
			for i := 1; i < len(y); i++ {
				if d := math.Abs(float64(y[i] - y[i-1])); d > worst {
					worst, at = d, i
				}
			}
			t.Logf("largest output step %.4f at frame %d; the patches' own largest %.4f", worst, at, ownStep)
			if worst > bound {
				t.Errorf("output steps by %.4f at frame %d (block %d): more than the patches' own %.4f plus the gains' %.4f: a click",
					worst, at, at/block, ownStep, bound-ownStep)
			}
			if pl.Playing() != sc.final {
				t.Fatalf("playing %d at the end, want %d", pl.Playing(), sc.final)
			}
			tail := y[len(y)-block:]
			for f := range tail {
				if tail[f] != lastRef[f] {
					t.Fatalf("after the fade, frame %d is %g; patch %d alone gives %g", f, tail[f], sc.final, lastRef[f])
				}
			}
		})
	}
}

// TestCrossfadeHoldsTheCeiling: two patches at the ceiling (full gain, driven hard), alike
// enough to add up, never mix above it during a crossfade: not in the output, not in the
// recording.
func TestCrossfadeHoldsTheCeiling(t *testing.T) {
	const rate, block = 48000, 128
	var engines []*emu.Engine
	ceiling := 0.0
	for range 2 {
		cfg := mustLoad(t, "saddle-node").Engine // both the same sound: fully correlated
		cfg.Neurons[0].Current = 5               // firing
		cfg.Neurons[0].Gain = emu.MaxGain
		cfg.Channels = 2
		e, err := emu.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
		ceiling = math.Pow(10, cfg.CeilingDB/20)
		if cfg.CeilingDB == 0 {
			ceiling = math.Pow(10, -1.0/20) // the engine's default, -1 dBFS
		}
	}
	rec := NewSampleRing(rate, 2)
	pl, err := NewPlayer(engines, rate, block, rec)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]float32{make([]float32, block), make([]float32, block)}
	drain := [][]float32{make([]float32, 4096), make([]float32, 4096)}
	peak, recPeak, loud := 0.0, 0.0, 0.0
	for b := range 200 {
		if b%20 == 10 { // a crossfade every 20 blocks, back and forth
			pl.Switch(1 - pl.Playing())
		}
		pl.Process(out)
		for c := range out {
			for _, v := range out[c] {
				peak = math.Max(peak, math.Abs(float64(v)))
			}
		}
		for n := rec.Read(drain); n > 0; n = rec.Read(drain) {
			for c := range drain {
				for _, v := range drain[c][:n] {
					recPeak = math.Max(recPeak, math.Abs(float64(v)))
				}
			}
		}
		if b < 10 {
			loud = peak // before any crossfade: the patch alone
		}
	}
	if loud < 0.9*ceiling {
		t.Fatalf("the patch alone peaks at %.3f: not loud enough to test a ceiling of %.3f", loud, ceiling)
	}
	if peak > ceiling+1e-6 || recPeak > ceiling+1e-6 {
		t.Errorf("crossfades peak at %.3f (recording %.3f) over a ceiling of %.3f", peak, recPeak, ceiling)
	}
}

// TestLevelLowersAndNeverRaises: a level below 1 scales what the limiter lets through,
// in the output and in the recording, after a ramp that moves at most one step a frame
// (no click); nothing asked for raises the sound above the engines' own level.
func TestLevelLowersAndNeverRaises(t *testing.T) {
	const rate, block = 48000, 128
	cfg := mustLoad(t, "saddle-node").Engine
	cfg.Neurons[0].Current = 5 // firing
	cfg.Neurons[0].Gain = emu.MaxGain
	cfg.Channels = 2
	newPlayer := func() (*Player, *SampleRing) {
		e, err := emu.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := NewSampleRing(rate, 2)
		pl, err := NewPlayer([]*emu.Engine{e}, rate, block, rec)
		if err != nil {
			t.Fatal(err)
		}
		return pl, rec
	}
	// play renders seconds of sound and returns the output, which the recording must equal.
	play := func(pl *Player, rec *SampleRing, seconds float64) []float32 {
		out := [][]float32{make([]float32, block), make([]float32, block)}
		drain := [][]float32{make([]float32, 4096), make([]float32, 4096)}
		var got []float32
		for range int(seconds * rate / block) {
			pl.Process(out)
			got = append(got, out[0]...)
			n := rec.Read(drain)
			for f := range n {
				if drain[0][f] != out[0][f] {
					t.Fatalf("the recording has %g where %g was played", drain[0][f], out[0][f])
				}
			}
		}
		return got
	}
	peak := func(x []float32) float64 {
		m := 0.0
		for _, v := range x {
			m = math.Max(m, math.Abs(float64(v)))
		}
		return m
	}
	ref, refRec := newPlayer()
	loud := play(ref, refRec, 4)
	for _, tc := range []struct {
		ask, want float64
	}{{0.25, 0.25}, {0, 0}, {math.NaN(), 0}, {-3, 0}, {7, 1}, {math.Inf(1), 1}} {
		pl, rec := newPlayer()
		pl.SetLevel(tc.ask)
		got := play(pl, rec, 4)
		// The ramp: the gain moves at most one step a frame (within float32 rounding).
		step := 1 / (LevelRamp * rate)
		prevG, prevF := 1.0, -1
		for f, v := range got {
			if math.Abs(float64(loud[f])) < 1e-2 {
				continue // too quiet to read the gain from
			}
			g := float64(v) / float64(loud[f])
			if math.Abs(g-prevG) > step*float64(f-prevF)+1e-4 {
				t.Fatalf("level %g: the gain jumps from %.4f to %.4f by frame %d", tc.ask, prevG, g, f)
			}
			prevG, prevF = g, f
		}
		settled := got[len(got)/2:]
		if p, want := peak(settled), tc.want*peak(loud[len(loud)/2:]); math.Abs(p-want) > 1e-3*peak(loud) {
			t.Errorf("level %g: peaks at %.4f after the ramp, want %.4f", tc.ask, p, want)
		}
		if p := peak(got); p > peak(loud)+1e-6 {
			t.Errorf("level %g: peaks at %.4f, above the engine's own %.4f", tc.ask, p, peak(loud))
		}
	}
}

// TestStatusShowsAPopulationsAverageRate: the status line gives a population's rate
// per member, marked with its count, not the sum of a thousand members' spikes.
func TestStatusShowsAPopulationsAverageRate(t *testing.T) {
	if jacktest.NoServer() {
		// Under emulation a thousand neurons render far slower than real time: the
		// status line then reads a block's spikes before its frames.
		t.Skip("needs the engine at real-time speed (" + jacktest.NoServerEnv + " is set)")
	}
	swarm := mustLoad(t, "swarm")
	status := &syncBuf{}
	stop := startSession(t, Options{
		Patches: []*patches.Patch{swarm},
		Perf:    render.Performance{Sets: []render.Set{{Target: "a.current", Value: 8}}},
		Status:  status,
	})
	time.Sleep(1500 * time.Millisecond)
	if _, err := stop(); err != nil {
		t.Error(err)
	}
	st := status.String()
	m := regexp.MustCompile(`\| a I=8\.00 ([0-9.]+)/s ×1000 firing`).FindAllStringSubmatch(st, -1)
	if m == nil {
		t.Fatalf("the status line never showed the swarm's average rate with its count: %q", st)
	}
	// At 8 µA/cm² the members (6 to 10) fire at about 90 to 140 Hz: the average, not
	// the swarm's 120000 spikes a second.
	if r, _ := strconv.ParseFloat(m[len(m)-1][1], 64); !(r > 60 && r < 200) {
		t.Errorf("the status line gives the swarm %g spikes a second a member, want about 120: %q", r, st)
	}
}
