//go:build cgo

package audio

/*
#include "ring.h"
*/
import "C"

import "time"

// waker is the producer's side of the callback's wake-up (ring.h's sepa_wake), waited
// on in C by the producer's real-time thread, which the callback wakes directly.
//
// Why in C: waiting parked in Go's poller instead (the callback writing an eventfd, a
// version tried and measured) cost half as much at rest, 3.2% of a core against 5-8% on a JACK server
// at 128 frames, because Go's system monitor keeps retaking the scheduler slot of a
// goroutine that waits in C on a locked thread. But the thread that wakes a parked
// goroutine is one of Go's, of ordinary priority, which may be running other work: at
// 64 frames with a recording and the other core busy it was late 20 times in one of
// four 6 s runs (and the judge's own-fault allowance of 2 was reached in most runs),
// where the thread of its own waiting in C was never late in six. Never a click first.
// The monitor's polling is kept down another way: the producer passes through the
// scheduler every few milliseconds (follower.rendered).
type waker struct{ w *C.sepa_wake }

func newWaker(w *C.sepa_wake) (waker, error) { return waker{w}, nil }

// feedWaitMillis bounds a wait without a limit: stop and loss post the wake-up too,
// so it only bounds what a lost post would cost.
const feedWaitMillis = 100

// wait returns once the callback has posted (taking every post so far), or timeout
// has passed (0: feedWaitMillis).
func (w waker) wait(timeout time.Duration) {
	ms := C.int(feedWaitMillis)
	if timeout > 0 {
		ms = C.int(max(1, timeout.Milliseconds()))
	}
	C.sepa_wake_wait(w.w, ms)
}

func (w waker) close() {}
