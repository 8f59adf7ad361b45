//go:build cgo && linux

package audio

import (
	"fmt"
	"os"
	"path/filepath"
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
