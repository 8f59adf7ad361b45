package audio_test

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
)

// A clock for a session that nothing hears or steers as it plays wakes ten times a
// second: each time it renders the buffers due before the next wake-up, one after the
// other (38 buffers of 128 frames fill 0.1 s at 48 kHz).
func ExampleOpenClockEvery() {
	cfg := audio.Config{Buffer: 128}.WithDefaults()
	var buffers atomic.Int64
	s := audio.OpenClockEvery(cfg, 100*time.Millisecond, func(out [][]float32) {
		buffers.Add(1)
	})
	if err := s.Start(); err != nil {
		fmt.Println(err)
		return
	}
	time.Sleep(50 * time.Millisecond) // half way to the second wake-up
	fmt.Println(s.Description()+":", buffers.Load(), "buffers of", s.Buffer(), "frames so far")
	s.Close()
	// Output: no audio device (clock): 38 buffers of 128 frames so far
}
