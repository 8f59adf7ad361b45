//go:build !unix

package outfile

import (
	"fmt"
	"os"
)

var interruptions = []os.Signal{os.Interrupt}

func signalName(sig os.Signal) string { return sig.String() }

func exitCode(os.Signal) int { return 1 }

// raise cannot send a signal to this process here: leave the way a dying program does.
func raise(sig os.Signal) { os.Exit(exitCode(sig)) }

func isNullDevice(info os.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return info != nil && err == nil && os.SameFile(info, null)
}

func openInPlace(path, label string, info os.FileInfo) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, unwrapPathError(err))
	}
	return f, nil
}

func writable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().Perm()&0o200 != 0
}

func keepOwner(*os.File, os.FileInfo) {}

func syncDir(string) {}

func explainWriteError(err error) error { return err }
