package view

import "golang.org/x/sys/unix"

// lowerPriority gives the calling thread (locked to its goroutine) the lowest priority,
// nice 19, and returns its thread id. The audio threads run at real-time priority; the
// geometry must never take their time, nor that of the pages' goroutines.
func lowerPriority() (tid int, err error) {
	tid = unix.Gettid()
	if err := unix.Setpriority(unix.PRIO_PROCESS, tid, 19); err != nil {
		return tid, err
	}
	return tid, nil
}
