// Package view serves a live view of a playing session to web browsers: the phase plane
// of the selected neuron with its state point and a fading trail, its bifurcation
// diagram with a cursor at the present current, scrolling voltage traces with spike
// ticks, a spike raster, the status, the caption of an installation's attract tour, and
// controls (sliders, kick buttons, reset, patch switch) that go to the engine through the
// same event path as MIDI. /kiosk is the same page laid out for a museum's touch screen
// (see Kiosk).
//
// Threads: the audio callback writes each engine's emu.Tap (lock-free, never waits). One
// hub goroutine drains the taps a few hundred times a second into a history shared by
// the pages. Each page has a goroutine of its own that answers the page's "ready" (sent
// once per display frame) with the newest records; a page that stops asking only loses
// records, counted, and holds up nothing else. Geometry (nullclines, equilibria,
// cycles, separatrices, basin, the diagram) is computed on one low-priority thread,
// cached per neuron along a grid of currents, and sent to a page once per cell.
//
// # Protocol
//
// One WebSocket at /ws. Text messages are JSON objects with a "t" field; binary
// messages start with a type byte. All binary numbers are little-endian; there is no
// padding (read with DataView at any offset).
//
// Page to server (JSON, at most 1 kB each; anything else is refused and counted):
//
//	{"t":"ready","lagMs":12.5}    once per animation frame; lagMs (optional) is the page's
//	                              mean of draw time minus producedMs over the last second
//	{"t":"select","neuron":0,"traces":[0,1]}   the phase-plane neuron of the playing patch
//	                              and the neurons whose traces are drawn (at most 8)
//	{"t":"auth","pin":"123456"}   unlocks the controls when the server asks for a PIN
//	{"t":"set","slider":0,"value":2.5}   slider of the playing patch (clamped to its range)
//	{"t":"kick","kick":0}         kick button of the playing patch; a "hold" button sends
//	                              {"t":"kick","kick":0,"down":true} when pressed and
//	                              "down":false when let go (the current lasts between)
//	{"t":"reset"}                 every neuron of the playing patch to its initial state
//	{"t":"patch","index":1}       switch patch (crossfaded, as a program change)
//
// Server to page, JSON:
//
//	{"t":"hello", "version":1, "patches":[PATCH...], "playing":0, "readonly":false,
//	 "pinRequired":false, "authorized":true, "tapRate":500, "sampleRate":48000,
//	 "audioLatencyMs":5.3, "nowMs":1796000000000.0}
//	  PATCH = {"name":"hysteresis", "description":"...",
//	           "neurons":[{"name":"a", "model":"inapk", "preset":"saddle-node",
//	                       "vars":["V","n"], "y":"n", "unit":"µA/cm²",
//	                       "currentRange":[-2,6]}],
//	           "sliders":[{"target":"a.current", "neuron":0, "control":"current",
//	                       "min":-2, "max":6, "unit":"µA/cm²"}],
//	           "kicks":[{"label":"kick +30", "neuron":0, "amplitude":30, "duration":5,
//	                     "pulses":0, "hold":false}]}
//	  sent once on connect.
//	{"t":"controls", "patch":0, "values":[2.5]}   slider values; on connect and whenever
//	                              one changes (a knob, another page, a scripted ramp)
//	{"t":"status", "playing":0, "time":12.3, "neurons":[{"I":2.5,"rate":880,"firing":true}],
//	 "xruns":0, "load":0.21, "droppedRecords":0, "droppedFrames":0, "rejected":0,
//	 "droppedEvents":0, "droppedCommands":0, "pages":2, "lagMs":11.2, "midiIn":0,
//	 "nowMs":1796000000250.0, "caption":"The current rises...", "attract":true}
//	                              four times a second. caption: the attract tour's caption
//	                              now ("" none; Status.Caption, at most 480 bytes, a longer
//	                              one cut at a rune and ended with "…"); attract: the tour
//	                              is playing (any command a page sends ends it, as any
//	                              input does). droppedRecords: tap records this page
//	                              never got (it fell behind); droppedFrames: display frames
//	                              the server could not send (a write still in progress);
//	                              rejected: this page's messages refused; lagMs: the mean the
//	                              pages report.
//	                              nowMs (in hello and status): the server's wall clock, ms
//	                              since the Unix epoch; the smallest page-minus-server
//	                              difference seen is the offset of the two clocks, which a
//	                              page on another machine takes off its lag
//	{"t":"auth", "ok":true}        the answer to an auth
//	{"t":"error", "message":"..."} a refused message or command, in words
//
// Server to page, binary:
//
//	TRAIL (type 1), the answer to each ready: the records since the page's last one.
//	  u8 1, u8 patch, u16 D (detail neurons), u32 K (records), u32 S (spikes),
//	  u32 droppedRecords (this page, cumulative), f64 producedMs (wall clock, ms since the
//	  Unix epoch, at which the newest record was rendered), D × u16 neuron index,
//	  K × {f64 t (seconds of sound since the patch's engine started),
//	       D × 6 × f32 (V, Y, I, Vmin, Vmax, spikes: see emu.TapV ...)},
//	  S × {u16 record index (0..K-1), u16 neuron}  every spike of every neuron
//	  (Vmin and Vmax span every sample since the previous record: draw the trace as
//	  vertical bars between them and it shows a cycle far faster than the record rate)
//
//	PORTRAIT (type 2), the geometry at one grid current, sent once per page per cell and
//	completeness when the neuron's present current is nearest that cell:
//	  u8 2, u8 patch, u16 neuron, u32 cell, f64 current,
//	  f32 x0, f32 x1, f32 y0, f32 y1 (the window: fixed per neuron, V across, Y up),
//	  u8 flags (bit 0: complete (cycles, separatrices and basin are in), bit 1: projected
//	  (a (V, n) projection of a model with more variables)),
//	  u16 count, count × LINE   V-nullcline pieces
//	  u16 count, count × LINE   Y-nullcline pieces
//	  u16 count, count × {f32 V, f32 Y, u8 kind}   equilibria; kind 0 stable node,
//	                            1 stable focus, 2 unstable node, 3 unstable focus, 4 saddle
//	  u16 count, count × {u8 stable, f32 period (ms), LINE}   limit cycles (closed orbits)
//	  u16 count, count × LINE   separatrices (stable manifolds of saddles)
//	  u16 cols, u16 rows, ceil(cols·rows/8) bytes   basin of the firing cycle: bit
//	                            (row·cols + col) (LSB first), row 0 at the bottom (y0);
//	                            cols = rows = 0 when rest and firing do not coexist
//	  LINE = u32 n, n × {f32 V, f32 Y}
//
//	DIAGRAM (type 3), the neuron's bifurcation diagram, sent once per page per neuron:
//	  u8 3, u8 patch, u16 neuron, f32 I0, f32 I1, f32 V0, f32 V1 (the axes),
//	  u16 count, count × {u8 stable, u8 type (0 node, 1 focus, 2 saddle), u32 n,
//	                      n × {f32 I, f32 V}}   equilibrium branches
//	  u16 count, count × {u8 stable, u32 n, n × {f32 I, f32 Vmin, f32 Vmax}}   cycle branches
//	  u16 count, count × {u8 kind (0 saddle-node, 1 snic, 2 supercritical Hopf,
//	                      3 subcritical Hopf, 4 fold of limit cycles, 5 homoclinic orbit),
//	                      f32 I, f32 V}   bifurcations of rest (0-3) and where the firing
//	                      cycle ends (4 at its top, 5 at its bottom, touching the saddle)
//	  u16 count, count × {f32 I0, f32 I1}   bistable ranges (rest and firing coexist)
//
// # Health
//
// GET /health (and HEAD) reports how an installation is doing, for a museum's
// monitoring: status 200 while the audio plays, 503 while it is stopped or being
// reconnected, and a JSON body either way (Content-Type application/json, never cached).
// A check as simple as
//
//	curl -fsS http://127.0.0.1:7400/health
//
// fails when the sound has stopped and prints why otherwise. The body (see Health; times
// are RFC 3339; a field with no value yet, such as last_audio before the first block, is
// left out; cap_db is null when the cap is silence; gaps lists the newest MaxGaps,
// oldest first, and one without "to" still lasts):
//
//	{"uptime_s":3600.5, "version":"v0.12.0",
//	 "audio":{"state":"playing", "device":"system", "sample_rate":48000, "buffer":128,
//	          "xruns":2, "underruns":1, "last_audio":"2026-05-01T10:00:00Z",
//	          "gaps":[{"from":"2026-05-01T09:10:00Z", "to":"2026-05-01T09:10:03Z", "seconds":3}]},
//	 "resets":0,
//	 "midi":{"inputs":["nanoKONTROL2"], "output":"", "connected":true},
//	 "osc":{"listening":"127.0.0.1:9000", "received":40, "malformed":3},
//	 "last_input":{"time":"2026-05-01T09:59:00Z", "source":"osc"},
//	 "patch":"hysteresis", "attract":true, "cap_db":-12}
//
// audio.state is "playing", "stopped" or "reconnecting"; last_input.source is "midi",
// "page" or "osc"; resets counts neurons reset because their state became non-finite.
// The session fills the report in (Options.Health) from what the audio callback
// publishes; a request never waits for the callback. Without Options.Health (a session
// started by play) /health answers 404. /health needs no PIN: it reports, it steers
// nothing, and it is reachable wherever the page is.
//
// # Kiosk
//
// GET /kiosk serves the page for a museum's screen (Chromium full screen on it, see
// deploy/): the phase plane large with the tour's caption under it, room kept for three
// lines so that the plot does not jump as captions come and go, the patch's description
// cut to its first sentence beside its name, and larger touch targets. Left out are the
// developer's numbers (xruns, load, lag, dropped records, frames and events), the theme
// button and the view settings (trail, legends, trace length); a tap on a plot still
// toggles the legends, but the kiosk keeps no settings across a reload, so one visitor's
// change does not stay for the next. Selection, the long-press menu, pinch and Ctrl+wheel
// zoom and overscroll are turned off. The theme is the URL's: /kiosk?theme=light.
//
// Both pages show the caption (faded out and in as it changes; on / it takes room only
// while there is one) and, while the tour plays and the page may steer, a small "Touch a
// control to play". A read-only view (Options.ReadOnly) shows its controls disabled on
// both pages, as they follow the knobs, and no invitation. The server marks the kiosk
// page (data-kiosk on its root element) rather than the script, so the kiosk layout is
// there from the first paint.
//
// # Safety
//
// The server binds 127.0.0.1 unless given another address. Beyond loopback, watching is
// open but steering needs the PIN (Options.PIN); Options.ReadOnly turns steering off.
package view
