package midimap

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// op is one call on a SpikeNotes: a spike, an Advance or an AllOff.
type op struct {
	kind   byte // 's', 'a', 'o'
	frame  int64
	neuron int32
	isi    float64 // model ms
}

func spk(frame int64, n int32, isi float64) op { return op{'s', frame, n, isi} }
func adv(frame int64) op                       { return op{'a', frame, 0, 0} }
func off(frame int64) op                       { return op{'o', frame, 0, 0} }

func run(s *SpikeNotes, ops []op) []Timed {
	var out []Timed
	for _, o := range ops {
		switch o.kind {
		case 's':
			out = s.Spike(out, emu.Spike{Frame: o.frame, Neuron: o.neuron, ISI: o.isi})
		case 'a':
			out = s.Advance(out, o.frame)
		case 'o':
			out = s.AllOff(out, o.frame)
		}
	}
	return out
}

func lines(out []Timed) string {
	var b strings.Builder
	for _, m := range out {
		fmt.Fprintln(&b, m)
	}
	return b.String()
}

// tracker follows the keys an output sounds and reports the first broken promise.
type tracker struct {
	on    [16][128]bool
	last  int64
	count int // messages seen
	ons   int
}

func (k *tracker) feed(out []Timed) error {
	for _, m := range out {
		k.count++
		if m.Frame < k.last {
			return fmt.Errorf("message %d (%v) goes back from frame %d", k.count, m, k.last)
		}
		k.last = m.Frame
		st, ch := m.Msg.Status&0xF0, m.Msg.Status&0x0F
		if m.Msg.Status < 0x80 || m.Msg.Status >= 0xF0 || m.Msg.Data1 > 127 || m.Msg.Data2 > 127 {
			return fmt.Errorf("message %d (%v) is malformed", k.count, m)
		}
		key := &k.on[ch][m.Msg.Data1]
		switch {
		case st == statusNoteOn && m.Msg.Data2 > 0:
			if *key {
				return fmt.Errorf("message %d (%v): second note-on without a note-off", k.count, m)
			}
			*key = true
			k.ons++
		case st == statusNoteOff || st == statusNoteOn:
			if !*key {
				return fmt.Errorf("message %d (%v): note-off of a silent key", k.count, m)
			}
			*key = false
		case st == statusControlChange && m.Msg.Data1 == ccAllNotesOff:
			for n, on := range k.on[ch] {
				if on {
					return fmt.Errorf("message %d (%v): key %d still sounding, left to All Notes Off", k.count, m, n)
				}
			}
		}
	}
	return nil
}

func (k *tracker) sounding() int {
	n := 0
	for ch := range k.on {
		for _, on := range k.on[ch] {
			if on {
				n++
			}
		}
	}
	return n
}

// With a sample rate of 1000 Hz and 1 ms of model time per sample, frames, sound ms
// and model ms are all the same number.
func TestSpikeNotesScenarios(t *testing.T) {
	spikeMap := SpikeMap{Neuron: 0, Mode: ModeSpike, Channel: 1, Note: 60, Velocity: 100, Duration: 0.010, RateCC: -1}
	gateMap := SpikeMap{Neuron: 1, Mode: ModeGate, Channel: 2, Note: 48, Velocity: 90, Release: 0.020, RateCC: -1}
	autoGate := gateMap
	autoGate.Release = 0
	rateMap := spikeMap
	rateMap.RateCC, rateMap.RateMax = 74, 100
	for _, tc := range []struct {
		name         string
		cfg          Config
		ops          []op
		want         string
		notes, drops uint64
	}{
		{
			name: "spike: note-off Duration later, due only after its frame",
			cfg:  Config{Spikes: []SpikeMap{spikeMap}},
			ops:  []op{spk(0, 0, 0), adv(10), spk(30, 0, 30), adv(11), adv(40), off(40)},
			want: `@0 note-on ch=1 key=60 vel=100
@10 note-off ch=1 key=60 vel=64
@30 note-on ch=1 key=60 vel=100
@40 note-off ch=1 key=60 vel=64
@40 cc ch=1 ctl=123 val=0
`,
			notes: 2,
		},
		{
			name: "spike: re-trigger sends the note-off first",
			cfg:  Config{Spikes: []SpikeMap{spikeMap}},
			ops:  []op{spk(0, 0, 0), spk(5, 0, 5), spk(15, 0, 10), adv(100)},
			want: `@0 note-on ch=1 key=60 vel=100
@5 note-off ch=1 key=60 vel=64
@5 note-on ch=1 key=60 vel=100
@15 note-off ch=1 key=60 vel=64
@15 note-on ch=1 key=60 vel=100
@25 note-off ch=1 key=60 vel=64
`,
			notes: 3,
		},
		{
			name: "gate: on at the first spike, off Release after the last",
			cfg:  Config{Spikes: []SpikeMap{gateMap}},
			ops:  []op{spk(0, 1, 0), spk(10, 1, 10), adv(25), spk(30, 1, 20), adv(50), adv(51), spk(100, 1, 70), adv(1000)},
			want: `@0 note-on ch=2 key=48 vel=90
@50 note-off ch=2 key=48 vel=64
@100 note-on ch=2 key=48 vel=90
@120 note-off ch=2 key=48 vel=64
`,
			notes: 2,
		},
		{
			name: "gate: a spike exactly at the release frame holds the note",
			cfg:  Config{Spikes: []SpikeMap{gateMap}},
			ops:  []op{spk(0, 1, 0), adv(20), spk(20, 1, 20), adv(1000)},
			want: `@0 note-on ch=2 key=48 vel=90
@40 note-off ch=2 key=48 vel=64
`,
			notes: 1,
		},
		{
			name: "gate: auto release is 3 ISI, at least 50 ms",
			cfg:  Config{Spikes: []SpikeMap{autoGate}},
			ops: []op{
				spk(0, 1, 0), adv(49), adv(51), // no ISI yet: 50 ms
				spk(100, 1, 100), spk(130, 1, 30), adv(1000), // 3 × 30 = 90 ms
				spk(1000, 1, 870), spk(1010, 1, 10), adv(2000), // 3 × 10 < 50 ms
			},
			want: `@0 note-on ch=2 key=48 vel=90
@50 note-off ch=2 key=48 vel=64
@100 note-on ch=2 key=48 vel=90
@220 note-off ch=2 key=48 vel=64
@1000 note-on ch=2 key=48 vel=90
@1060 note-off ch=2 key=48 vel=64
`,
			notes: 3,
		},
		{
			name: "rate controller: before the note, on change only, 0 when silent",
			cfg:  Config{Spikes: []SpikeMap{rateMap}},
			ops: []op{
				spk(0, 0, 0),   // no ISI: no rate
				spk(10, 0, 10), // 100 Hz = RateMax: 127
				spk(15, 0, 5),  // 200 Hz: clamped, unchanged
				spk(35, 0, 20), // 50 Hz: 63.5 rounds to 64
				spk(55, 0, 20), // unchanged
				adv(1000),      // silent after 3 × 20 ms
			},
			want: `@0 note-on ch=1 key=60 vel=100
@10 cc ch=1 ctl=74 val=127
@10 note-off ch=1 key=60 vel=64
@10 note-on ch=1 key=60 vel=100
@15 note-off ch=1 key=60 vel=64
@15 note-on ch=1 key=60 vel=100
@25 note-off ch=1 key=60 vel=64
@35 cc ch=1 ctl=74 val=64
@35 note-on ch=1 key=60 vel=100
@45 note-off ch=1 key=60 vel=64
@55 note-on ch=1 key=60 vel=100
@65 note-off ch=1 key=60 vel=64
@115 cc ch=1 ctl=74 val=0
`,
			notes: 5,
		},
		{
			name: "all off: sounding notes, rate controllers, then CC 123 per channel",
			cfg:  Config{Spikes: []SpikeMap{rateMap, gateMap, {Neuron: 1, Channel: 2, Note: 50, Velocity: 1, Duration: 1, RateCC: -1}}},
			ops:  []op{spk(0, 0, 0), spk(1, 1, 0), spk(5, 0, 5), adv(7), off(7), spk(8, 1, 7), off(9), off(9)},
			want: `@0 note-on ch=1 key=60 vel=100
@1 note-on ch=2 key=48 vel=90
@1 note-on ch=2 key=50 vel=1
@5 cc ch=1 ctl=74 val=127
@5 note-off ch=1 key=60 vel=64
@5 note-on ch=1 key=60 vel=100
@7 note-off ch=1 key=60 vel=64
@7 cc ch=1 ctl=74 val=0
@7 note-off ch=2 key=48 vel=64
@7 note-off ch=2 key=50 vel=64
@7 cc ch=1 ctl=123 val=0
@7 cc ch=2 ctl=123 val=0
@8 note-on ch=2 key=48 vel=90
@8 note-on ch=2 key=50 vel=1
@9 note-off ch=2 key=48 vel=64
@9 note-off ch=2 key=50 vel=64
@9 cc ch=1 ctl=123 val=0
@9 cc ch=2 ctl=123 val=0
@9 cc ch=1 ctl=123 val=0
@9 cc ch=2 ctl=123 val=0
`,
			notes: 6,
		},
		{
			name: "cap: over-cap note-on dropped with its note-off; a sounding note keeps sounding",
			cfg:  Config{Spikes: []SpikeMap{spikeMap}, MaxNotesPerSecond: 2}, // bucket of 1
			ops:  []op{spk(0, 0, 0), spk(5, 0, 5), spk(100, 0, 95), spk(600, 0, 500), adv(1000)},
			want: `@0 note-on ch=1 key=60 vel=100
@10 note-off ch=1 key=60 vel=64
@600 note-on ch=1 key=60 vel=100
@610 note-off ch=1 key=60 vel=64
`,
			notes: 2, drops: 2,
		},
		{
			name: "cap: gate retries on the next spike",
			cfg:  Config{Spikes: []SpikeMap{spikeMap, gateMap}, MaxNotesPerSecond: 1},
			ops:  []op{spk(0, 0, 0), spk(0, 1, 0), spk(400, 1, 400), spk(1000, 1, 600), adv(2000)},
			want: `@0 note-on ch=1 key=60 vel=100
@10 note-off ch=1 key=60 vel=64
@1000 note-on ch=2 key=48 vel=90
@1020 note-off ch=2 key=48 vel=64
`,
			notes: 2, drops: 2,
		},
		{
			name: "late spike is stamped with the last frame sent",
			cfg:  Config{Spikes: []SpikeMap{spikeMap}},
			ops:  []op{spk(0, 0, 0), adv(50), spk(5, 0, 5), adv(100)},
			want: `@0 note-on ch=1 key=60 vel=100
@10 note-off ch=1 key=60 vel=64
@10 note-on ch=1 key=60 vel=100
@15 note-off ch=1 key=60 vel=64
`,
			notes: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSpikeNotes(tc.cfg, 1000, 1)
			out := run(s, tc.ops)
			if got := lines(out); got != tc.want {
				t.Errorf("got\n%swant\n%s", got, tc.want)
			}
			if st := s.Stats(); st.Notes != tc.notes || st.Dropped != tc.drops {
				t.Errorf("stats %+v, want %d notes, %d dropped", st, tc.notes, tc.drops)
			}
			var k tracker
			if err := k.feed(out); err != nil {
				t.Error(err)
			}
		})
	}
}

// A neuron firing at 1 kHz for 2 s through a cap of 100 notes/s sends about 200 notes,
// each with its note-off: the full bucket (10) plus 2 s of refill (200), less the
// refill after the last spike.
func TestSpikeNotesCap(t *testing.T) {
	const rate = 48000
	s := NewSpikeNotes(Config{
		Spikes:            []SpikeMap{{Neuron: 3, Channel: 1, Note: 64, Velocity: 100, Duration: 0.005, RateCC: -1}},
		MaxNotesPerSecond: 100,
	}, rate, 1000.0/rate)
	var (
		out []Timed
		k   tracker
		ons []int64
	)
	for i := range 2000 {
		f := int64(i) * rate / 1000
		isi := 0.0
		if i > 0 {
			isi = 1
		}
		out = s.Spike(out[:0], emu.Spike{Frame: f, Neuron: 3, ISI: isi})
		if err := k.feed(out); err != nil {
			t.Fatal(err)
		}
		for _, m := range out {
			if m.Msg.Status == statusNoteOn {
				ons = append(ons, m.Frame)
			}
		}
	}
	// After the bucket empties the notes come evenly, one per 10 ms.
	for i := 11; i < len(ons); i++ {
		if d := ons[i] - ons[i-1]; d != rate/100 {
			t.Fatalf("note-ons %d and %d are %d frames apart, want %d", i-1, i, d, rate/100)
		}
	}
	out = s.AllOff(out[:0], 2*rate)
	if err := k.feed(out); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Notes < 200 || st.Notes > 210 {
		t.Errorf("%d notes sent, want about 200", st.Notes)
	}
	if st.Notes+st.Dropped != 2000 || uint64(k.ons) != st.Notes {
		t.Errorf("stats %+v, %d note-ons in the output, 2000 spikes", st, k.ons)
	}
	if k.sounding() != 0 {
		t.Errorf("%d notes left sounding", k.sounding())
	}
}

// The output depends on the spikes alone, not on the block size that paces Advance:
// live play (any device block) sends what render writes.
func TestSpikeNotesBlockSizeIndependent(t *testing.T) {
	cfg := Config{
		Spikes: []SpikeMap{
			{Neuron: 0, Channel: 1, Note: 60, Velocity: 100, Duration: 0.003, RateCC: 1, RateMax: 200},
			{Neuron: 1, Mode: ModeGate, Channel: 1, Note: 62, Velocity: 100, RateCC: 2, RateMax: 50},
			{Neuron: 1, Mode: ModeGate, Channel: 3, Note: 62, Velocity: 100, Release: 0.01, RateCC: -1},
			{Neuron: 2, Channel: 10, Note: 36, Velocity: 127, Duration: 0.05, RateCC: -1},
		},
		MaxNotesPerSecond: 40,
	}
	spikes := randomSpikes(rand.New(rand.NewPCG(1, 2)), 3, 3000, 10*44100, 0.5)
	var ref []Timed
	for _, block := range []int64{1, 7, 64, 512, 4096, 1 << 40} {
		s := NewSpikeNotes(cfg, 44100, 0.05)
		var out []Timed
		next := int64(0)
		for _, sp := range spikes {
			for sp.Frame >= next+block {
				next += block
				out = s.Advance(out, next)
			}
			out = s.Spike(out, sp)
		}
		out = s.AllOff(out, 10*44100)
		var k tracker
		if err := k.feed(out); err != nil {
			t.Fatalf("block %d: %v", block, err)
		}
		if k.sounding() != 0 {
			t.Fatalf("block %d: %d notes left sounding", block, k.sounding())
		}
		if ref == nil {
			ref = out
		} else if !slices.Equal(out, ref) {
			t.Fatalf("block %d: output differs from block 1", block)
		}
	}
}

// randomSpikes returns n spikes of neurons 0..neurons-1 in frame order with their ISIs
// (model ms at msPerSample), clustered in bursts.
func randomSpikes(r *rand.Rand, neurons, n int, frames int64, msPerSample float64) []emu.Spike {
	last := make([]int64, neurons)
	for i := range last {
		last[i] = -1
	}
	out := make([]emu.Spike, 0, n)
	f := int64(0)
	for len(out) < n && f < frames {
		if r.IntN(10) == 0 {
			f += r.Int64N(20000)
		} else {
			f += r.Int64N(300)
		}
		nr := int32(r.IntN(neurons))
		isi := 0.0
		if last[nr] >= 0 {
			isi = float64(f-last[nr]) * msPerSample
		}
		last[nr] = f
		out = append(out, emu.Spike{Frame: f, Neuron: nr, ISI: isi})
	}
	return out
}

// AllOff at random moments in a random spike stream leaves nothing sounding, and the
// stream never breaks a promise in between.
func TestAllOffNoHangingNotes(t *testing.T) {
	cfg := Config{Spikes: []SpikeMap{
		{Neuron: 0, Channel: 1, Note: 60, Velocity: 100, Duration: 0.2, RateCC: -1},
		{Neuron: 0, Mode: ModeGate, Channel: 2, Note: 60, Velocity: 100, RateCC: 7, RateMax: 100},
		{Neuron: 1, Mode: ModeGate, Channel: 2, Note: 61, Velocity: 100, Release: 1, RateCC: -1},
		{Neuron: 2, Channel: 2, Note: 62, Velocity: 100, Duration: 2, RateCC: -1},
	}}
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		s := NewSpikeNotes(cfg, 48000, 1.0/48)
		var (
			out []Timed
			k   tracker
		)
		for _, sp := range randomSpikes(r, 3, 500, 1<<40, 1.0/48) {
			if r.IntN(50) == 0 {
				out = s.AllOff(out, sp.Frame)
				if err := k.feed(out); err != nil {
					t.Fatalf("trial %d: %v", trial, err)
				}
				out = out[:0]
				if k.sounding() != 0 {
					t.Fatalf("trial %d: %d notes sounding after AllOff", trial, k.sounding())
				}
			}
			out = s.Spike(out, sp)
		}
		out = s.AllOff(out, k.last+1)
		if err := k.feed(out); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if k.sounding() != 0 {
			t.Fatalf("trial %d: %d notes sounding after AllOff", trial, k.sounding())
		}
	}
}

func TestSpikeNotesAllocs(t *testing.T) {
	s := NewSpikeNotes(Config{
		Spikes: []SpikeMap{
			{Neuron: 0, Channel: 1, Note: 60, Velocity: 100, Duration: 0.003, RateCC: 1, RateMax: 200},
			{Neuron: 0, Mode: ModeGate, Channel: 2, Note: 62, Velocity: 100, RateCC: 2, RateMax: 50},
		},
		MaxNotesPerSecond: 100,
	}, 48000, 1.0/48)
	dst := make([]Timed, 0, s.MaxAppend())
	frame := int64(0)
	allocs := testing.AllocsPerRun(200, func() {
		for i := range 10 {
			frame += int64(100 * (i + 1))
			dst = s.Spike(dst[:0], emu.Spike{Frame: frame, Neuron: 0, ISI: float64(100*(i+1)) / 48})
			if len(dst) > cap(dst) {
				t.Fatal("MaxAppend too small")
			}
			dst = s.Advance(dst[:0], frame+50)
		}
		dst = s.AllOff(dst[:0], frame+60)
		_ = s.Stats()
	})
	if allocs != 0 {
		t.Errorf("SpikeNotes allocates %g times per run", allocs)
	}
}

func TestNewSpikeNotesPanics(t *testing.T) {
	for _, tc := range []struct {
		cfg        Config
		rate, step float64
	}{
		{Config{Spikes: []SpikeMap{{Channel: 1, Velocity: 0, Duration: 1, RateCC: -1}}}, 48000, 1},
		{Config{}, 0, 1},
		{Config{}, 48000, -1},
	} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "midimap: ") {
					t.Errorf("NewSpikeNotes(%+v, %g, %g): recovered %v", tc.cfg, tc.rate, tc.step, r)
				}
			}()
			NewSpikeNotes(tc.cfg, tc.rate, tc.step)
		}()
	}
}
