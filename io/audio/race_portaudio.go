//go:build cgo && race

package audio

import "github.com/gordonklaus/portaudio"

// The PortAudio binding hands each stream's serial number to C as a pointer
// (unsafe.Pointer(id)). Under -race, checkptr rejects such a pointer below 4096, so the
// second stream a process opened would crash it. Opening a stream with no callback
// fails before that conversion but still uses up a number: use up the first 4096 once.
func init() {
	afterInitialize = func() {
		if skippedIDs {
			return
		}
		skippedIDs = true
		for range 4096 {
			portaudio.OpenStream(portaudio.StreamParameters{})
		}
	}
}

var skippedIDs bool
