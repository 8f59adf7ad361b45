package wav_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/separatrix-audio/separatrix/io/wav"
)

func Example() {
	dir, err := os.MkdirTemp("", "wav-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "take.wav")

	// Stream two blocks of stereo audio, in the engine's non-interleaved layout.
	w, err := wav.Create(path, 48000, 2, wav.PCM16)
	if err != nil {
		log.Fatal(err)
	}
	left, right := []float32{0, 0.5, 1}, []float32{0, -0.5, -1}
	for range 2 {
		if err := w.Write([][]float32{left, right}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	a, err := wav.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d Hz, %d channels, %d frames\n", a.SampleRate, len(a.Channels), a.Frames())
	fmt.Printf("left %.5f\nright %.5f\n", a.Channels[0][:3], a.Channels[1][:3])
	// Output:
	// 48000 Hz, 2 channels, 6 frames
	// left [0.00000 0.50000 0.99997]
	// right [0.00000 -0.50000 -1.00000]
}

func ExampleParse() {
	f, err := os.Open("testdata/libsndfile_wav_pcm16_stereo.wav")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := wav.Parse("libsndfile_wav_pcm16_stereo.wav", f)
	fmt.Println(a.SampleRate, len(a.Channels), a.Frames(), err)

	_, err = wav.ReadFile("testdata/no-such.wav")
	fmt.Println(err)
	// Output:
	// 44100 2 64 <nil>
	// open testdata/no-such.wav: no such file or directory
}
