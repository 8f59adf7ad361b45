package render

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/io/midifile"
	"github.com/separatrix-audio/separatrix/io/midimap"
)

// errStarted stops a render that should never have started.
var errStarted = errors.New("the render started")

// TestRunRefusesPerformancesLongerThanADay: what the ramps, kicks and score imply is held
// to MaxDuration as --duration is, before any sound; a performance within it renders (cut
// short here by --duration), and a kick's second of listening is cut at 24 hours.
func TestRunRefusesPerformancesLongerThanADay(t *testing.T) {
	p := load(t, "snic")
	note := midimap.Msg{Status: 0x90, Data1: 60, Data2: 100}
	cases := []struct {
		name     string
		perf     Performance
		duration float64
		want     string // "" renders
	}{
		{"a score of 388 hours",
			Performance{Score: []ScoreEvent{{0, note}, {1398101.33, note}}, ScoreLength: 1398101.33}, 0,
			"the score lasts 1.39810133e+06 s (388.4 hours); a performance may last at most 24 hours"},
		{"a score event after 24 hours", Performance{Score: []ScoreEvent{{90000, note}}, ScoreLength: 10}, 0,
			"score event 1 is at 90000 s (25.0 hours)"},
		{"a score event at no time", Performance{Score: []ScoreEvent{{math.NaN(), note}}, ScoreLength: 10}, 0,
			"score event 1 is at NaN s"},
		{"two ramps of 80000 s", Performance{Ramps: []Ramp{{"current", 0, 10, 80000}, {"current", 10, 0, 80000}}}, 0,
			"--ramp current=10:0:80000: the ramps on current follow each other and end at 160000 s (44.4 hours); a performance may last at most 24 hours"},
		{"the same under --duration", Performance{Ramps: []Ramp{{"current", 0, 10, 80000}, {"current", 10, 0, 80000}}}, 0.01,
			"end at 160000 s (44.4 hours)"},
		{"a kick at 24 hours", Performance{Kicks: []Kick{{Neuron: "a", Amplitude: 10, Ms: 1, At: MaxDuration}}}, 0, "less than 24 hours"},
		{"ramps on two targets, 80000 s each", Performance{Ramps: []Ramp{{"current", 0, 10, 80000}, {"a.gain", 1, 0, 80000}}}, 0.01, ""},
		{"a score of 24 hours", Performance{Score: []ScoreEvent{{MaxDuration, note}}, ScoreLength: MaxDuration}, 0.01, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frames := 0
			sink := Sink{Audio: func(block [][]float32) error {
				if frames += len(block[0]); frames > 48000 {
					return errStarted // today's code would go on for days
				}
				return nil
			}}
			_, err := Run(p, c.perf, Options{Duration: c.duration}, sink)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Run = %v, want a render", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Run = %v, want %q", err, c.want)
			}
			if frames > 0 {
				t.Errorf("%d frames rendered before the refusal, want none", frames)
			}
		})
	}
	// The second after a kick just before 24 hours is cut to the limit: the render
	// (stopped after its first tenth of a second) is planned to last 24 hours.
	perf := Performance{Kicks: []Kick{{Neuron: "a", Amplitude: 10, Ms: 1, At: MaxDuration - 0.5}}}
	var total int64
	sink := Sink{Progress: func(done, all int64) { total = all }}
	sink.Audio = func([][]float32) error {
		if total > 0 {
			return errStarted
		}
		return nil
	}
	if _, err := Run(p, perf, Options{SampleRate: 48000}, sink); !errors.Is(err, errStarted) {
		t.Fatalf("Run = %v, want it to start", err)
	}
	if want := int64(MaxDuration * 48000); total != want {
		t.Errorf("a kick at 24 h - 0.5 s: the render would last %d frames, want %d (24 hours)", total, want)
	}
}

// TestScheduleRefusesRampsLongerThanADay: play schedules its --ramp flags with Schedule,
// so the limit holds there too: ramps that follow each other on one target may add up to
// 24 hours and no more.
func TestScheduleRefusesRampsLongerThanADay(t *testing.T) {
	p := load(t, "snic")
	half := MaxDuration / 2
	for _, c := range []struct {
		name  string
		ramps []Ramp
		ok    bool
	}{
		{"two halves", []Ramp{{"current", 0, 10, half}, {"current", 10, 0, half}}, true},
		{"two halves and a second", []Ramp{{"current", 0, 10, half}, {"current", 10, 0, half}, {"current", 0, 1, 1}}, false},
		{"a day on each of two targets", []Ramp{{"current", 0, 10, MaxDuration}, {"a.gain", 1, 0, MaxDuration}}, true},
		{"a day and a second", []Ramp{{"current", 0, 10, MaxDuration + 1}}, false},
	} {
		_, err := Schedule(p, Performance{Ramps: c.ramps}, 48000)
		if (err == nil) != c.ok {
			t.Errorf("%s: Schedule = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

// TestMaxDurationIsTheScoreLimit: a score file may last as long as a render.
func TestMaxDurationIsTheScoreLimit(t *testing.T) {
	if midifile.MaxLength != MaxDuration {
		t.Errorf("midifile.MaxLength = %g s, render.MaxDuration = %g s: one limit, two values", midifile.MaxLength, MaxDuration)
	}
}
