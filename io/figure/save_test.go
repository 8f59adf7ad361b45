package figure

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSaveFollowsSymlinkAndSparesDevices: a figure saved through a symbolic link goes
// to the link's target and the link stays a link; one saved to a device node (a private
// node of /dev/null) is written into it, and the node stays a device.
func TestSaveFollowsSymlinkAndSparesDevices(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "figures", "real.svg")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "fig.svg")
	if err := os.Symlink("figures/real.svg", link); err != nil {
		t.Fatal(err)
	}
	if err := sampleTrace().Save(link, DefaultWidth, DefaultHeight); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a symlink (%v)", link, err)
	}
	if info, err := os.Stat(target); err != nil || info.Size() < 1000 {
		t.Errorf("the link's target did not get the figure (%v)", err)
	}

	if os.Geteuid() != 0 {
		t.Skip("making device nodes needs root")
	}
	dev := filepath.Join(dir, "null.png")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skip("mknod:", err)
	}
	if err := sampleTrace().Save(dev, DefaultWidth, DefaultHeight); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(dev); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device node (%v)", dev, err)
	}
}
