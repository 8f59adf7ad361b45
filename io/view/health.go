package view

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Audio states, for AudioHealth.State.
const (
	AudioPlaying      = "playing"      // a device plays what is rendered
	AudioStopped      = "stopped"      // nothing plays and the session no longer answers (stuck)
	AudioReconnecting = "reconnecting" // no device plays (gone, or not found yet); it is being looked for
)

// Input sources, for LastInput.Source.
const (
	InputMIDI = "midi"
	InputPage = "page"
	InputOSC  = "osc"
)

// MaxGaps is the most audio gaps /health lists: the newest ones (io/live's Monitor
// keeps as many).
const MaxGaps = 16

// Health is what GET /health reports, for a museum's monitoring (see the package
// documentation). The session fills it in; the server only encodes it.
type Health struct {
	UptimeS float64     `json:"uptime_s"` // seconds since the program started
	Version string      `json:"version"`
	Audio   AudioHealth `json:"audio"`
	// Resets counts neurons reset because their state became non-finite.
	Resets    uint64     `json:"resets"`
	MIDI      MIDIHealth `json:"midi"`
	OSC       OSCHealth  `json:"osc"`
	LastInput LastInput  `json:"last_input"`
	Patch     string     `json:"patch"`   // the name of the patch playing
	Attract   bool       `json:"attract"` // the attract tour is playing
	// CapDB is the volume cap in force, in dB of full scale. A cap of silence (-Inf,
	// quiet hours) is sent as null.
	CapDB float64 `json:"cap_db"`
}

// AudioHealth is the state of the audio output.
type AudioHealth struct {
	State      string  `json:"state"`  // AudioPlaying, AudioStopped or AudioReconnecting
	Device     string  `json:"device"` // as play and the installation file name it
	SampleRate float64 `json:"sample_rate"`
	Buffer     int     `json:"buffer"` // frames per block
	Xruns      uint64  `json:"xruns"`
	Underruns  uint64  `json:"underruns"`
	// LastAudio is when the last block was rendered (absent before the first).
	LastAudio time.Time `json:"last_audio,omitzero"`
	// Gaps are recent stretches without audio, oldest first; /health sends the newest
	// MaxGaps of them.
	Gaps []AudioGap `json:"gaps"`
}

// AudioGap is a stretch of time without audio.
type AudioGap struct {
	From time.Time `json:"from"`
	// To is when the audio came back: absent while the gap lasts.
	To time.Time `json:"to,omitzero"`
	// Seconds is the gap's length, up to now while it lasts.
	Seconds float64 `json:"seconds"`
}

// MIDIHealth names the MIDI ports in use.
type MIDIHealth struct {
	Inputs    []string `json:"inputs"`
	Output    string   `json:"output"` // empty: no MIDI output
	Connected bool     `json:"connected"`
}

// OSCHealth counts OSC traffic.
type OSCHealth struct {
	Listening string `json:"listening"` // the host:port OSC listens on; empty: OSC is off
	Received  uint64 `json:"received"`  // messages taken in
	Malformed uint64 `json:"malformed"` // packets dropped as malformed, and messages refused (nothing in the patch by that name, a bad value)
}

// LastInput is the newest input from a visitor or a controller.
type LastInput struct {
	Time   time.Time `json:"time,omitzero"` // absent before the first input
	Source string    `json:"source"`        // InputMIDI, InputPage, InputOSC; empty before the first
}

// MarshalJSON encodes h as /health sends it: lists are [] rather than null, and a cap of
// silence is null (JSON has no infinity).
func (h Health) MarshalJSON() ([]byte, error) {
	type plain Health // without this method
	var capDB *float64
	if !math.IsInf(h.CapDB, 0) && !math.IsNaN(h.CapDB) {
		capDB = &h.CapDB
	}
	if h.Audio.Gaps == nil {
		h.Audio.Gaps = []AudioGap{}
	}
	if n := len(h.Audio.Gaps); n > MaxGaps {
		h.Audio.Gaps = h.Audio.Gaps[n-MaxGaps:]
	}
	if h.MIDI.Inputs == nil {
		h.MIDI.Inputs = []string{}
	}
	return json.Marshal(struct {
		plain
		CapDB *float64 `json:"cap_db"` // shadows plain's
	}{plain(h), capDB})
}

// serveHealth answers GET and HEAD /health: the session's Health as JSON, with status
// 200 while the audio plays and 503 otherwise, so that `curl -f` fails when it stops.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "/health answers GET and HEAD only", http.StatusMethodNotAllowed)
		return
	}
	if s.opt.Health == nil {
		http.Error(w, "this session reports no health (separatrix exhibit does)", http.StatusNotFound)
		return
	}
	health := s.opt.Health()
	body, err := json.Marshal(health)
	if err != nil {
		http.Error(w, fmt.Sprintf("the health report cannot be encoded: %v", err), http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	code := http.StatusOK
	if health.Audio.State != AudioPlaying {
		code = http.StatusServiceUnavailable
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
