package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// needOSCTools skips without Debian's liblo-tools, but fails in CI, which installs them.
func needOSCTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"oscsend", "oscdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: CI must install liblo-tools (make test-deps)", tool)
			}
			t.Skipf("%s is missing (apt install liblo-tools)", tool)
		}
	}
}

// freeUDPPort returns a UDP port of 127.0.0.1 that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestPlayOverOSCWithLiblo: liblo's oscsend steers `play --osc` (a control, a kick, a
// program change) and liblo's oscdump hears `--osc-out`: the echoes of the controls,
// spikes, rates and states.
func TestPlayOverOSCWithLiblo(t *testing.T) {
	needJACK(t)
	needOSCTools(t)
	in, out := freeUDPPort(t), freeUDPPort(t)
	_, dump := startClient(t, 30*time.Second, "oscdump", "-L", strconv.Itoa(out))
	play := exec.Command(sepBin, "play", "hysteresis", "snic", "--host", "jack", "--quiet", "--duration", "4s",
		"--osc", strconv.Itoa(in), "--osc-out", "127.0.0.1:"+strconv.Itoa(out), "--osc-rate", "20")
	var perr bytes.Buffer
	play.Stderr = &perr
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	send := func(args ...string) {
		t.Helper()
		cmd := exec.Command("oscsend", append([]string{"localhost", strconv.Itoa(in)}, args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("oscsend %v: %v\n%s", args, err, b)
		}
	}
	time.Sleep(1 * time.Second)
	send("/separatrix/a/kick", "f", "1") // hysteresis at rest: a kick into firing
	time.Sleep(500 * time.Millisecond)
	send("/separatrix/a/current", "f", "2") // inside the loop: it keeps firing
	time.Sleep(500 * time.Millisecond)
	send("/separatrix/program", "i", "1") // snic
	time.Sleep(300 * time.Millisecond)
	send("/separatrix/a/current/normalized", "f", "0.5")
	if err := play.Wait(); err != nil {
		t.Fatalf("play: %v\n%s", err, perr.String())
	}
	time.Sleep(200 * time.Millisecond)
	got := dump.String()
	for _, want := range []string{
		"/separatrix/a/spike",
		"/separatrix/a/rate f",
		"/separatrix/a/state ff",
		"/separatrix/a/current f 2.0",
		"/separatrix/a/current/normalized f",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("oscdump never printed %q\n(play said: %s)", want, perr.String())
		}
	}
	// After the program change, snic's current at half its range comes back as an echo.
	if !strings.Contains(got, "/separatrix/a/current/normalized f 0.5") {
		t.Errorf("no echo of snic's fader at 0.5:\n%s", lastLines(got, 20))
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
