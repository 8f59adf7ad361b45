package view

import (
	"context"
	"math"
	"os"
	"sync"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
)

var osHostname = os.Hostname

func float64FromBits(b uint64) float64 { return math.Float64frombits(b) }

// historySeconds is how much of each patch's tap the hub keeps: a new page gets it all
// (the trace fills at once) and a page that stalls for less loses nothing.
const historySeconds = 4

// hub drains every patch's tap into a history the pages read. The taps have one reader
// each: whoever holds mu. Pages drain on their own "ready" (the freshest data, no tick to
// wait for); run drains in the background so the taps never overflow when no page asks.
type hub struct {
	src     Source
	rate    float64
	mu      sync.Mutex
	patches []*history
}

// history is one patch's recent records in a ring: record seq is at seq % cap.
type history struct {
	neurons int
	stride  int
	cap     uint64
	next    uint64 // seq of the next record written
	t       []float64
	made    []float64 // wall clock (ms since the epoch) at which each was rendered
	data    []float32
	scratch []float32
	// rates: spikes per neuron over the last second of sound, refreshed by run.
	rate   []float64
	firing []bool
}

func newHub(src Source) *hub {
	h := &hub{src: src, rate: src.SampleRate()}
	for i := range src.Patches() {
		tap := src.Tap(i)
		recPerSec := h.rate / float64(tap.Every())
		c := uint64(math.Ceil(historySeconds * recPerSec))
		h.patches = append(h.patches, &history{
			neurons: tap.Neurons(), stride: tap.Stride(), cap: c,
			t: make([]float64, c), made: make([]float64, c), data: make([]float32, int(c)*tap.Stride()),
			scratch: make([]float32, tap.Stride()),
			rate:    make([]float64, tap.Neurons()), firing: make([]bool, tap.Neurons()),
		})
	}
	return h
}

// drainLocked moves every waiting tap record into the histories. Call with mu held.
func (h *hub) drainLocked() {
	now := float64(time.Now().UnixNano()) / 1e6
	for i, hs := range h.patches {
		tap := h.src.Tap(i)
		if tap.Len() == 0 {
			continue
		}
		// The engine's frame counter runs ahead of a record by the frames rendered
		// since it was written: that is how long ago it was made.
		head := h.src.Frame(i)
		for {
			frame, ok := tap.Pop(hs.scratch)
			if !ok {
				break
			}
			at := hs.next % hs.cap
			hs.t[at] = float64(frame) / h.rate
			hs.made[at] = now - math.Max(0, float64(head-frame))/h.rate*1000
			copy(hs.data[int(at)*hs.stride:], hs.scratch)
			hs.next++
		}
	}
}

// run drains in the background and refreshes the firing rates for the status.
func (h *hub) run(ctx context.Context) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			h.mu.Lock()
			h.drainLocked()
			for _, hs := range h.patches {
				hs.updateRates()
			}
			h.mu.Unlock()
		}
	}
}

// updateRates counts each neuron's spikes over the last second of sound (or as much as
// there is) and whether it fired in the last quarter second.
func (hs *history) updateRates() {
	for k := range hs.rate {
		hs.rate[k], hs.firing[k] = 0, false
	}
	if hs.next == 0 {
		return
	}
	last := hs.t[(hs.next-1)%hs.cap]
	first := last
	for seq := hs.next; seq > 0 && hs.next-seq < hs.cap; seq-- {
		at := (seq - 1) % hs.cap
		age := last - hs.t[at]
		if age >= 1 {
			break
		}
		first = hs.t[at]
		rec := hs.data[int(at)*hs.stride : int(at+1)*hs.stride]
		for k := range hs.neurons {
			sp := float64(rec[k*emu.TapFields+emu.TapSpikes])
			hs.rate[k] += sp
			if sp > 0 && age < 0.25 {
				hs.firing[k] = true
			}
		}
	}
	if span := last - first; span > 0.05 {
		for k := range hs.rate {
			hs.rate[k] /= span
		}
	}
}
