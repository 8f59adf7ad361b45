//go:build cgo && linux

package audio

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rtRequest is the real-time priority an output wants for its producer.
type rtRequest struct {
	// priority is the SCHED_FIFO priority to render at, one step below the callback's;
	// 0 or less: none to ask for.
	priority int
	// needed reports no real time when there is no priority to ask for (the JACK
	// server itself is not real-time) rather than nothing to report.
	needed bool
	// here is for systems where the priority cannot follow the producer (not Linux).
	here func() int
}

// forcePreempt is how long Go's system monitor lets a scheduler slot run one goroutine
// without passing through the scheduler: after that it takes the slot from a goroutine
// waiting in C at every C call, and then polls thousands of times a second (measured:
// 5-8% of a core for play at rest on JACK). The producer passes through the scheduler
// before that (Gosched), but each pass wakes another thread and parks one, so it passes
// as seldom as it safely can: when the next render, a period from now, would come later
// than reschedule after the last pass. (Passing every 8 ms regardless let some gaps reach
// 8 ms plus a period, past the monitor's 10 ms.)
const (
	forcePreempt = 10 * time.Millisecond
	reschedule   = forcePreempt - time.Millisecond // a millisecond for scheduling jitter
)

// duePass reports whether the producer, since the last pass through the scheduler and
// a period before its next render, must pass now.
func duePass(since, period time.Duration) bool { return since+period >= reschedule }

// follower keeps the thread that runs the producer real-time. The producer is not tied
// to one thread (a goroutine that is would hand its thread over to another at each pass
// through the scheduler, and through one of ordinary priority), so its thread may change
// when it passes; each time round, before it waits, follow gives the thread it is on the
// priority and takes it from the one it was on. Waiting in C (see waker), the producer
// keeps its thread, which the callback wakes directly. One thread at a time has the
// priority.
type follower struct {
	priority int32
	tid      int32 // the thread that has it; 0: none
	passed   time.Time
}

// start asks for the priority on the calling thread; false if the system refused (or
// req needs one and has none).
func (r *follower) start(req rtRequest) bool {
	r.passed = time.Now()
	if req.priority <= 0 {
		return !req.needed
	}
	r.priority = int32(req.priority)
	if !r.take(gettid()) {
		r.priority = 0
		return false
	}
	return true
}

// rendered is called after each render, period being the time until the next one:
// it passes through the scheduler when the next render would fall reschedule or more
// after the last pass, and then the priority follows the thread the producer is on. No
// C call and no system call the scheduler sees.
func (r *follower) rendered(period time.Duration) {
	if now := time.Now(); duePass(now.Sub(r.passed), period) {
		r.passed = now
		runtime.Gosched()
	}
	if r.priority == 0 {
		return
	}
	if tid := gettid(); tid != r.tid {
		r.take(tid)
	}
}

func (r *follower) take(tid int32) bool {
	if setScheduler(0, unix.SCHED_FIFO, r.priority) != 0 {
		return false
	}
	if r.tid != 0 {
		setScheduler(r.tid, unix.SCHED_NORMAL, 0)
	}
	r.tid = tid
	return true
}

// end gives the thread that has the priority ordinary scheduling again.
func (r *follower) end() {
	if r.tid != 0 {
		setScheduler(r.tid, unix.SCHED_NORMAL, 0)
		r.tid = 0
	}
}

func gettid() int32 {
	tid, _, _ := syscall.RawSyscall(syscall.SYS_GETTID, 0, 0, 0)
	return int32(tid)
}

// setScheduler is sched_setscheduler(2) for thread tid (0: the calling one), a raw
// system call: it never blocks.
func setScheduler(tid int32, policy int, priority int32) syscall.Errno {
	param := struct{ priority int32 }{priority}
	_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), uintptr(policy), uintptr(unsafe.Pointer(&param)))
	return errno
}
