package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestViewFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"hysteresis", "--view"}, []string{"hysteresis", "--view"}},
		{[]string{"--view", "0.0.0.0:7400", "hysteresis"}, []string{"--view=0.0.0.0:7400", "hysteresis"}},
		{[]string{"--view", ":7401", "hysteresis"}, []string{"--view=:7401", "hysteresis"}},
		{[]string{"--view", "[::1]:7401", "hysteresis"}, []string{"--view=[::1]:7401", "hysteresis"}},
		// A patch after --view stays a patch.
		{[]string{"--view", "hysteresis", "snic"}, []string{"--view", "hysteresis", "snic"}},
		{[]string{"--view", "./my.toml"}, []string{"--view", "./my.toml"}},
	} {
		if got := joinViewAddr(c.args); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("joinViewAddr(%q) = %q, want %q", c.args, got, c.want)
		}
	}
	var v viewFlag
	if err := v.Set("true"); err != nil || v.addr != "127.0.0.1:7400" {
		t.Errorf("--view alone serves on %q (%v), want 127.0.0.1:7400", v.addr, err)
	}
	if err := v.Set("museum"); err == nil || !strings.Contains(err.Error(), "HOST:PORT") {
		t.Errorf("--view=museum: %v; want an error naming HOST:PORT", err)
	}
	for pin, ok := range map[string]bool{"1234": true, "482913": true, "12": false, "12a4": false, "": false, "1234567890123": false} {
		if err := validPIN(pin); (err == nil) != ok {
			t.Errorf("validPIN(%q) = %v", pin, err)
		}
	}
}

// playWithView starts play with the view on args' address and returns the page URL and
// the PIN play printed ("" if none), reading play's stderr until the view's line.
func playWithView(t *testing.T, args ...string) (url, pin string) {
	t.Helper()
	cmd := exec.Command(sepBin, append([]string{"play", "hysteresis", "--duration", "20s", "--quiet"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	re := regexp.MustCompile(`^view: (http://\S+)( \(steering PIN (\d+)\))?`)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("play ended without printing the view's address")
			}
			if m := re.FindStringSubmatch(l); m != nil {
				go func() {
					for range lines {
					}
				}()
				return m[1], m[3]
			}
		case <-timeout:
			t.Fatal("play printed no view address within 10 s")
		}
	}
}

// TestPlayViewWithoutSoundCard: with no sound card and no MIDI (play's clock mode), the
// view still serves the page and a page still steers.
func TestPlayViewWithoutSoundCard(t *testing.T) {
	if testing.Short() {
		t.Skip("starts play for seconds")
	}
	url, pin := playWithView(t, "--host", "alsa", "--view", "127.0.0.1:0")
	if pin != "" {
		t.Errorf("a view on 127.0.0.1 asks for a PIN (%s)", pin)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<canvas") {
		t.Fatalf("GET %s: %s\n%.300s", url, resp.Status, body)
	}
	hello, conn := helloFrom(t, url)
	defer conn.CloseNow()
	if hello["authorized"] != true || hello["patches"].([]any)[0].(map[string]any)["name"] != "hysteresis" {
		t.Errorf("hello: %v", hello)
	}
}

// TestPlayViewBeyondLocalhostNeedsPIN: listening on every network, play prints a PIN and
// the page must give it to steer.
func TestPlayViewBeyondLocalhostNeedsPIN(t *testing.T) {
	if testing.Short() {
		t.Skip("starts play for seconds")
	}
	url, pin := playWithView(t, "--host", "alsa", "--view", "0.0.0.0:0")
	if len(pin) != 6 {
		t.Fatalf("play on 0.0.0.0 printed PIN %q, want six digits", pin)
	}
	// The printed URL names this machine; connect through loopback.
	port := url[strings.LastIndex(url, ":")+1 : len(url)-1]
	hello, conn := helloFrom(t, "http://127.0.0.1:"+port+"/")
	defer conn.CloseNow()
	if hello["pinRequired"] != true || hello["authorized"] != false {
		t.Fatalf("hello: pinRequired %v authorized %v", hello["pinRequired"], hello["authorized"])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn.Write(ctx, websocket.MessageText, []byte(`{"t":"auth","pin":"`+pin+`"}`))
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no answer to the PIN: %v", err)
		}
		if typ == websocket.MessageText && strings.Contains(string(data), `"t":"auth"`) {
			if !strings.Contains(string(data), `"ok":true`) {
				t.Fatalf("the printed PIN was refused: %s", data)
			}
			return
		}
	}
}

func helloFrom(t *testing.T, url string) (map[string]any, *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(16 << 20)
	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hello map[string]any
	if err := json.Unmarshal(data, &hello); err != nil || hello["t"] != "hello" {
		t.Fatalf("first message %.200s is not a hello", data)
	}
	return hello, conn
}

// lockedBuffer is a bytes.Buffer a test may read while a process writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// pullFrames finds the view's address in play's stderr and opens pages that ask for a
// frame every 16 ms and read everything sent, as a browser at 60 Hz does. stop closes
// them and reports how many frames they got.
func pullFrames(t *testing.T, stderr *lockedBuffer, pages int) (stop func()) {
	t.Helper()
	re := regexp.MustCompile(`view: (http://\S+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("play printed no view address:\n%s", stderr.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var frames atomic.Int64
	for range pages {
		_, conn := helloFrom(t, url)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for {
				typ, data, err := conn.Read(ctx)
				if err != nil {
					return
				}
				if typ == websocket.MessageBinary && data[0] == 1 {
					frames.Add(1)
				}
			}
		}()
		go func() {
			defer wg.Done()
			defer conn.CloseNow()
			tick := time.NewTicker(16 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if conn.Write(ctx, websocket.MessageText, []byte(`{"t":"ready"}`)) != nil {
						return
					}
				}
			}
		}()
	}
	start := time.Now()
	return func() {
		cancel()
		wg.Wait()
		got := frames.Load()
		t.Logf("%d pages got %d frames in %.1f s", pages, got, time.Since(start).Seconds())
		if want := time.Since(start).Seconds() * 60 * float64(pages) / 2; float64(got) < want {
			t.Errorf("%d pages got %d frames in %v, under half of 60 a second each", pages, got, time.Since(start))
		}
	}
}
