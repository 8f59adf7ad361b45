package jacklife

import (
	"testing"
	"time"
)

func TestWithin(t *testing.T) {
	if r, ok := Within(time.Second, func() int { return 7 }, func(int) { t.Error("late called for a prompt result") }); !ok || r != 7 {
		t.Errorf("a prompt result: %d, %v; want 7, true", r, ok)
	}
	release, late := make(chan struct{}), make(chan int, 1)
	r, ok := Within(20*time.Millisecond, func() int { <-release; return 9 }, func(v int) { late <- v })
	if ok || r != 0 {
		t.Errorf("a result that comes too late: %d, %v; want 0, false", r, ok)
	}
	close(release)
	select {
	case v := <-late:
		if v != 9 {
			t.Errorf("late got %d, want 9", v)
		}
	case <-time.After(5 * time.Second):
		t.Error("the late result was never handed over")
	}
}
