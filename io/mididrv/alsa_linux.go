package mididrv

import (
	"fmt"
	"os"
	"syscall"
)

// alsaSeqPath is the ALSA sequencer device; tests point it elsewhere.
var alsaSeqPath = "/dev/snd/seq"

// alsaSequencer says why rtmidi cannot use the ALSA sequencer, or nil if it can. Checking first keeps RtMidi's failure, its garbled error
// text and ALSA's stderr lines from happening at all.
func alsaSequencer() error {
	if _, err := os.Stat(alsaSeqPath); err != nil {
		return ErrNoALSASequencer
	}
	if err := syscall.Access(alsaSeqPath, 6 /* R_OK|W_OK */); err != nil {
		return fmt.Errorf("cannot use the ALSA sequencer %s: %w (is this user in the audio group?)", alsaSeqPath, err)
	}
	return nil
}
