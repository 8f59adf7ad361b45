package infile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Expect names what the caller reads, for messages: Noun "patch file", Ext ".toml",
// Content "patch" give "it is a device (/dev/zero), not a patch file: give the path of a
// .toml file" and "it is a pipe with nothing written to it (start the program that
// writes the patch first)".
type Expect struct{ Noun, Ext, Content string }

// File is an open input: a Reader that waits while a pipe's writer has not written
// yet (where the system reports EAGAIN for it) and counts what it read.
type File struct {
	f    *os.File
	want Expect
	pipe bool
	n    int64
}

// Open opens path for reading if it is a regular file or a pipe. Errors do not repeat
// the path: the caller puts it in front.
func Open(path string, want Expect) (*File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkKind(path, fi, want); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil { // what was opened, if the path changed meanwhile
		f.Close()
		return nil, err
	}
	if err := checkKind(path, fi, want); err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, want: want, pipe: fi.Mode().Type() == fs.ModeNamedPipe}, nil
}

// checkKind refuses anything but a regular file or a pipe, naming what it is.
func checkKind(path string, fi fs.FileInfo, want Expect) error {
	what := ""
	switch t := fi.Mode().Type(); {
	case t.IsRegular(), t == fs.ModeNamedPipe:
		return nil
	case t.IsDir():
		return fmt.Errorf("it is a directory, not a %s", want.Noun)
	case t&fs.ModeDevice != 0:
		what = "a device"
	case t == fs.ModeSocket:
		what = "a socket"
	default:
		what = "not a regular file"
	}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		what += " (" + real + ")"
	}
	return fmt.Errorf("it is %s, not a %s: give the path of a %s file", what, want.Noun, want.Ext)
}

// Read reads from the file. Where Go's poller watches pipes (Linux) a read of an empty
// pipe with a writer waits by itself; elsewhere (macOS) it fails with EAGAIN, and Read
// retries.
func (f *File) Read(p []byte) (int, error) {
	for {
		n, err := f.f.Read(p)
		if f.n += int64(n); !errors.Is(err, syscall.EAGAIN) {
			return n, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// EmptyPipe returns an error if the file is a pipe from which nothing was read (nobody
// writes to it), else nil.
func (f *File) EmptyPipe() error {
	if !f.pipe || f.n > 0 {
		return nil
	}
	return fmt.Errorf("it is a pipe with nothing written to it (start the program that writes the %s first)", f.want.Content)
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }
