package midifile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// header is what an MThd chunk says.
type header struct {
	format  uint16
	ntracks int
	// division: ppq > 0 for metrical time, else SMPTE frames per second (24, 25, 29
	// meaning 29.97 drop frame, or 30) and subframes per frame.
	ppq       int
	fps, subs int
}

// sanitize checks the structure of an SMF byte by byte (chunk sizes, delta times,
// event lengths, status bytes) and returns a copy that gomidi reads without surprise:
// a 6-byte header whose division is metrical, every track cut after its End of Track,
// no other chunks. gomidi trusts the lengths it reads (a meta event may
// claim 256 MiB and it allocates them) and panics on an SMPTE division, so it must not
// see anything this has not checked.
func sanitize(name string, data []byte) (*header, []byte, error) {
	be := binary.BigEndian
	if len(data) < 14 {
		return nil, nil, fmt.Errorf("%s: only %d bytes long, too short to be a MIDI file", name, len(data))
	}
	if id := string(data[:4]); id != "MThd" {
		if id == "RIFF" && string(data[8:12]) == "RMID" {
			return nil, nil, fmt.Errorf("%s: an RMID file (MIDI wrapped in RIFF) is not supported; extract its data chunk", name)
		}
		return nil, nil, fmt.Errorf("%s: not a MIDI file (it starts with %q, not \"MThd\")", name, id)
	}
	hlen := int64(be.Uint32(data[4:]))
	if hlen < 6 {
		return nil, nil, fmt.Errorf("%s: the MThd header chunk is %d bytes long, too short (6)", name, hlen)
	}
	if hlen > int64(len(data)-8) {
		return nil, nil, fmt.Errorf("%s: the MThd header chunk claims %d bytes but only %d remain (truncated?)", name, hlen, len(data)-8)
	}
	h := &header{format: be.Uint16(data[8:]), ntracks: int(be.Uint16(data[10:]))}
	switch h.format {
	case 0, 1:
	case 2:
		return nil, nil, fmt.Errorf("%s: format 2 (independent sequences) is not supported, only formats 0 and 1", name)
	default:
		return nil, nil, fmt.Errorf("%s: unknown SMF format %d (only formats 0 and 1 are supported)", name, h.format)
	}
	div := be.Uint16(data[12:])
	if div&0x8000 == 0 {
		h.ppq = int(div)
		if h.ppq == 0 {
			return nil, nil, fmt.Errorf("%s: the header gives 0 ticks per quarter note", name)
		}
	} else {
		h.fps, h.subs = int(-int8(div>>8)), int(div&0xFF)
		if h.fps != 24 && h.fps != 25 && h.fps != 29 && h.fps != 30 {
			return nil, nil, fmt.Errorf("%s: unknown SMPTE frame rate %d in the header (known: 24, 25, 29, 30)", name, h.fps)
		}
		if h.subs == 0 {
			return nil, nil, fmt.Errorf("%s: the header gives 0 ticks per SMPTE frame", name)
		}
	}

	clean := make([]byte, 0, len(data))
	clean = append(clean, "MThd\x00\x00\x00\x06"...)
	clean = be.AppendUint16(clean, h.format)
	clean = be.AppendUint16(clean, uint16(h.ntracks))
	if h.ppq > 0 {
		clean = be.AppendUint16(clean, uint16(h.ppq))
	} else {
		clean = be.AppendUint16(clean, 96) // a stand-in: times come from h, not gomidi
	}
	tracks, events := 0, 0
	for pos := 8 + int(hlen); pos < len(data); {
		if len(data)-pos < 8 {
			return nil, nil, fmt.Errorf("%s: the file ends inside a chunk header at byte %d (truncated?)", name, pos)
		}
		id := string(data[pos : pos+4])
		size := int64(be.Uint32(data[pos+4:]))
		body := pos + 8
		if rest := int64(len(data) - body); size > rest {
			what := fmt.Sprintf("the %q chunk", id)
			if id == "MTrk" {
				what = fmt.Sprintf("track %d", tracks+1)
			}
			return nil, nil, fmt.Errorf("%s: %s at byte %d claims %d bytes but only %d remain (truncated?)", name, what, pos, size, rest)
		}
		if id == "MTrk" {
			tracks++
			trk, n, err := scanTrack(data[body:body+int(size)], body)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: track %d, %w", name, tracks, err)
			}
			if events += n; events > MaxEvents {
				return nil, nil, fmt.Errorf("%s: track %d takes the file past %d events, more than a score may hold", name, tracks, MaxEvents)
			}
			clean = append(clean, "MTrk"...)
			clean = be.AppendUint32(clean, uint32(len(trk)))
			clean = append(clean, trk...)
		}
		pos = body + int(size)
	}
	if tracks < h.ntracks {
		return nil, nil, fmt.Errorf("%s: the header announces %d tracks but the file holds %d (truncated?)", name, h.ntracks, tracks)
	}
	if tracks > math.MaxUint16 {
		return nil, nil, fmt.Errorf("%s: holds %d tracks, more than a MIDI file can count", name, tracks)
	}
	// Tracks beyond the announced count are kept (gomidi would drop them silently).
	h.ntracks = tracks
	be.PutUint16(clean[10:], uint16(tracks))
	return h, clean, nil
}

// scanTrack checks the events of one track chunk, base being its offset in the file,
// and returns the track up to and including its End of Track event (a track without
// one is returned whole) and how many events that holds.
func scanTrack(d []byte, base int) (track []byte, events int, err error) {
	var status byte // running status: the last channel status, 0 after sysex and meta
	for pos := 0; pos < len(d); events++ {
		at := base + pos
		_, n, err := readVLQ(d[pos:])
		if err != nil {
			return nil, 0, fmt.Errorf("byte %d: %s delta time", at, err)
		}
		pos += n
		if pos == len(d) {
			return nil, 0, fmt.Errorf("byte %d: the track ends after a delta time, without its event", at)
		}
		at = base + pos
		switch b := d[pos]; {
		case b == 0xFF || b == 0xF0 || b == 0xF7:
			what, skip := "a system exclusive event", 1
			if b == 0xFF {
				what, skip = "a meta event", 2
			}
			if pos+skip >= len(d) {
				return nil, 0, fmt.Errorf("byte %d: %s is cut off by the end of the track", at, what)
			}
			l, n, err := readVLQ(d[pos+skip:])
			if err != nil {
				return nil, 0, fmt.Errorf("byte %d: %s has %s length", at, what, err)
			}
			endOfTrack := b == 0xFF && d[pos+1] == 0x2F
			start := pos + skip + n
			if rest := len(d) - start; int64(l) > int64(rest) {
				return nil, 0, fmt.Errorf("byte %d: %s claims %d bytes but only %d remain in the track", at, what, l, rest)
			}
			pos = start + int(l)
			status = 0
			if endOfTrack {
				return d[:pos], events + 1, nil // End of Track: whatever follows is not part of the track
			}
		case b >= 0x80 && b <= 0xEF:
			status = b
			pos++
			fallthrough
		case b < 0x80:
			if status == 0 {
				return nil, 0, fmt.Errorf("byte %d: data byte 0x%02X without a status byte", at, b)
			}
			need := dataBytes(status)
			if len(d)-pos < need {
				return nil, 0, fmt.Errorf("byte %d: a channel message is cut off by the end of the track", at)
			}
			for i := range need {
				if c := d[pos+i]; c >= 0x80 {
					return nil, 0, fmt.Errorf("byte %d: status byte 0x%02X where a data byte of message 0x%02X belongs", base+pos+i, c, status)
				}
			}
			pos += need
		default:
			return nil, 0, fmt.Errorf("byte %d: status byte 0x%02X (a system common or real-time message) is not allowed in a MIDI file", at, b)
		}
	}
	return d, events, nil
}

// dataBytes is the number of data bytes after a channel status byte.
func dataBytes(status byte) int {
	if s := status & 0xF0; s == 0xC0 || s == 0xD0 {
		return 1
	}
	return 2
}

var (
	errVLQLong = errors.New("a malformed (over 4 bytes)")
	errVLQCut  = errors.New("a cut-off")
)

// readVLQ reads a variable-length quantity of at most 4 bytes (28 bits).
func readVLQ(b []byte) (v uint32, n int, err error) {
	for n < len(b) && n < 4 {
		c := b[n]
		n++
		v = v<<7 | uint32(c&0x7F)
		if c&0x80 == 0 {
			return v, n, nil
		}
	}
	if n == 4 {
		return 0, 0, errVLQLong
	}
	return 0, 0, errVLQCut
}
