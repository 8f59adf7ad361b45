package main

import (
	"fmt"
	"strconv"

	"github.com/separatrix-audio/separatrix/io/audio"
)

// latencyChoice is what play --latency asks of the audio output.
type latencyChoice struct {
	direct bool // PortAudio calls the neuron from its own callback
	ahead  int  // periods rendered ahead into the ring (0: the default)
}

// latencyUsage is the --latency flag's help.
const latencyUsage = "`low`: the neuron runs in the sound card's own callback, with nothing rendered ahead (with --host jack: 1 period ahead); " +
	"normal: rendered 2 periods ahead by a thread of its own, which a busy machine delays without a dropout; " +
	"or a number of periods ahead, 1 to 16"

// parseLatency reads --latency: "low", "normal" or a number of periods ahead.
func parseLatency(s string) (latencyChoice, error) {
	switch s {
	case "low":
		// The native JACK output has no direct callback: its lowest is one period.
		return latencyChoice{direct: true, ahead: 1}, nil
	case "normal", "":
		return latencyChoice{ahead: audio.DefaultAhead}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 16 {
		return latencyChoice{}, fmt.Errorf("--latency %s: want low, normal or a number of periods rendered ahead from 1 to 16", s)
	}
	return latencyChoice{ahead: n}, nil
}

// underrunAdvice tells the performer that the rendering thread was late n times (each
// a period of silence) and what helps.
func underrunAdvice(n uint64, lat latencyChoice) string {
	times := "times, each a period of silence"
	if n == 1 {
		times = "time: a period of silence"
	}
	return fmt.Sprintf("audio: the rendering thread was late %d %s (--latency %d or a larger --buffer gives it more time)",
		n, times, max(lat.ahead, audio.DefaultAhead)+1)
}
