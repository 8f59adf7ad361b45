package patches

import (
	"io"

	"github.com/separatrix-audio/separatrix/io/infile"
)

// readFile reads a patch file: a regular file, or a pipe (play <(generate-patch)), never
// more than MaxFileSize+1 bytes, so that Parse can tell a file over the limit. A device
// (a link to /dev/zero, a terminal), a directory or a socket is refused before it is
// opened, and a named pipe nobody writes to reads as empty at once instead of hanging
// (package infile).
func readFile(path string) ([]byte, error) { return readTOML(path, "patch", MaxFileSize) }

// readTOML is readFile for any TOML file this package reads: what names its content in
// messages ("patch", "installation"), limit is its longest size.
func readTOML(path, what string, limit int64) ([]byte, error) {
	f, err := infile.Open(path, infile.Expect{Noun: what + " file", Ext: ".toml", Content: what})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if err := f.EmptyPipe(); err != nil {
		return nil, err
	}
	return data, nil
}
