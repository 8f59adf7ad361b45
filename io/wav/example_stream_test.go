package wav_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"

	"github.com/separatrix-audio/separatrix/io/wav"
)

// A pipe cannot seek back to patch the header when the take ends, so a stream's header
// says "unknown size" and the samples run to the end of the stream.
func ExampleNewStreamWriter() {
	var pipe bytes.Buffer // stands for os.Stdout piped into another program
	w, err := wav.NewStreamWriter(&pipe, 48000, 1, wav.PCM16)
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Write([][]float32{{0, 0.5, -0.5}}); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	b := pipe.Bytes()
	fmt.Printf("RIFF size %#x, data size %#x, %d bytes of samples\n",
		binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[40:]), len(b)-44)
	// Output:
	// RIFF size 0xffffffff, data size 0xffffffff, 6 bytes of samples
}
