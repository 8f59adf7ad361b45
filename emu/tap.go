package emu

import (
	"math"
	"sync/atomic"
)

// Per-neuron fields of a tap record, in order (see Tap).
const (
	TapV      = iota // membrane voltage at the record's frame
	TapY             // the recovery variable (the model's last variable: n, w; n for HH)
	TapI             // the injected current of the neuron's control (no kicks, noise or coupling)
	TapVMin          // the lowest V since the previous record
	TapVMax          // the highest V since the previous record
	TapSpikes        // spikes counted since the previous record (a population's: per member)
	TapFields
)

// Tap carries snapshots of every neuron's state from the audio thread to one reader, a
// few hundred times a second of sound: what a live view draws. It is a fixed-size,
// lock-free single-producer single-consumer ring of records. A record is the frame it
// was taken at and TapFields float32 per neuron (TapV, TapY, ... at neuron*TapFields).
// The V range and the spike count cover every sample since the previous record, so a
// firing cycle far faster than the record rate still shows its full swing and every
// spike. A record that finds the ring full is dropped and counted; Process never waits.
type Tap struct {
	n       int
	stride  int
	frames  []int64
	data    []float32
	mask    uint64
	head    atomic.Uint64
	tail    atomic.Uint64
	dropped atomic.Uint64
	every   int64 // frames between records
}

func newTap(neurons, capacity int) *Tap {
	size := 1
	for size < capacity {
		size <<= 1
	}
	return &Tap{n: neurons, stride: neurons * TapFields, frames: make([]int64, size),
		data: make([]float32, size*neurons*TapFields), mask: uint64(size - 1)}
}

// Neurons is the number of neurons in each record.
func (t *Tap) Neurons() int { return t.n }

// Stride is the number of float32 in a record (Neurons × TapFields).
func (t *Tap) Stride() int { return t.stride }

// Every is the number of frames between records (set by Prepare from Config.TapRate).
func (t *Tap) Every() int64 { return atomic.LoadInt64(&t.every) }

// Pop copies the oldest record into dst (at least Stride long) and returns its frame.
func (t *Tap) Pop(dst []float32) (frame int64, ok bool) {
	head := t.head.Load()
	if head == t.tail.Load() {
		return 0, false
	}
	at := head & t.mask
	copy(dst[:t.stride], t.data[int(at)*t.stride:])
	frame = t.frames[at]
	t.head.Store(head + 1)
	return frame, true
}

// Len is the number of records waiting.
func (t *Tap) Len() int { return int(t.tail.Load() - t.head.Load()) }

// Dropped counts the records lost to a full ring (a reader that fell behind).
func (t *Tap) Dropped() uint64 { return t.dropped.Load() }

// tapState is the audio thread's side: the running V range and spike counts.
type tapState struct {
	left       int64
	vmin, vmax []float64
	spikes     []uint64 // cumulative count at the previous record
	y          []int    // index of each neuron's recovery variable
}

// tapFrame follows the V range of every neuron and, every tap.every frames, writes a
// record. Called once per frame by Process, after the step.
func (e *Engine) tapFrame() {
	ts := &e.tapSt
	for i := 0; i < e.n; i++ {
		v := e.batches[e.batchOf[i]].x[0][e.slot[i]]
		if v < ts.vmin[i] {
			ts.vmin[i] = v
		}
		if v > ts.vmax[i] {
			ts.vmax[i] = v
		}
	}
	if ts.left--; ts.left > 0 {
		return
	}
	t := e.tap
	ts.left = t.every
	tail := t.tail.Load()
	if tail-t.head.Load() > t.mask {
		t.dropped.Add(1)
	} else {
		at := tail & t.mask
		t.frames[at] = e.frame
		rec := t.data[int(at)*t.stride : int(at+1)*t.stride]
		for i := 0; i < e.n; i++ {
			b, k := e.batches[e.batchOf[i]], e.slot[i]
			r := rec[i*TapFields : (i+1)*TapFields]
			r[TapV] = float32(b.x[0][k])
			r[TapY] = float32(b.x[ts.y[i]][k])
			r[TapI] = float32(e.current[i])
			r[TapVMin] = float32(ts.vmin[i])
			r[TapVMax] = float32(ts.vmax[i])
			s := e.stats.spikes[i].Load()
			r[TapSpikes] = float32(float64(s-ts.spikes[i]) / float64(e.count[i]))
			ts.spikes[i] = s
		}
		t.tail.Store(tail + 1)
	}
	for i := 0; i < e.n; i++ {
		ts.vmin[i], ts.vmax[i] = math.Inf(1), math.Inf(-1)
	}
}

// Tap is the engine's state tap, or nil when Config.TapRate is 0.
func (e *Engine) Tap() *Tap { return e.tap }

// prepareTap sets the record interval for the sample rate; the first Prepare allocates.
func (e *Engine) prepareTap(sampleRate float64) {
	if e.cfg.TapRate <= 0 {
		return
	}
	if e.tap == nil {
		capacity := e.cfg.TapCapacity
		if capacity <= 0 {
			capacity = int(math.Ceil(e.cfg.TapRate)) // a second of records
		}
		e.tap = newTap(e.n, capacity)
		ts := &e.tapSt
		ts.vmin, ts.vmax = make([]float64, e.n), make([]float64, e.n)
		ts.spikes, ts.y = make([]uint64, e.n), make([]int, e.n)
		for i := range ts.y {
			ts.y[i] = len(e.cfg.Neurons[i].Model.Vars) - 1
			ts.vmin[i], ts.vmax[i] = math.Inf(1), math.Inf(-1)
		}
	}
	every := max(int64(math.Round(sampleRate/e.cfg.TapRate)), 1)
	atomic.StoreInt64(&e.tap.every, every)
	e.tapSt.left = every
}
