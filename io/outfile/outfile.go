package outfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files is the set of files one command reads and writes. Declare every input and
// output, Check the set, Create the outputs, write them, then Commit (or Abort). The
// zero value is an empty set ready for use; a set is used by one goroutine.
type Files struct {
	// MakeDirs has Create make the missing directories on the way to an output's
	// target, as a command line tool does for "-o out/take.wav"; otherwise a missing
	// directory is an error.
	MakeDirs bool

	inputs  []entry
	outputs []*Output
	checked bool

	// Guarded by guard.mu: the signal handler reads them.
	mode        signalMode
	cancel      context.CancelCauseFunc // set by Interruptible
	interrupted bool
	temps       int // temporary files on disk
}

// Input declares a file the command reads, named in messages by name (for instance
// "--score" or "the patch file"). An empty path, or one where nothing exists (it cannot
// be overwritten), is ignored; so is a built-in name that is not a path, as long as no
// file of that name exists.
func (fs *Files) Input(name, path string) {
	if path == "" {
		return
	}
	e := newEntry(name, path)
	if e.info != nil {
		fs.inputs = append(fs.inputs, e)
	}
	fs.checked = false
}

// Output declares a file the command writes, named in messages by name (for instance
// "-o" or "--midi"; "" names it by its path alone). It returns nil for an empty path, an
// output not asked for.
func (fs *Files) Output(name, path string) *Output {
	if path == "" {
		return nil
	}
	o := &Output{entry: newEntry(name, path), set: fs}
	fs.outputs = append(fs.outputs, o)
	fs.checked = false
	return o
}

// Check makes sure the outputs can be written without losing anything, before anything
// is: no output is one of the inputs or another output (the same file, however the paths
// are written: "./x" and "x", symbolic links, hard links, a directory reached through a
// link), none is a directory, a block device or a socket, and none is a file its owner
// made read-only. The null device may be named any number of times. The error names the
// flags and paths at fault and says what to do.
func (fs *Files) Check() error {
	for i, o := range fs.outputs {
		if o.err != nil {
			return fmt.Errorf("%s: %w", o.label(), o.err)
		}
		if err := kindProblem(&o.entry); err != nil {
			return err
		}
		if o.info != nil && o.info.Mode().IsRegular() && !writable(o.resolved) {
			return fmt.Errorf("%s is read-only: make it writable (chmod u+w %s) or choose another output file", o.label(), o.path)
		}
		if isNullDevice(o.info) {
			continue // writing it twice, or over an input, loses nothing
		}
		for j := range fs.inputs {
			in := &fs.inputs[j]
			if sameFile(&o.entry, in) {
				return fmt.Errorf("%s would overwrite %s%s, which this command reads: choose another output file",
					o.label(), in.label(), how(&o.entry, in))
			}
		}
		for _, p := range fs.outputs[:i] {
			if sameFile(&o.entry, &p.entry) {
				return fmt.Errorf("%s and %s are the same file%s: give each output its own file",
					p.label(), o.label(), how(&p.entry, &o.entry))
			}
		}
	}
	fs.checked = true
	return nil
}

// kindProblem refuses what must never be written over.
func kindProblem(e *entry) error {
	if e.info == nil {
		return nil
	}
	m := e.info.Mode()
	switch {
	case m.IsRegular(), m&fs.ModeCharDevice != 0, m&fs.ModeNamedPipe != 0:
		return nil
	case m.IsDir():
		return fmt.Errorf("%s is a directory: give the name of a file in it", e.label())
	case m&fs.ModeDevice != 0:
		return fmt.Errorf("%s is a block device (a disk or a partition): refusing to write over it", e.label())
	case m&fs.ModeSocket != 0:
		return fmt.Errorf("%s is a socket: give a file, a FIFO or a device such as %s", e.label(), os.DevNull)
	}
	return fmt.Errorf("%s is neither a file, a FIFO nor a character device (%v): refusing to write over it", e.label(), m.Type())
}

// Commit makes every created output final: temporary files are flushed to disk, closed
// and renamed over their targets, outputs written in place are closed. The flushing,
// where a full disk shows, is done for all of them before the first rename, so a failure
// there changes no target. On an error the outputs not yet committed are aborted.
func (fs *Files) Commit() error {
	for _, o := range fs.outputs {
		if o.file != nil {
			if err := o.file.finish(); err != nil {
				fs.Abort()
				return err
			}
		}
	}
	var done []string
	for _, o := range fs.outputs {
		if o.file == nil {
			continue
		}
		if err := o.file.rename(); err != nil {
			fs.Abort()
			if len(done) > 0 {
				err = fmt.Errorf("%w (%s already written)", err, strings.Join(done, ", "))
			}
			return err
		}
		done = append(done, o.path)
	}
	return nil
}

// Abort removes every temporary file, leaving each target as it was, and closes the
// outputs written in place. It may be called more than once and after Commit (a deferred
// Abort), when it does nothing.
func (fs *Files) Abort() {
	for _, o := range fs.outputs {
		if o.file != nil {
			o.file.Abort()
		}
	}
}

// Summary says what became of each output after an Abort, for the line that reports the
// failure: "out.wav unchanged, out.mid not created, /dev/null written in place".
func (fs *Files) Summary() string {
	var parts []string
	for _, o := range fs.outputs {
		switch {
		case o.file != nil && o.file.temp == "":
			parts = append(parts, o.path+" written in place")
		case o.file != nil && o.file.state == committed:
			parts = append(parts, o.path+" written")
		case o.info != nil && o.info.Mode().IsRegular():
			parts = append(parts, o.path+" unchanged")
		case o.info != nil:
		default:
			parts = append(parts, o.path+" not created")
		}
	}
	return strings.Join(parts, ", ")
}

// Output is one declared output of a Files set.
type Output struct {
	entry
	set  *Files
	file *File
}

// Path is the path as given.
func (o *Output) Path() string { return o.path }

// Create opens the output for writing, checking the set first if Check has not run.
// A regular file, or a path where nothing exists yet, gets a temporary file beside its
// target (the file a symbolic link leads to, so the link stays a link), with the mode
// and owner of the file it will replace; the target changes only at Commit. A character
// device or a FIFO is opened and written in place: it is never replaced by a regular
// file, and a FIFO that nobody reads is an error at once, never a hang. Missing
// directories on the way to the target are made if the set's MakeDirs says so.
func (o *Output) Create() (*File, error) {
	if o == nil {
		panic("outfile: Create of a nil Output (an output declared with an empty path)")
	}
	set := o.set
	if !set.checked {
		if err := set.Check(); err != nil {
			return nil, err
		}
	}
	if o.file != nil {
		return nil, fmt.Errorf("%s: Create called twice", o.label())
	}
	// Look again: the target may have changed since Check.
	info, err := os.Stat(o.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", o.label(), unwrapPathError(err))
	}
	if err == nil && !info.Mode().IsRegular() {
		e := o.entry
		e.info = info
		if err := kindProblem(&e); err != nil {
			return nil, err
		}
		f, err := openInPlace(o.path, o.label(), info)
		if err != nil {
			return nil, err
		}
		o.file = &File{out: o, f: f, target: o.path, seekable: canSeek(f)}
		return o.file, nil
	}
	if err != nil {
		info = nil
	}
	if o.resolved == "" { // it was a device when declared, and its path does not resolve
		return nil, fmt.Errorf("%s: cannot tell which file this path leads to", o.label())
	}
	dir := filepath.Dir(o.resolved)
	if set.MakeDirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("%s: cannot make its directory: %w", o.label(), unwrapPathError(err))
		}
	} else if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: the directory %s does not exist", o.label(), dir)
	}
	guard.mu.Lock()
	defer guard.mu.Unlock()
	// Listen for signals before the temporary file exists, so none can leave it behind.
	set.temps++
	set.updateGuardLocked()
	f, temp, err := createTemp(dir, filepath.Base(o.resolved))
	if err != nil {
		set.temps--
		set.updateGuardLocked()
		return nil, fmt.Errorf("%s: cannot create a temporary file in %s: %w", o.label(), dir, unwrapPathError(err))
	}
	if info != nil {
		// The temporary file was created with the usual mode (0666 less the umask); the
		// new version keeps the old one's.
		f.Chmod(info.Mode().Perm())
		keepOwner(f, info)
	}
	o.file = &File{out: o, f: f, temp: temp, target: o.resolved, seekable: true}
	return o.file, nil
}

// createTemp creates a new file in dir named after base and this process:
// ".take.wav.PID.tmp", or ".take.wav.PID-2.tmp" if that exists (left by a killed
// process that had the same number).
func createTemp(dir, base string) (*os.File, string, error) {
	const maxBase = 200 // leave room for the suffix within the usual 255-byte name limit
	if len(base) > maxBase {
		base = base[:maxBase]
	}
	var err error
	for i := 1; i <= 100; i++ {
		suffix := fmt.Sprintf("%d", os.Getpid())
		if i > 1 {
			suffix += fmt.Sprintf("-%d", i)
		}
		name := filepath.Join(dir, "."+base+"."+suffix+".tmp")
		var f *os.File
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	return nil, "", err
}

func canSeek(f *os.File) bool {
	_, err := f.Seek(0, io.SeekCurrent)
	return err == nil
}

type fileState uint8

const (
	open      fileState = iota
	finished            // flushed and closed, not yet renamed
	committed           // the target holds the new content
	aborted
)

// File is an output being written: a temporary file that becomes the target at Commit,
// or a device or FIFO written in place. It is an io.WriteSeeker; Seek fails on a FIFO or
// a terminal (see Seekable).
type File struct {
	out      *Output
	f        *os.File
	temp     string // "" when written in place
	target   string
	seekable bool

	state     fileState // guarded by guard.mu once the file exists
	removedBy os.Signal // the signal whose handler removed the temporary file
}

// Name is the path of the output as given (never the temporary file's).
func (f *File) Name() string { return f.out.path }

// InPlace reports whether the output is written in place (a device or a FIFO), so
// that what is written cannot be taken back.
func (f *File) InPlace() bool { return f.temp == "" }

// Seekable reports whether Seek works: true for files and for devices such as
// /dev/null, false for a FIFO or a terminal, where a format with a header to patch must
// be written as a stream.
func (f *File) Seekable() bool { return f.seekable }

// Write writes to the temporary file or the device. Errors do not name the temporary
// file: the caller names the output (see Name).
func (f *File) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	if err != nil {
		err = explainWriteError(unwrapPathError(err))
	}
	return n, err
}

// Seek sets the offset of the next Write.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	n, err := f.f.Seek(offset, whence)
	return n, unwrapPathError(err)
}

// finish flushes a temporary file to disk and closes it, or closes an output written in
// place.
func (f *File) finish() error {
	guard.mu.Lock()
	state, sig := f.state, f.removedBy
	guard.mu.Unlock()
	switch {
	case sig != nil:
		return fmt.Errorf("%s: not written: interrupted by %s", f.Name(), signalName(sig))
	case state == aborted:
		return fmt.Errorf("%s: not written: the output was aborted", f.Name())
	case state != open:
		return nil
	}
	var err error
	if f.temp != "" {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.Abort()
		return fmt.Errorf("%s: writing failed: %w", f.Name(), unwrapPathError(err))
	}
	guard.mu.Lock()
	f.state = finished
	if f.temp == "" {
		f.state = committed
	}
	guard.mu.Unlock()
	return nil
}

// rename puts a finished temporary file in place of its target.
func (f *File) rename() error {
	guard.mu.Lock()
	if f.state != finished {
		guard.mu.Unlock()
		return nil
	}
	err := os.Rename(f.temp, f.target)
	if err == nil {
		f.state = committed
		f.out.set.temps--
		f.out.set.updateGuardLocked()
	}
	guard.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: cannot put the new file in place: %w", f.Name(), unwrapPathError(err))
	}
	syncDir(filepath.Dir(f.target))
	return nil
}

// Commit makes this output final (see Files.Commit, which commits all of a set's).
func (f *File) Commit() error {
	if err := f.finish(); err != nil {
		return err
	}
	return f.rename()
}

// Abort removes the temporary file, leaving the target as it was, or closes the device
// or FIFO. It does nothing after Commit or a first Abort.
func (f *File) Abort() {
	guard.mu.Lock()
	defer guard.mu.Unlock()
	switch f.state {
	case open:
		f.f.Close()
	case committed, aborted:
		return
	}
	if f.temp != "" && f.removedBy == nil {
		os.Remove(f.temp)
		f.out.set.temps--
		f.out.set.updateGuardLocked()
	}
	f.state = aborted
}

// removeTempsLocked removes every temporary file of the set that is still on disk: the
// program is about to die of sig. The caller holds guard.mu.
func (fs *Files) removeTempsLocked(sig os.Signal) {
	for _, o := range fs.outputs {
		f := o.file
		if f == nil || f.temp == "" || f.removedBy != nil || f.state == committed || f.state == aborted {
			continue
		}
		os.Remove(f.temp)
		f.removedBy = sig
		fs.temps--
	}
	fs.updateGuardLocked()
}

// Create opens one output on its own, with the same handling of links, devices and FIFOs
// as Output.Create but no inputs to compare with and no signal handling: the caller
// decides what a signal means and calls Commit or Abort (a recording stopped by Ctrl-C
// is kept). A signal that ends the program through a Files set still removes its
// temporary file.
func Create(path string) (*File, error) {
	set := &Files{mode: leaveToCaller}
	return set.Output("", path).Create()
}

// WriteFile writes one output with write and commits it, or leaves the target as it was
// if write fails or a signal ends the program meanwhile. Writes are buffered.
func WriteFile(path string, write func(w io.Writer) error) error {
	var set Files
	f, err := set.Output("", path).Create()
	if err != nil {
		return err
	}
	defer set.Abort()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return set.Commit()
}
