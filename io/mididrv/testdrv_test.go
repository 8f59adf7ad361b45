package mididrv_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"gitlab.com/gomidi/midi/v2/drivers/testdrv"
)

// loopback opens an Input and an Output on gomidi's in-process test driver, whose
// output feeds its input synchronously: pure Go, no JACK.
func loopback(t *testing.T) (*mididrv.Input, *mididrv.Output, *[]string) {
	t.Helper()
	return loopbackOn(t, testdrv.New("fake"))
}

func loopbackOn(t *testing.T, drv *testdrv.Driver) (*mididrv.Input, *mididrv.Output, *[]string) {
	t.Helper()
	var got []string
	in, err := mididrv.OpenInput(drv, "fake-in", func(m midimap.Msg, when time.Time) {
		got = append(got, fmt.Sprintf("% X", []byte{m.Status, m.Data1, m.Data2}))
	}, mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	out, err := mididrv.OpenOutput(drv, "fake-out", mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	return in, out, &got
}

func TestInputConverts(t *testing.T) {
	drv := testdrv.New("fake")
	in, out, got := loopbackOn(t, drv)
	for _, m := range []midimap.Msg{midimap.NoteOn(1, 60, 100), midimap.ControlChange(16, 7, 127), {Status: 0xC3, Data1: 5}} {
		if err := out.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	// Straight to the port: what Output.Send refuses, an input may still receive.
	outs, _ := drv.Outs()
	raw := outs[0]
	raw.Send([]byte{0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7}) // sysex: ignored, counted
	raw.Send([]byte{0xF6})                               // tune request: ignored, counted
	raw.Send([]byte{0x80, 60, 0})
	want := "90 3C 64|BF 07 7F|C3 05 00|80 3C 00"
	if g := strings.Join(*got, "|"); g != want {
		t.Errorf("got %s, want %s", g, want)
	}
	if s := in.Stats(); s.Received != 4 || s.Ignored != 2 {
		t.Errorf("stats %+v, want 4 received, 2 ignored", s)
	}
	if in.Port() != "fake-in" || out.Port() != "fake-out" {
		t.Errorf("ports %q, %q", in.Port(), out.Port())
	}
}

func TestSendRefusesNonChannelMessages(t *testing.T) {
	_, out, got := loopback(t)
	for _, m := range []midimap.Msg{{Status: 0xF8}, {Status: 0x3C, Data1: 1}, {Status: 0x90, Data1: 128, Data2: 1}, {Status: 0x90, Data1: 1, Data2: 128}} {
		if err := out.Send(m); err == nil {
			t.Errorf("Send(%v) succeeded", m)
		}
	}
	if err := out.Send(midimap.Msg{Status: 0xC0, Data1: 1, Data2: 200}); err != nil {
		t.Errorf("program change with a junk third byte: %v", err) // only two bytes go out
	}
	if len(*got) != 1 {
		t.Errorf("received %v", *got)
	}
}

func TestAllNotesOff(t *testing.T) {
	_, out, got := loopback(t)
	for _, m := range []midimap.Msg{
		midimap.NoteOn(1, 60, 100), midimap.NoteOn(1, 64, 100), midimap.NoteOn(1, 100, 100),
		midimap.NoteOn(1, 100, 0), // velocity 0: a note-off
		midimap.NoteOn(2, 67, 100), midimap.NoteOn(3, 1, 1), midimap.NoteOff(3, 1),
	} {
		if err := out.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	*got = nil
	if err := out.AllNotesOff([]int{1}); err != nil {
		t.Fatal(err)
	}
	if g, want := strings.Join(*got, "|"), "80 3C 40|80 40 40|B0 7B 00"; g != want {
		t.Errorf("channel 1: got %s, want %s", g, want)
	}
	*got = nil
	if err := out.AllNotesOff(nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"B0 7B 00", "81 43 40", "B1 7B 00"}
	for ch := 3; ch <= 16; ch++ {
		want = append(want, fmt.Sprintf("%X 7B 00", 0xB0+ch-1))
	}
	if g := strings.Join(*got, "|"); g != strings.Join(want, "|") {
		t.Errorf("all channels: got %s\nwant %s", g, strings.Join(want, "|"))
	}
	if err := out.AllNotesOff([]int{0}); err == nil {
		t.Error("channel 0 accepted")
	}
	if s := out.Stats(); s.Sent != 7+3+17 || s.Failed != 0 {
		t.Errorf("stats %+v", s)
	}
}
