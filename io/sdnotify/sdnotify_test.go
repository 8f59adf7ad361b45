package sdnotify

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wait is how long a test waits for a datagram that should come: generous, since only
// a broken Notifier ever makes a test wait this long.
const wait = 10 * time.Second

// fakeManager is a service manager's notify socket: it hands on what it receives.
type fakeManager struct {
	t    *testing.T
	name string
	conn *net.UnixConn
	got  chan string
}

// listen opens a notify socket named name (a path, or '@' and an abstract name) and
// points $NOTIFY_SOCKET at it.
func listen(t *testing.T, name string) *fakeManager {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	m := &fakeManager{t: t, name: name, conn: conn, got: make(chan string, 1024)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(m.got)
				return
			}
			m.got <- string(buf[:n])
		}
	}()
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", name)
	t.Setenv("WATCHDOG_USEC", "")
	t.Setenv("WATCHDOG_PID", "")
	return m
}

// next is the next datagram received.
func (m *fakeManager) next() string {
	m.t.Helper()
	select {
	case s, ok := <-m.got:
		if !ok {
			m.t.Fatal("the notify socket closed")
		}
		return s
	case <-time.After(wait):
		m.t.Fatalf("nothing arrived at %s within %v", m.name, wait)
		return ""
	}
}

func (m *fakeManager) expect(want string) {
	m.t.Helper()
	if got := m.next(); got != want {
		m.t.Fatalf("received %q, want %q", got, want)
	}
}

func abstractName(t *testing.T) string {
	return fmt.Sprintf("@separatrix-sdnotify-test-%d-%s", os.Getpid(), t.Name())
}

func TestReadyArrives(t *testing.T) {
	for _, name := range []string{"path", "abstract"} {
		t.Run(name, func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "notify")
			if name == "abstract" {
				sock = abstractName(t)
			}
			m := listen(t, sock)
			n := New()
			if !n.Enabled() {
				t.Fatal("Enabled is false with NOTIFY_SOCKET set")
			}
			if err := n.Ready(); err != nil {
				t.Fatal(err)
			}
			m.expect("READY=1")
			if err := n.Status("playing\nhysteresis"); err != nil {
				t.Fatal(err)
			}
			m.expect("STATUS=playing hysteresis")
			if err := n.Watchdog(); err != nil {
				t.Fatal(err)
			}
			m.expect("WATCHDOG=1")
			if err := n.Stopping(); err != nil {
				t.Fatal(err)
			}
			m.expect("STOPPING=1")
		})
	}
}

func TestUnsetIsANoOp(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "20000")
	t.Setenv("WATCHDOG_PID", "")
	n := New()
	if n.Enabled() {
		t.Error("Enabled with NOTIFY_SOCKET unset")
	}
	for _, err := range []error{n.Ready(), n.Status("x"), n.Watchdog(), n.Stopping()} {
		if err != nil {
			t.Errorf("a send without a service manager failed: %v", err)
		}
	}
	if d, ok := n.WatchdogInterval(); ok {
		t.Errorf("WatchdogInterval = %v, true without a service manager", d)
	}
	called := false
	if err := n.Feed(context.Background(), func() bool { called = true; return true }); err != nil {
		t.Error(err)
	}
	if called {
		t.Error("Feed asked for health with no watchdog to feed")
	}
}

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
	}{
		{"20000", "", 20 * time.Millisecond},
		{"20000", self, 20 * time.Millisecond},
		{"10000000", self, 10 * time.Second},
		{"20000", "1", 0}, // another process's watchdog
		{"", "", 0},
		{"0", "", 0},
		{"-5", "", 0},
		{"ten", "", 0},
	} {
		listen(t, filepath.Join(t.TempDir(), "notify"))
		t.Setenv("WATCHDOG_USEC", c.usec)
		t.Setenv("WATCHDOG_PID", c.pid)
		d, ok := New().WatchdogInterval()
		if d != c.want || ok != (c.want > 0) {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: WatchdogInterval = %v, %v; want %v, %v", c.usec, c.pid, d, ok, c.want, c.want > 0)
		}
	}
}

func TestAnotherProcesssWatchdogIsNotFed(t *testing.T) {
	listen(t, filepath.Join(t.TempDir(), "notify"))
	t.Setenv("WATCHDOG_USEC", "20000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()+1))
	done := make(chan error, 1)
	go func() { done <- New().Feed(context.Background(), func() bool { return true }) }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(wait):
		t.Fatal("Feed kept running for another process's watchdog")
	}
}

// TestFeedFollowsHealth steps Feed one health check at a time: healthy blocks until the
// test answers, so what arrives can be matched to each answer without timing anything.
// After an unhealthy answer the test sends a marker of its own: a ping sent for that
// answer would arrive before it.
func TestFeedFollowsHealth(t *testing.T) {
	for _, name := range []string{"path", "abstract"} {
		t.Run(name, func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "notify")
			if name == "abstract" {
				sock = abstractName(t)
			}
			m := listen(t, sock)
			t.Setenv("WATCHDOG_USEC", "20000") // a ping every 10 ms
			n := New()
			var log strings.Builder
			n.Log = &log
			calls, answers := make(chan struct{}), make(chan bool)
			healthy := func() bool { calls <- struct{}{}; return <-answers }
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- n.Feed(ctx, healthy) }()
			marker, last := 0, true
			// step answers Feed's next health check with ok and checks what it sends.
			step := func(ok bool) {
				t.Helper()
				select {
				case <-calls:
				case <-time.After(wait):
					t.Fatalf("Feed did not check health within %v", wait)
				}
				if !last {
					// Feed is in this check, so the unhealthy one before is over.
					marker++
					if err := n.Status(fmt.Sprint("mark ", marker)); err != nil {
						t.Fatal(err)
					}
					m.expect(fmt.Sprint("STATUS=mark ", marker))
				}
				answers <- ok
				if ok {
					m.expect("WATCHDOG=1")
				}
				last = ok
			}
			for _, ok := range []bool{true, true, true, false, false, false, true, true, false, true, false} {
				step(ok)
			}
			cancel()
			go func() { // answer until Feed sees the end of ctx
				for range calls {
					answers <- false
				}
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Error(err)
				}
			case <-time.After(wait):
				t.Fatal("Feed did not return when its context ended")
			}
			close(calls)
			if got := log.String(); strings.Count(got, "no longer fed") != 3 || strings.Count(got, "feeding the watchdog") != 2 {
				t.Errorf("log:\n%s\nwant three stops and two resumptions", got)
			}
		})
	}
}

func TestSendsDoNotBlock(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	// A manager that never reads: its queue fills and a send must give up, not wait.
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	n := New()
	for i := range 100000 {
		if err := n.Watchdog(); err != nil {
			t.Logf("send %d: %v", i, err)
			return
		}
	}
	t.Fatal("100000 sends to a socket nobody reads all succeeded")
}

func TestNoManagerIsAnError(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "nobody"))
	err := New().Ready()
	if err == nil || !strings.Contains(err.Error(), "cannot reach the service manager") {
		t.Fatalf("Ready to a missing socket: %v", err)
	}
}
