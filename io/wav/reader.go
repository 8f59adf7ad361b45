package wav

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// Audio is a decoded file: one slice of samples per channel, all of the same length.
// Integer samples are scaled into [-1, 1); float samples are as stored.
type Audio struct {
	SampleRate int
	Channels   [][]float64
}

// Frames is the number of frames (samples per channel).
func (a *Audio) Frames() int {
	if len(a.Channels) == 0 {
		return 0
	}
	return len(a.Channels[0])
}

// ReadFile reads and decodes the WAV file at path. Errors name the file.
func ReadFile(path string) (*Audio, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decode(path, data)
}

// Parse reads a whole WAV file from r and decodes it; name is used in errors only.
func Parse(name string, r io.Reader) (*Audio, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: reading failed: %w", name, err)
	}
	return decode(name, data)
}

// The GUID of a WAVE_FORMAT_EXTENSIBLE sub-format is the old format tag followed by
// these 14 bytes (KSDATAFORMAT_SUBTYPE_*: xxxxxxxx-0000-0010-8000-00aa00389b71).
var guidSuffix = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// layout is what the fmt chunk says about the samples.
type layout struct {
	tag        uint16 // tagPCM or tagIEEEFloat once resolved
	channels   int
	sampleRate int
	blockAlign int
	bits       int // container size of one sample
}

func decode(name string, data []byte) (*Audio, error) {
	le := binary.LittleEndian
	if len(data) < 12 {
		return nil, fmt.Errorf("%s: only %d bytes long, too short to be a WAV file", name, len(data))
	}
	switch id := string(data[:4]); id {
	case "RIFF":
	case "RIFX":
		return nil, fmt.Errorf("%s: big-endian (RIFX) WAV is not supported", name)
	case "RF64", "BW64":
		return nil, fmt.Errorf("%s: %s (WAV over 4 GiB) is not supported", name, id)
	default:
		return nil, fmt.Errorf("%s: not a WAV file (it starts with %q, not \"RIFF\")", name, id)
	}
	if id := string(data[8:12]); id != "WAVE" {
		return nil, fmt.Errorf("%s: a RIFF file of type %q, not a WAV file", name, id)
	}
	// The RIFF size is ignored: the chunks say where everything is, and files whose
	// writer never patched the header are common.
	var (
		lay     *layout
		samples []byte
		gotData bool
	)
	for pos := 12; pos < len(data); {
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("%s: the file ends inside a chunk header at byte %d (truncated?)", name, pos)
		}
		id := string(data[pos : pos+4])
		size := int64(le.Uint32(data[pos+4:]))
		body := pos + 8
		stream := id == "data" && size == 0xFFFFFFFF
		if stream {
			// A stream (written to a pipe, see NewStreamWriter): its length was not
			// known, and the data run to the end of the file, whole frames only.
			size = int64(len(data) - body)
			if lay != nil {
				size -= size % int64(lay.blockAlign)
			}
		}
		if rest := int64(len(data) - body); size > rest {
			return nil, fmt.Errorf("%s: the %q chunk at byte %d claims %d bytes but only %d remain (truncated?)", name, id, pos, size, rest)
		}
		chunk := data[body : body+int(size)]
		switch id {
		case "fmt ":
			if lay != nil {
				return nil, fmt.Errorf("%s: more than one fmt chunk", name)
			}
			l, err := parseFmt(name, chunk)
			if err != nil {
				return nil, err
			}
			lay = l
		case "data":
			if gotData {
				return nil, fmt.Errorf("%s: more than one data chunk", name)
			}
			if lay == nil {
				return nil, fmt.Errorf("%s: the data chunk comes before the fmt chunk", name)
			}
			if len(chunk)%lay.blockAlign != 0 {
				return nil, fmt.Errorf("%s: the data chunk holds %d bytes, not a whole number of %d-byte frames", name, len(chunk), lay.blockAlign)
			}
			samples, gotData = chunk, true
		}
		// Chunks are padded to an even length; tolerate a missing pad at the very end.
		pos = min(body+int(size)+int(size&1), len(data))
		if stream {
			break // nothing follows a stream's data
		}
	}
	if lay == nil {
		return nil, fmt.Errorf("%s: no fmt chunk, so the sample format is unknown", name)
	}
	if !gotData {
		return nil, fmt.Errorf("%s: no data chunk", name)
	}
	return lay.decodeSamples(samples), nil
}

func parseFmt(name string, b []byte) (*layout, error) {
	le := binary.LittleEndian
	if len(b) < 16 {
		return nil, fmt.Errorf("%s: the fmt chunk is %d bytes long, too short (at least 16)", name, len(b))
	}
	l := &layout{
		tag:        le.Uint16(b[0:]),
		channels:   int(le.Uint16(b[2:])),
		sampleRate: int(le.Uint32(b[4:])),
		blockAlign: int(le.Uint16(b[12:])),
		bits:       int(le.Uint16(b[14:])),
	}
	if l.tag == tagExtensible {
		if len(b) < 40 {
			return nil, fmt.Errorf("%s: the WAVE_FORMAT_EXTENSIBLE fmt chunk is %d bytes long, too short (40)", name, len(b))
		}
		if cb := le.Uint16(b[16:]); cb < 22 {
			return nil, fmt.Errorf("%s: the WAVE_FORMAT_EXTENSIBLE fmt chunk has an extension of %d bytes, too short (22)", name, cb)
		}
		if valid := int(le.Uint16(b[18:])); valid > l.bits {
			return nil, fmt.Errorf("%s: %d valid bits in a %d-bit sample", name, valid, l.bits)
		}
		guid := b[24:40]
		if !bytes.Equal(guid[2:], guidSuffix) {
			return nil, fmt.Errorf("%s: unknown WAVE_FORMAT_EXTENSIBLE sub-format % X", name, guid)
		}
		l.tag = le.Uint16(guid)
	}
	switch l.tag {
	case tagPCM:
		if l.bits != 16 && l.bits != 24 && l.bits != 32 {
			return nil, fmt.Errorf("%s: %d-bit PCM is not supported (only 16, 24 and 32-bit)", name, l.bits)
		}
	case tagIEEEFloat:
		if l.bits != 32 {
			return nil, fmt.Errorf("%s: %d-bit float is not supported (only 32-bit)", name, l.bits)
		}
	default:
		return nil, fmt.Errorf("%s: %s encoding is not supported (only 16, 24 and 32-bit PCM and 32-bit float)", name, tagName(l.tag))
	}
	if l.channels == 0 {
		return nil, fmt.Errorf("%s: the fmt chunk says the file has no channels", name)
	}
	if l.sampleRate == 0 {
		return nil, fmt.Errorf("%s: the fmt chunk gives a sample rate of 0 Hz", name)
	}
	if l.blockAlign != l.channels*l.bits/8 {
		return nil, fmt.Errorf("%s: a frame of %d channels of %d bits takes %d bytes, but the fmt chunk says %d",
			name, l.channels, l.bits, l.channels*l.bits/8, l.blockAlign)
	}
	return l, nil
}

func tagName(tag uint16) string {
	switch tag {
	case 0x0002:
		return "Microsoft ADPCM"
	case 0x0006:
		return "A-law"
	case 0x0007:
		return "µ-law"
	case 0x0011:
		return "IMA ADPCM"
	case 0x0050:
		return "MPEG"
	case 0x0055:
		return "MP3"
	}
	return fmt.Sprintf("format tag 0x%04X", tag)
}

// decodeSamples converts interleaved samples to float64 channels. Integers are scaled
// by 2^-(bits-1), so full scale maps onto [-1, 1).
func (l *layout) decodeSamples(b []byte) *Audio {
	frames := len(b) / l.blockAlign
	all := make([]float64, frames*l.channels)
	a := &Audio{SampleRate: l.sampleRate, Channels: make([][]float64, l.channels)}
	for c := range a.Channels {
		a.Channels[c] = all[c*frames : (c+1)*frames : (c+1)*frames]
	}
	le := binary.LittleEndian
	bps := l.bits / 8
	for i := range frames * l.channels {
		p := b[i*bps : (i+1)*bps]
		var v float64
		switch {
		case l.tag == tagIEEEFloat:
			v = float64(math.Float32frombits(le.Uint32(p)))
		case bps == 2:
			v = float64(int16(le.Uint16(p))) / (1 << 15)
		case bps == 3:
			v = float64(int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24)>>8) / (1 << 23)
		default:
			v = float64(int32(le.Uint32(p))) / (1 << 31)
		}
		a.Channels[i%l.channels][i/l.channels] = v
	}
	return a
}
