package patches

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// readFile reads a patch file: a regular file, or a pipe (play <(generate-patch)), never
// more than MaxFileSize+1 bytes, so that Parse can tell a file over the limit. A device
// (a link to /dev/zero, a terminal), a directory or a socket is refused before it is
// opened, and a named pipe is opened without waiting for a writer: one nobody writes to
// reads as empty at once instead of hanging.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkKind(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil { // what was opened, if the path changed meanwhile
		return nil, err
	}
	if err := checkKind(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(waitingReader{f}, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) == 0 && fi.Mode().Type() == fs.ModeNamedPipe {
		return nil, errors.New("it is a pipe with nothing written to it (start the program that writes the patch first)")
	}
	return data, nil
}

// checkKind refuses anything but a regular file or a pipe, naming what it is.
func checkKind(path string, fi fs.FileInfo) error {
	what := ""
	switch t := fi.Mode().Type(); {
	case t.IsRegular(), t == fs.ModeNamedPipe:
		return nil
	case t.IsDir():
		return errors.New("it is a directory, not a patch file")
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
	return fmt.Errorf("it is %s, not a patch file: give the path of a .toml file", what)
}

// waitingReader waits while a pipe opened non-blocking is empty but still has a writer.
// Where Go's poller watches pipes (Linux) such a read waits by itself; elsewhere (macOS)
// it fails with EAGAIN, and this retries.
type waitingReader struct{ f *os.File }

func (r waitingReader) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		if !errors.Is(err, syscall.EAGAIN) {
			return n, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
