// Package sdnotify speaks systemd's notify protocol without a library: each notification
// is one datagram of newline-separated VAR=value assignments sent to the unix socket
// named by $NOTIFY_SOCKET (a filesystem path, or an abstract socket when the name starts
// with '@'). systemd sets that variable for a service of Type=notify; a service with
// WatchdogSec= also gets $WATCHDOG_USEC (and $WATCHDOG_PID) and is restarted when it
// stops sending WATCHDOG=1 within that time.
//
// A Notifier made where $NOTIFY_SOCKET is unset (a run from a terminal, a test) does
// nothing and reports no error, so callers need no conditions of their own.
//
// Sends never wait long: each is a fresh unixgram socket with a short write deadline,
// so a systemd that does not read its socket costs at most that deadline and an error,
// never a stuck caller. Nothing here may be called from an audio callback (it makes
// system calls); Feed runs on a goroutine of its own.
package sdnotify

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// SendTimeout bounds how long one notification may wait for room in systemd's socket.
const SendTimeout = 100 * time.Millisecond

// Notifier sends notifications to the service manager that started this process.
// Its methods may be called from any goroutine.
type Notifier struct {
	// Log, if set before Feed runs, receives one line each time Feed stops or resumes
	// feeding the watchdog and each time its sends start or stop failing.
	Log io.Writer

	addr     *net.UnixAddr // nil: no service manager is listening; every send is a no-op
	watchdog time.Duration // 0: no watchdog asked for this process
}

// New reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID. The environment is left
// as it is (children of this process would see the same variables; with the unit's
// NotifyAccess=main systemd ignores what they send).
func New() *Notifier {
	return newFrom(os.Getenv, os.Getpid())
}

func newFrom(getenv func(string) string, pid int) *Notifier {
	n := &Notifier{}
	name := getenv("NOTIFY_SOCKET")
	if name == "" {
		return n
	}
	// Go's net package maps a leading '@' to the NUL byte of Linux's abstract namespace.
	n.addr = &net.UnixAddr{Name: name, Net: "unixgram"}
	usec, err := strconv.ParseUint(getenv("WATCHDOG_USEC"), 10, 63)
	if err != nil || usec == 0 {
		return n
	}
	// WATCHDOG_PID names the process the watchdog is for; when it is another (we were
	// started by a wrapper that passed its environment on), our pings would be refused.
	if p := getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(pid) {
		return n
	}
	n.watchdog = time.Duration(usec) * time.Microsecond
	return n
}

// Enabled reports whether a service manager listens ($NOTIFY_SOCKET was set).
func (n *Notifier) Enabled() bool { return n.addr != nil }

// Notify sends state, one or more newline-separated assignments such as "READY=1",
// as one datagram. It returns nil at once when no service manager listens.
func (n *Notifier) Notify(state string) error {
	if n.addr == nil {
		return nil
	}
	// A fresh socket per send: a socket kept connected would keep failing after systemd
	// re-creates its notify socket (daemon-reexec), and one send a few seconds apart
	// costs nothing.
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: cannot reach the service manager at %s: %w", n.addr.Name, err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(SendTimeout)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: cannot send %q to the service manager: %w", firstLine(state), err)
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "..."
	}
	return s
}

// Ready tells the service manager that start-up is finished (READY=1): with Type=notify
// the unit counts as started only now, and the watchdog starts counting.
func (n *Notifier) Ready() error { return n.Notify("READY=1") }

// Status sets the one-line status that `systemctl status` shows (STATUS=...). Line
// breaks in s become spaces: a newline would start another assignment.
func (n *Notifier) Status(s string) error {
	return n.Notify("STATUS=" + strings.NewReplacer("\r", " ", "\n", " ").Replace(s))
}

// Stopping tells the service manager that the service is shutting down (STOPPING=1).
func (n *Notifier) Stopping() error { return n.Notify("STOPPING=1") }

// Watchdog sends one keep-alive ping (WATCHDOG=1).
func (n *Notifier) Watchdog() error { return n.Notify("WATCHDOG=1") }

// WatchdogInterval is the unit's WatchdogSec= as given in $WATCHDOG_USEC, and true, when
// the service manager watches this process: it listens, the interval is positive, and
// $WATCHDOG_PID is unset or this process's id.
func (n *Notifier) WatchdogInterval() (time.Duration, bool) {
	return n.watchdog, n.watchdog > 0
}

// Feed pings the watchdog every quarter interval while healthy returns true, and not
// while it returns false, so that systemd restarts the service when what healthy checks
// (the audio flowing) has been failing for most of the interval. A quarter, not the
// usual half: a check that fails once, in a short gap, must not leave the next ping
// due just as the interval ends (a half-interval ping skipped once is a ping a whole
// interval after the last). healthy is called once at the start and once per quarter
// interval, on Feed's goroutine; the caller decides what it means and it must not block.
//
// Feed returns nil at once when no watchdog is asked for (see WatchdogInterval), and
// otherwise nil when ctx ends. A failed send does not end it (the next may succeed, and
// giving up would only hasten a restart): failures are written to Log when they start
// and when they end.
func (n *Notifier) Feed(ctx context.Context, healthy func() bool) error {
	interval, ok := n.WatchdogInterval()
	if !ok {
		return nil
	}
	log := n.Log
	if log == nil {
		log = io.Discard
	}
	every := interval / 4
	tick := time.NewTicker(every)
	defer tick.Stop()
	feeding, failing := true, false
	for {
		if healthy() {
			if !feeding {
				fmt.Fprintf(log, "sdnotify: healthy again: feeding the watchdog\n")
				feeding = true
			}
			err := n.Watchdog()
			switch {
			case err != nil && !failing:
				fmt.Fprintf(log, "%v (retrying every %v)\n", err, every)
				failing = true
			case err == nil && failing:
				fmt.Fprintf(log, "sdnotify: the watchdog pings reach the service manager again\n")
				failing = false
			}
		} else if feeding {
			fmt.Fprintf(log, "sdnotify: not healthy: the watchdog is no longer fed (systemd restarts the service if this lasts %v)\n", interval)
			feeding = false
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
