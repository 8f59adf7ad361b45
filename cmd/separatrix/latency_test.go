package main

import (
	"os/exec"
	"strings"
	"testing"
)

func TestParseLatency(t *testing.T) {
	for _, c := range []struct {
		in   string
		want latencyChoice
		err  string
	}{
		{"normal", latencyChoice{ahead: 2}, ""},
		{"low", latencyChoice{direct: true, ahead: 1}, ""},
		{"1", latencyChoice{ahead: 1}, ""},
		{"16", latencyChoice{ahead: 16}, ""},
		{"0", latencyChoice{}, "--latency 0: want low, normal or a number of periods rendered ahead from 1 to 16"},
		{"17", latencyChoice{}, "from 1 to 16"},
		{"fast", latencyChoice{}, "--latency fast: want low, normal"},
	} {
		got, err := parseLatency(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.err)
		case got != c.want:
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestUnderrunAdvice(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		lat  latencyChoice
		want string
	}{
		{1, latencyChoice{ahead: 2}, "audio: the rendering thread was late 1 time: a period of silence (--latency 3 or a larger --buffer gives it more time)"},
		{7, latencyChoice{ahead: 4}, "audio: the rendering thread was late 7 times, each a period of silence (--latency 5 or a larger --buffer gives it more time)"},
		{2, latencyChoice{direct: true, ahead: 1}, "audio: the rendering thread was late 2 times, each a period of silence (--latency 3 or a larger --buffer gives it more time)"},
	} {
		if got := underrunAdvice(c.n, c.lat); got != c.want {
			t.Errorf("%d, %+v:\n got %q\nwant %q", c.n, c.lat, got, c.want)
		}
	}
}

// TestDevicesShowsLatency: devices says how late play --host jack is heard on the
// server at hand (the tests' dummy server: 128 frames, 256 frames of playback latency).
func TestDevicesShowsLatency(t *testing.T) {
	needJACK(t)
	code, out, stderr := runCLI(t, "devices")
	if code != 0 {
		t.Fatalf("devices: exit %d\n%s", code, stderr)
	}
	want := "latency from the neuron to the sound: 10.7 ms (2 periods rendered ahead + 5.3 ms in the driver); 8.0 ms with --latency low"
	if !strings.Contains(out, want) {
		t.Errorf("devices output lacks %q:\n%s", want, out)
	}
}

// TestPlayPrintsLatency: play says at start how late the sound comes, for the native
// JACK output and PortAudio's.
func TestPlayPrintsLatency(t *testing.T) {
	needJACK(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--host", "jack"}, "128 frames, latency 10.7 ms (2 periods rendered ahead + 5.3 ms in the driver)"},
		{[]string{"--host", "jack", "--latency", "3"}, "128 frames, latency 13.3 ms (3 periods rendered ahead + 5.3 ms in the driver)"},
		{[]string{"--host", "jack", "--latency", "low"}, "128 frames, latency 8.0 ms (1 period rendered ahead + 5.3 ms in the driver)"},
	} {
		args := append([]string{"play", "hysteresis", "--duration", "300ms"}, c.args...)
		out, err := exec.Command(sepBin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if stderr := string(out); !strings.Contains(stderr, c.want) {
			t.Errorf("%v: no %q in\n%s", args, c.want, stderr)
		}
	}
}
