package wav

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// onlyWriter hides any Seek: a pipe.
type onlyWriter struct{ bytes.Buffer }

// encodeStream writes sig through a stream writer into a pipe-like writer (no Seek).
func encodeStream(t *testing.T, rate int, f Format, sig [][]float32) []byte {
	t.Helper()
	var out onlyWriter
	w, err := NewStreamWriter(&out, rate, len(sig), f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(sig); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestStreamHeader: a stream's header says "unknown size" (0xFFFFFFFF) where a file's
// holds the sizes, everything else is the same bytes, the samples follow it exactly
// (no pad byte), and nothing seeks.
func TestStreamHeader(t *testing.T) {
	for _, f := range []Format{PCM16, PCM24, Float32} {
		t.Run(f.String(), func(t *testing.T) {
			const channels, frames = 1, 7 // odd: a file would get a pad byte
			sig := signal(channels, frames)
			got := encodeStream(t, 48000, f, sig)
			file := encode(t, 48000, f, sig...)
			dataBytes := frames * channels * f.bytesPerSample()
			if len(got) != f.headerLen()+dataBytes {
				t.Fatalf("stream is %d bytes, want header %d + samples %d", len(got), f.headerLen(), dataBytes)
			}
			le := binary.LittleEndian
			sizes := map[int]string{4: "RIFF size", f.headerLen() - 4: "data size"}
			if f == Float32 {
				sizes[f.headerLen()-12] = "fact frames"
			}
			for at, what := range sizes {
				if v := le.Uint32(got[at:]); v != 0xFFFFFFFF {
					t.Errorf("%s at byte %d is %#x, want 0xFFFFFFFF", what, at, v)
				}
				copy(got[at:at+4], file[at:at+4]) // the rest must match the file's header
			}
			if !bytes.Equal(got, file[:len(got)]) {
				t.Errorf("stream differs from the file beyond the sizes:\n got % x\nwant % x", got, file[:len(got)])
			}
		})
	}
}

// TestCreateKeepsOldFileUntilClose: Create writes beside the old file, which stays as
// it was until Close puts the complete new one in its place.
func TestCreateKeepsOldFileUntilClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "take.wav")
	old := encode(t, 48000, PCM16, signal(1, 100)...)
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, 48000, 2, PCM16)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(signal(2, 50000)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
		t.Fatal("the old file changed before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Channels) != 2 || a.Frames() != 50000 {
		t.Errorf("read %d channels, %d frames; want 2, 50000", len(a.Channels), a.Frames())
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmp) > 0 {
		t.Errorf("left %v", tmp)
	}
}

// TestCreateOnFIFO: Create on a FIFO writes a stream into it, never a file in its place.
func TestCreateOnFIFO(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipe.wav")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	if _, err := Create(path, 48000, 2, PCM16); err == nil {
		t.Fatal("Create on a FIFO nobody reads: no error")
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := Create(path, 48000, 2, PCM16)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		syscall.SetNonblock(int(r.Fd()), false)
		b, _ := io.ReadAll(r)
		got <- b
	}()
	sig := signal(2, 48000) // 192 kB: more than a pipe holds
	if err := w.Write(sig); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var b []byte
	select {
	case b = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader never saw the end of the stream")
	}
	var want onlyWriter
	sw, _ := NewStreamWriter(&want, 48000, 2, PCM16)
	sw.Write(sig)
	sw.Close()
	if !bytes.Equal(b, want.Bytes()) {
		t.Errorf("the FIFO carried %d bytes, want the %d of a stream", len(b), want.Len())
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is gone or replaced: %v %v", info.Mode(), err)
	}
}

// TestReadStream: a stream (data size 0xFFFFFFFF) reads back whole, to the last whole
// frame, in every format; a file that claims more than it holds stays an error.
func TestReadStream(t *testing.T) {
	for _, f := range []Format{PCM16, PCM24, Float32} {
		t.Run(f.String(), func(t *testing.T) {
			sig := signal(2, 9)
			b := append(encodeStream(t, 44100, f, sig), 0x11) // a stray byte, as a cut-off stream may end
			a, err := decode("stream.wav", b)
			if err != nil {
				t.Fatal(err)
			}
			if a.SampleRate != 44100 || len(a.Channels) != 2 || len(a.Channels[0]) != 9 {
				t.Fatalf("read %d Hz, %d channels of %d frames; want 44100 Hz, 2 of 9", a.SampleRate, len(a.Channels), len(a.Channels[0]))
			}
			tol := 1.0 / 32767
			if f == Float32 {
				tol = 0
			}
			for c := range sig {
				for i, v := range sig[c] {
					if d := a.Channels[c][i] - float64(v); d > tol || d < -tol {
						t.Fatalf("channel %d frame %d: %g, want %g", c, i, a.Channels[c][i], v)
					}
				}
			}
		})
	}
	file := encode(t, 48000, PCM16, signal(1, 8)...)
	binary.LittleEndian.PutUint32(file[40:], 1000) // more than it holds, and not a stream
	if _, err := decode("short.wav", file); err == nil {
		t.Error("a data chunk claiming more than the file holds was read")
	}
}
