// Command separatrix is a neuron emulator you can play: it turns the dynamics of reduced
// neuron models into sound and MIDI.
//
//	separatrix play PATCH [flags]                play a patch live (audio, MIDI in and out)
//	separatrix render PATCH -o OUT.wav [flags]   render a patch offline to WAV, MIDI and CSV
//	separatrix patches                           list the built-in patches
//	separatrix analyze PATCH [flags]             equilibria, cycles, bifurcations, class
//	separatrix portrait PATCH -o FILE.png        draw the phase portrait
//	separatrix bifurcation PATCH -o FILE.png     draw the bifurcation diagram
//	separatrix trace PATCH -o FILE.png [flags]   draw voltage and current against time
//	separatrix exhibit FILE [--check]            run a museum installation (attract tour, cap, OSC)
//	separatrix devices                           list audio devices and MIDI ports
//
// Run "separatrix help COMMAND" for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/separatrix-audio/separatrix/io/outfile"
)

type command struct {
	name, args, summary string
	run                 func(args []string, stdout, stderr io.Writer) error
}

var commands []command

func init() {
	commands = []command{
		{"play", "PATCH [PATCH...] [flags]", "play patches live: sound, MIDI in to steer them, spikes out as notes", runPlay},
		{"render", "PATCH -o OUT.wav [flags]", "render a patch offline into WAV, Standard MIDI File and CSV", runRender},
		{"analyze", "PATCH [--current I] [--from I0 --to I1] [--json]", "equilibria, cycles, bifurcations and class of a patch's neuron", runAnalyze},
		{"portrait", "PATCH -o FILE.png|.svg [--current I]", "draw a neuron's phase portrait: nullclines, equilibria, cycles, separatrices, basin", runPortrait},
		{"bifurcation", "PATCH -o FILE.png|.svg [--from I0 --to I1]", "draw the bifurcation diagram and the firing rate on up and down sweeps", runBifurcation},
		{"trace", "PATCH -o FILE.png|.svg [--ramp ...] [--score ...]", "draw voltage and current against time for a performance, spikes marked", runTrace},
		{"probe", "EXPERIMENT PATCH [--json] [-o FILE.png|.svg]", "integrator or resonator? doublet, rebound, threshold and chirp experiments on a neuron", runProbe},
		{"exhibit", "FILE [--check]", "run a museum installation: patches, attract tour, volume cap, quiet hours, OSC, health", runExhibit},
		{"devices", "", "list audio devices and MIDI ports", runDevices},
		{"patches", "", "list the built-in patches with their descriptions", runPatches},
	}
}

// usageError is a mistake in the command line: exit status 2 and a hint.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usage(w io.Writer) {
	fmt.Fprintln(w, "Separatrix: a neuron emulator you can play.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  separatrix %s %s\n      %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'separatrix help COMMAND' for the flags of a command.")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			return run([]string{args[1], "-h"}, stdout, stderr)
		}
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		var ue usageError
		var in *outfile.Interrupted
		switch {
		case err == nil:
			return 0
		case errors.As(err, &in):
			// Stopped by a signal, and said so: the shell's convention, 128 + signal.
			fmt.Fprintf(stderr, "separatrix %s: %v\n", name, err)
			return in.ExitCode()
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "separatrix %s: %v\nRun 'separatrix help %s' for usage.\n", name, err, name)
			return 2
		default:
			fmt.Fprintf(stderr, "separatrix %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "separatrix: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

// parseInterspersed parses flags that may come before, between or after positional
// arguments ("render snic -o x.wav" and "render -o x.wav snic" alike). A mistake is a
// usageError (a short line, not the whole flag list); -h prints the usage.
func parseInterspersed(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	var positional []string
	fs.SetOutput(io.Discard)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stderr)
				fs.Usage()
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
