//go:build unix

package outfile

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// interruptions are the signals that end a program from its terminal or its supervisor
// and can be caught.
var interruptions = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// signalName is the name a shell user knows a signal by.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

// exitCode is the status a shell reports for a program that died of sig: 128 + its number.
func exitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// raise sends sig to this process again. With no other handler left for it, the Go
// runtime then does what the signal does by default: the program dies of it, and its
// parent sees that (a shell loop stops on a child killed by SIGINT).
func raise(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		syscall.Kill(os.Getpid(), s)
	}
}

// isNullDevice reports whether info is the null device: /dev/null itself or any node
// with its device number (a second name for the same discarding device).
func isNullDevice(info os.FileInfo) bool {
	if info == nil || info.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	if err != nil {
		return false
	}
	a, ok1 := info.Sys().(*syscall.Stat_t)
	b, ok2 := null.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && a.Rdev == b.Rdev
}

// openInPlace opens a device or FIFO for writing without ever blocking in open: a FIFO
// nobody reads fails at once (ENXIO) instead of waiting forever, and a terminal does not
// become the controlling terminal. Writes then block as usual.
func openInPlace(path, label string, info os.FileInfo) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		if info.Mode()&os.ModeNamedPipe != 0 && errors.Is(err, syscall.ENXIO) {
			return nil, fmt.Errorf("nobody is reading FIFO %s: start its reader first (for instance aplay %s), or write to a file", label, path)
		}
		return nil, fmt.Errorf("%s: %w", label, unwrapPathError(err))
	}
	// Blocking writes: a slow reader makes the writer wait, never fail with EAGAIN
	// (on systems where the poller does not take FIFOs or devices).
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), false) })
	}
	return f, nil
}

// writable reports whether this process may write the existing file at path: a file its
// owner made read-only is refused rather than replaced behind their back.
func writable(path string) bool {
	const wOK = 2 // W_OK
	return syscall.Access(path, wOK) == nil
}

// keepOwner gives the new file the owner and group of the one it replaces, when this
// process may (root writing into a user's directory); otherwise it stays ours.
func keepOwner(f *os.File, old os.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if int(st.Uid) != os.Geteuid() || int(st.Gid) != os.Getegid() {
		f.Chown(int(st.Uid), int(st.Gid)) // best effort: without the right, the file stays ours
	}
}

// syncDir makes a rename in dir durable; failure only means the rename may be undone by
// a power cut, not that anything is wrong now.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// explainWriteError says what a broken pipe means to someone who wrote into a FIFO.
func explainWriteError(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("the reader of the FIFO went away: %w", err)
	}
	return err
}
