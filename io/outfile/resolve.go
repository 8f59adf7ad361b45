package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinks is how many symbolic links one path may pass through, as Linux allows
// (MAXSYMLINKS is 40); more is taken for a loop.
const maxLinks = 40

// resolve returns the absolute path the kernel reaches for path: every symbolic link
// followed, the last component's included, and ".." taken after the link before it, as
// open(2) does (filepath.Clean would take it lexically). The part of the path that does
// not exist yet is appended as written, so a file not yet created is named by where it
// will be created, also through a symlinked directory or a dangling link.
func resolve(path string) (string, error) {
	if path == "" {
		return "", errors.New("empty path")
	}
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		path = wd + string(filepath.Separator) + path
	}
	vol := filepath.VolumeName(path)
	resolved := vol + string(filepath.Separator)
	pending := components(path[len(vol):])
	links := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, c)
		info, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(append([]string{next}, pending...)...), nil
		}
		if err != nil {
			return "", unwrapPathError(err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if links++; links > maxLinks {
			return "", errors.New("too many levels of symbolic links (a loop?)")
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", unwrapPathError(err)
		}
		if filepath.IsAbs(target) {
			v := filepath.VolumeName(target)
			resolved, target = v+string(filepath.Separator), target[len(v):]
		}
		pending = append(components(target), pending...)
	}
	return resolved, nil
}

// components splits a path at its separators (both / and \ on Windows).
func components(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == filepath.Separator })
}

// unwrapPathError drops the "lstat /abs/path:" prefix: messages name the path as the
// user wrote it.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// entry is one declared file: its name in messages (a flag such as "-o", or "the patch
// file"), the path as given, where it resolves and what is there now (nil if nothing).
type entry struct {
	name, path string
	resolved   string
	info       os.FileInfo
	err        error // resolving or inspecting failed
}

func newEntry(name, path string) entry {
	e := entry{name: name, path: path}
	// The kernel's view first: it also follows the "magic" links of /proc, such as
	// /dev/stdout, whose text (pipe:[1234]) is no path.
	info, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		e.err = unwrapPathError(err)
		return e
	}
	e.info = info
	resolved, rerr := resolve(path)
	if info != nil && !info.Mode().IsRegular() {
		e.resolved = resolved // a device, FIFO or directory: opened through path itself
		return e
	}
	if rerr != nil {
		e.err = rerr
		return e
	}
	e.resolved = resolved
	if info != nil {
		if r, err := os.Stat(resolved); err != nil || !os.SameFile(info, r) {
			e.err = fmt.Errorf("cannot tell which file this path leads to (it reaches %s, which is another file)", resolved)
		}
	}
	return e
}

// label is how messages name the entry: "-o out.wav", or "out.wav" without a name.
func (e *entry) label() string {
	if e.name == "" {
		return e.path
	}
	return e.name + " " + e.path
}

// sameFile reports whether a and b are one file: the same inode if both exist (hard
// links, bind mounts, every spelling of the path), else the same resolved path.
func sameFile(a, b *entry) bool {
	if a.info != nil && b.info != nil {
		return os.SameFile(a.info, b.info)
	}
	return a.resolved != "" && a.resolved == b.resolved
}

// how says how two differently written paths come to name one file, for messages.
func how(a, b *entry) string {
	switch {
	case a.path == b.path:
		return ""
	case a.resolved == b.resolved:
		return fmt.Sprintf(" (both lead to %s)", a.resolved)
	}
	return " (hard links to one file)"
}
