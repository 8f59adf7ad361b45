package patches

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inst is a valid installation: broken cases append to it, from line 4.
var inst = []string{
	`format = 1`,
	`patches = ["snic", "hysteresis"]`,
	`cap_db = -12`,
}

func withInst(extra ...string) string {
	return lines(append(append([]string(nil), inst...), extra...)...)
}

// instDir is a directory with a patch without a tour, a broken patch and a score, for
// installations that name files.
func instDir(t testing.TB) string {
	dir := t.TempDir()
	files := map[string]string{
		"drone.toml":  "format = 1\n[[neuron]]\nname = \"a\"\nmodel = \"inapk\"\n",
		"broken.toml": "format = 1\n[[neuron]]\nname = \"a\"\nmodel = \"inapk2\"\n",
		"twin.toml":   "format = 1\nname = \"drone\"\n[[neuron]]\nname = \"a\"\nmodel = \"inapk\"\n",
		"loud.toml":   "format = 1\n[output]\nceiling_db = -20\n[[neuron]]\nname = \"a\"\nmodel = \"inapk\"\n",
		"tour.mid":    "MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xff\x2f\x00",
		"notes.txt":   "not a score",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// brokenInstallations is every way to get an installation wrong that the checker knows,
// with the exact message ("DIR" stands for the directory of the file).
var brokenInstallations = []struct {
	name, src, want string
}{
	{"no format", lines(`patches = ["snic"]`),
		`m.toml:1:1: an installation must say which format it is written in: add format = 1 as its first line`},
	{"a patch", lines(`format = 1`, `[[neuron]]`, `name = "a"`, `model = "inapk"`),
		`m.toml:2:3: this is a patch, not an installation: an installation file lists patches, like patches = ["./my-patch.toml"]`},
	{"wrong format", lines(`format = 2`),
		`m.toml:1:1: format = 2 is not an installation format this version of Separatrix reads: it reads format = 1`},
	{"no patches", lines(`format = 1`, `cap_db = -12`),
		`m.toml:1:1: an installation needs its patches, like patches = ["hysteresis", "snic", "./my-patch.toml"] (built-in names, or paths relative to this file)`},
	{"misspelt patch", lines(`format = 1`, `cap_db = -12`, `patches = ["snic", "hysterisis"]`),
		`m.toml:3:20: unknown patch "hysterisis" (did you mean "hysteresis"?)`},
	{"unknown patch", lines(`format = 1`, `cap_db = -12`, `patches = ["zzz"]`),
		`m.toml:3:12: unknown patch "zzz": the built-in patches are snic, saddle-node, hysteresis, hopf-super, hopf-sub, timing, rebound, fitzhugh-nagumo, hh, morris-lecar-snic, morris-lecar-homoclinic, morris-lecar-hopf, flip-flop, swarm; a file's path needs a / or .toml, like "./zzz.toml"`},
	{"duplicate patch", lines(`format = 1`, `cap_db = -12`, `patches = ["snic", "hh", "snic"]`),
		`m.toml:3:26: patch "snic" is already in the list (the 1st): list each patch once`},
	{"duplicate file", lines(`format = 1`, `cap_db = -12`, `patches = ["./drone.toml", "drone.toml"]`),
		`m.toml:3:28: patch "drone.toml" is already in the list (the 1st): list each patch once`},
	{"duplicate name", lines(`format = 1`, `cap_db = -12`, `patches = ["./drone.toml", "./twin.toml"]`),
		`m.toml:3:28: patch "./twin.toml" is named "drone", like the 1st patch: give one another name (name = ... in its file), since the view and the scores tell patches apart by name`},
	{"patch that fails", lines(`format = 1`, `cap_db = -12`, `patches = ["./broken.toml"]`),
		"m.toml:3:12: patch \"./broken.toml\" does not load; its own problems follow\nDIR/broken.toml:4:1: unknown model \"inapk2\" (known: inapk, hh, morris-lecar, fitzhugh-nagumo)"},
	{"patch missing", lines(`format = 1`, `cap_db = -12`, `patches = ["./gone.toml"]`),
		`m.toml:3:12: patch "./gone.toml" does not load: cannot read the patch: no such file or directory`},
	{"no cap", lines(`format = 1`, `patches = ["snic"]`),
		`m.toml:1:1: an installation needs its volume cap, the loudest it may ever be, like cap_db = -12 (dBFS, below every patch's ceiling)`},
	{"cap at a ceiling", lines(`format = 1`, `patches = ["snic", "./loud.toml"]`, `cap_db = -20`),
		`m.toml:3:1: cap_db = -20 is not below the ceiling of patch "loud" (-20 dBFS): the cap must be lower than every patch's ceiling, or it caps nothing`},
	{"cap positive", lines(`format = 1`, `patches = ["snic"]`, `cap_db = 3`),
		`m.toml:3:1: cap_db = 3 is outside the allowed range: -60 up to, not including, 0 dBFS`},
	{"unknown key", withInst(`cap = -3`),
		`m.toml:4:1: unknown key "cap" in the top level of the installation (known keys: format, name, patches, cap_db, state_file, audio, midi, view, attract, quiet, osc)`},
	{"unknown audio key", withInst(`[audio]`, `buffr = 256`),
		`m.toml:5:1: unknown key "buffr" in [audio] (did you mean "buffer"?)`},
	{"bad rate", withInst(`[audio]`, `rate = 100`),
		`m.toml:5:1: rate = 100 is not a sample rate a sound card plays: use 8000 to 768000 Hz, like rate = 48000`},
	{"bad latency", withInst(`[audio]`, `latency = "fast"`),
		`m.toml:5:1: latency = "fast": use "low", "normal" or a number of periods rendered ahead, 1 to 16`},
	{"bad driver", withInst(`[midi]`, `driver = "jak"`),
		`m.toml:5:1: driver = "jak" is not a MIDI driver (did you mean "jack"?)`},
	{"view open without pin", withInst(`[view]`, `address = "0.0.0.0:7400"`),
		`m.toml:5:1: the view at 0.0.0.0:7400 can be reached from other machines, and anyone there could steer the installation: give a pin = "NNNN" (4 to 12 digits) that staff keep, or readonly = true`},
	{"view bad address", withInst(`[view]`, `address = "7400"`),
		`m.toml:5:1: address = "7400" is not HOST:PORT; like address = "127.0.0.1:7400" (this machine only) or "0.0.0.0:7400" (every network)`},
	{"view bad pin", withInst(`[view]`, `pin = "12a4"`),
		`m.toml:5:1: pin = "12a4" will not do: give 4 to 12 digits, so that a touch screen's number pad can enter it`},
	{"idle bad", withInst(`[attract]`, `idle = "soon"`),
		`m.toml:5:1: idle = "soon" is not a duration: write it like idle = "90s" or "2m"`},
	{"idle short", withInst(`[attract]`, `idle = "2s"`),
		`m.toml:5:1: idle = "2s" is outside the allowed range 5s to 24h0m0s`},
	{"idle a number", withInst(`[attract]`, `idle = 90`),
		`m.toml:5:1: idle must be a duration in quotes, like idle = "90s"`},
	{"no tour no score", lines(`format = 1`, `cap_db = -12`, `patches = ["snic", "./drone.toml"]`, `[attract]`),
		`m.toml:3:20: patch "./drone.toml" has no tour and no score: in attract mode it would play silence; add a [tour] to the patch or a score in [attract.scores]`},
	{"score missing", lines(`format = 1`, `cap_db = -12`, `patches = ["./drone.toml"]`, `[attract]`, `scores = { drone = "gone.mid" }`),
		`m.toml:5:12: the score for "drone", gone.mid, cannot be read: no such file or directory`},
	{"score not MIDI", lines(`format = 1`, `cap_db = -12`, `patches = ["./drone.toml"]`, `[attract]`, `scores = { drone = "notes.txt" }`),
		`m.toml:5:12: the score for "drone", notes.txt, is not a Standard MIDI File (.mid)`},
	{"score of no patch", lines(`format = 1`, `cap_db = -12`, `patches = ["snic"]`, `[attract.scores]`, `snac = "tour.mid"`),
		`m.toml:5:1: scores names patch "snac", but the installation has no such patch (did you mean "snic"?)`},
	{"quiet bad time", withInst(`[[quiet]]`, `from = "25:00"`, `to = "07:00"`, `silent = true`),
		`m.toml:5:1: from = "25:00" is not a time of day: hours go from 00 to 23, minutes from 00 to 59`},
	{"quiet 24:00", withInst(`[[quiet]]`, `from = "22:00"`, `to = "24:00"`, `silent = true`),
		`m.toml:6:1: to = "24:00": write midnight as "00:00" (to before from spans midnight)`},
	{"quiet no colon", withInst(`[[quiet]]`, `from = "1200"`, `to = "13:00"`, `silent = true`),
		`m.toml:5:1: from = "1200" is not a time of day: write hours and minutes, like from = "12:00" or "21:30"`},
	{"quiet unquoted", withInst(`[[quiet]]`, `from = 12:00:00`, `to = "13:00"`, `silent = true`),
		`m.toml:5:1: from must be a time of day in quotes, like from = "12:00", not a date or time`},
	{"quiet cap not below", withInst(`[[quiet]]`, `from = "12:00"`, `to = "13:00"`, `cap_db = -6`),
		`m.toml:7:1: cap_db = -6 is not below the installation's cap (cap_db = -12): quiet hours are quieter`},
	{"quiet neither", withInst(`[[quiet]]`, `from = "12:00"`, `to = "13:00"`),
		`m.toml:4:3: these quiet hours need a lower cap, like cap_db = -30, or silent = true`},
	{"quiet both", withInst(`[[quiet]]`, `from = "12:00"`, `to = "13:00"`, `silent = true`, `cap_db = -30`),
		`m.toml:8:1: give silent = true or cap_db, not both: silent quiet hours have no sound at all`},
	{"quiet empty", withInst(`[[quiet]]`, `from = "12:00"`, `to = "12:00"`, `silent = true`),
		`m.toml:6:1: from and to are both 12:00: quiet hours need a length (for the whole day, lower cap_db instead)`},
	{"quiet overlap", withInst(`[[quiet]]`, `from = "22:00"`, `to = "07:00"`, `silent = true`, `[[quiet]]`, `from = "06:30"`, `to = "08:00"`, `cap_db = -30`),
		`m.toml:9:1: these quiet hours, 06:30 to 08:00, overlap those at line 4, 22:00 to 07:00: make them one, or move one`},
	{"osc bad listen", withInst(`[osc]`, `listen = "nine"`),
		`m.toml:5:1: listen = "nine" has no port number (1 to 65535) after its colon; give a port, like listen = "9000" (this machine only), or HOST:PORT, like "0.0.0.0:9000" (every network)`},
	{"osc bad send", withInst(`[osc]`, `send = ":9001"`),
		`m.toml:5:1: send = ":9001" has no host before its colon; give the HOST:PORT to send to, like send = "192.168.1.20:9001"`},
	{"osc rate", withInst(`[osc]`, `state_rate = 500`),
		`m.toml:5:1: state_rate = 500 is outside the allowed range: more than 0, at most 200 messages a second`},
	{"too many patches", lines(`format = 1`, `cap_db = -12`, `patches = [`+strings.Repeat(`"snic", `, MaxInstallationPatches)+`"hh"]`),
		`m.toml:3:1036: this is the 129th patch, but an installation may have at most 128 (as many as program changes can choose)`},
}

func TestParseInstallationErrors(t *testing.T) {
	dir := instDir(t)
	for _, tc := range brokenInstallations {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ParseInstallation(filepath.Join(dir, "m.toml"), []byte(tc.src))
			if err == nil {
				t.Fatalf("parsed: %+v; want %s", in, tc.want)
			}
			if in != nil {
				t.Errorf("both an installation and an error")
			}
			var l ErrorList
			if !errors.As(err, &l) {
				t.Errorf("%v is not an ErrorList", err)
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			want := strings.ReplaceAll(tc.want, "DIR/", "")
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestParseInstallationDefaults: a minimal installation gets play's defaults (zero
// values), no view, no attract mode, OSC off at the default state rate, and its name
// from the file; relative paths resolve against the file's directory.
func TestParseInstallationDefaults(t *testing.T) {
	dir := instDir(t)
	in, err := ParseInstallation(filepath.Join(dir, "wall.toml"), []byte(withInst(`state_file = "state.json"`)))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "wall" || len(in.Patches) != 2 || in.Patches[1].Name != "hysteresis" || in.CapDB != -12 {
		t.Errorf("name %q, %d patches, cap %g; want wall, 2 (snic, hysteresis), -12", in.Name, len(in.Patches), in.CapDB)
	}
	if in.Audio != (InstallationAudio{}) || in.MIDI.Driver != "" || in.MIDI.In != nil || in.View.Enabled || in.Attract.Enabled {
		t.Errorf("audio %+v, MIDI %+v, view %+v, attract %+v; want all off or play's defaults", in.Audio, in.MIDI, in.View, in.Attract)
	}
	if in.OSC != (InstallationOSC{StateRate: DefaultOSCStateRate}) {
		t.Errorf("OSC %+v; want off, at %d messages a second", in.OSC, DefaultOSCStateRate)
	}
	if want := filepath.Join(dir, "state.json"); in.StateFile != want {
		t.Errorf("state file %q; want %q", in.StateFile, want)
	}
	in, err = ParseInstallation(filepath.Join(dir, "wall.toml"), []byte(withInst(`[view]`, `[attract]`, `scores = { hysteresis = "tour.mid" }`,
		`[osc]`, `listen = 9000`, `[midi]`, `in = "nano"`, `[audio]`, `latency = 3`)))
	if err != nil {
		t.Fatal(err)
	}
	if in.View != (InstallationView{Enabled: true, Addr: DefaultViewAddr}) {
		t.Errorf("view %+v; want on at %s", in.View, DefaultViewAddr)
	}
	if !in.Attract.Enabled || in.Attract.Idle != DefaultIdle || in.Attract.Scores[1] != filepath.Join(dir, "tour.mid") {
		t.Errorf("attract %+v; want on after %v, patch 1's score tour.mid in %s", in.Attract, DefaultIdle, dir)
	}
	if in.OSC.Listen != "127.0.0.1:9000" || in.MIDI.In[0] != "nano" || in.Audio.Latency != "3" {
		t.Errorf("OSC listens on %q, MIDI in %q, latency %q; want 127.0.0.1:9000, [nano], 3", in.OSC.Listen, in.MIDI.In, in.Audio.Latency)
	}
}

func TestQuietHoursContains(t *testing.T) {
	lunch := QuietHours{From: 12 * 60, To: 13*60 + 30}
	night := QuietHours{From: 22 * 60, To: 7 * 60}
	for _, tc := range []struct {
		q    QuietHours
		m    int
		want bool
	}{
		{lunch, 11*60 + 59, false}, {lunch, 12 * 60, true}, {lunch, 13*60 + 29, true}, {lunch, 13*60 + 30, false},
		{night, 21*60 + 59, false}, {night, 22 * 60, true}, {night, 0, true}, {night, 6*60 + 59, true}, {night, 7 * 60, false},
		{night, 24*60 + 30, true}, {night, -30, true}, {lunch, -12 * 60, true},
	} {
		if got := tc.q.Contains(tc.m); got != tc.want {
			t.Errorf("%s-%s contains minute %d: %v, want %v", clockText(tc.q.From), clockText(tc.q.To), tc.m, got, tc.want)
		}
	}
}

// FuzzParseInstallation: ParseInstallation never panics, and either returns an
// installation that keeps its promises (patches within the limit, a cap below each
// one's ceiling, quiet hours apart and quieter, a tour or score for each patch in
// attract mode) or an ErrorList whose first line starts with the source name.
func FuzzParseInstallation(f *testing.F) {
	src, err := os.ReadFile("testdata/installation.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(src))
	for _, tc := range brokenInstallations {
		f.Add(tc.src)
	}
	f.Add(withInst(`[attract]`, `[[quiet]]`, `from = "23:59"`, `to = "00:00"`, `cap_db = -40`))
	source := filepath.Join("testdata", "fuzz-installation.toml")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 8<<10 {
			return // each patch it names loads: keep an input's cost bounded
		}
		in, err := ParseInstallation(source, []byte(src))
		if err != nil {
			var l ErrorList
			if in != nil || !errors.As(err, &l) || len(l) == 0 || !strings.HasPrefix(err.Error(), source+":") {
				t.Fatalf("installation %v and error %q: want no installation and an ErrorList from %s", in, err, source)
			}
			return
		}
		if len(in.Patches) == 0 || len(in.Patches) > MaxInstallationPatches || len(in.Quiet) > MaxQuietHours {
			t.Fatalf("%d patches, %d quiet periods", len(in.Patches), len(in.Quiet))
		}
		for i, p := range in.Patches {
			if in.CapDB >= p.Engine.CeilingDB {
				t.Fatalf("cap %g not below patch %s's ceiling %g", in.CapDB, p.Name, p.Engine.CeilingDB)
			}
			if _, scored := in.Attract.Scores[i]; in.Attract.Enabled && p.Tour == nil && !scored {
				t.Fatalf("attract mode on, and patch %s has neither tour nor score", p.Name)
			}
		}
		for i, q := range in.Quiet {
			if !q.Silent && q.CapDB >= in.CapDB || q.From == q.To {
				t.Fatalf("quiet hours %+v with the cap at %g", q, in.CapDB)
			}
			for _, o := range in.Quiet[:i] {
				if overlap(q, o) {
					t.Fatalf("quiet hours %+v and %+v overlap", q, o)
				}
			}
		}
		if in.Attract.Enabled && in.Attract.Idle < MinIdle || in.OSC.StateRate <= 0 || in.OSC.StateRate > MaxOSCStateRate {
			t.Fatalf("idle %v, state rate %g", in.Attract.Idle, in.OSC.StateRate)
		}
		if in.View.Enabled && !in.View.ReadOnly && in.View.PIN == "" && needsPIN(in.View.Addr) {
			t.Fatalf("view at %s steerable by anyone", in.View.Addr)
		}
	})
}
