//go:build cgo && !linux

package audio

// silenceLibraries does nothing: only Linux has ALSA, and PortAudio's JACK host API is
// a Linux build option in practice.
func silenceLibraries() int { return 0 }
