package audio

import (
	"math"
	"sync/atomic"
	"time"
)

// Load histogram: log-spaced buckets, histSub per octave, covering loads from
// 2^(histMinExp-1) (about 5e-7) to 2^(histMinExp+histOctaves-1) (128 periods). Bucket 0
// holds smaller loads, the last bucket larger ones.
const (
	histSub     = 16
	histMinExp  = -20
	histOctaves = 28
	histBuckets = histOctaves*histSub + 2
)

// meter counts callbacks and xruns and keeps the load histogram. Its writer is the audio
// thread (one at a time); Stats reads it from any goroutine. Nothing in it allocates or
// locks.
type meter struct {
	callbacks, xruns atomic.Uint64
	maxBits          atomic.Uint64 // float64 bits of the largest load
	hist             [histBuckets]atomic.Uint64
}

// bucket returns the histogram bucket of load x.
func bucket(x float64) int {
	if !(x > 0) {
		return 0
	}
	frac, exp := math.Frexp(x) // x = frac * 2^exp, frac in [0.5, 1)
	o := exp - histMinExp
	switch {
	case o < 0:
		return 0
	case o >= histOctaves:
		return histBuckets - 1
	}
	return 1 + o*histSub + int((frac-0.5)*2*histSub)
}

// upperEdge is the largest load that falls in bucket i (the last bucket has none).
func upperEdge(i int) float64 {
	if i == 0 {
		return math.Ldexp(0.5, histMinExp)
	}
	if i >= histBuckets-1 {
		return math.Inf(1)
	}
	o, s := (i-1)/histSub, (i-1)%histSub
	return math.Ldexp(0.5+float64(s+1)/(2*histSub), o+histMinExp)
}

// record adds one callback whose body took d to render frames at rate.
func (m *meter) record(d time.Duration, frames int, rate float64) {
	m.callbacks.Add(1)
	if frames <= 0 {
		return
	}
	load := d.Seconds() * rate / float64(frames)
	m.hist[bucket(load)].Add(1)
	if load > math.Float64frombits(m.maxBits.Load()) {
		m.maxBits.Store(math.Float64bits(load)) // one writer: no compare-and-swap needed
	}
}

// stats summarises the meter. The counters are read one by one, so a snapshot taken
// while the stream runs may be off by the callback in flight.
func (m *meter) stats() Stats {
	return Stats{
		Callbacks: m.callbacks.Load(),
		Xruns:     m.xruns.Load(),
		LoadP99:   m.quantile(0.99),
		LoadMax:   math.Float64frombits(m.maxBits.Load()),
	}
}

// quantile returns the upper edge of the bucket that holds the q quantile of the loads,
// or the largest load if that is smaller; 0 before the first callback.
func (m *meter) quantile(q float64) float64 {
	var counts [histBuckets]uint64
	var total uint64
	for i := range m.hist {
		counts[i] = m.hist[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := max(1, uint64(math.Ceil(q*float64(total)-1e-9)))
	var cum uint64
	for i, n := range counts {
		cum += n
		if cum >= rank {
			return math.Min(upperEdge(i), math.Float64frombits(m.maxBits.Load()))
		}
	}
	return math.Float64frombits(m.maxBits.Load())
}

// render clears out and calls p on it in pieces of at most maxBlock frames. view holds
// len(out) slice headers for the pieces, so nothing is allocated.
func render(p Process, out, view [][]float32, maxBlock int) {
	if len(out) == 0 {
		return
	}
	for _, ch := range out {
		clear(ch)
	}
	n := len(out[0])
	if n <= maxBlock {
		if n > 0 {
			p(out)
		}
		return
	}
	for i := 0; i < n; i += maxBlock {
		j := min(i+maxBlock, n)
		for c, ch := range out {
			view[c] = ch[i:j:j]
		}
		p(view)
	}
	clear(view) // keep no reference to the driver's buffers
}
