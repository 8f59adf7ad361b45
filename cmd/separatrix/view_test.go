package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
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
