package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/separatrix-audio/separatrix/io/audio"
	"github.com/separatrix-audio/separatrix/io/jacktest"
	"github.com/separatrix-audio/separatrix/io/mididrv"
	"github.com/separatrix-audio/separatrix/io/mididrv/jackmidi"
	"github.com/separatrix-audio/separatrix/io/midimap"
	"github.com/separatrix-audio/separatrix/io/osc"
	"github.com/separatrix-audio/separatrix/io/wav"
	"github.com/separatrix-audio/separatrix/patches"
)

// quickTour is hysteresis with a tour short enough for a test: up through the
// saddle-node at 4.51 (crossed about 3.8 s in), then slowly down into the loop, where it
// keeps firing, and on below it.
const quickTour = `
[tour]
length = 14
[[tour.step]]
at = 0
target = "a.current"
to = -2
over = 0.5
caption = "At rest."
[[tour.step]]
at = 1
target = "a.current"
to = 5
over = 3
caption = "The current rises..."
[[tour.step]]
at = 5
target = "a.current"
to = -1
over = 8
caption = "It keeps firing on the way down."
`

// writeInstallation writes a test installation and its patch into dir.
func writeInstallation(t *testing.T, dir, body string) string {
	t.Helper()
	src, _ := patches.BuiltinSource("hysteresis")
	text := string(src)
	if i := strings.Index(text, "\n[tour]"); i >= 0 {
		text = text[:i]
	}
	if err := os.WriteFile(filepath.Join(dir, "quick.toml"), []byte(strings.Replace(text, `name = "hysteresis"`, `name = "quick"`, 1)+quickTour), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "museum.toml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// jackKnob is a controller on JACK MIDI: a client named name with an output port "knob",
// closed at the test's end.
func jackKnob(t *testing.T, name string) (*jackmidi.Driver, *mididrv.Output) {
	t.Helper()
	d, err := jackmidi.New(jackmidi.ClientName(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	knob, err := mididrv.OpenVirtualOutput(d, "knob", mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d, knob
}

// exhibitRun is a running `separatrix exhibit` of a test installation.
type exhibitRun struct {
	cmd      *exec.Cmd
	out      *jacktest.Buffer // what it writes: its journal
	viewPort int
}

// startExhibit runs exhibit for duration on a test installation named name: quick.toml,
// a cap of -12 dBFS, JACK audio, the view on a free port of this machine, then extra
// (more tables); env is added to its environment. SIGINT stops it at the test's end.
func startExhibit(t *testing.T, name, extra, duration string, env ...string) *exhibitRun {
	t.Helper()
	r := &exhibitRun{out: &jacktest.Buffer{}, viewPort: freeUDPPort(t)} // a TCP port is as likely free
	file := writeInstallation(t, t.TempDir(), fmt.Sprintf(`format = 1
name = %q
patches = ["./quick.toml"]
cap_db = -12
state_file = "state.json"
[audio]
host = "jack"
[view]
address = "127.0.0.1:%d"
%s`, name, r.viewPort, extra))
	r.cmd = exec.Command(sepBin, "exhibit", file, "--duration", duration)
	r.cmd.Env = append(os.Environ(), env...)
	r.cmd.Stderr = r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Signal(os.Interrupt); r.cmd.Wait() })
	return r
}

// TestExhibitAttractsAndHandsOver: an installation on the dummy JACK server. With no
// input the tour starts after the idle time and crosses the bifurcation (its gate note
// reaches a JACK MIDI client); a knob's move from JACK MIDI ends it with no jump (the
// current stays where the tour left it, inside the hysteresis loop, so the neuron goes on
// firing: no note-off); /health follows; and the recorded peak never exceeds the cap,
// the knob then swept to the top.
func TestExhibitAttractsAndHandsOver(t *testing.T) {
	needJACK(t)
	dir := t.TempDir()
	d, knob := jackKnob(t, "visitor")
	type note struct {
		on   bool
		when time.Time
	}
	var mu sync.Mutex
	var notes []note
	in, err := mididrv.OpenVirtualInput(d, "notes", func(m midimap.Msg, when time.Time) {
		if m.Data1 != 60 || (m.Status&0xF0 != 0x90 && m.Status&0xF0 != 0x80) {
			return
		}
		mu.Lock()
		notes = append(notes, note{m.Status&0xF0 == 0x90 && m.Data2 > 0, when})
		mu.Unlock()
	}, mididrv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var echoes []float64 // a.current as the exhibit echoes it over OSC
	echo, err := osc.Listen("127.0.0.1:0", func(m osc.Message) {
		if m.Address == "/separatrix/a/current" && len(m.Args) == 1 {
			v, _ := m.Args[0].Number()
			mu.Lock()
			echoes = append(echoes, v)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	viewPort := freeUDPPort(t) // a TCP port is as likely free
	const capDB = -12.0
	client := d.ClientName()
	file := writeInstallation(t, dir, fmt.Sprintf(`format = 1
name = "test wall"
patches = ["./quick.toml"]
cap_db = %g
state_file = "state.json"
[audio]
host = "jack"
[midi]
driver = "jack"
in = [%q]
out = %q
[view]
address = "127.0.0.1:%d"
[attract]
idle = "5s"
[osc]
send = %q
`, capDB, client+":knob", client+":notes", viewPort, echo.Addr().String()))

	rec := filepath.Join(dir, "rec.wav")
	recorder := exec.Command("timeout", "-k", "2", "30", "jack_rec", "-f", rec, "-d", "22", "-b", "16", "system:monitor_1", "system:monitor_2")
	var rout bytes.Buffer
	recorder.Stdout, recorder.Stderr = &rout, &rout
	if err := recorder.Start(); err != nil {
		t.Fatal(err)
	}
	defer recorder.Process.Kill()
	exhibit := exec.Command(sepBin, "exhibit", file, "--duration", "21s")
	var eout bytes.Buffer
	exhibit.Stderr = &eout
	start := time.Now()
	if err := exhibit.Start(); err != nil {
		t.Fatal(err)
	}
	defer exhibit.Process.Kill()
	waitPort(t, audio.JACKClientName)
	waitConnected(t, client+":notes")
	healthAt := func() (int, map[string]any) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", viewPort))
		if err != nil {
			t.Fatalf("GET /health: %v\n%s", err, eout.String())
		}
		defer resp.Body.Close()
		var h map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, h
	}
	// The tour crosses the saddle-node: the gate note comes on.
	var firstOn time.Time
	for deadline := time.Now().Add(15 * time.Second); firstOn.IsZero(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no note from the tour within 15 s\n%s", eout.String())
		}
		mu.Lock()
		for _, n := range notes {
			if n.on {
				firstOn = n.when
				break
			}
		}
		mu.Unlock()
	}
	if wait := firstOn.Sub(start); wait < 5*time.Second {
		t.Fatalf("the neuron fired %v after the start, before the idle time (5 s) was up", wait)
	}
	if code, h := healthAt(); code != 200 || h["attract"] != true || h["patch"] != "quick" {
		t.Errorf("/health during the tour: %d %v", code, h)
	}
	// Into the loop on the way down (the tour's current about 3.5 at 6.2 s), then the
	// visitor: the knob at its bottom (-2), far from the current.
	time.Sleep(time.Until(firstOn.Add(2800 * time.Millisecond)))
	knob.Send(midimap.ControlChange(1, 1, 0))
	knob.Send(midimap.ControlChange(1, 33, 0))
	time.Sleep(1500 * time.Millisecond)
	mu.Lock()
	lastEcho := echoes[len(echoes)-1]
	var offs int
	for _, n := range notes {
		if !n.on && n.when.After(firstOn) {
			offs++
		}
	}
	mu.Unlock()
	if lastEcho < 1 || lastEcho > 4.5 {
		t.Errorf("after the visitor's move the current is %.2f: it should stay where the tour left it, in the loop (1 to 4.5)", lastEcho)
	}
	if offs > 0 {
		t.Errorf("the gate note went off after the visitor's move: the current jumped out of the loop")
	}
	if code, h := healthAt(); code != 200 || h["attract"] != false || h["last_input"].(map[string]any)["source"] != "midi" {
		t.Errorf("/health after the visitor: %d %v", code, h)
	}
	// The knob swept to the top: it takes over where it meets the current, then drives
	// it to 6 at the patch's full gain; the cap still holds.
	for x := 0.0; x <= 1; x += 0.02 {
		v := int(math.Round(x * 16383))
		knob.Send(midimap.ControlChange(1, 1, v>>7))
		knob.Send(midimap.ControlChange(1, 33, v&0x7F))
		time.Sleep(20 * time.Millisecond)
	}
	if err := exhibit.Wait(); err != nil {
		t.Fatalf("exhibit: %v\n%s", err, eout.String())
	}
	recorder.Wait()
	a, err := wav.ReadFile(rec)
	if err != nil {
		t.Fatalf("%v\n%s", err, rout.String())
	}
	peak := 0.0
	for _, ch := range a.Channels {
		for _, v := range ch {
			peak = math.Max(peak, math.Abs(v))
		}
	}
	limit := math.Pow(10, capDB/20)
	t.Logf("recorded peak %.4f (%.2f dBFS), cap %.4f; echoes of a.current: %v", peak, 20*math.Log10(peak), limit, echoes)
	if peak > limit+1e-4 {
		t.Errorf("the recording peaks at %.4f, over the cap %.4f (%g dBFS)", peak, limit, capDB)
	}
	if peak < 0.5*limit {
		t.Errorf("the recording peaks at %.4f: was the installation heard at all?", peak)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
		t.Errorf("no state kept: %v\n%s", err, eout.String())
	}
}

// notifySocket is a fake systemd: it keeps the datagrams an exhibit sends to
// $NOTIFY_SOCKET, with the time each came.
type notifySocket struct {
	mu   sync.Mutex
	msgs []notified
}

type notified struct {
	text string
	at   time.Time
}

func listenNotify(t *testing.T) (string, *notifySocket) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	n := &notifySocket{}
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := c.Read(buf)
			if err != nil {
				return
			}
			n.mu.Lock()
			n.msgs = append(n.msgs, notified{string(buf[:k]), time.Now()})
			n.mu.Unlock()
		}
	}()
	return path, n
}

// count returns how many datagrams holding text came in [from, to).
func (n *notifySocket) count(text string, from, to time.Time) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, m := range n.msgs {
		if strings.Contains(m.text, text) && !m.at.Before(from) && m.at.Before(to) {
			c++
		}
	}
	return c
}

// TestExhibitSurvivesJACKRestart: the JACK server killed and started again under an
// exhibit. The sound resumes; /health answers 503 while it is gone and 200 after, with
// the gap; systemd's watchdog (a fake $NOTIFY_SOCKET) is fed while the sound flows and
// not while it is gone.
func TestExhibitSurvivesJACKRestart(t *testing.T) {
	needJACK(t)
	srv := jacktest.StartPrivate(t)
	sock, notify := listenNotify(t)
	run := startExhibit(t, "restart", "", "40s", "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC=400000")
	exhibit, eout, viewPort := run.cmd, run.out, run.viewPort
	health := func() (int, map[string]any) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", viewPort))
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var h map[string]any
		json.NewDecoder(resp.Body).Decode(&h)
		return resp.StatusCode, h
	}
	waitHealth := func(what string, code int) map[string]any {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			c, h := health()
			if c == code {
				return h
			}
			if time.Now().After(deadline) {
				t.Fatalf("/health never answered %d (%s); last %d %v\n%s", code, what, c, h, eout.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitHealth("playing", 200)
	for deadline := time.Now().Add(2 * time.Second); notify.count("READY=1", time.Time{}, time.Now()) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no READY=1 once playing\n%s", eout.String())
		}
	}
	time.Sleep(1500 * time.Millisecond)
	if n := notify.count("WATCHDOG=1", time.Now().Add(-time.Second), time.Now()); n < 3 {
		t.Errorf("%d watchdog pings in the last second of sound; want about 5 (every 0.2 s)", n)
	}

	srv.Kill()
	killed := time.Now()
	h := waitHealth("the server gone", 503)
	if state := h["audio"].(map[string]any)["state"]; state != "reconnecting" {
		t.Errorf("audio state %v while the server is gone, want reconnecting", state)
	}
	time.Sleep(2 * time.Second)
	// Allow the pings of the first second: the monitor needs half a second to call the
	// sound gone, and one ping may be on its way.
	if n := notify.count("WATCHDOG=1", killed.Add(time.Second), time.Now()); n != 0 {
		t.Errorf("%d watchdog pings while the sound was gone: systemd would never restart a silent exhibit", n)
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	h = waitHealth("the sound back", 200)
	back := time.Now()
	gaps := h["audio"].(map[string]any)["gaps"].([]any)
	if len(gaps) != 1 {
		t.Fatalf("/health lists %d gaps after one restart: %v", len(gaps), gaps)
	}
	gap := gaps[0].(map[string]any)
	if secs := gap["seconds"].(float64); secs < 2 || secs > 20 || gap["to"] == nil {
		t.Errorf("the gap %v: want it closed, lasting the 2 s and more the server was away", gap)
	}
	time.Sleep(1500 * time.Millisecond)
	if n := notify.count("WATCHDOG=1", back, time.Now()); n < 3 {
		t.Errorf("%d watchdog pings since the sound came back; want about 7", n)
	}
	exhibit.Process.Signal(os.Interrupt)
	exhibit.Wait()
	if !strings.Contains(eout.String(), "audio: flowing again after") || !strings.Contains(eout.String(), "audio: stopped") {
		t.Errorf("the journal lines for the gap are missing:\n%s", eout.String())
	}
	if notify.count("STOPPING=1", time.Time{}, time.Now().Add(time.Second)) != 1 {
		t.Errorf("no STOPPING=1 on the way out")
	}
}

// TestExhibitKioskInBrowser: the kiosk page of an exhibit in a real (headless) browser:
// the attract tour's caption shows large under the phase plane with the hint to touch a
// control, the developer numbers do not; a touch on the slider ends the tour and the
// caption goes.
func TestExhibitKioskInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a headless browser against exhibit for seconds")
	}
	if _, err := os.Stat(headlessShell); err != nil {
		t.Skipf("no headless browser: %s is missing (apt-get install chromium-headless-shell)", headlessShell)
	}
	needJACK(t)
	run := startExhibit(t, "kiosk", "[attract]\nidle = \"5s\"\n", "40s")
	eout, viewPort := run.out, run.viewPort
	url := fmt.Sprintf("http://127.0.0.1:%d/kiosk", viewPort)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the kiosk page never answered\n%s", eout.String())
		}
	}
	b := startBrowser(t)
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	caption := func() string {
		return b.eval(`(() => { const c = document.querySelector('#caption'); return c && c.classList.contains('shown') ? c.textContent.trim() : ''; })()`)
	}
	visible := func(sel string) string {
		return b.eval(`(() => { const e = document.querySelector('` + sel + `'); return !!e && e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden'; })()`)
	}
	deadline := time.Now().Add(15 * time.Second)
	for caption() != "At rest." {
		if time.Now().After(deadline) {
			t.Fatalf("the kiosk never showed the tour's first caption; state %s\n%s", b.state().raw, eout.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if b.eval(`document.documentElement.dataset.kiosk !== undefined || document.body.dataset.kiosk !== undefined`) != "true" {
		t.Errorf("the page at /kiosk is not marked as the kiosk")
	}
	if visible("#attract-hint") != "true" {
		t.Errorf("no hint to touch a control while the tour plays")
	}
	for _, text := range []string{"xruns", "load"} {
		if b.eval(`document.body.innerText.toLowerCase().includes('`+text+`')`) == "true" {
			t.Errorf("the kiosk shows the developer number %q", text)
		}
	}
	b.waitFor("the slider to be enabled", func(pageState) bool {
		return b.eval(`!document.querySelector('input[type=range][data-slider="0"]').disabled`) == "true"
	})
	b.setSlider(1)
	deadline = time.Now().Add(5 * time.Second)
	for caption() != "" {
		if time.Now().After(deadline) {
			t.Fatalf("the caption %q stayed after a visitor moved the slider", caption())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestExhibitFindsALateController: an installation listening to "all" MIDI inputs picks
// up a controller plugged in after it started: its moves count as a visitor's input.
func TestExhibitFindsALateController(t *testing.T) {
	needJACK(t)
	run := startExhibit(t, "late", "[midi]\ndriver = \"jack\"\nin = [\"all\"]\n", "30s")
	eout, viewPort := run.out, run.viewPort
	lastInput := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health", viewPort))
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		var h struct {
			LastInput struct{ Source string } `json:"last_input"`
		}
		json.NewDecoder(resp.Body).Decode(&h)
		return h.LastInput.Source
	}
	waitPort(t, audio.JACKClientName)
	time.Sleep(time.Second)
	// Plugged in now: a new JACK MIDI client with an output port.
	_, knob := jackKnob(t, "latecomer")
	for deadline := time.Now().Add(10 * time.Second); lastInput() != "midi"; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the controller plugged in late was never heard\n%s", eout.String())
		}
		knob.Send(midimap.ControlChange(1, 1, 64))
	}
	if !strings.Contains(eout.String(), "MIDI in: latecomer") {
		t.Errorf("the journal does not say the new input is listened to:\n%s", eout.String())
	}
}
