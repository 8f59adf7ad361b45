package audio_test

import (
	"errors"
	"fmt"
	"log"
	"math"
	"runtime"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
)

// Play a quiet 440 Hz sine for two seconds on the default output device, or keep time
// without sound when there is none. (No output is checked: it needs a device.)
func Example() {
	runtime.GOMAXPROCS(audio.RecommendedGOMAXPROCS())
	defer audio.Terminate()

	cfg := audio.Config{Buffer: 128}.WithDefaults()
	// Everything Process uses is made here, before the stream starts. A real program
	// prepares its engine for cfg.MaxBlock frames and passes its Process method.
	phase, step := 0.0, 2*math.Pi*440/cfg.SampleRate
	sine := func(out [][]float32) {
		for i := range out[0] {
			v := float32(0.1 * math.Sin(phase))
			phase = math.Mod(phase+step, 2*math.Pi)
			for _, ch := range out {
				ch[i] = v
			}
		}
	}

	var s audio.Stream
	err := audio.Usable(cfg)
	if err == nil {
		s, err = audio.Open(cfg, sine)
	}
	switch {
	case errors.Is(err, audio.ErrNoDevice):
		fmt.Println(err)
		s = audio.OpenClock(cfg, sine)
	case err != nil:
		log.Fatal(err) // a wrong name or format: the message lists the devices
	}
	defer s.Close()

	fmt.Printf("playing on %s at %g Hz, %d frames per buffer\n", s.Description(), s.SampleRate(), s.Buffer())
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	st := s.Stats()
	fmt.Printf("%d callbacks, %d xruns, load p99 %.1f%%\n", st.Callbacks, st.Xruns, 100*st.LoadP99)
}

func ExampleList() {
	hosts, err := audio.List()
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hosts {
		mark := " "
		if h.Default {
			mark = "*"
		}
		fmt.Printf("%s %s\n", mark, h.Name)
		for _, d := range h.Devices {
			mark := " "
			if d.Default {
				mark = "*"
			}
			fmt.Printf("   %s %s (%d channels, %g Hz)\n", mark, d.Name, d.MaxOutputChannels, d.DefaultSampleRate)
		}
	}
}

// Play to a JACK server for a minute and survive it: if the server quits, the engine
// goes on by the clock, and the sound comes back when the server does. (No output is
// checked: it needs a server.)
func ExampleSupervise() {
	engine := func(out [][]float32) {} // a real program passes its engine's Process
	s, err := audio.Supervise(audio.Config{Buffer: 128}, engine, audio.SuperviseOptions{
		Open:        audio.OpenJACK,
		Status:      func(msg string) { log.Print(msg) }, // "audio: JACK: ... stopped (...)"
		WaitAtStart: true,                                // no server yet: wait for one
	})
	if err != nil {
		log.Fatal(err) // e.g. a client name that matches nothing: the message lists them
	}
	// Prepare the engine for s.SampleRate() (the server's) here, before Start.
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
	time.Sleep(time.Minute)
	s.Close() // returns within about half a second, whatever the server does
}
