// Package wav writes and reads RIFF WAVE files.
//
// # Writing
//
// A Writer streams audio to a file as it is rendered. It takes the engine's output
// layout, one []float32 buffer per channel (non-interleaved), and encodes each block as
// PCM16 (the default), PCM24 or Float32. Integer formats round to the nearest step and
// clip to [-1, 1] without dither, so the same render always gives the same bytes.
// Close patches the sizes in the header; until then the file is not valid. Create
// writes through package outfile: the new file replaces an earlier one only when Close
// succeeds, a symbolic link is followed, and a device or FIFO is written in place. Where
// the output cannot seek (a pipe, a FIFO, a terminal) NewStreamWriter writes a stream
// instead: its header gives the sizes as unknown (0xFFFFFFFF), as sox and ffmpeg do.
//
//	w, err := wav.Create("take.wav", 48000, 2, wav.PCM24)
//	...
//	err = w.Write(block) // block[0] left, block[1] right
//	...
//	err = w.Close()
//
// Write buffers its output (64 KiB) and allocates nothing unless a block is larger than
// that buffer and any block before it, but it does file I/O: call it from a goroutine
// that drains the audio thread's output, never from the audio callback itself.
//
// The WAV format cannot describe more than 4 GiB. A Write that would go past that limit
// fails with an error and writes nothing, so the file already written stays valid.
//
// # Reading
//
// ReadFile and Parse load a whole file into memory as float64 samples, for tests and
// analysis. Integer samples are scaled by 2^-(bits-1), so full scale is [-1, 1); float
// samples are returned as stored. They read 16, 24 and 32-bit integer PCM and 32-bit float, in the
// plain and the WAVE_FORMAT_EXTENSIBLE layout, and skip chunks they do not need (LIST,
// fact, PEAK, JUNK, ...) as written by libsndfile, jack_rec and most editors. A stream's
// data chunk (size 0xFFFFFFFF) runs to the end of the file, whole frames only. Anything
// else is an error that names the file and says what it holds; no input makes them
// panic.
package wav
