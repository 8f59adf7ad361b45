// Package midifile reads Standard MIDI Files into timed scores and writes the engine's
// MIDI output as one, on top of gitlab.com/gomidi/midi/v2/smf.
//
// # Reading
//
// ReadScore and ParseScore turn a format 0 or format 1 file into a Score: the channel
// voice messages of all tracks (note on and off, control change, pitch bend, program
// change, channel and poly aftertouch) merged into one list, sorted stably by time, with
// their times in seconds. The tempo map (every Set Tempo event, in any track) is applied
// segment by segment, each time computed from whole ticks and microseconds, so a file
// written with one tick per sample reads back on the exact sample. Files with SMPTE
// division (24, 25, 29.97 and 30 frames per second) are timed in frames and subframes,
// tempo events ignored; gomidi itself cannot time them. A note-on of velocity 0 is kept as it is; consumers treat it as a note-off.
// System exclusive and meta events other than tempo are dropped.
//
// Before gomidi sees a file, the package walks its chunks and events itself and checks
// every length against the bytes present, so a truncated or garbage file is an error
// that names the file and the byte where it goes wrong, never a panic or a huge
// allocation. Unknown chunks and anything after a track's End of Track are skipped,
// and tracks beyond the count in the header are read. Format 2 files (independent
// sequences) are refused.
//
// # Writing
//
// A Writer collects messages stamped with engine frames (midimap.Timed) and writes them
// as a format 0 file whose ticks are samples: the file says 120 beats per minute (a
// quarter note lasts 500000 µs) and sampleRate/2 ticks per quarter note, 24000 at 48 kHz
// and 22050 at 44.1 kHz, so every message lands on its exact frame. A division cannot
// exceed 32767, so at rates above 65534 Hz (and rates that are not even integers) the
// file uses 24000 ticks per quarter note and each frame is rounded to the nearest tick.
//
// Messages on the same frame keep the order in which they were added. The output
// depends only on the messages, the sample rate and the track name, so the same
// session always gives the same bytes.
package midifile
