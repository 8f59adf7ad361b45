package audio

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketEdges(t *testing.T) {
	// Every load falls in a bucket whose upper edge is above the load by at most 1/16
	// of the bucket's octave, 6.25% of the load.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		x := math.Exp2(rng.Float64()*26 - 19) // 2^-19 .. 2^7
		i := bucket(x)
		hi := upperEdge(i)
		if x >= hi || hi > x*(1+1.0/16) || (i > 0 && x < upperEdge(i-1)) {
			t.Fatalf("load %g in bucket %d with edges [%g, %g)", x, i, upperEdge(i-1), hi)
		}
	}
	for _, x := range []float64{0, -1, math.NaN(), 1e-12} {
		if bucket(x) != 0 {
			t.Errorf("bucket(%g) = %d, want 0", x, bucket(x))
		}
	}
	if b := bucket(1e6); b != histBuckets-1 {
		t.Errorf("bucket(1e6) = %d, want the last", b)
	}
}

func TestMeterStats(t *testing.T) {
	var m meter
	if st := m.stats(); st != (Stats{}) {
		t.Errorf("empty meter: %+v", st)
	}
	// 1000 callbacks of 128 frames at 48 kHz (2.667 ms): loads 0.001 .. 1.000.
	period := 128 / 48000.0
	loads := make([]float64, 1000)
	for i := range loads {
		loads[i] = float64(i+1) / 1000
		m.record(time.Duration(loads[i]*period*1e9), 128, 48000)
	}
	m.xruns.Add(3)
	st := m.stats()
	if st.Callbacks != 1000 || st.Xruns != 3 {
		t.Errorf("counts %+v", st)
	}
	// Loads are rounded down to whole nanoseconds: allow for it.
	if math.Abs(st.LoadMax-1) > 1e-6 {
		t.Errorf("LoadMax %g, want 1", st.LoadMax)
	}
	if st.LoadP99 < 0.99-1e-6 || st.LoadP99 > 0.99*(1+1.0/16) {
		t.Errorf("LoadP99 %g, want 0.99 to 6.25%% above", st.LoadP99)
	}
	if q := m.quantile(0.5); q < 0.5-1e-6 || q > 0.5*(1+1.0/16) {
		t.Errorf("median %g, want 0.5", q)
	}
	// A zero-length block counts as a callback but has no load.
	m.record(time.Millisecond, 0, 48000)
	if st := m.stats(); st.Callbacks != 1001 || math.Abs(st.LoadMax-1) > 1e-6 {
		t.Errorf("after an empty block: %+v", st)
	}
}

func TestMeterNoAllocs(t *testing.T) {
	var m meter
	if n := testing.AllocsPerRun(1000, func() { m.record(37*time.Microsecond, 128, 48000) }); n != 0 {
		t.Errorf("record allocates %g times", n)
	}
}

// blocks returns a Process that records the length of each block it is given and
// writes the running frame count into channel c as c*1000 + frame.
func blocks(lens *[]int, frame *int) Process {
	return func(out [][]float32) {
		*lens = append(*lens, len(out[0]))
		for i := range out[0] {
			for c, ch := range out {
				if ch[i] != 0 {
					panic("buffer not cleared")
				}
				ch[i] = float32(c*1000 + *frame + i)
			}
		}
		*frame += len(out[0])
	}
}

func TestRenderSplits(t *testing.T) {
	for _, c := range []struct {
		n, maxBlock int
		want        []int
	}{
		{128, 512, []int{128}},
		{512, 512, []int{512}},
		{513, 512, []int{512, 1}},
		{300, 128, []int{128, 128, 44}},
		{0, 128, nil},
		{7, 1, []int{1, 1, 1, 1, 1, 1, 1}},
	} {
		out := [][]float32{make([]float32, c.n), make([]float32, c.n)}
		for _, ch := range out {
			for i := range ch {
				ch[i] = -7 // garbage left by the driver
			}
		}
		view := make([][]float32, 2)
		var lens []int
		frame := 0
		render(blocks(&lens, &frame), out, view, c.maxBlock)
		if !slices.Equal(lens, c.want) {
			t.Errorf("%d frames, max %d: blocks %v, want %v", c.n, c.maxBlock, lens, c.want)
		}
		for i := range c.n {
			if out[0][i] != float32(i) || out[1][i] != float32(1000+i) {
				t.Fatalf("%d frames, max %d: frame %d is %g, %g", c.n, c.maxBlock, i, out[0][i], out[1][i])
			}
		}
		if view[0] != nil || view[1] != nil {
			t.Errorf("render kept a view of the driver's buffer")
		}
	}
}

func TestRenderNoAllocs(t *testing.T) {
	out := [][]float32{make([]float32, 1000), make([]float32, 1000)}
	view := make([][]float32, 2)
	phase := 0.0
	p := func(out [][]float32) {
		for i := range out[0] {
			v := float32(0.5 * math.Sin(phase))
			phase += 0.01
			out[0][i], out[1][i] = v, v
		}
	}
	if n := testing.AllocsPerRun(100, func() { render(p, out, view, 128) }); n != 0 {
		t.Errorf("render allocates %g times per call", n)
	}
}

// above counts the loads recorded in m's buckets that lie wholly above x.
func (m *meter) above(x float64) uint64 {
	var n uint64
	for i := 1; i < histBuckets; i++ {
		if upperEdge(i-1) >= x {
			n += m.hist[i].Load()
		}
	}
	return n
}
