package wav

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// memFile is an in-memory io.WriteSeeker.
type memFile struct {
	b   []byte
	pos int
}

func (m *memFile) Write(p []byte) (int, error) {
	if need := m.pos + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += len(p)
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += int64(m.pos)
	case io.SeekEnd:
		off += int64(len(m.b))
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	m.pos = int(off)
	return off, nil
}

// sink discards what is written but keeps its size, for large and alloc tests.
type sink struct {
	size, pos int64
	head      [8]byte // the RIFF chunk header, as last written
}

func (s *sink) Write(p []byte) (int, error) {
	if s.pos == 0 {
		copy(s.head[:], p)
	}
	s.pos += int64(len(p))
	s.size = max(s.size, s.pos)
	return len(p), nil
}

func (s *sink) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += s.pos
	case io.SeekEnd:
		off += s.size
	}
	s.pos = off
	return off, nil
}

// encode writes the channels as one block and returns the file's bytes.
func encode(t testing.TB, rate int, f Format, ch ...[]float32) []byte {
	t.Helper()
	var m memFile
	w, err := NewWriter(&m, rate, len(ch), f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(ch); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return m.b
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The golden headers are written out from the WAV specification by hand, not captured
// from the writer.
func TestGoldenBytes(t *testing.T) {
	tests := []struct {
		name   string
		rate   int
		format Format
		ch     [][]float32
		want   string
	}{
		{
			name: "pcm16 stereo", rate: 48000, format: PCM16,
			ch: [][]float32{{0.5, -1}, {-0.25, 1}},
			want: `52494646 2c000000 57415645
				666d7420 10000000 0100 0200 80bb0000 00ee0200 0400 1000
				64617461 08000000
				0040 00e0 0080 ff7f`,
		},
		{
			name: "pcm24 mono, odd data padded", rate: 8000, format: PCM24,
			ch: [][]float32{{-0.5}},
			want: `52494646 28000000 57415645
				666d7420 10000000 0100 0100 401f0000 c05d0000 0300 1800
				64617461 03000000
				0000c0 00`,
		},
		{
			name: "float32 mono with fact chunk", rate: 44100, format: Float32,
			ch: [][]float32{{0.25}},
			want: `52494646 36000000 57415645
				666d7420 12000000 0300 0100 44ac0000 10b10200 0400 2000 0000
				66616374 04000000 01000000
				64617461 04000000
				0000803e`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, tt.rate, tt.format, tt.ch...)
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("bytes differ\n got % x\nwant % x", got, want)
			}
		})
	}
}

func TestClipAndNaN(t *testing.T) {
	in := []float32{2, -2, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1, -1, 1.0 / 65536, -1.0 / 65536}
	b := encode(t, 48000, PCM16, in)[44:]
	want := []int16{32767, -32768, 32767, -32768, 0, 32767, -32768, 1, -1} // ±0.5 LSB rounds away from zero
	for i, w := range want {
		if got := int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8); got != w {
			t.Errorf("sample %d (%g): got %d, want %d", i, in[i], got, w)
		}
	}
}

// signal returns channels of deterministic noise plus the edge values.
func signal(channels, frames int) [][]float32 {
	rng := rand.New(rand.NewPCG(1, 2))
	ch := make([][]float32, channels)
	edges := []float32{0, 1, -1, 0.5, -0.5, 1e-9, -1e-9, 0.99999, -0.99999}
	for c := range ch {
		ch[c] = make([]float32, frames)
		for f := range ch[c] {
			if f < len(edges) {
				ch[c][f] = edges[f] * float32(1-2*(c%2))
			} else {
				ch[c][f] = float32(2*rng.Float64() - 1)
			}
		}
	}
	return ch
}

func TestRoundTrip(t *testing.T) {
	tol := map[Format]float64{PCM16: 0.5 / (1 << 15), PCM24: 0.5 / (1 << 23), Float32: 0}
	for _, f := range []Format{PCM16, PCM24, Float32} {
		for _, channels := range []int{1, 2, 3} {
			t.Run(f.String()+"/"+string(rune('0'+channels)), func(t *testing.T) {
				const frames = 5000
				sig := signal(channels, frames)
				path := filepath.Join(t.TempDir(), "take.wav")
				w, err := Create(path, 44100, channels, f)
				if err != nil {
					t.Fatal(err)
				}
				// Blocks of varying size, including empty ones and one larger than the buffer.
				block := make([][]float32, channels)
				for lo, i := 0, 0; lo < frames; i++ {
					n := []int{0, 1, 64, 333, 30000}[i%5]
					hi := min(lo+n, frames)
					for c := range block {
						block[c] = sig[c][lo:hi]
					}
					if err := w.Write(block); err != nil {
						t.Fatal(err)
					}
					lo = hi
				}
				if got := w.Frames(); got != frames {
					t.Errorf("Frames() = %d, want %d", got, frames)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				a, err := ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if a.SampleRate != 44100 || len(a.Channels) != channels || a.Frames() != frames {
					t.Fatalf("read %d Hz, %d channels, %d frames; want 44100, %d, %d", a.SampleRate, len(a.Channels), a.Frames(), channels, frames)
				}
				top := 1.0
				if f != Float32 {
					top = 1 - 2*tol[f] // the largest integer step
				}
				for c := range sig {
					for i, v := range sig[c] {
						want := math.Min(float64(v), top)
						if d := math.Abs(a.Channels[c][i] - want); d > tol[f] {
							t.Fatalf("channel %d frame %d: read %.9g, wrote %.9g (error %.3g > %.3g)", c, i, a.Channels[c][i], v, d, tol[f])
						}
					}
				}
			})
		}
	}
}

func TestZeroFrames(t *testing.T) {
	for _, f := range []Format{PCM16, PCM24, Float32} {
		path := filepath.Join(t.TempDir(), "empty.wav")
		w, err := Create(path, 48000, 2, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != int64(f.headerLen()) {
			t.Errorf("%v: empty file is %d bytes, want %d", f, st.Size(), f.headerLen())
		}
		a, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if a.SampleRate != 48000 || len(a.Channels) != 2 || a.Frames() != 0 {
			t.Errorf("%v: read %d Hz, %d channels, %d frames; want 48000, 2, 0", f, a.SampleRate, len(a.Channels), a.Frames())
		}
	}
}

// libsndfile's files (testdata/gen_libsndfile.py) hold fact, LIST and PEAK chunks and,
// for WAVEX, the WAVE_FORMAT_EXTENSIBLE layout.
func TestLibsndfileFiles(t *testing.T) {
	tests := []struct {
		file     string
		rate     int
		channels int
		tol      float64
	}{
		{"libsndfile_wav_pcm16_stereo.wav", 44100, 2, 1.0 / (1 << 14)},
		{"libsndfile_wavex_pcm24_stereo.wav", 48000, 2, 1.0 / (1 << 22)},
		{"libsndfile_wavex_pcm32_3ch.wav", 96000, 3, 1e-7}, // written from float32
		{"libsndfile_wav_float_mono.wav", 48000, 1, 1e-7},
		{"libsndfile_wavex_float_stereo.wav", 48000, 2, 1e-7},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.SampleRate != tt.rate || len(a.Channels) != tt.channels || a.Frames() != 64 {
				t.Fatalf("read %d Hz, %d channels, %d frames; want %d, %d, 64", a.SampleRate, len(a.Channels), a.Frames(), tt.rate, tt.channels)
			}
			for c, ch := range a.Channels {
				for k, v := range ch {
					want := 0.5 * math.Sin(2*math.Pi*float64((c+1)*k)/64)
					if math.Abs(v-want) > tt.tol {
						t.Fatalf("channel %d frame %d: %.9g, want %.9g within %.2g", c, k, v, want, tt.tol)
					}
				}
			}
		})
	}
}

// chunk builds a RIFF chunk, padded to an even length unless nopad.
func chunk(id string, body []byte, nopad bool) []byte {
	b := append([]byte(id), byte(len(body)), byte(len(body)>>8), byte(len(body)>>16), byte(len(body)>>24))
	b = append(b, body...)
	if len(body)%2 == 1 && !nopad {
		b = append(b, 0)
	}
	return b
}

func riff(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return chunk("RIFF", body, false)
}

// fmtChunk builds a fmt chunk body; sub != 0 makes it WAVE_FORMAT_EXTENSIBLE with that
// sub-format.
func fmtChunk(tag uint16, channels, rate, bits int, sub uint16) []byte {
	le := func(b []byte, v uint32, n int) []byte {
		for i := range n {
			b = append(b, byte(v>>(8*i)))
		}
		return b
	}
	block := channels * bits / 8
	var b []byte
	b = le(b, uint32(tag), 2)
	b = le(b, uint32(channels), 2)
	b = le(b, uint32(rate), 4)
	b = le(b, uint32(rate*block), 4)
	b = le(b, uint32(block), 2)
	b = le(b, uint32(bits), 2)
	if tag == tagExtensible {
		b = le(b, 22, 2)
		b = le(b, uint32(bits), 2)
		b = le(b, 3, 4) // front left | front right
		b = le(b, uint32(sub), 2)
		b = append(b, guidSuffix...)
	}
	return b
}

func TestExtensibleAndExtraChunks(t *testing.T) {
	samples := []byte{0x00, 0x40, 0x00, 0xC0, 0xFF, 0x7F, 0x00, 0x80} // L .5, R -.5, L ~1, R -1
	file := riff(
		chunk("JUNK", make([]byte, 28), false),
		chunk("fmt ", fmtChunk(tagExtensible, 2, 22050, 16, tagPCM), false),
		chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00sepx"), false), // odd size 17, padded
		chunk("data", samples, false),
		chunk("id3 ", []byte{1, 2, 3}, true), // odd last chunk without its pad byte
	)
	a, err := Parse("ext.wav", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0.5, 32767.0 / 32768}, {-0.5, -1}}
	if a.SampleRate != 22050 || len(a.Channels) != 2 || a.Frames() != 2 {
		t.Fatalf("read %d Hz, %d channels, %d frames; want 22050, 2, 2", a.SampleRate, len(a.Channels), a.Frames())
	}
	for c := range want {
		for f := range want[c] {
			if a.Channels[c][f] != want[c][f] {
				t.Errorf("channel %d frame %d: %g, want %g", c, f, a.Channels[c][f], want[c][f])
			}
		}
	}
}

func TestReadErrors(t *testing.T) {
	data := chunk("data", make([]byte, 8), false)
	pcm16 := chunk("fmt ", fmtChunk(tagPCM, 2, 48000, 16, 0), false)
	badGUID := fmtChunk(tagExtensible, 1, 48000, 16, tagPCM)
	badGUID[len(badGUID)-1] ^= 0xFF
	badAlign := fmtChunk(tagPCM, 2, 48000, 16, 0)
	badAlign[12] = 3
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short to be a WAV file"},
		{"not riff", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"), `not a WAV file (it starts with "OggS"`},
		{"rifx", []byte("RIFX\x00\x00\x00\x04WAVE"), "big-endian (RIFX) WAV is not supported"},
		{"rf64", []byte("RF64\xff\xff\xff\xffWAVE"), "RF64 (WAV over 4 GiB) is not supported"},
		{"avi", []byte("RIFF\x04\x00\x00\x00AVI "), `a RIFF file of type "AVI "`},
		{"8-bit", riff(chunk("fmt ", fmtChunk(tagPCM, 1, 8000, 8, 0), false), data), "8-bit PCM is not supported"},
		{"8-bit extensible", riff(chunk("fmt ", fmtChunk(tagExtensible, 1, 8000, 8, tagPCM), false), data), "8-bit PCM is not supported"},
		{"float64", riff(chunk("fmt ", fmtChunk(tagIEEEFloat, 1, 8000, 64, 0), false), data), "64-bit float is not supported"},
		{"mu-law", riff(chunk("fmt ", fmtChunk(7, 1, 8000, 8, 0), false), data), "µ-law encoding is not supported"},
		{"unknown tag", riff(chunk("fmt ", fmtChunk(0x1234, 1, 8000, 16, 0), false), data), "format tag 0x1234 encoding is not supported"},
		{"bad guid", riff(chunk("fmt ", badGUID, false), data), "unknown WAVE_FORMAT_EXTENSIBLE sub-format"},
		{"short extensible", riff(chunk("fmt ", fmtChunk(tagExtensible, 1, 8000, 16, tagPCM)[:24], false), data), "too short (40)"},
		{"bad block align", riff(chunk("fmt ", badAlign, false), data), "takes 4 bytes, but the fmt chunk says 3"},
		{"short fmt", riff(chunk("fmt ", make([]byte, 14), false), data), "fmt chunk is 14 bytes long"},
		{"no channels", riff(chunk("fmt ", fmtChunk(tagPCM, 0, 8000, 16, 0), false), data), "no channels"},
		{"no rate", riff(chunk("fmt ", fmtChunk(tagPCM, 1, 0, 16, 0), false), data), "sample rate of 0 Hz"},
		{"no fmt", riff(data), "data chunk comes before the fmt chunk"},
		{"only fmt", riff(pcm16), "no data chunk"},
		{"nothing", riff(), "no fmt chunk"},
		{"two fmt", riff(pcm16, pcm16, data), "more than one fmt chunk"},
		{"two data", riff(pcm16, data, data), "more than one data chunk"},
		{"partial frame", riff(pcm16, chunk("data", make([]byte, 6), false)), "not a whole number of 4-byte frames"},
		{"truncated data", riff(pcm16, data)[:len(riff(pcm16, data))-2], `the "data" chunk at byte 36 claims 8 bytes but only 6 remain`},
		{"stray bytes", append(riff(pcm16, data), 1, 2, 3), "the file ends inside a chunk header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("song.wav", bytes.NewReader(tt.file))
			if err == nil {
				t.Fatalf("no error, want one saying %q", tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "song.wav: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to start with the name and say %q", msg, tt.want)
			}
		})
	}
}

// Every proper prefix of a valid file is an error, never a panic.
func TestTruncated(t *testing.T) {
	files := [][]byte{encode(t, 48000, PCM24, []float32{0.1, 0.2, 0.3}, []float32{-0.1, -0.2, -0.3})}
	for _, name := range []string{"libsndfile_wavex_pcm24_stereo.wav", "libsndfile_wav_float_mono.wav"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	for i, file := range files {
		for n := 0; n < len(file); n++ {
			if _, err := Parse("cut.wav", bytes.NewReader(file[:n])); err == nil {
				t.Errorf("file %d cut to %d of %d bytes: no error", i, n, len(file))
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	if _, err := NewWriter(&memFile{}, 48000, 0, PCM16); err == nil || !strings.Contains(err.Error(), "cannot hold 0 channels") {
		t.Errorf("0 channels: got %v", err)
	}
	if _, err := NewWriter(&memFile{}, 0, 2, PCM16); err == nil || !strings.Contains(err.Error(), "sample rate of 0 Hz") {
		t.Errorf("rate 0: got %v", err)
	}
	if _, err := NewWriter(&memFile{}, 48000, 2, Format(9)); err == nil || !strings.Contains(err.Error(), "unknown sample format") {
		t.Errorf("format 9: got %v", err)
	}
	if _, err := Create(filepath.Join(t.TempDir(), "no", "such", "dir.wav"), 48000, 2, PCM16); err == nil {
		t.Error("Create in a missing directory: no error")
	}
	w, err := NewWriter(&memFile{}, 48000, 2, PCM16)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([][]float32{{0}}); err == nil || !strings.Contains(err.Error(), "given 1 channels but the file has 2") {
		t.Errorf("1 of 2 channels: got %v", err)
	}
	if err := w.Write([][]float32{{0}, {0, 0}}); err == nil || !strings.Contains(err.Error(), "different lengths") {
		t.Errorf("ragged channels: got %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([][]float32{{0}, {0}}); err == nil || !strings.Contains(err.Error(), "write after Close") {
		t.Errorf("write after Close: got %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("second Close: no error")
	}
}

type failWriter struct{ sink }

func (f *failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsSticky(t *testing.T) {
	w, err := NewWriter(&failWriter{}, 48000, 1, PCM16)
	if err != nil {
		t.Fatal(err)
	}
	big := [][]float32{make([]float32, bufSize)} // larger than the buffer: forces a flush
	err1 := w.Write(big)
	err2 := w.Write(big)
	err3 := w.Close()
	for i, err := range []error{err1, err2, err3} {
		if err == nil || !strings.Contains(err.Error(), "wav: writing audio failed: disk full") {
			t.Errorf("call %d: got %v, want the write error", i+1, err)
		}
	}
}

func TestFourGiBLimit(t *testing.T) {
	for _, f := range []Format{PCM16, PCM24, Float32} {
		var s sink
		w, err := NewWriter(&s, 48000, 3, f)
		if err != nil {
			t.Fatal(err)
		}
		block := int64(3 * f.bytesPerSample())
		// Pretend nearly 4 GiB went out already: the 4 GiB themselves would take minutes.
		w.dataBytes = w.maxData - 10*block
		ch := [][]float32{make([]float32, 11), make([]float32, 11), make([]float32, 11)}
		if err := w.Write(ch); err == nil || !strings.Contains(err.Error(), "past the 4 GiB limit") {
			t.Errorf("%v: 11 frames over the limit: got %v", f, err)
		}
		for c := range ch {
			ch[c] = ch[c][:10]
		}
		if err := w.Write(ch); err != nil {
			t.Errorf("%v: 10 frames up to the limit: %v", f, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		riffSize := int64(binary.LittleEndian.Uint32(s.head[4:]))
		if want := int64(f.headerLen()-8) + w.maxData + w.maxData&1; riffSize != want || riffSize < math.MaxUint32-block-1 {
			t.Errorf("%v: RIFF size %d, want just under 2^32", f, riffSize)
		}
	}
}

// NewWriter writes at the current offset and leaves the writer at the end.
func TestNewWriterAtOffset(t *testing.T) {
	m := &memFile{}
	m.Write([]byte("prefix"))
	w, err := NewWriter(m, 48000, 1, PCM16)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([][]float32{{0.5}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if m.pos != len(m.b) {
		t.Errorf("left at %d of %d bytes", m.pos, len(m.b))
	}
	if !bytes.HasPrefix(m.b, []byte("prefixRIFF")) {
		t.Fatalf("file starts % x", m.b[:10])
	}
	a, err := Parse("offset.wav", bytes.NewReader(m.b[6:]))
	if err != nil {
		t.Fatal(err)
	}
	if a.Frames() != 1 || a.Channels[0][0] != 0.5 {
		t.Errorf("read %v", a.Channels)
	}
}

func TestWriteDoesNotAllocate(t *testing.T) {
	for _, f := range []Format{PCM16, PCM24, Float32} {
		w, err := NewWriter(&sink{}, 48000, 2, f)
		if err != nil {
			t.Fatal(err)
		}
		block := signal(2, 512)
		if n := testing.AllocsPerRun(500, func() { w.Write(block) }); n != 0 {
			t.Errorf("%v: Write allocates %v times per call", f, n)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{PCM16, PCM24, Float32} {
		if g, err := ParseFormat(f.String()); err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), g, err)
		}
	}
	if _, err := ParseFormat("mp3"); err == nil {
		t.Error("ParseFormat(mp3): no error")
	}
}

func FuzzRead(f *testing.F) {
	f.Add(encode(f, 48000, PCM16, []float32{0.5, -0.5}))
	f.Add(encode(f, 8000, PCM24, []float32{0.5}, []float32{0.1}))
	f.Add(encode(f, 44100, Float32, []float32{0.25, 1, -1}))
	f.Add(riff(chunk("fmt ", fmtChunk(tagExtensible, 1, 8000, 32, tagPCM), false), chunk("LIST", []byte("INFO"), false), chunk("data", make([]byte, 8), false)))
	names, _ := filepath.Glob(filepath.Join("testdata", "*.wav"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse("fuzz.wav", bytes.NewReader(b))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.wav: ") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if a.SampleRate <= 0 || len(a.Channels) == 0 {
			t.Fatalf("accepted a file with %d Hz and %d channels", a.SampleRate, len(a.Channels))
		}
		for _, c := range a.Channels {
			if len(c) != a.Frames() {
				t.Fatalf("channels of different lengths")
			}
		}
	})
}
