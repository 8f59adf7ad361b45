package view

import (
	"math"
	"time"
	"unicode/utf8"

	"github.com/separatrix-audio/separatrix/emu"
)

// hello is the first message a page gets: everything that does not change.
func (p *page) hello() map[string]any {
	src := p.s.src
	var patches []map[string]any
	for _, pi := range src.Patches() {
		var neurons, sliders, kicks []map[string]any
		for _, n := range pi.Neurons {
			m := n.Spec.Model
			vars := make([]string, len(m.Vars))
			for i, v := range m.Vars {
				vars[i] = v.Name
			}
			neurons = append(neurons, map[string]any{
				"name": n.Spec.Name, "model": m.Name, "preset": n.Spec.Preset, "vars": vars,
				"y": vars[len(vars)-1], "unit": m.CurrentUnit, "currentRange": n.CurrentRange,
			})
		}
		for _, sl := range pi.Sliders {
			sliders = append(sliders, map[string]any{
				"target": sl.Target, "neuron": sl.Neuron, "control": controlName(sl.Target),
				"min": sl.Min, "max": sl.Max, "unit": sl.Unit,
			})
		}
		for _, k := range pi.Kicks {
			kicks = append(kicks, map[string]any{"label": k.Label, "neuron": k.Neuron, "amplitude": k.Amplitude,
				"duration": k.Duration, "pulses": k.Pulses, "hold": k.Hold})
		}
		patches = append(patches, map[string]any{
			"name": pi.Name, "description": pi.Description,
			"neurons": orEmpty(neurons), "sliders": orEmpty(sliders), "kicks": orEmpty(kicks),
		})
	}
	tapRate := 0.0
	if tap := src.Tap(src.Playing()); tap != nil && tap.Every() > 0 {
		tapRate = src.SampleRate() / float64(tap.Every())
	}
	return map[string]any{
		"t": "hello", "version": 1, "patches": patches, "playing": src.Playing(),
		"readonly": p.s.opt.ReadOnly, "pinRequired": p.s.opt.PIN != "" && !p.s.opt.ReadOnly,
		"authorized": p.authorized.Load(), "tapRate": tapRate, "sampleRate": src.SampleRate(),
		"audioLatencyMs": finite(float32(1000 * src.Status().AudioLatency)),
		"nowMs":          nowMs(),
	}
}

func orEmpty(v []map[string]any) []map[string]any {
	if v == nil {
		return []map[string]any{}
	}
	return v
}

// status is the four-times-a-second health report.
func (p *page) status() map[string]any {
	src, s := p.s.src, p.s
	playing := src.Playing()
	st := src.Status()
	s.hub.mu.Lock()
	hs := s.hub.patches[playing]
	neurons := make([]map[string]any, hs.neurons)
	t := 0.0
	if hs.next > 0 {
		at := (hs.next - 1) % hs.cap
		t = hs.t[at]
		rec := hs.data[int(at)*hs.stride:]
		for k := range neurons {
			neurons[k] = map[string]any{"I": finite(rec[k*emu.TapFields+emu.TapI]), "rate": hs.rate[k], "firing": hs.firing[k]}
		}
	} else {
		for k := range neurons {
			neurons[k] = map[string]any{"I": 0, "rate": 0, "firing": false}
		}
	}
	s.hub.mu.Unlock()
	s.mu.Lock()
	pages, lag := len(s.pages), s.meanLagLocked()
	s.mu.Unlock()
	return map[string]any{
		"t": "status", "playing": playing, "time": t, "neurons": neurons,
		"xruns": st.Xruns, "load": finite(float32(st.Load)), "droppedRecords": p.lost, "droppedFrames": p.dropped.Load(),
		"rejected": p.rejected.Load(), "droppedEvents": st.DroppedEvents, "droppedCommands": st.DroppedCommand,
		"pages": pages, "lagMs": finite(float32(lag)), "midiIn": st.MIDIIn, "nowMs": nowMs(),
		"caption": clipCaption(st.Caption), "attract": st.Attract,
	}
}

// maxCaption bounds the caption a status message carries, in bytes. A tour's captions
// are at most patches.MaxCaption (120) characters, 480 bytes of UTF-8 at the very
// worst, so none is ever cut; a longer one (a score's text, a future source) is, rather
// than grow every status message, four times a second, to any size.
const maxCaption = 480

// clipCaption returns s, or when it is longer than maxCaption bytes its start, cut at a
// rune boundary and ended with "…", within maxCaption bytes.
func clipCaption(s string) string {
	if len(s) <= maxCaption {
		return s
	}
	const ellipsis = "…"
	cut := maxCaption - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// nowMs is the server's wall clock in ms since the Unix epoch, as TRAIL's producedMs: a
// page on another machine subtracts the difference of the clocks from its lag.
func nowMs() float64 { return float64(time.Now().UnixNano()) / 1e6 }

func finite(x float32) float64 {
	v := float64(x)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
