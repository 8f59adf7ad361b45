package live

import (
	"math"
	"sync/atomic"

	"github.com/separatrix-audio/separatrix/emu"
)

// Player is what runs inside the audio callback: the engine of the active patch, a
// crossfade when a program change switches patches, and a copy of every block into the
// recording ring. Process obeys the real-time rules: no allocation, lock, block or I/O.
type Player struct {
	engines  []*emu.Engine
	channels int

	want    atomic.Int32 // the patch asked for (any goroutine)
	current int32        // the patch playing (audio thread)
	from    int32        // the patch fading out
	fade    int          // frames of crossfade left
	fadeLen int

	mix      [][]float32 // scratch for the fading-out engine
	maxBlock int

	rec *SampleRing // may be nil

	// The output level (quiet hours): a gain of at most 1 after the crossfade, ramped
	// towards the level asked for at levelStep a frame. Below 1 it can only lower what
	// the engines' limiters let through, so no level raises the ceiling.
	levelWant atomic.Uint32 // float32 bits, 0 to 1 (any goroutine)
	level     float32       // the gain now (audio thread)
	levelStep float32

	playing atomic.Int32 // the patch playing, published for other goroutines

	// V and the recovery variable (the model's last: n, w; n for Hodgkin-Huxley, as
	// emu.TapY) of the playing patch's first neurons, published
	// after each block for other goroutines (OSC's state messages): float64 bits, two a
	// neuron, and the patch they belong to. Nil unless PublishState was called.
	published      []atomic.Uint64
	publishedPatch atomic.Int32
	stateBuf       []float64
}

// NewPlayer prepares every engine for the rate and block size (the only allocation) and
// starts with the first one.
func NewPlayer(engines []*emu.Engine, sampleRate float64, maxBlock int, rec *SampleRing) (*Player, error) {
	p := &Player{engines: engines, channels: engines[0].Channels(), maxBlock: maxBlock, rec: rec}
	for _, e := range engines {
		if err := e.Prepare(sampleRate, maxBlock); err != nil {
			return nil, err
		}
	}
	p.fadeLen = int(0.02 * sampleRate) // 20 ms: long enough not to click, short enough to feel instant
	p.level, p.levelStep = 1, float32(1/(LevelRamp*sampleRate))
	p.levelWant.Store(math.Float32bits(1))
	p.mix = make([][]float32, p.channels)
	for c := range p.mix {
		p.mix[c] = make([]float32, maxBlock)
	}
	return p, nil
}

// MaxPublished bounds how many neurons' states PublishState publishes.
const MaxPublished = 64

// PublishState makes Process publish the state of the playing patch's first neurons
// (up to MaxPublished) after every block, for Published. Call it before the stream starts.
func (p *Player) PublishState() {
	p.published = make([]atomic.Uint64, 2*MaxPublished)
	p.stateBuf = make([]float64, 0, 8)
}

// Published returns V and the recovery variable (the model's last variable) of neuron i
// of the patch playing as of the last block, and that patch; ok is false without
// PublishState or beyond MaxPublished.
func (p *Player) Published(i int) (v, w float64, patch int, ok bool) {
	if i < 0 || 2*i+1 >= len(p.published) {
		return 0, 0, 0, false
	}
	return math.Float64frombits(p.published[2*i].Load()), math.Float64frombits(p.published[2*i+1].Load()),
		int(p.publishedPatch.Load()), true
}

// Switch asks for patch i (a program change); the audio thread crossfades to it at its
// next block. Out-of-range requests are ignored.
func (p *Player) Switch(i int) bool {
	if i < 0 || i >= len(p.engines) {
		return false
	}
	p.want.Store(int32(i))
	return true
}

// LevelRamp is how long, in seconds, the output level takes to go all the way from 1
// to 0 (or back): quiet hours fade in and out rather than switch.
const LevelRamp = 2.0

// SetLevel asks for an output gain between 0 (silence) and 1 (the engines' own level,
// the default); anything else is clamped into that range, NaN is taken as 0. The audio
// thread ramps to it (LevelRamp). Safe from any goroutine.
func (p *Player) SetLevel(gain float64) {
	if !(gain > 0) {
		gain = 0
	}
	p.levelWant.Store(math.Float32bits(float32(min(gain, 1))))
}

// SetLevelNow sets the output gain at once, with no ramp: for the start, before the
// stream calls Process (quiet hours at a restart). Not safe while Process runs.
func (p *Player) SetLevelNow(gain float64) {
	p.SetLevel(gain)
	p.level = math.Float32frombits(p.levelWant.Load())
}

// Playing is the patch now playing.
func (p *Player) Playing() int { return int(p.playing.Load()) }

// Wanted is the patch last asked for (Switch), which plays from the audio thread's next
// block: what controls sent now should reach.
func (p *Player) Wanted() int { return int(p.want.Load()) }

// Engine returns engine i.
func (p *Player) Engine(i int) *emu.Engine { return p.engines[i] }

// Process renders one block of any size into out (channel buffers), splitting blocks
// longer than the prepared size.
func (p *Player) Process(out [][]float32) {
	n := len(out[0])
	for start := 0; start < n; start += p.maxBlock {
		end := min(start+p.maxBlock, n)
		var chunk [8][]float32 // channels are at most 2; no allocation
		for c := range out {
			chunk[c] = out[c][start:end]
		}
		p.block(chunk[:len(out)])
	}
}

func (p *Player) block(out [][]float32) {
	if w := p.want.Load(); w != p.current {
		switch {
		case p.fade == 0:
			p.from, p.current, p.fade = p.current, w, p.fadeLen
		case w == p.from:
			// Back to the patch fading out: reverse the fade where it stands. The
			// equal-power gains mirror (sin(x) and cos(x) swap at 1-x), so the sound
			// goes on without a step.
			p.from, p.current, p.fade = p.current, p.from, p.fadeLen-p.fade
		default:
			// A third patch waits for the fade in progress to end (at most fadeLen
			// frames): dropping the patch still fading out would click.
		}
		p.playing.Store(p.current)
	}
	p.engines[p.current].Process(out)
	if p.fade > 0 {
		n := len(out[0])
		var mix [8][]float32
		for c := range out {
			mix[c] = p.mix[c][:n]
		}
		p.engines[p.from].Process(mix[:len(out)])
		for f := 0; f < n; f++ {
			gIn, gOut := fadeGains(1 - float64(max(p.fade-f, 0))/float64(p.fadeLen))
			for c := range out {
				out[c][f] = out[c][f]*gIn + mix[c][f]*gOut
			}
		}
		p.fade = max(p.fade-n, 0)
	}
	if want := math.Float32frombits(p.levelWant.Load()); want != 1 || p.level != 1 {
		p.applyLevel(out, want)
	}
	if p.rec != nil {
		p.rec.Write(out)
	}
	if p.published != nil {
		e := p.engines[p.current]
		for i := range min(e.Len(), MaxPublished) {
			st := e.State(p.stateBuf[:0], i)
			if len(st) >= 2 {
				p.published[2*i].Store(math.Float64bits(st[0]))
				p.published[2*i+1].Store(math.Float64bits(st[len(st)-1]))
			}
		}
		p.publishedPatch.Store(p.current)
	}
}

// applyLevel ramps the gain towards want and scales the block by it: the recording
// then holds what was heard.
func (p *Player) applyLevel(out [][]float32, want float32) {
	g := p.level
	for f := range len(out[0]) {
		switch {
		case g < want:
			g = min(g+p.levelStep, want)
		case g > want:
			g = max(g-p.levelStep, want)
		}
		for c := range out {
			out[c][f] *= g
		}
	}
	p.level = g
}

// fadeGains are the gains of the patch fading in and the one fading out at x (0 to 1
// across the crossfade): the equal-power curves sin and cos, scaled to add up to 1. Two
// signals within the limiter's ceiling then mix to one within it, however alike they are
// (plain equal-power gains add up to √2 mid-fade: two loud, correlated patches went 3 dB
// over the ceiling). The curves stay smooth at both ends (no click), and they mirror
// (gIn(x) = gOut(1-x)), so a fade reversed mid-way goes on without a step.
func fadeGains(x float64) (gIn, gOut float32) {
	s, c := math.Sin(x*math.Pi/2), math.Cos(x*math.Pi/2)
	return float32(s / (s + c)), float32(c / (s + c))
}

// SampleRing carries audio from the callback to a writer goroutine: a lock-free
// single-producer single-consumer ring of interleaved float32 frames. A block that does
// not fit is dropped whole and counted; the callback never waits.
type SampleRing struct {
	buf      []float32
	channels int
	head     atomic.Uint64 // frames read
	tail     atomic.Uint64 // frames written
	dropped  atomic.Uint64 // frames lost
}

// NewSampleRing holds frames frames of channels channels.
func NewSampleRing(frames, channels int) *SampleRing {
	return &SampleRing{buf: make([]float32, frames*channels), channels: channels}
}

// Write copies a block of channel buffers in, or drops it whole if it does not fit.
func (r *SampleRing) Write(ch [][]float32) {
	n := len(ch[0])
	size := uint64(len(r.buf) / r.channels)
	tail := r.tail.Load()
	if tail+uint64(n)-r.head.Load() > size {
		r.dropped.Add(uint64(n))
		return
	}
	for f := 0; f < n; f++ {
		at := int((tail+uint64(f))%size) * r.channels
		for c := 0; c < r.channels; c++ {
			r.buf[at+c] = ch[c][f]
		}
	}
	r.tail.Store(tail + uint64(n))
}

// Read moves up to len(dst[0]) frames into the channel buffers dst and returns how many.
func (r *SampleRing) Read(dst [][]float32) int {
	size := uint64(len(r.buf) / r.channels)
	head := r.head.Load()
	avail := r.tail.Load() - head
	n := min(uint64(len(dst[0])), avail)
	for f := uint64(0); f < n; f++ {
		at := int((head+f)%size) * r.channels
		for c := 0; c < r.channels; c++ {
			dst[c][f] = r.buf[at+c]
		}
	}
	r.head.Store(head + n)
	return int(n)
}

// Dropped counts the frames that did not fit.
func (r *SampleRing) Dropped() uint64 { return r.dropped.Load() }
