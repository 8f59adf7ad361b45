package outfile

import (
	"context"
	"os"
	"os/signal"
	"sync"
)

// The guard removes temporary files when SIGINT, SIGTERM or SIGHUP arrives. It listens
// only while some set has temporary files (or waits for a signal through
// Interruptible), so a program that writes nothing keeps the default behaviour of
// those signals, and one started with SIGHUP ignored (nohup) keeps ignoring it.
var guard struct {
	mu        sync.Mutex
	sets      map[*Files]struct{} // sets with temporary files or an Interruptible context
	sigs      chan os.Signal
	listening bool
}

// signalMode is what a set's temporary files do when a signal arrives.
type signalMode uint8

const (
	removeOnSignal signalMode = iota // remove them and let the signal end the program
	leaveToCaller                    // nothing: the caller handles signals and commits or aborts
)

// Interrupted is the cause of the cancellation of a context returned by
// Files.Interruptible (see context.Cause).
type Interrupted struct {
	Signal os.Signal
}

func (e *Interrupted) Error() string { return "interrupted by " + signalName(e.Signal) }

// ExitCode is the exit status a shell expects of a program ended by the signal: 128 plus
// its number (130 for SIGINT), or 1 where signals have no numbers.
func (e *Interrupted) ExitCode() int { return exitCode(e.Signal) }

// Interruptible returns a copy of parent that the first SIGINT, SIGTERM or SIGHUP
// cancels, with an *Interrupted as its cause, instead of ending the program: the command
// stops its work, calls Abort (or Commit) and reports what it did. A second signal does
// what a signal does to a set without Interruptible: the temporary files are removed and
// the signal takes its course. Call stop when the work is over; it releases the signal
// handler and cancels the context.
func (fs *Files) Interruptible(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	guard.mu.Lock()
	fs.cancel = cancel
	fs.updateGuardLocked()
	guard.mu.Unlock()
	return ctx, func() {
		guard.mu.Lock()
		fs.cancel = nil
		fs.updateGuardLocked()
		guard.mu.Unlock()
		cancel(context.Canceled)
	}
}

// updateGuardLocked registers or forgets fs and starts or stops listening for signals.
// The caller holds guard.mu.
func (fs *Files) updateGuardLocked() {
	if guard.sets == nil {
		guard.sets = map[*Files]struct{}{}
	}
	if fs.temps > 0 || fs.cancel != nil {
		guard.sets[fs] = struct{}{}
	} else {
		delete(guard.sets, fs)
	}
	want := false
	for s := range guard.sets {
		if s.cancel != nil || (s.temps > 0 && s.mode == removeOnSignal) {
			want = true
			break
		}
	}
	if want == guard.listening {
		return
	}
	if want {
		if guard.sigs == nil {
			guard.sigs = make(chan os.Signal, 4)
			go watchSignals()
		}
		var sigs []os.Signal
		for _, s := range interruptions {
			if !signal.Ignored(s) {
				sigs = append(sigs, s)
			}
		}
		signal.Notify(guard.sigs, sigs...)
	} else {
		signal.Stop(guard.sigs)
	}
	guard.listening = want
}

func watchSignals() {
	for sig := range guard.sigs {
		guard.mu.Lock()
		var cancels []func()
		// A signal read after the last file went away was not handled by anyone here:
		// pass it on.
		end := !guard.listening
		for s := range guard.sets {
			switch {
			case end:
			case s.cancel != nil && !s.interrupted:
				s.interrupted = true
				cancel, cause := s.cancel, &Interrupted{Signal: sig}
				cancels = append(cancels, func() { cancel(cause) })
			case s.temps > 0 && s.mode == removeOnSignal, s.interrupted:
				end = true
			}
		}
		if !end {
			guard.mu.Unlock()
			for _, c := range cancels {
				c() // outside the lock: a context's AfterFunc may call back into this package
			}
			continue
		}
		// The program ends: no temporary file may outlive it.
		for s := range guard.sets {
			s.removeTempsLocked(sig)
		}
		if guard.listening {
			signal.Stop(guard.sigs)
			guard.listening = false
		}
		guard.mu.Unlock()
		raise(sig)
	}
}
