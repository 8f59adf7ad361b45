package main

import (
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
