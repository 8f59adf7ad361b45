//go:build !cgo

package audio

// Without cgo there is no PortAudio: every device function reports ErrNoDevice, and
// OpenClock is the only stream.

var errNoCgo = &noDevice{"audio: " + ErrNoDevice.Error() + ": this program was built without cgo, so without PortAudio"}

// Initialize reports that this build has no audio device support.
func Initialize() error { return errNoCgo }

// Terminate does nothing.
func Terminate() error { return nil }

// List reports that this build has no audio device support.
func List() ([]HostAPI, error) { return nil, errNoCgo }

// Reopen reports that this build has no audio device support.
func Reopen(cfg Config, p Process) (Stream, error) { return Open(cfg, p) }

// Open reports that this build has no audio device support.
func Open(cfg Config, p Process) (Stream, error) {
	if p == nil {
		panic("audio: Open with a nil Process")
	}
	if err := cfg.WithDefaults().check(); err != nil {
		return nil, err
	}
	return nil, errNoCgo
}
