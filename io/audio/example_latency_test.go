package audio_test

import (
	"fmt"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
)

// A stream's latency is the periods its ring keeps rendered ahead plus what the driver
// reports for itself. A program asks a stream with LatencyOf and prints it.
func ExampleLatency() {
	period := 128 * time.Second / 48000 // 128 frames at 48 kHz
	ring := audio.Latency{Ahead: audio.DefaultAhead, Period: period, Device: 2 * period}
	direct := audio.Latency{Period: period, Device: 2 * period} // Config.Direct
	fmt.Println("ring:  ", ring)
	fmt.Println("direct:", direct)
	fmt.Printf("the ring adds %.1f ms\n", (ring.Total()-direct.Total()).Seconds()*1000)
	// Output:
	// ring:   10.7 ms (2 periods rendered ahead + 5.3 ms in the driver)
	// direct: 5.3 ms (direct callback: all in the driver)
	// the ring adds 5.3 ms
}
