//go:build cgo && linux

package audio

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// threadScheduling is the scheduling policy and real-time priority of each thread of
// this process, by thread id (/proc/self/task/*/stat, fields 41 and 40).
func threadScheduling(t *testing.T) map[int][2]int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/self/task/*/stat")
	out := map[int][2]int{}
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // a thread that just ended
		}
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		// fields[0] is field 3 of the line: rt_priority is field 40, policy 41.
		prio, err1 := strconv.Atoi(fields[40-3])
		policy, err2 := strconv.Atoi(fields[41-3])
		tid, err3 := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: cannot read the scheduling: %q", path, s)
		}
		out[tid] = [2]int{policy, prio}
	}
	return out
}

// onThread runs f on a goroutine locked to a thread of its own, and returns that
// thread's id and what f returned. The thread ends with the goroutine.
func onThread[T any](f func() T) (tid int32, v T) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes with its priority
		tid, v = gettid(), f()
		close(done)
	}()
	<-done
	return tid, v
}

// TestFollowerMovesThePriority: the thread the producer rendered on last has the
// priority, the one it came from has ordinary scheduling again, and end leaves none
// with it.
func TestFollowerMovesThePriority(t *testing.T) {
	var r follower
	const prio, fifo = 3, 1
	if _, ok := onThread(func() bool { return r.start(rtRequest{priority: prio}) }); !ok {
		t.Skip("the system refuses real-time scheduling here")
	}
	has := func(tid int32) bool { return threadScheduling(t)[int(tid)] == [2]int{fifo, prio} }
	keep := make(chan struct{})
	defer close(keep)
	renderOn := func() int32 { // a thread that stays, the producer rendering on it
		tid := make(chan int32)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			r.rendered(time.Millisecond)
			tid <- gettid()
			<-keep
			setScheduler(0, 0, 0)
		}()
		return <-tid
	}
	second := renderOn()
	if !has(second) {
		t.Fatalf("rendered on thread %d, which has %v, want SCHED_FIFO %d", second, threadScheduling(t)[int(second)], prio)
	}
	third := renderOn()
	if !has(third) || has(second) {
		t.Fatalf("after rendering on thread %d: it has %v, thread %d has %v; want only the new one real-time",
			third, threadScheduling(t)[int(third)], second, threadScheduling(t)[int(second)])
	}
	r.end()
	if has(third) {
		t.Errorf("after end, thread %d still has SCHED_FIFO %d", third, prio)
	}
}

// TestJACKProducerPriority: while the native JACK output plays, exactly one thread of
// the process renders at real-time priority one below JACK's (RealTime says true), and
// after Close none does (the producer gives its thread ordinary scheduling back).
func TestJACKProducerPriority(t *testing.T) {
	needJACK(t)
	p, _ := sine(440, 0.1, 48000)
	s, err := OpenJACK(Config{}, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := s.(*jackStream).feedPriority()
	if want <= 0 {
		t.Skip("the JACK server does not run real-time")
	}
	count := func() (n int, all string) {
		for tid, sched := range threadScheduling(t) {
			if sched[0] != 0 {
				all += fmt.Sprintf(" %d:%v", tid, sched)
			}
			if sched == [2]int{1, want} {
				n++
			}
		}
		return n, all
	}
	before, _ := count() // other tests' streams may still be ending
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if !s.(*jackStream).RealTime() {
		t.Skip("the system refuses real-time scheduling here")
	}
	for range 5 {
		time.Sleep(100 * time.Millisecond)
		if n, all := count(); n != before+1 {
			t.Fatalf("%d threads at SCHED_FIFO %d while playing, want %d (real-time threads:%s)", n, want, before+1, all)
		}
	}
	s.Close()
	if n, all := count(); n != before {
		t.Errorf("%d threads at SCHED_FIFO %d after Close, want %d as before Start (real-time threads:%s)", n, want, before, all)
	}
}

// TestPassesBeforeTheMonitorPreempts: rendering once a period, the producer passes
// through the scheduler before forcePreempt has gone by since its last pass, for every
// period from 0.5 to 20 ms, and no more often than it must (a pass per period only when
// the period alone is that long).
func TestPassesBeforeTheMonitorPreempts(t *testing.T) {
	for period := 500 * time.Microsecond; period <= 20*time.Millisecond; period += 100 * time.Microsecond {
		var last, now time.Duration
		longest, shortest := time.Duration(0), time.Hour
		for k := 0; k < 1000; k++ {
			now += period
			if duePass(now-last, period) {
				gap := now - last
				longest, shortest = max(longest, gap), min(shortest, gap)
				last = now
			}
		}
		if longest >= forcePreempt && period < reschedule {
			t.Errorf("period %v: %v between passes, the monitor preempts at %v", period, longest, forcePreempt)
		}
		if period < reschedule/2 && shortest < reschedule-period {
			t.Errorf("period %v: passes only %v apart, more often than needed", period, shortest)
		}
	}
}
