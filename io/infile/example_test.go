//go:build unix

package infile_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/separatrix-audio/separatrix/io/infile"
)

// Read a patch file, at most 2 MiB of it; a link to a device is refused unread.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "infile")
	defer os.RemoveAll(dir)
	link := filepath.Join(dir, "mine.toml")
	os.Symlink(os.DevNull, link)

	f, err := infile.Open(link, infile.Expect{Noun: "patch file", Ext: ".toml", Content: "patch"})
	if err != nil {
		fmt.Println("mine.toml:", err)
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 2<<20))
	fmt.Println(len(data))
	// Output:
	// mine.toml: it is a device (/dev/null), not a patch file: give the path of a .toml file
}
