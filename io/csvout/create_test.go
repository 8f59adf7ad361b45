package csvout

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCreateKeepsOldTableUntilClose: the old table is whole until Close puts the new
// one in its place, through a symbolic link that stays a link.
func TestCreateKeepsOldTableUntilClose(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.csv")
	link := filepath.Join(dir, "link.csv")
	if err := os.WriteFile(real, []byte("old\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.csv", link); err != nil {
		t.Fatal(err)
	}
	w, err := Create(link, []string{"t", "v"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 { // more than the buffer: some rows reach the disk before Close
		if err := w.Row([]float64{float64(i), 0.5}); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(real); string(b) != "old\n1\n" {
		t.Fatalf("the old table changed before Close: %.20q...", b)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if want := "t,v\n0,0.5\n"; string(b[:len(want)]) != want {
		t.Errorf("new table starts %q, want %q", b[:len(want)], want)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symlink", link)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmp) > 0 {
		t.Errorf("left %v", tmp)
	}
}
