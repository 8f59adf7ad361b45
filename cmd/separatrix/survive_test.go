package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/wav"
)

// These tests kill the JACK server under `play` and start it again: play must say so,
// go on (MIDI and the neuron's state), play again once the server is back, and answer
// SIGINT or SIGTERM within a second in every state, with every note-on that reached a
// JACK MIDI client matched by a note-off.

// player is a running `separatrix play`.
type player struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *jacktest.Buffer
	done   chan struct{}
}

// startPlay starts play with JACK audio (and JACK MIDI with virtual ports), on the server
// JACK_DEFAULT_SERVER names now. The performance makes the hysteresis neuron switch
// firing on and off every few seconds (a triangle of current over its whole loop), so
// gate notes start and stop throughout.
func startPlay(t *testing.T, midi bool) *player {
	t.Helper()
	args := []string{"play", "hysteresis", "--host", "jack", "--duration", "60s"}
	if midi {
		args = append(args, "--midi-driver", "jack", "--virtual")
	}
	for range 10 {
		args = append(args, "--ramp", "current=-2:6:1.5", "--ramp", "current=6:-2:1.5")
	}
	p := &player{t: t, cmd: exec.Command(sepBin, args...), stderr: &jacktest.Buffer{}, done: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("play said:\n%s", p.stderr.String())
		}
	})
	return p
}

// say waits until play has printed a line containing want.
func (p *player) say(want string, within time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(p.stderr.String(), want) {
		select {
		case <-p.done:
			p.t.Fatalf("play exited before saying %q:\n%s", want, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("play did not say %q within %v:\n%s", want, within, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends sig and returns how long play took to exit; it fails the test if play
// is still running after 5 s or exits with an error.
func (p *player) stop(sig os.Signal) time.Duration {
	p.t.Helper()
	t0 := time.Now()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.t.Fatalf("play still runs 5 s after %v:\n%s", sig, p.stderr.String())
	}
	took := time.Since(t0)
	if !p.cmd.ProcessState.Success() {
		p.t.Errorf("play exited with %v after %v:\n%s", p.cmd.ProcessState, sig, p.stderr.String())
	}
	return took
}

// dumpOut starts jack_midi_dump and connects separatrix:out to it.
func dumpOut(t *testing.T, name string) *bytes.Buffer {
	t.Helper()
	_, out := startClient(t, 60*time.Second, "jack_midi_dump", name)
	waitPort(t, name+":input")
	waitPort(t, "separatrix:out")
	// jack_connect, a client itself, has been seen to fail right after a server came
	// up ("cannot connect client"): try again.
	var b []byte
	var err error
	for try := 0; try < 5; try++ {
		if b, err = exec.Command("jack_connect", "separatrix:out", name+":input").CombinedOutput(); err == nil {
			return out
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("jack_connect: %v %s", err, b)
	return nil
}

// waitNotes waits until the dump shows at least n note-ons.
func waitNotes(t *testing.T, dump *bytes.Buffer, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ons, _ := pairNotes(dumpNotes(dump.String()))
		if ons >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d note-ons within %v, want %d: %v", ons, within, n, dumpNotes(dump.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pairNotes counts the note-ons in notes ("on 60", "off 60") and those left sounding.
func pairNotes(notes []string) (ons, sounding int) {
	held := map[string]int{}
	for _, n := range notes {
		if key, ok := strings.CutPrefix(n, "on "); ok {
			held[key]++
			ons++
		} else if key, ok := strings.CutPrefix(n, "off "); ok && held[key] > 0 {
			held[key]--
		}
	}
	for _, h := range held {
		sounding += h
	}
	return ons, sounding
}

// checkPaired fails if a note-on in the dump has no note-off after it.
func checkPaired(t *testing.T, what string, dump *bytes.Buffer) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // jack_midi_dump prints what it got
	if ons, sounding := pairNotes(dumpNotes(dump.String())); sounding != 0 {
		t.Errorf("%s: %d of %d note-ons left without a note-off: %v", what, sounding, ons, dumpNotes(dump.String()))
	}
}

// TestPlaySurvivesJACKRestart: the scenario. The JACK server is killed while a
// note is held; play says so in a line and goes on; the server is started again and
// play sounds again within a few seconds (recorded with jack_rec), with its virtual MIDI
// ports back; SIGINT then ends it within a second, and the new MIDI client sees a
// note-off for every note-on.
func TestPlaySurvivesJACKRestart(t *testing.T) {
	needJACK(t)
	srv := jacktest.StartPrivate(t)
	p := startPlay(t, true)
	p.say("audio: JACK client "+audio.JACKClientName+" playing to system", 10*time.Second)
	dump := dumpOut(t, "dump1")
	waitNotes(t, dump, 1, 10*time.Second)

	srv.Kill()
	p.say("audio: lost the JACK client "+audio.JACKClientName+" playing to system (its server shut it down); the neuron and its MIDI go on without sound", 5*time.Second)
	p.say(`MIDI output port "separatrix:out" is gone`, 5*time.Second)
	time.Sleep(time.Second) // the engine goes on by the clock meanwhile

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	p.say("audio: sound is back on the JACK client", 5*time.Second)
	t.Logf("sound again %.2f s after the server answered", time.Since(back).Seconds())
	p.say(`MIDI output port "separatrix:out" created again`, 5*time.Second)
	dump2 := dumpOut(t, "dump2")

	// The sound is back: a recording of what reaches the server's playback ports holds
	// the neuron's spikes (the performance has it firing half of the time).
	rec := filepath.Join(t.TempDir(), "after.wav")
	recorder := exec.Command("timeout", "-k", "2", "10", "jack_rec", "-f", rec, "-d", "3", "-b", "16", "system:monitor_1", "system:monitor_2")
	if out, err := recorder.CombinedOutput(); err != nil {
		t.Fatalf("jack_rec: %v %s", err, out)
	}
	b, err := wav.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if spikes := countPeaks(b.Channels[0]); spikes < 100 {
		t.Errorf("after the restart the recording holds %d spikes in 3 s: no sound", spikes)
	}
	waitNotes(t, dump2, 1, 10*time.Second)

	if took := p.stop(os.Interrupt); took > time.Second {
		t.Errorf("SIGINT after the restart: play took %v to exit", took)
	}
	checkPaired(t, "the client started after the restart", dump2)
}

// TestPlayAnswersSignalsInEveryState: SIGINT or SIGTERM ends play within a second
// whether it plays, has lost its server, or started without one, and the notes that
// reached a live client are all turned off.
func TestPlayAnswersSignalsInEveryState(t *testing.T) {
	needJACK(t)
	for _, tc := range []struct {
		state string
		sig   syscall.Signal
	}{
		{"playing", syscall.SIGINT},
		{"playing", syscall.SIGTERM},
		{"server killed", syscall.SIGINT},
		{"server killed", syscall.SIGTERM},
		{"server stopped", syscall.SIGINT},
		{"no server at start", syscall.SIGINT},
	} {
		t.Run(tc.state+" "+tc.sig.String(), func(t *testing.T) {
			srv := jacktest.StartPrivate(t)
			if tc.state == "no server at start" {
				srv.Stop()
			}
			// JACK MIDI needs its server at start (play fails without it), so the case
			// without a server plays audio only.
			p := startPlay(t, tc.state != "no server at start")
			var dump *bytes.Buffer
			switch tc.state {
			case "no server at start":
				p.say("no JACK server", 10*time.Second)
			default:
				p.say("audio: JACK client "+audio.JACKClientName+" playing to system", 10*time.Second)
				dump = dumpOut(t, "dumpsig")
				waitNotes(t, dump, 1, 10*time.Second)
			}
			switch tc.state {
			case "server killed":
				srv.Kill()
				p.say("(its server shut it down)", 5*time.Second)
			case "server stopped":
				srv.Stop()
				p.say("(its server shut it down)", 5*time.Second)
			}
			if took := p.stop(tc.sig); took > time.Second {
				t.Errorf("play took %v to exit after %v", took, tc.sig)
			} else {
				t.Logf("exited %v after %v", took.Round(time.Millisecond), tc.sig)
			}
			if tc.state == "playing" {
				checkPaired(t, "the MIDI client", dump)
			}
		})
	}
}
