package midifile

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/separatrix-audio/separatrix/io/infile"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2/smf"
)

// Limits on what ParseScore reads.
const (
	// MaxFileSize is the largest file ParseScore reads. MIDI files are rarely over a
	// megabyte; the limit keeps a wrong path (a film, a disk image) from filling memory.
	MaxFileSize = 64 << 20

	// MaxEvents is how many events (channel, system exclusive and meta) a file may hold:
	// a million, a knob turned a dozen times a second for a day. The MIDI library keeps
	// about 650 bytes an event while it reads.
	MaxEvents = 1 << 20

	// MaxLength is the longest score, in seconds: 24 hours, the longest render. A
	// longer one comes from a corrupt delta time or tempo (one delta can say 388 hours),
	// and would start a render of days.
	MaxLength = 24 * 3600.0
)

// ScoreEvent is one channel voice message and the time, in seconds from the start of
// the file, at which it is due.
type ScoreEvent struct {
	Seconds float64
	Msg     midimap.Msg // for one-data-byte messages (program change, aftertouch) Data2 is 0
}

// Score is the playable content of a MIDI file.
type Score struct {
	Events []ScoreEvent // sorted by Seconds; events at the same tick keep track order, then file order
	Length float64      // seconds to the last End of Track (or the last event, if later)
}

// ReadScore reads the MIDI file at path. Errors name the file.
//
// The file may be a regular file or a pipe (--score <(generate-score)); a device (a link
// to /dev/zero), directory or socket is refused before it is opened, and a named pipe
// that nobody writes to reads as empty at once instead of waiting.
func ReadScore(path string) (*Score, error) {
	f, err := infile.Open(path, infile.Expect{Noun: "MIDI file", Ext: ".mid", Content: "score"})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	sc, err := ParseScore(path, f)
	if err != nil {
		if perr := f.EmptyPipe(); perr != nil {
			return nil, fmt.Errorf("%s: %w", path, perr)
		}
	}
	return sc, err
}

// ParseScore reads a whole MIDI file from r; name is used in errors only.
func ParseScore(name string, r io.Reader) (*Score, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading failed: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB, too large for a MIDI file", name, MaxFileSize>>20)
	}
	h, clean, err := sanitize(name, data)
	if err != nil {
		return nil, err
	}
	s, err := readSMF(clean)
	if err != nil {
		return nil, fmt.Errorf("%s: the MIDI library failed on this file: %w", name, err)
	}
	return buildScore(name, h, s)
}

// readSMF runs gomidi's reader on sanitized bytes. It should neither fail nor panic
// there; if it does, that is turned into an error rather than a crash.
func readSMF(clean []byte) (s *smf.SMF, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return smf.ReadFrom(bytes.NewReader(clean))
}

type tickEvent struct {
	tick  int64
	msg   midimap.Msg
	track int // from 1
}

type tempoChange struct {
	tick int64
	uspq int64 // microseconds per quarter note
}

func buildScore(name string, h *header, s *smf.SMF) (*Score, error) {
	var (
		events   []tickEvent
		tempos   []tempoChange
		end      int64
		endTrack int
	)
	for k, tr := range s.Tracks {
		var tick int64
		for _, ev := range tr {
			tick += int64(ev.Delta)
			m := ev.Message
			switch {
			case len(m) >= 2 && m[0] >= 0x80 && m[0] <= 0xEF:
				msg := midimap.Msg{Status: m[0], Data1: m[1]}
				if len(m) >= 3 {
					msg.Data2 = m[2]
				}
				events = append(events, tickEvent{tick, msg, k + 1})
			case len(m) >= 3 && m[0] == 0xFF && m[1] == 0x51 && h.ppq > 0:
				l, n, err := readVLQ(m[2:])
				data := m[2+n:]
				if err != nil || l != 3 || len(data) != 3 {
					return nil, fmt.Errorf("%s: track %d has a tempo event of %d bytes at tick %d (want 3)", name, k+1, len(data), tick)
				}
				uspq := int64(data[0])<<16 | int64(data[1])<<8 | int64(data[2])
				if uspq == 0 {
					return nil, fmt.Errorf("%s: track %d sets a tempo of 0 µs per quarter note at tick %d", name, k+1, tick)
				}
				tempos = append(tempos, tempoChange{tick, uspq})
			}
		}
		if tick > end || endTrack == 0 {
			end, endTrack = tick, k+1
		}
	}
	// Stable sorts: events on one tick keep track order, then file order; of tempo
	// changes on one tick the last one wins.
	byTick := func(a, b tickEvent) int { return cmp.Compare(a.tick, b.tick) }
	slices.SortStableFunc(events, byTick)
	slices.SortStableFunc(tempos, func(a, b tempoChange) int { return cmp.Compare(a.tick, b.tick) })

	clock := newClock(h, tempos)
	sc := &Score{Events: make([]ScoreEvent, len(events))}
	for i, ev := range events {
		sc.Events[i] = ScoreEvent{Seconds: clock.seconds(ev.tick), Msg: ev.msg}
	}
	sc.Length = clock.seconds(end)
	if sc.Length > MaxLength {
		return nil, tooLong(name, sc, events, end, endTrack)
	}
	return sc, nil
}

// tooLong names the first event (or, failing one, the end of a track) beyond MaxLength.
func tooLong(name string, sc *Score, events []tickEvent, end int64, endTrack int) error {
	what, track, tick, at := "ends", endTrack, end, sc.Length
	for i, ev := range sc.Events {
		if ev.Seconds > MaxLength {
			what, track, tick, at = "has an event", events[i].track, events[i].tick, ev.Seconds
			break
		}
	}
	return fmt.Errorf("%s: track %d %s at tick %d, %.2f s (%.1f hours) into the score; a score may last at most %g hours "+
		"(is a delta time or the tempo wrong?)", name, track, what, tick, at, at/3600, MaxLength/3600)
}

// clock turns ticks into seconds through the tempo map.
type clock struct {
	tickRate float64 // SMPTE: ticks per second; 0 for metrical time
	ppq      float64
	segs     []segment // metrical: tempo segments, by tick
	cur      int       // the segment of the last lookup: lookups mostly go forward
}

// segment is a stretch of constant tempo from tick on, which falls at sec.
type segment struct {
	tick int64
	sec  float64
	uspq int64
}

func newClock(h *header, tempos []tempoChange) *clock {
	if h.ppq == 0 {
		fps := float64(h.fps)
		if h.fps == 29 {
			fps = 30000.0 / 1001 // "30 drop frame": 29.97 frames a second
		}
		return &clock{tickRate: fps * float64(h.subs)}
	}
	c := &clock{ppq: float64(h.ppq), segs: []segment{{0, 0, 500000}}} // 120 bpm until told
	for _, t := range tempos {
		last := &c.segs[len(c.segs)-1]
		if t.tick == last.tick {
			last.uspq = t.uspq
			continue
		}
		c.segs = append(c.segs, segment{t.tick, c.at(*last, t.tick), t.uspq})
	}
	return c
}

// at is the time of tick within segment s. The product of ticks and microseconds is
// an integer, exact below 2^53 (over 17 years at 48 kHz), and rounded once above.
func (c *clock) at(s segment, tick int64) float64 {
	return s.sec + float64(tick-s.tick)*float64(s.uspq)/(1e6*c.ppq)
}

func (c *clock) seconds(tick int64) float64 {
	if c.tickRate > 0 {
		return float64(tick) / c.tickRate
	}
	if c.segs[c.cur].tick > tick {
		c.cur = 0
	}
	for c.cur+1 < len(c.segs) && c.segs[c.cur+1].tick <= tick {
		c.cur++
	}
	return c.at(c.segs[c.cur], tick)
}
