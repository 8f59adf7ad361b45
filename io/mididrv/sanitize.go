package mididrv

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNoALSASequencer: Linux without the ALSA sequencer (no sound support in the
// kernel, or the snd-seq module not loaded), so rtmidi cannot work.
var ErrNoALSASequencer = errors.New("the ALSA sequencer is not available (no /dev/snd/seq)")

// sanitize turns an error from rtmididrv into one fit to show. RtMidi's C wrapper
// returns the text of an exception it has already freed, so the text is often garbage
// bytes; it is never shown. seq is alsaSequencer's verdict: when the sequencer is
// missing, that is the cause, whatever the text says.
func sanitize(err error, seq error) error {
	if err == nil {
		return nil
	}
	if seq != nil {
		return seq
	}
	// rtmididrv puts readable context in front ("can't open MIDI in port 0 (X): "):
	// keep the readable segments up to the first that is not.
	segs := strings.Split(err.Error(), ": ")
	keep := 0
	for keep < len(segs) && readable(segs[keep]) {
		keep++
	}
	if keep == len(segs) {
		return errors.New("rtmidi: " + err.Error())
	}
	if keep == 0 {
		return errors.New("rtmidi: the MIDI system failed, and RtMidi's error message was unreadable")
	}
	return errors.New("rtmidi: " + strings.Join(segs[:keep], ": ") + ": (RtMidi's error message was unreadable)")
}

// readable reports whether s looks like text: valid UTF-8, printable, and with a
// word of three letters or more in it. Freed memory rarely passes.
func readable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	run, word := 0, false
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return false
		}
		if unicode.IsLetter(r) {
			run++
			if run >= 3 {
				word = true
			}
		} else {
			run = 0
		}
	}
	return word
}
