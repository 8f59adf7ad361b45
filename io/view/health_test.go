package view

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var healthStart = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func testHealth(state string) Health {
	return Health{
		UptimeS: 3600.5,
		Version: "v0.12.0",
		Audio: AudioHealth{
			State: state, Device: "system", SampleRate: 48000, Buffer: 128, Xruns: 2, Underruns: 1,
			LastAudio: healthStart.Add(time.Hour),
			Gaps:      []AudioGap{{From: healthStart.Add(10 * time.Minute), To: healthStart.Add(10*time.Minute + 3*time.Second), Seconds: 3}},
		},
		Resets:    1,
		MIDI:      MIDIHealth{Inputs: []string{"nanoKONTROL2"}, Output: "Midi Through", Connected: true},
		OSC:       OSCHealth{Listening: "127.0.0.1:9000", Received: 40, Malformed: 3},
		LastInput: LastInput{Time: healthStart.Add(59 * time.Minute), Source: InputOSC},
		Patch:     "hysteresis",
		Attract:   true,
		CapDB:     -12,
	}
}

// getHealth asks s's handler for /health and returns the response and its body.
func getHealth(t *testing.T, s *Server, method string) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.serveHealth(rec, httptest.NewRequest(method, "/health", nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func TestHealthStatusFollowsTheAudio(t *testing.T) {
	for _, c := range []struct {
		state string
		code  int
	}{
		{AudioPlaying, 200},
		{AudioStopped, 503},
		{AudioReconnecting, 503},
		{"", 503},
	} {
		want := testHealth(c.state)
		s := &Server{opt: Options{Health: func() Health { return want }}}
		for _, method := range []string{"GET", "HEAD"} {
			res, body := getHealth(t, s, method)
			if res.StatusCode != c.code {
				t.Errorf("%s with audio %q: status %d, want %d", method, c.state, res.StatusCode, c.code)
			}
			for k, v := range map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s: %s: %q, want %q", method, k, got, v)
				}
			}
			if method == "HEAD" {
				if len(body) != 0 {
					t.Errorf("HEAD sent a body of %d bytes", len(body))
				}
				continue
			}
			var got Health
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%v in %s", err, body)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
			}
		}
	}
}

// TestHealthJSONShape holds the field names a museum's monitoring reads.
func TestHealthJSONShape(t *testing.T) {
	s := &Server{opt: Options{Health: func() Health { return testHealth(AudioPlaying) }}}
	_, body := getHealth(t, s, "GET")
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"uptime_s", "version", "resets", "patch", "attract", "cap_db",
		"audio.state", "audio.device", "audio.sample_rate", "audio.buffer", "audio.xruns",
		"audio.underruns", "audio.last_audio", "audio.gaps",
		"midi.inputs", "midi.output", "midi.connected",
		"osc.listening", "osc.received", "osc.malformed",
		"last_input.time", "last_input.source",
	} {
		var v any = m
		for _, k := range strings.Split(path, ".") {
			v = v.(map[string]any)[k]
		}
		if v == nil {
			t.Errorf("%s is missing from %s", path, body)
		}
	}
	gap := m["audio"].(map[string]any)["gaps"].([]any)[0].(map[string]any)
	if gap["from"] != "2026-05-01T09:10:00Z" || gap["to"] != "2026-05-01T09:10:03Z" || gap["seconds"] != 3.0 {
		t.Errorf("gap %v", gap)
	}
	if got := m["audio"].(map[string]any)["last_audio"]; got != "2026-05-01T10:00:00Z" {
		t.Errorf("last_audio %v, want RFC 3339", got)
	}
}

func TestHealthBeforeAnything(t *testing.T) {
	s := &Server{opt: Options{Health: func() Health { return Health{CapDB: math.Inf(-1)} }}}
	res, body := getHealth(t, s, "GET")
	if res.StatusCode != 503 {
		t.Errorf("status %d with no audio state", res.StatusCode)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	audio := m["audio"].(map[string]any)
	if gaps, ok := audio["gaps"].([]any); !ok || len(gaps) != 0 {
		t.Errorf("gaps %v, want []", audio["gaps"])
	}
	if _, ok := audio["last_audio"]; ok {
		t.Errorf("last_audio %v before any audio", audio["last_audio"])
	}
	if _, ok := m["last_input"].(map[string]any)["time"]; ok {
		t.Error("last_input.time before any input")
	}
	if inputs, ok := m["midi"].(map[string]any)["inputs"].([]any); !ok || len(inputs) != 0 {
		t.Errorf("midi.inputs %v, want []", m["midi"].(map[string]any)["inputs"])
	}
	if v, ok := m["cap_db"]; !ok || v != nil {
		t.Errorf("cap_db %v, want null for silence", v)
	}
}

func TestHealthListsTheNewestGaps(t *testing.T) {
	var gaps []AudioGap
	for i := range MaxGaps + 5 {
		from := healthStart.Add(time.Duration(i) * time.Minute)
		gaps = append(gaps, AudioGap{From: from, To: from.Add(2 * time.Second), Seconds: 2})
	}
	gaps = append(gaps, AudioGap{From: healthStart.Add(time.Hour), Seconds: 5}) // still open
	h := testHealth(AudioReconnecting)
	h.Audio.Gaps = gaps
	s := &Server{opt: Options{Health: func() Health { return h }}}
	_, body := getHealth(t, s, "GET")
	var got Health
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if want := gaps[len(gaps)-MaxGaps:]; !reflect.DeepEqual(got.Audio.Gaps, want) {
		t.Errorf("/health sent gaps\n%v\nwant the newest %d\n%v", got.Audio.Gaps, MaxGaps, want)
	}
	if !strings.Contains(string(body), `{"from":"2026-05-01T10:00:00Z","seconds":5}`) {
		t.Errorf("an open gap has a \"to\" in %s", body)
	}
}

func TestHealthWithoutReport(t *testing.T) {
	s := &Server{}
	if res, _ := getHealth(t, s, "GET"); res.StatusCode != http.StatusNotFound {
		t.Errorf("status %d without Options.Health, want 404", res.StatusCode)
	}
	s.opt.Health = func() Health { return testHealth(AudioPlaying) }
	if res, _ := getHealth(t, s, "POST"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", res.StatusCode)
	}
}

// TestHealthIsServed asks a running server, through its mux, while the state changes.
func TestHealthIsServed(t *testing.T) {
	var state atomic.Value
	state.Store(AudioPlaying)
	s := serve(t, newFakeSession(t, true, "hysteresis"), Options{
		Health: func() Health { return testHealth(state.Load().(string)) },
	})
	get := func(method string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, s.URL()+"health", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if method == "GET" {
			var h Health
			if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
				t.Fatalf("GET /health: %v", err)
			}
			if h.Audio.State != state.Load() {
				t.Errorf("GET /health: audio state %q, want %q", h.Audio.State, state.Load())
			}
		}
		return res
	}
	for _, c := range []struct {
		state string
		code  int
	}{{AudioPlaying, 200}, {AudioReconnecting, 503}, {AudioPlaying, 200}, {AudioStopped, 503}} {
		state.Store(c.state)
		for _, method := range []string{"GET", "HEAD"} {
			if res := get(method); res.StatusCode != c.code {
				t.Errorf("%s /health with audio %s: %d, want %d", method, c.state, res.StatusCode, c.code)
			}
		}
	}
}
