package emu

import "sync/atomic"

// Ring is a fixed-size, lock-free, single-producer single-consumer queue. One goroutine
// (or the audio callback) may Push, one other may Peek and Pop; neither ever blocks or
// allocates. A Push onto a full ring is dropped and counted, never waited for.
type Ring[T any] struct {
	buf     []T
	mask    uint64
	head    atomic.Uint64 // next slot to read; written by the consumer
	tail    atomic.Uint64 // next slot to write; written by the producer
	dropped atomic.Uint64
}

// NewRing returns a ring holding at least capacity items (rounded up to a power of two).
func NewRing[T any](capacity int) *Ring[T] {
	if capacity < 1 {
		panic("emu: ring capacity must be positive")
	}
	size := 1
	for size < capacity {
		size <<= 1
	}
	return &Ring[T]{buf: make([]T, size), mask: uint64(size - 1)}
}

// Push appends v; it reports false, and counts a drop, when the ring is full.
func (r *Ring[T]) Push(v T) bool {
	tail := r.tail.Load()
	if tail-r.head.Load() >= uint64(len(r.buf)) {
		r.dropped.Add(1)
		return false
	}
	r.buf[tail&r.mask] = v
	r.tail.Store(tail + 1)
	return true
}

// Peek returns the oldest item without removing it.
func (r *Ring[T]) Peek() (T, bool) {
	head := r.head.Load()
	if head == r.tail.Load() {
		var zero T
		return zero, false
	}
	return r.buf[head&r.mask], true
}

// Pop removes and returns the oldest item.
func (r *Ring[T]) Pop() (T, bool) {
	head := r.head.Load()
	if head == r.tail.Load() {
		var zero T
		return zero, false
	}
	v := r.buf[head&r.mask]
	r.head.Store(head + 1)
	return v, true
}

// Len is the number of items waiting; exact only when called by the producer or consumer.
func (r *Ring[T]) Len() int { return int(r.tail.Load() - r.head.Load()) }

// Cap is the number of items the ring holds.
func (r *Ring[T]) Cap() int { return len(r.buf) }

// Dropped counts the pushes refused because the ring was full.
func (r *Ring[T]) Dropped() uint64 { return r.dropped.Load() }
