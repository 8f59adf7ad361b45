package audio

import (
	"testing"
	"time"
)

func TestLatencyString(t *testing.T) {
	period := frames(128, 48000)
	for _, c := range []struct {
		l    Latency
		want string
	}{
		{Latency{Ahead: 2, Period: period, Device: 2 * period}, "10.7 ms (2 periods rendered ahead + 5.3 ms in the driver)"},
		{Latency{Ahead: 1, Period: period, Device: period}, "5.3 ms (1 period rendered ahead + 2.7 ms in the driver)"},
		{Latency{Ahead: 0, Period: period, Device: period}, "2.7 ms (direct callback: all in the driver)"},
		{Latency{Ahead: 3, Period: frames(64, 48000)}, "4.0 ms (3 periods rendered ahead + 0.0 ms in the driver)"},
	} {
		if got := c.l.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.l, got, c.want)
		}
	}
	if got, want := (Latency{Ahead: 2, Period: time.Millisecond, Device: 3 * time.Millisecond}).Total(), 5*time.Millisecond; got != want {
		t.Errorf("Total %v, want %v", got, want)
	}
}

// A clock plays nowhere: it has no latency to report.
func TestLatencyOfClock(t *testing.T) {
	s := OpenClock(Config{}, func([][]float32) {})
	defer s.Close()
	if l, ok := LatencyOf(s); ok {
		t.Errorf("a clock reports latency %v", l)
	}
}
