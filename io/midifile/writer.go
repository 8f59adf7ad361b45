package midifile

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/outfile"
	"gitlab.com/gomidi/midi/v2/smf"
)

const (
	// FallbackPPQ is the division used when sampleRate/2 is not an integer that fits
	// the 15 bits of an SMF division.
	FallbackPPQ = 24000
	// DefaultTrackName is the name written in the track name meta event.
	DefaultTrackName = "Separatrix"

	maxDelta = 0x0FFFFFFF // the largest delta time an SMF can hold (4-byte VLQ)
)

// Writer collects messages stamped with engine frames and writes them as a Standard
// MIDI File. It is not safe for concurrent use; collect from one goroutine.
type Writer struct {
	rate  float64
	ppq   int
	exact bool // one tick per frame
	name  string
	msgs  []midimap.Timed
	end   int64
}

// NewWriter returns a Writer for messages stamped with frames at sampleRate (Hz). It
// panics if sampleRate is not positive and finite.
func NewWriter(sampleRate float64) *Writer {
	if !(sampleRate > 0 && sampleRate <= math.MaxFloat64) {
		panic(fmt.Sprintf("midifile: NewWriter(%v): the sample rate must be positive", sampleRate))
	}
	w := &Writer{rate: sampleRate, ppq: FallbackPPQ, name: DefaultTrackName}
	if half := sampleRate / 2; half == math.Trunc(half) && half >= 1 && half <= 32767 {
		w.ppq, w.exact = int(half), true
	}
	return w
}

// TicksPerQuarter is the division of the file: sampleRate/2, or FallbackPPQ.
func (w *Writer) TicksPerQuarter() int { return w.ppq }

// SetTrackName sets the text of the track name meta event (DefaultTrackName unless set).
func (w *Writer) SetTrackName(name string) { w.name = name }

// SetLength makes the track last at least until frame (the end of the take), so that a
// player does not stop at the last message.
func (w *Writer) SetLength(frame int64) { w.end = max(w.end, frame) }

// Len is the number of messages added.
func (w *Writer) Len() int { return len(w.msgs) }

// Add appends one message. Messages may come in any order of frames; they are written
// sorted by frame, and those on the same frame in the order they were added. Add panics
// on a negative frame; invalid messages are reported by WriteTo.
func (w *Writer) Add(t midimap.Timed) {
	if t.Frame < 0 {
		panic(fmt.Sprintf("midifile: Add at frame %d: frames start at 0", t.Frame))
	}
	w.msgs = append(w.msgs, t)
}

// tick converts a frame to ticks at 120 bpm: a quarter note is half a second.
func (w *Writer) tick(frame int64) int64 {
	if w.exact {
		return frame
	}
	return int64(math.Round(float64(frame) * float64(2*w.ppq) / w.rate))
}

// WriteTo writes the file to out and returns the number of bytes written.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	b, err := w.encode("midifile")
	if err != nil {
		return 0, err
	}
	n, err := out.Write(b)
	if err != nil {
		return int64(n), fmt.Errorf("midifile: writing failed: %w", err)
	}
	return int64(n), nil
}

// WriteFile writes the file to path through package outfile: it appears complete or not
// at all, an earlier file stays as it was if anything fails, a symbolic link is followed
// and a device or FIFO written in place (never removed).
func (w *Writer) WriteFile(path string) error {
	b, err := w.encode(path)
	if err != nil {
		return err
	}
	return outfile.WriteFile(path, func(out io.Writer) error {
		if _, err := out.Write(b); err != nil {
			return fmt.Errorf("%s: writing failed: %w", path, err)
		}
		return nil
	})
}

func (w *Writer) encode(name string) ([]byte, error) {
	// A stable sort keeps the order of Add among equal frames, now and on a later call.
	slices.SortStableFunc(w.msgs, func(a, b midimap.Timed) int { return cmp.Compare(a.Frame, b.Frame) })

	var tr smf.Track
	tr.Add(0, smf.MetaTrackSequenceName(w.name))
	tr.Add(0, smf.MetaTempo(120)) // 500000 µs per quarter note
	var last int64
	for i, t := range w.msgs {
		m := t.Msg
		if m.Status < 0x80 || m.Status > 0xEF {
			return nil, fmt.Errorf("%s: message %d (frame %d) has status byte 0x%02X, not a channel voice message", name, i, t.Frame, m.Status)
		}
		if m.Data1 > 0x7F || m.Data2 > 0x7F {
			return nil, fmt.Errorf("%s: message %d (frame %d, % X) has a data byte above 127", name, i, t.Frame, []byte{m.Status, m.Data1, m.Data2})
		}
		raw := []byte{m.Status, m.Data1, m.Data2}[:1+dataBytes(m.Status)]
		tick := w.tick(t.Frame)
		if tick-last > maxDelta {
			return nil, fmt.Errorf("%s: the %.0f s of silence before frame %d are longer than a MIDI file can hold (%d ticks)", name, float64(t.Frame)/w.rate-float64(last)/float64(2*w.ppq), t.Frame, maxDelta)
		}
		tr.Add(uint32(tick-last), raw)
		last = tick
	}
	end := max(last, w.tick(w.end))
	if end-last > maxDelta {
		return nil, fmt.Errorf("%s: the %.0f s of silence at the end are longer than a MIDI file can hold (%d ticks)", name, float64(end-last)/float64(2*w.ppq), maxDelta)
	}
	tr.Close(uint32(end - last))

	s := smf.New()
	s.TimeFormat = smf.MetricTicks(w.ppq)
	if err := s.Add(tr); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("%s: encoding failed: %w", name, err)
	}
	return b.Bytes(), nil
}
