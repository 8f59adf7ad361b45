//go:build !linux

package mididrv

// alsaSequencer: there is no ALSA to check outside Linux.
func alsaSequencer() error { return nil }
