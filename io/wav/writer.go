package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/separatrix-audio/separatrix/io/outfile"
)

// Format is the sample encoding of a written file.
type Format uint8

const (
	PCM16   Format = iota // 16-bit integer PCM (the default)
	PCM24                 // 24-bit integer PCM
	Float32               // 32-bit IEEE float (WAVE_FORMAT_IEEE_FLOAT), not clipped
)

var formatNames = []string{"pcm16", "pcm24", "float32"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// ParseFormat reads a format name as printed by String: "pcm16", "pcm24" or "float32".
func ParseFormat(s string) (Format, error) {
	for i, n := range formatNames {
		if n == s {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("unknown WAV format %q (known: pcm16, pcm24, float32)", s)
}

// bytesPerSample is the size of one sample of one channel.
func (f Format) bytesPerSample() int {
	switch f {
	case PCM16:
		return 2
	case PCM24:
		return 3
	}
	return 4
}

// headerLen is the number of bytes before the first sample.
func (f Format) headerLen() int {
	if f == Float32 {
		return 12 + 8 + 18 + 12 + 8 // RIFF, fmt (with cbSize), fact, data header
	}
	return 12 + 8 + 16 + 8
}

const (
	tagPCM        = 0x0001
	tagIEEEFloat  = 0x0003
	tagExtensible = 0xFFFE

	maxRIFF = math.MaxUint32 // the RIFF size field is 32 bits

	// unknownSize is the size a stream's header gives its RIFF and data chunks (and the
	// frame count of its fact chunk): the largest a field holds, as ffmpeg writes into a
	// pipe, read as "up to the end of the stream".
	unknownSize = math.MaxUint32

	bufSize = 64 << 10 // bytes buffered between writes to the underlying file
)

// Writer streams audio into a WAV file. It is not safe for concurrent use.
type Writer struct {
	w         io.Writer
	seeker    io.Seeker     // nil for a stream, whose header is never patched
	out       *outfile.File // set when the Writer created the file and must commit it
	name      string        // the path, or "wav", for messages
	format    Format
	rate      int
	channels  int
	start     int64 // offset of the header in ws
	dataBytes int64 // sample bytes accepted so far, buffered or written
	maxData   int64 // the most sample bytes the 4 GiB limit leaves room for
	buf       []byte
	err       error // first error from ws: every later call returns it
	closed    bool
}

// Create returns a Writer that streams audio into a new file at path, written through
// package outfile: the file appears, complete, when Close succeeds; until then, and if
// anything fails, an earlier file at path stays as it was. A symbolic link is followed
// (it stays a link to the new file). A FIFO or a terminal is written in place as a
// stream (see NewStreamWriter), a device such as /dev/null in place as a file. Create
// does not handle signals: a caller that is interrupted should still Close, or lose the
// take to a temporary file left beside path.
func Create(path string, sampleRate, channels int, f Format) (*Writer, error) {
	if err := checkParams(path, sampleRate, channels, f); err != nil {
		return nil, err
	}
	file, err := outfile.Create(path)
	if err != nil {
		return nil, err
	}
	var w *Writer
	if file.Seekable() {
		w, err = newWriter(file, path, sampleRate, channels, f)
	} else {
		w = newStreamWriter(file, path, sampleRate, channels, f)
	}
	if err != nil {
		file.Abort()
		return nil, err
	}
	w.out = file
	return w, nil
}

// NewWriter returns a Writer that writes a WAV file into ws, starting at its current
// offset. Close patches the header through Seek and leaves ws at the end of the file;
// it does not close ws. Messages name the file by ws's Name method if it has one (an
// *os.File or an *outfile.File), else "wav".
func NewWriter(ws io.WriteSeeker, sampleRate, channels int, f Format) (*Writer, error) {
	name := nameOf(ws)
	if err := checkParams(name, sampleRate, channels, f); err != nil {
		return nil, err
	}
	return newWriter(ws, name, sampleRate, channels, f)
}

// NewStreamWriter returns a Writer for an output that cannot seek (a pipe, a FIFO, a
// terminal): its header gives the RIFF and data sizes as 0xFFFFFFFF, "unknown", as
// ffmpeg writes into a pipe and sox, ffmpeg and libsndfile read as "up to the end of the
// stream", and Close never goes back to patch it. A file that can seek should get
// NewWriter, whose header is exact.
func NewStreamWriter(w io.Writer, sampleRate, channels int, f Format) (*Writer, error) {
	name := nameOf(w)
	if err := checkParams(name, sampleRate, channels, f); err != nil {
		return nil, err
	}
	return newStreamWriter(w, name, sampleRate, channels, f), nil
}

func nameOf(w io.Writer) string {
	if n, ok := w.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return "wav"
}

func checkParams(name string, sampleRate, channels int, f Format) error {
	if int(f) >= len(formatNames) {
		return fmt.Errorf("%s: unknown sample format %v", name, f)
	}
	if channels < 1 || channels*f.bytesPerSample() > math.MaxUint16 {
		return fmt.Errorf("%s: a WAV file cannot hold %d channels of %v", name, channels, f)
	}
	if sampleRate < 1 || int64(sampleRate)*int64(channels*f.bytesPerSample()) > math.MaxUint32 {
		return fmt.Errorf("%s: a WAV file cannot hold a sample rate of %d Hz", name, sampleRate)
	}
	return nil
}

func newWriter(ws io.WriteSeeker, name string, sampleRate, channels int, f Format) (*Writer, error) {
	start, err := ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot find the write offset: %w", name, err)
	}
	w := &Writer{
		w: ws, seeker: ws, name: name, format: f, rate: sampleRate, channels: channels, start: start,
		buf: make([]byte, 0, bufSize),
	}
	w.init()
	return w, nil
}

func newStreamWriter(out io.Writer, name string, sampleRate, channels int, f Format) *Writer {
	w := &Writer{w: out, name: name, format: f, rate: sampleRate, channels: channels, buf: make([]byte, 0, bufSize)}
	w.init()
	return w
}

func (w *Writer) init() {
	block := int64(w.channels * w.format.bytesPerSample())
	// Leave room for the header and a pad byte, and keep whole frames.
	w.maxData = (maxRIFF - int64(w.format.headerLen()-8) - 1) / block * block
	size := int64(0)
	if w.seeker == nil {
		size = -1
	}
	w.buf = appendHeader(w.buf, w.format, w.rate, w.channels, size)
}

// appendHeader appends the header of a file holding dataBytes of samples, or of a
// stream of unknown length if dataBytes is negative.
func appendHeader(b []byte, f Format, sampleRate, channels int, dataBytes int64) []byte {
	le := binary.LittleEndian
	block := channels * f.bytesPerSample()
	pad := dataBytes & 1
	riff, frames, data := uint32(int64(f.headerLen()-8)+dataBytes+pad), uint32(dataBytes/int64(block)), uint32(dataBytes)
	if dataBytes < 0 {
		riff, frames, data = unknownSize, unknownSize, unknownSize
	}
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, riff)
	b = append(b, "WAVE"...)
	b = append(b, "fmt "...)
	if f == Float32 {
		b = le.AppendUint32(b, 18)
		b = le.AppendUint16(b, tagIEEEFloat)
	} else {
		b = le.AppendUint32(b, 16)
		b = le.AppendUint16(b, tagPCM)
	}
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(sampleRate))
	b = le.AppendUint32(b, uint32(sampleRate*block))
	b = le.AppendUint16(b, uint16(block))
	b = le.AppendUint16(b, uint16(8*f.bytesPerSample()))
	if f == Float32 {
		b = le.AppendUint16(b, 0) // cbSize: no extension
		b = append(b, "fact"...)
		b = le.AppendUint32(b, 4)
		b = le.AppendUint32(b, frames)
	}
	b = append(b, "data"...)
	b = le.AppendUint32(b, data)
	return b
}

// Frames is the number of frames written so far.
func (w *Writer) Frames() int64 {
	return w.dataBytes / int64(w.channels*w.format.bytesPerSample())
}

// Write appends one block: ch holds one buffer per channel, all of the same length
// (which may be zero). Integer formats clip samples to [-1, 1] and write NaN as 0.
//
// Write allocates nothing unless the block is larger than any before it and than the
// internal 64 KiB buffer. Errors from the underlying writer are sticky: once one has
// happened, every later Write and Close returns it. A block that would take the file
// past the 4 GiB limit of the format is refused with an error and not written; the
// file so far stays valid.
func (w *Writer) Write(ch [][]float32) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("%s: write after Close", w.name)
	}
	if len(ch) != w.channels {
		return fmt.Errorf("%s: Write was given %d channels but the file has %d", w.name, len(ch), w.channels)
	}
	frames := len(ch[0])
	for c := 1; c < len(ch); c++ {
		if len(ch[c]) != frames {
			return fmt.Errorf("%s: Write was given channels of different lengths (%d and %d frames)", w.name, frames, len(ch[c]))
		}
	}
	if frames == 0 {
		return nil
	}
	bps := w.format.bytesPerSample()
	n := frames * w.channels * bps
	if int64(n) > w.maxData-w.dataBytes {
		return fmt.Errorf("%s: %d more frames would take the file past the 4 GiB limit of the WAV format (it holds %d frames)",
			w.name, frames, w.Frames())
	}
	if len(w.buf)+n > cap(w.buf) {
		if err := w.flush(); err != nil {
			return err
		}
		if n > cap(w.buf) {
			w.buf = make([]byte, 0, n)
		}
	}
	p := w.buf[len(w.buf) : len(w.buf)+n]
	stride := w.channels * bps
	for c, src := range ch {
		q := p[c*bps:]
		switch w.format {
		case PCM16:
			for f, v := range src {
				s := quantize(v, 1<<15)
				o := f * stride
				q[o], q[o+1] = byte(s), byte(s>>8)
			}
		case PCM24:
			for f, v := range src {
				s := quantize(v, 1<<23)
				o := f * stride
				q[o], q[o+1], q[o+2] = byte(s), byte(s>>8), byte(s>>16)
			}
		case Float32:
			for f, v := range src {
				binary.LittleEndian.PutUint32(q[f*stride:], math.Float32bits(v))
			}
		}
	}
	w.buf = w.buf[:len(w.buf)+n]
	w.dataBytes += int64(n)
	return nil
}

// quantize maps v in [-1, 1] to the nearest integer step of scale (2^(bits-1)), clipping
// to the integer range and mapping NaN to 0.
func quantize(v float32, scale float64) int32 {
	x := math.Round(float64(v) * scale)
	switch {
	case x != x:
		return 0
	case x >= scale:
		return int32(scale - 1)
	case x < -scale:
		return int32(-scale)
	}
	return int32(x)
}

func (w *Writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("%s: writing audio failed: %w", w.name, err)
	}
	return w.err
}

// Close writes what is buffered and patches the sizes in the header (a stream's stay
// "unknown"). If the Writer created the file, Close puts it in place of any earlier
// file, or on an error leaves the earlier file as it was. The Writer cannot be used
// afterwards.
func (w *Writer) Close() error {
	if w.closed {
		return fmt.Errorf("%s: Close called twice", w.name)
	}
	w.closed = true
	err := w.finish()
	if w.out != nil {
		if err == nil {
			err = w.out.Commit()
		} else {
			w.out.Abort()
		}
	}
	return err
}

func (w *Writer) finish() error {
	if w.err != nil {
		return w.err
	}
	if w.seeker == nil {
		// No pad byte: a reader of a stream takes everything up to its end as samples.
		return w.flush()
	}
	if w.dataBytes&1 == 1 {
		w.buf = append(w.buf, 0) // chunks are padded to an even length
	}
	if err := w.flush(); err != nil {
		return err
	}
	hdr := appendHeader(w.buf[:0], w.format, w.rate, w.channels, w.dataBytes)
	if _, err := w.seeker.Seek(w.start, io.SeekStart); err != nil {
		return fmt.Errorf("%s: cannot seek back to patch the header: %w", w.name, err)
	}
	if _, err := w.w.Write(hdr); err != nil {
		return fmt.Errorf("%s: patching the header failed: %w", w.name, err)
	}
	if _, err := w.seeker.Seek(0, io.SeekEnd); err != nil {
		return fmt.Errorf("%s: cannot seek to the end after patching the header: %w", w.name, err)
	}
	return nil
}
