package outfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// chdir makes dir the working directory for the rest of the test (relative paths
// are part of what is compared).
func chdir(t *testing.T, dir string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
}

// leftovers lists the temporary files in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making device nodes needs root")
	}
}

// TestCheckRefusesClashes: every way of naming an input or another output twice is
// refused before anything is written, and distinct files pass.
func TestCheckRefusesClashes(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	mustWrite(t, "mine.toml", "patch")
	mustWrite(t, "real/take.mid", "score")
	if err := os.Symlink("real", "linkdir"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("mine.toml", "alias.toml"); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("mine.toml", "hard.toml"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real/new.wav", "dangling.wav"); err != nil {
		t.Fatal(err)
	}
	// sub/../take.mid: the kernel takes ".." after following the link (real/deep/..
	// is real), not lexically (which would give dir/take.mid).
	if err := os.MkdirAll("real/deep", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "real/deep"), "sub"); err != nil {
		t.Fatal(err)
	}
	type decl struct{ name, path string }
	tests := []struct {
		name    string
		inputs  []decl
		outputs []decl
		want    string // part of the error; "" for none
	}{
		{"output is the patch", []decl{{"the patch file", "mine.toml"}}, []decl{{"-o", "mine.toml"}}, "-o mine.toml would overwrite the patch file mine.toml"},
		{"./x and x", []decl{{"the patch file", "./mine.toml"}}, []decl{{"-o", "mine.toml"}}, "would overwrite"},
		{"absolute and relative", []decl{{"--score", filepath.Join(dir, "real/take.mid")}}, []decl{{"-o", "real/take.mid"}}, "would overwrite --score"},
		{"through a symlink", []decl{{"the patch file", "mine.toml"}}, []decl{{"-o", "alias.toml"}}, "would overwrite"},
		{"hard link", []decl{{"the patch file", "mine.toml"}}, []decl{{"-o", "hard.toml"}}, "hard links to one file"},
		{"input through a linked directory", []decl{{"--score", "linkdir/take.mid"}}, []decl{{"-o", "real/take.mid"}}, "would overwrite"},
		{"dot-dot after a link", []decl{{"--score", "real/take.mid"}}, []decl{{"-o", "sub/../take.mid"}}, "would overwrite"},
		{"two outputs", nil, []decl{{"-o", "y.wav"}, {"--midi", "y.wav"}}, "-o y.wav and --midi y.wav are the same file"},
		{"two new outputs through a linked directory", nil, []decl{{"-o", "linkdir/n.wav"}, {"--csv", "real/n.wav"}}, "are the same file"},
		{"dangling link and its target", nil, []decl{{"-o", "dangling.wav"}, {"--midi", "real/new.wav"}}, "are the same file"},
		{"directory", nil, []decl{{"-o", "real"}}, "-o real is a directory"},
		{"null device twice", []decl{{"--score", os.DevNull}}, []decl{{"-o", os.DevNull}, {"--midi", os.DevNull}}, ""},
		{"distinct files", []decl{{"the patch file", "mine.toml"}, {"--score", "real/take.mid"}}, []decl{{"-o", "take.wav"}, {"--midi", "real/take2.mid"}, {"--csv", "linkdir/t.csv"}}, ""},
		{"built-in name not a file", []decl{{"the patch file", "snic"}}, []decl{{"-o", "snic"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fs Files
			for _, d := range tc.inputs {
				fs.Input(d.name, d.path)
			}
			for _, d := range tc.outputs {
				fs.Output(d.name, d.path)
			}
			err := fs.Check()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Check: %v, want no error", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Check passed, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Check: %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
	if got := mustRead(t, "mine.toml"); got != "patch" {
		t.Errorf("mine.toml changed to %q", got)
	}
	if names := leftovers(t, dir); len(names) > 0 {
		t.Errorf("Check left files: %v", names)
	}
}

// TestCheckRefusesSpecialFiles: block devices, sockets and read-only files are never
// written over.
func TestCheckRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	t.Run("socket", func(t *testing.T) {
		path := filepath.Join(dir, "s")
		l, err := net.Listen("unix", path)
		if err != nil {
			t.Skip("no unix sockets:", err)
		}
		defer l.Close()
		var fs Files
		fs.Output("-o", path)
		if err := fs.Check(); err == nil || !strings.Contains(err.Error(), "is a socket") {
			t.Fatalf("Check: %v, want a socket refused", err)
		}
	})
	t.Run("block device", func(t *testing.T) {
		needRoot(t)
		path := filepath.Join(dir, "disk")
		if err := syscall.Mknod(path, syscall.S_IFBLK|0o600, 7<<8); err != nil {
			t.Skip("mknod:", err)
		}
		var fs Files
		fs.Output("-o", path)
		if err := fs.Check(); err == nil || !strings.Contains(err.Error(), "block device") {
			t.Fatalf("Check: %v, want a block device refused", err)
		}
	})
	t.Run("read-only file", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root may write any file")
		}
		path := filepath.Join(dir, "kept.wav")
		mustWrite(t, path, "keep me")
		os.Chmod(path, 0o444)
		var fs Files
		fs.Output("-o", path)
		if err := fs.Check(); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("Check: %v, want a read-only file refused", err)
		}
	})
}

// TestRegularFileAtomic: the target changes only at Commit, keeps its mode, and an
// Abort (or a failure) leaves it as it was with no temporary file.
func TestRegularFileAtomic(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "take.wav")
	mustWrite(t, target, "old take")
	if err := os.Chmod(target, 0o640); err != nil {
		t.Fatal(err)
	}
	for _, commit := range []bool{false, true} {
		var fs Files
		out := fs.Output("-o", target)
		f, err := out.Create()
		if err != nil {
			t.Fatal(err)
		}
		if f.InPlace() || !f.Seekable() {
			t.Fatalf("a regular file: InPlace %v, Seekable %v", f.InPlace(), f.Seekable())
		}
		io.WriteString(f, "new take")
		if got := mustRead(t, target); got != "old take" {
			t.Fatalf("target is %q before Commit", got)
		}
		if names := leftovers(t, dir); len(names) != 1 || !strings.Contains(names[0], ".take.wav.") {
			t.Fatalf("want one temporary file beside the target, have %v", names)
		}
		want := "old take"
		if commit {
			if err := fs.Commit(); err != nil {
				t.Fatal(err)
			}
			want = "new take"
		}
		fs.Abort() // deferred in real use: after Commit it does nothing
		if got := mustRead(t, target); got != want {
			t.Errorf("commit %v: target is %q, want %q", commit, got, want)
		}
		if names := leftovers(t, dir); len(names) > 0 {
			t.Errorf("commit %v: left %v", commit, names)
		}
	}
	info, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after Commit, want the old file's 0640", info.Mode().Perm())
	}
}

// TestNewFileInNewDirectory: missing directories are made when MakeDirs asks for it,
// and are an error otherwise; the new file gets the usual mode of a created file.
func TestNewFileInNewDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "a", "b", "x.csv")
	err := WriteFile(target, func(w io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "the directory "+filepath.Join(dir, "a", "b")+" does not exist") {
		t.Fatalf("WriteFile in a missing directory: %v", err)
	}
	fs := Files{MakeDirs: true}
	f, err := fs.Output("--csv", target).Create()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "t,v\n")
	if err := fs.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, target); got != "t,v\n" {
		t.Errorf("got %q", got)
	}
	// The mode os.Create gives under this umask.
	ref := filepath.Join(dir, "ref")
	if f, err := os.Create(ref); err == nil {
		f.Close()
	}
	info, err := os.Stat(target)
	want, err2 := os.Stat(ref)
	if err != nil || err2 != nil || info.Mode() != want.Mode() {
		t.Errorf("mode %v, want %v as os.Create makes it (%v %v)", info.Mode(), want.Mode(), err, err2)
	}
}

// TestWriteFileFailureKeepsTarget: a failed write leaves the old file and no temporary.
func TestWriteFileFailureKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "fig.png")
	mustWrite(t, target, "old figure")
	boom := errors.New("drawing failed")
	err := WriteFile(target, func(w io.Writer) error {
		io.WriteString(w, "half a figure")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteFile: %v, want the write's error", err)
	}
	if got := mustRead(t, target); got != "old figure" {
		t.Errorf("target is %q", got)
	}
	if names := leftovers(t, dir); len(names) > 0 {
		t.Errorf("left %v", names)
	}
}

// TestSymlinkFollowed: writing through a link (also a relative one, a chain, and one
// whose target does not exist yet) replaces the target's content; the link stays a link
// with the same text, and no temporary file is left in either directory.
func TestSymlinkFollowed(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	mustWrite(t, "takes/real.wav", "old")
	for _, l := range []struct{ link, text string }{
		{"rel.wav", "takes/real.wav"},
		{"abs.wav", filepath.Join(dir, "takes/real.wav")},
		{"chain.wav", "rel.wav"},
		{"dangling.wav", "takes/new.wav"},
	} {
		if err := os.Symlink(l.text, l.link); err != nil {
			t.Fatal(err)
		}
		content := "via " + l.link
		if err := WriteFile(l.link, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
			t.Fatalf("%s: %v", l.link, err)
		}
		info, err := os.Lstat(l.link)
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symlink (%v, %v)", l.link, info.Mode(), err)
		}
		if text, _ := os.Readlink(l.link); text != l.text {
			t.Errorf("%s now points to %q, want %q", l.link, text, l.text)
		}
		if got := mustRead(t, l.link); got != content {
			t.Errorf("%s: target holds %q, want %q", l.link, got, content)
		}
	}
	if names := append(leftovers(t, dir), leftovers(t, filepath.Join(dir, "takes"))...); len(names) > 0 {
		t.Errorf("left %v", names)
	}
}

// TestCharDeviceWrittenInPlace: a device node (a private copy of /dev/null, made in a
// temporary directory) is written directly and is still a device node afterwards.
func TestCharDeviceWrittenInPlace(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "null")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skip("mknod:", err)
	}
	var fs Files
	f, err := fs.Output("-o", path).Create()
	if err != nil {
		t.Fatal(err)
	}
	if !f.InPlace() {
		t.Error("a device is not written in place")
	}
	if _, err := io.WriteString(f, "into the void"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Commit(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is now %v, want the character device", path, info.Mode())
	}
	if names := leftovers(t, dir); len(names) > 0 {
		t.Errorf("left %v", names)
	}
	// The null device (any node of it) may be several outputs at once.
	fs = Files{}
	fs.Output("-o", path)
	fs.Output("--midi", os.DevNull)
	fs.Output("--csv", path)
	if err := fs.Check(); err != nil {
		t.Errorf("null device twice: %v", err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
}

// TestFIFONobodyReading: a FIFO without a reader is an error at once, never a hang, and
// stays a FIFO.
func TestFIFONobodyReading(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipe")
	mkfifo(t, path)
	done := make(chan error, 1)
	go func() {
		var fs Files
		_, err := fs.Output("-o", path).Create()
		fs.Abort()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "nobody is reading FIFO -o "+path) {
			t.Fatalf("Create: %v, want nobody is reading FIFO", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Create hangs on a FIFO nobody reads")
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is gone or replaced: %v %v", info.Mode(), err)
	}
}

// TestFIFOWithReader: a FIFO someone reads is written in place as a stream: not
// seekable, everything written arrives, and it stays a FIFO.
func TestFIFOWithReader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipe")
	mkfifo(t, path)
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var fs Files
	f, err := fs.Output("-o", path).Create()
	if err != nil {
		t.Fatal(err)
	}
	if !f.InPlace() || f.Seekable() {
		t.Errorf("FIFO: InPlace %v, Seekable %v; want true, false", f.InPlace(), f.Seekable())
	}
	// More than a pipe buffer (64 KiB): the writer must wait for the reader, not fail.
	payload := bytes.Repeat([]byte("0123456789abcdef"), 32<<10)
	got := make(chan []byte, 1)
	go func() {
		syscall.SetNonblock(int(r.Fd()), false)
		b, _ := io.ReadAll(r)
		got <- b
	}()
	if _, err := f.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := fs.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, payload) {
			t.Errorf("reader got %d bytes, want %d", len(b), len(payload))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reader never saw the end of the stream")
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is gone or replaced: %v %v", info.Mode(), err)
	}
}

// TestSummary: the line after an Abort says what became of each output.
func TestSummary(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	mustWrite(t, "old.wav", "old")
	var fs Files
	a := fs.Output("-o", "old.wav")
	fs.Output("--midi", "new.mid")
	if _, err := a.Create(); err != nil {
		t.Fatal(err)
	}
	fs.Abort()
	if got, want := fs.Summary(), "old.wav unchanged, new.mid not created"; got != want {
		t.Errorf("Summary %q, want %q", got, want)
	}
}

// TestProcMagicLink: a link into /proc/self/fd (what /dev/stdout is) leads to a pipe
// whose "path" (pipe:[1234]) is no path: the pipe is written in place, as a stream.
func TestProcMagicLink(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd/0"); err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	link := filepath.Join(t.TempDir(), "stdout")
	if err := os.Symlink(fmt.Sprintf("/proc/self/fd/%d", w.Fd()), link); err != nil {
		t.Fatal(err)
	}
	var fs Files
	f, err := fs.Output("-o", link).Create()
	if err != nil {
		t.Fatal(err)
	}
	if !f.InPlace() || f.Seekable() {
		t.Errorf("a pipe: InPlace %v, Seekable %v; want true, false", f.InPlace(), f.Seekable())
	}
	io.WriteString(f, "through the pipe")
	if err := fs.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if b, _ := io.ReadAll(r); string(b) != "through the pipe" {
		t.Errorf("the pipe carried %q", b)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (%v)", err)
	}
}

// TestSymlinkLoop: a loop of links is an error that says so, before anything is written.
func TestSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	os.Symlink(b, a)
	os.Symlink(a, b)
	var fs Files
	fs.Output("-o", a)
	if err := fs.Check(); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("Check: %v, want a loop reported", err)
	}
}
