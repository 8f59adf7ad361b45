package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/mididrv"
)

func runDevices(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: separatrix devices\n\nLists the audio host APIs and output devices, and the MIDI ports of every MIDI driver.")
	}
	rest, err := parseInterspersed(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{"devices takes no arguments"}
	}
	fmt.Fprintln(stdout, "Audio")
	if err := audio.Initialize(); err != nil {
		fmt.Fprintf(stdout, "  none: %v\n", err)
	} else {
		defer audio.Terminate()
		hosts, err := audio.List()
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "  none: %v\n", err)
		case len(hosts) == 0:
			fmt.Fprintln(stdout, "  none: PortAudio finds no host API")
		}
		for _, h := range hosts {
			mark := ""
			if h.Default {
				mark = " (default)"
			}
			fmt.Fprintf(stdout, "  %s%s\n", h.Name, mark)
			if len(h.Devices) == 0 {
				fmt.Fprintln(stdout, "    no output devices")
			}
			for _, d := range h.Devices {
				mark := ""
				if d.Default {
					mark = ", default"
				}
				fmt.Fprintf(stdout, "    %s (%d channels, %g Hz%s)\n", d.Name, d.MaxOutputChannels, d.DefaultSampleRate, mark)
			}
		}
	}
	// JACK is played natively (play --host jack), not through PortAudio's JACK host.
	if js, err := audio.QueryJACK(); err != nil {
		fmt.Fprintf(stdout, "  JACK (play --host jack): %v\n", err)
	} else {
		fmt.Fprintf(stdout, "  JACK (play --host jack): %g Hz, %d frames per cycle; plays to %s by default\n",
			js.SampleRate, js.Period, orNone(js.Physical))
		fmt.Fprintf(stdout, "    clients to name with --audio: %s (or none)\n", orNone(js.Clients))
		period := time.Duration(float64(js.Period) / js.SampleRate * float64(time.Second))
		l := audio.Latency{Ahead: audio.DefaultAhead, Period: period, Device: js.Device}
		low := audio.Latency{Ahead: 1, Period: period, Device: js.Device}
		fmt.Fprintf(stdout, "    latency from the neuron to the sound: %v; %.1f ms with --latency low\n", l, low.Total().Seconds()*1000)
	}
	fmt.Fprintln(stdout, "MIDI")
	for _, name := range mididrv.Drivers() {
		if name == "auto" {
			continue
		}
		d, err := mididrv.Open(name)
		if err != nil {
			fmt.Fprintf(stdout, "  %s: not available: %v\n", name, err)
			continue
		}
		ins, outs, err := mididrv.Ports(d)
		d.Close()
		if err != nil {
			fmt.Fprintf(stdout, "  %s: cannot list ports: %v\n", name, err)
			continue
		}
		fmt.Fprintf(stdout, "  %s inputs: %s\n  %s outputs: %s\n", name, orNone(ins), name, orNone(outs))
	}
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
