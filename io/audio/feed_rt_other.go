//go:build cgo && !linux

package audio

import (
	"runtime"
	"time"
)

// rtRequest is the real-time priority an output wants for its producer.
type rtRequest struct {
	priority int  // Linux only (feed_rt_linux.go)
	needed   bool // Linux only
	// here gives the calling thread real-time priority: 0 done, -1 refused, 1 nothing
	// to do (the callback is not real-time).
	here func() int
}

// follower: without a cheap way to tell threads apart, the producer keeps one thread
// of its own (locked) and asks for the priority once. That thread never passes through
// Go's scheduler, whose system monitor then polls often (see feed_rt_linux.go).
type follower struct{}

func (r *follower) start(req rtRequest) bool {
	runtime.LockOSThread()
	return req.here == nil || req.here() != -1
}

func (r *follower) rendered(period time.Duration) {}

// end: the thread is never unlocked; it ends with the goroutine rather than go back to
// Go's pool with real-time priority.
func (r *follower) end() {}
