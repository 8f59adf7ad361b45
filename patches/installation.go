package patches

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
)

// InstallationFormat is the installation format version this package reads (format = 1).
const InstallationFormat = 1

// Limits and defaults of an installation file.
const (
	// MaxInstallationSize is the longest installation file, in bytes: a list of 128
	// patches with a score each and 48 quiet periods, commented, takes a tenth of it.
	MaxInstallationSize = 256 << 10
	// MaxInstallationPatches is how many patches an installation may list: as many as
	// MIDI program changes can choose.
	MaxInstallationPatches = 128
	// MaxQuietHours is how many [[quiet]] periods an installation may have.
	MaxQuietHours = 48
	// DefaultViewAddr is where the view listens when [view] gives no address: this
	// machine only (io/view.DefaultAddr; this package cannot import it).
	DefaultViewAddr = "127.0.0.1:7400"
	// DefaultIdle, MinIdle and MaxIdle bound [attract] idle.
	DefaultIdle = 60 * time.Second
	MinIdle     = 5 * time.Second
	MaxIdle     = 24 * time.Hour
	// DefaultOSCStateRate and MaxOSCStateRate bound [osc] state_rate, messages a second.
	DefaultOSCStateRate = 30
	MaxOSCStateRate     = 200
)

// Installation is a museum installation read from its TOML file.
type Installation struct {
	Source    string   // the file's path
	Name      string   // from the file, else the file's base name
	Patches   []*Patch // in the order the tour and program changes follow
	Audio     InstallationAudio
	MIDI      InstallationMIDI
	View      InstallationView
	Attract   InstallationAttract
	CapDB     float64 // the volume cap, dBFS: below every patch's ceiling
	Quiet     []QuietHours
	OSC       InstallationOSC
	StateFile string // where the exhibit keeps its state across restarts ("" : the default, decided by the runtime)
}

// InstallationAudio is the audio output, as play's --host, --audio, --latency, --rate and
// --buffer take it; 0 and "" leave play's defaults.
type InstallationAudio struct {
	Host, Device, Latency string
	Rate, Buffer          int
}

// InstallationMIDI is the MIDI ports, as play's --midi-driver, --midi-in (one per
// element), --midi-out and --virtual take them; "" and nil leave play's defaults.
type InstallationMIDI struct {
	Driver  string
	In      []string
	Out     string
	Virtual bool
}

// InstallationView is the live view (a [view] section): off when Enabled is false.
// Addr is DefaultViewAddr unless the file gives one; an address other machines can reach
// has a PIN or is ReadOnly.
type InstallationView struct {
	Enabled  bool
	Addr     string
	PIN      string
	ReadOnly bool
}

// InstallationAttract is the attract mode (an [attract] section): off when Enabled is
// false. When it is on, every patch has a tour or a score.
type InstallationAttract struct {
	Enabled bool
	Idle    time.Duration  // no input from any source this long starts the tour (default 60 s, at least 5 s)
	Scores  map[int]string // patch index -> a Standard MIDI File path played instead of the patch's tour (resolved relative to the installation file)
}

// QuietHours is a period of the day with a lower cap, or silence.
type QuietHours struct {
	From, To int     // minutes after midnight, local time; To < From spans midnight
	CapDB    float64 // the cap during these hours (below CapDB); ignored when Silent
	Silent   bool    // no sound at all (the view stays live)
}

// Contains reports whether minuteOfDay (minutes after midnight, taken modulo a day) is
// within q: from From up to, not including, To.
func (q QuietHours) Contains(minuteOfDay int) bool {
	m := (minuteOfDay%minutesPerDay + minutesPerDay) % minutesPerDay
	if q.From <= q.To {
		return m >= q.From && m < q.To
	}
	return m >= q.From || m < q.To
}

// InstallationOSC is OSC over UDP. Listen "" is off, else HOST:PORT (the file's "9000"
// or ":9000" is 127.0.0.1:9000: this machine only); Send is HOST:PORT or "" (none);
// StateRate is state messages a second (default 30, at most 200).
type InstallationOSC struct {
	Listen    string
	Send      string
	StateRate float64
}

const minutesPerDay = 24 * 60

// Keys each table of an installation may hold, in the order the documentation gives them.
var (
	instTopKeys     = []string{"format", "name", "patches", "cap_db", "state_file", "audio", "midi", "view", "attract", "quiet", "osc"}
	instAudioKeys   = []string{"host", "device", "rate", "buffer", "latency"}
	instMIDIKeys    = []string{"driver", "in", "out", "virtual"}
	instViewKeys    = []string{"enabled", "address", "pin", "readonly"}
	instAttractKeys = []string{"enabled", "idle", "scores"}
	instQuietKeys   = []string{"from", "to", "cap_db", "silent"}
	instOSCKeys     = []string{"listen", "send", "state_rate"}
	midiDrivers     = []string{"auto", "rtmidi", "jack"}
)

// LoadInstallation reads an installation file: a regular file or a pipe, as Load reads
// patches. Its patches load as Load loads them, files relative to its directory.
func LoadInstallation(path string) (*Installation, error) {
	data, err := readTOML(path, "installation", MaxInstallationSize)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: cannot read the installation: %w", path, err)
	}
	return ParseInstallation(path, data)
}

// ParseInstallation reads an installation. source names the file in error messages,
// gives the installation its default name, and its directory is where the patch files,
// scores and state file it names are found when their paths are relative. A failure is
// an ErrorList, every problem in file order, each line starting with "source:LINE:COL: "
// (a patch that fails to load adds its own lines, each starting with its own path).
func ParseInstallation(source string, data []byte) (*Installation, error) {
	if len(data) > MaxInstallationSize {
		src := strings.TrimPrefix(string(data[:MaxInstallationSize]), "\ufeff")
		at := offsetPosition(src, len(src))
		return nil, ErrorList{{Source: source, Line: at.line, Col: at.col, Msg: fmt.Sprintf(
			"the file goes on past %d KiB here, far more than an installation needs: is this the right file?", MaxInstallationSize>>10)}}
	}
	src := strings.TrimPrefix(string(data), "\ufeff")
	if e := checkShape(source, src); e != nil {
		return nil, ErrorList{e}
	}
	raw, err := decodeTOML(src)
	if err != nil {
		return nil, ErrorList{syntaxError(source, src, err)}
	}
	ic := &instChecker{
		checker: checker{source: source, loc: newLocatorPlacing(src, MaxInstallationPatches+1)},
		dir:     filepath.Dir(source),
		follow:  map[*Error][]*Error{},
	}
	inst := ic.installation(raw)
	if len(ic.errs) > 0 {
		return nil, ic.expand(ic.list())
	}
	return inst, nil
}

// instChecker is the checker of an installation: patch errors follow the line that
// names the patch.
type instChecker struct {
	checker
	dir    string              // the installation file's directory
	follow map[*Error][]*Error // a patch's own errors, listed after the error that names it
}

func (c *instChecker) expand(l ErrorList) ErrorList {
	var out ErrorList
	for _, e := range l {
		out = append(out, e)
		out = append(out, c.follow[e]...)
	}
	return out
}

// resolve makes a path the file gives relative to the file's directory.
func (c *instChecker) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func (c *instChecker) installation(raw map[string]any) *Installation {
	top := table{name: "the top level of the installation", m: raw}
	if !top.has("format") {
		if top.has("neuron") {
			c.errorf("", "this is a patch, not an installation: an installation file lists patches, like patches = [%q] (see 'go doc patches')", strings.TrimSuffix(filepath.Base(c.source), filepath.Ext(c.source)))
			return nil
		}
		c.errorf("", "an installation must say which format it is written in: add format = %d as its first line", InstallationFormat)
		return nil
	}
	if f, ok := c.whole(top, "format"); !ok {
		return nil
	} else if f != InstallationFormat {
		c.errorf("format", "format = %d is not an installation format this version of Separatrix reads: it reads format = %d", f, InstallationFormat)
		return nil
	}
	if top.has("neuron") {
		c.errorf("neuron", "this is a patch, not an installation: an installation file lists patches, like patches = [\"./my-patch.toml\"]")
		return nil
	}
	c.onlyKeys(top, instTopKeys)

	in := &Installation{Source: c.source}
	in.Name = strings.TrimSuffix(filepath.Base(c.source), filepath.Ext(c.source))
	if s, ok := c.text(top, "name"); ok {
		if strings.TrimSpace(s) == "" {
			c.errorf("name", "name is empty: leave it out to use the file's name, or give one")
		} else {
			in.Name = strings.TrimSpace(s)
		}
	}
	entries := c.patchList(top, in)
	c.capDB(top, in)
	if s, ok := c.text(top, "state_file"); ok {
		if strings.TrimSpace(s) == "" {
			c.errorf("state_file", "state_file is empty: leave it out for the default place, or give a path")
		} else {
			in.StateFile = c.resolve(s)
		}
	}
	c.audio(top, in)
	c.instMIDI(top, in)
	c.view(top, in)
	c.attract(top, in, entries)
	c.quiet(top, in)
	c.osc(top, in)
	return in
}

// listed is a patch as the list gives it: its entry as written and its place in the list.
type listed struct {
	entry string
	at    string // locator path, patches[i]
}

// patchList reads patches = [...], loading each; it returns how each loaded patch is
// listed, in the order of in.Patches.
func (c *instChecker) patchList(top table, in *Installation) []listed {
	v, ok := top.m["patches"]
	if !ok {
		c.errorf("", `an installation needs its patches, like patches = ["hysteresis", "snic", "./my-patch.toml"] (built-in names, or paths relative to this file)`)
		return nil
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		c.errorf("patches", `patches must list the patches to play, like patches = ["hysteresis", "snic", "./my-patch.toml"], not %s`, describe(v))
		return nil
	}
	if len(list) > MaxInstallationPatches {
		c.errorf(indexPath("patches", MaxInstallationPatches), "this is the %s patch, but an installation may have at most %d (as many as program changes can choose)", ordinal(MaxInstallationPatches+1), MaxInstallationPatches)
		return nil
	}
	builtins := BuiltinNames()
	seen := map[string]int{}  // entry, cleaned, -> index
	names := map[string]int{} // patch name -> index
	var entries []listed
	for i, e := range list {
		at := indexPath("patches", i)
		s, isText := e.(string)
		if !isText {
			c.errorf(at, `patches must list names or paths in quotes, like "snic" or "./my-patch.toml", not %s`, describe(e))
			continue
		}
		key := s
		if IsFile(s) {
			key = "file:" + filepath.Clean(c.resolve(s))
		}
		if j, dup := seen[key]; dup {
			c.errorf(at, "patch %q is already in the list (the %s): list each patch once", s, ordinal(j+1))
			continue
		}
		seen[key] = i
		var p *Patch
		if IsFile(s) {
			var err error
			p, err = Load(c.resolve(s))
			if err != nil {
				var l ErrorList
				if errors.As(err, &l) {
					c.errorf(at, "patch %q does not load; its own problems follow", s)
					c.follow[c.errs[len(c.errs)-1]] = l
				} else {
					c.errorf(at, "patch %q does not load: %s", s, strings.TrimPrefix(err.Error(), c.resolve(s)+": "))
				}
				continue
			}
		} else {
			if !slices.Contains(builtins, s) {
				if h := closest(s, builtins); h != "" {
					c.errorf(at, "unknown patch %q (did you mean %q?)", s, h)
				} else {
					c.errorf(at, "unknown patch %q: the built-in patches are %s; a file's path needs a / or .toml, like \"./%s.toml\"", s, strings.Join(builtins, ", "), s)
				}
				continue
			}
			var err error
			if p, err = Load(s); err != nil { // a built-in that fails is this package's bug
				c.errorf(at, "built-in patch %q does not load: %v", s, err)
				continue
			}
		}
		if j, dup := names[p.Name]; dup {
			c.errorf(at, "patch %q is named %q, like the %s patch: give one another name (name = ... in its file), since the view and the scores tell patches apart by name", s, p.Name, ordinal(j+1))
			continue
		}
		names[p.Name] = i
		in.Patches = append(in.Patches, p)
		entries = append(entries, listed{s, at})
	}
	return entries
}

func (c *instChecker) capDB(top table, in *Installation) {
	if !top.has("cap_db") {
		c.errorf("", "an installation needs its volume cap, the loudest it may ever be, like cap_db = -12 (dBFS, below every patch's ceiling)")
		return
	}
	v, ok := c.number(top, "cap_db")
	if !ok {
		return
	}
	if v < emu.MinCeilingDB || v >= 0 {
		c.errorf("cap_db", "cap_db = %g is outside the allowed range: %g up to, not including, 0 dBFS", v, float64(emu.MinCeilingDB))
		return
	}
	in.CapDB = v
	var low *Patch // the patch with the lowest ceiling the cap does not stay below
	for _, p := range in.Patches {
		if v >= p.Engine.CeilingDB && (low == nil || p.Engine.CeilingDB < low.Engine.CeilingDB) {
			low = p
		}
	}
	if low != nil {
		c.errorf("cap_db", "cap_db = %g is not below the ceiling of patch %q (%g dBFS): the cap must be lower than every patch's ceiling, or it caps nothing", v, low.Name, low.Engine.CeilingDB)
	}
}

func (c *instChecker) audio(top table, in *Installation) {
	t, ok := c.subtable(top, "audio", "[audio]")
	if !ok {
		return
	}
	c.onlyKeys(t, instAudioKeys)
	in.Audio.Host, _ = c.text(t, "host")
	in.Audio.Device, _ = c.text(t, "device")
	if v, ok := c.whole(t, "rate"); ok {
		if v < 8000 || v > 768000 {
			c.errorf(t.at("rate"), "rate = %d is not a sample rate a sound card plays: use 8000 to 768000 Hz, like rate = 48000", v)
		} else {
			in.Audio.Rate = int(v)
		}
	}
	if v, ok := c.whole(t, "buffer"); ok {
		if v < 1 || v > 16384 {
			c.errorf(t.at("buffer"), "buffer = %d is outside the allowed range 1 to 16384 frames (128 is play's default, 256 a safe choice)", v)
		} else {
			in.Audio.Buffer = int(v)
		}
	}
	if v, ok := t.m["latency"]; ok {
		s, isText := v.(string)
		if n, isWhole := v.(int64); isWhole {
			s, isText = strconv.FormatInt(n, 10), true
		}
		n, err := strconv.Atoi(s)
		switch {
		case !isText:
			c.errorf(t.at("latency"), `latency must be "low", "normal" or a number of periods rendered ahead, 1 to 16, not %s`, describe(v))
		case s == "low" || s == "normal" || err == nil && n >= 1 && n <= 16:
			in.Audio.Latency = s
		default:
			c.errorf(t.at("latency"), `latency = %q: use "low", "normal" or a number of periods rendered ahead, 1 to 16`, s)
		}
	}
}

func (c *instChecker) instMIDI(top table, in *Installation) {
	t, ok := c.subtable(top, "midi", "[midi]")
	if !ok {
		return
	}
	c.onlyKeys(t, instMIDIKeys)
	if s, ok := c.text(t, "driver"); ok {
		if !slices.Contains(midiDrivers, s) {
			c.errorf(t.at("driver"), "driver = %q is not a MIDI driver%s", s, hint(s, midiDrivers, "known"))
		} else {
			in.MIDI.Driver = s
		}
	}
	if v, ok := t.m["in"]; ok {
		switch v := v.(type) {
		case string:
			v = strings.TrimSpace(v)
			if v == "" {
				c.errorf(t.at("in"), `in is empty: name the MIDI inputs to listen to, like in = ["all"]`)
			} else {
				in.MIDI.In = []string{v}
			}
		case []any:
			for k, e := range v {
				s, isText := e.(string)
				if !isText || strings.TrimSpace(s) == "" {
					c.errorf(indexPath(t.at("in"), k), `in must list MIDI input names in quotes (a part of each name), like in = ["nanoKONTROL", "all"]`)
					continue
				}
				in.MIDI.In = append(in.MIDI.In, strings.TrimSpace(s))
			}
		default:
			c.errorf(t.at("in"), `in must list MIDI input names in quotes, like in = ["all"], not %s`, describe(v))
		}
	}
	in.MIDI.Out, _ = c.text(t, "out")
	in.MIDI.Virtual, _ = c.boolean(t, "virtual")
}

func (c *instChecker) view(top table, in *Installation) {
	t, ok := c.subtable(top, "view", "[view]")
	if !ok {
		return
	}
	c.onlyKeys(t, instViewKeys)
	v := InstallationView{Enabled: true, Addr: DefaultViewAddr}
	if b, ok := c.boolean(t, "enabled"); ok {
		v.Enabled = b
	}
	if s, ok := c.text(t, "address"); ok {
		if err := checkHostPort(s, true); err != nil {
			c.errorf(t.at("address"), "address = %q %v; like address = \"127.0.0.1:7400\" (this machine only) or \"0.0.0.0:7400\" (every network)", s, err)
		} else {
			v.Addr = s
		}
	}
	if s, ok := c.text(t, "pin"); ok {
		if len(s) < 4 || len(s) > 12 || strings.Trim(s, "0123456789") != "" {
			c.errorf(t.at("pin"), "pin = %q will not do: give 4 to 12 digits, so that a touch screen's number pad can enter it", s)
		} else {
			v.PIN = s
		}
	}
	if b, ok := c.boolean(t, "readonly"); ok {
		v.ReadOnly = b
	}
	if v.Enabled && !v.ReadOnly && !t.has("pin") && needsPIN(v.Addr) {
		c.errorf(t.at("address"), `the view at %s can be reached from other machines, and anyone there could steer the installation: give a pin = "NNNN" (4 to 12 digits) that staff keep, or readonly = true`, v.Addr)
	}
	in.View = v
}

// needsPIN is io/view.NeedsPIN, which this package cannot import: an address other
// machines can reach (anything but localhost and loopback addresses) needs a PIN to steer.
func needsPIN(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// checkHostPort checks HOST:PORT; with anyHost the host may be empty (every interface).
// The error reads after the address: "address = "x" is not HOST:PORT".
func checkHostPort(s string, anyHost bool) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("is not HOST:PORT")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("has no port number (1 to 65535) after its colon")
	}
	if host == "" && !anyHost {
		return errors.New("has no host before its colon")
	}
	if strings.ContainsAny(host, " /\\") {
		return errors.New("has no host name or address before its colon")
	}
	return nil
}

func (c *instChecker) attract(top table, in *Installation, entries []listed) {
	t, ok := c.subtable(top, "attract", "[attract]")
	if !ok {
		return
	}
	c.onlyKeys(t, instAttractKeys)
	a := InstallationAttract{Enabled: true, Idle: DefaultIdle}
	if b, ok := c.boolean(t, "enabled"); ok {
		a.Enabled = b
	}
	if s, ok := c.text(t, "idle"); ok {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		switch {
		case err != nil:
			c.errorf(t.at("idle"), `idle = %q is not a duration: write it like idle = "90s" or "2m"`, s)
		case d < MinIdle || d > MaxIdle:
			c.errorf(t.at("idle"), "idle = %q is outside the allowed range %v to %v", s, MinIdle, MaxIdle)
		default:
			a.Idle = d
		}
	} else if v, isNum := t.m["idle"].(int64); isNum {
		c.errs[len(c.errs)-1].Msg = fmt.Sprintf(`idle must be a duration in quotes, like idle = "%ds"`, v)
	}
	named := map[string]int{}
	for i, p := range in.Patches {
		named[p.Name] = i
		named[entries[i].entry] = i
	}
	scoreFailed := map[int]bool{} // a score already reported: no second message for its patch
	if st, ok := c.subtable(t, "scores", "[attract.scores]"); ok {
		a.Scores = map[int]string{}
		names := make([]string, len(in.Patches))
		for i, p := range in.Patches {
			names[i] = p.Name
		}
		for _, k := range c.sortedKeys(st) {
			i, known := named[k]
			if !known {
				c.errorf(st.at(k), "scores names patch %q, but the installation has no such patch%s", k, hint(k, names, "patches"))
				continue
			}
			s, isText := c.text(st, k)
			if !isText {
				scoreFailed[i] = true
				continue
			}
			path := c.resolve(s)
			if err := checkScore(path); err != nil {
				c.errorf(st.at(k), "the score for %q, %s, %v", k, s, err)
				scoreFailed[i] = true
				continue
			}
			if _, dup := a.Scores[i]; dup {
				c.errorf(st.at(k), "patch %q already has a score: give it one", k)
				continue
			}
			a.Scores[i] = path
		}
	}
	if a.Enabled {
		for i, p := range in.Patches {
			if _, scored := a.Scores[i]; p.Tour == nil && !scored && !scoreFailed[i] {
				c.errorf(entries[i].at, "patch %q has no tour and no score: in attract mode it would play silence; add a [tour] to the patch or a score in [attract.scores]", entries[i].entry)
			}
		}
	}
	in.Attract = a
}

// checkScore checks that path is a Standard MIDI File: a regular file that starts with
// its MThd header. It opens only regular files, so a pipe cannot hold it up.
func checkScore(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot be read: %v", err)
	}
	if !st.Mode().IsRegular() {
		return errors.New("is not a file")
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot be read: %v", err)
	}
	defer f.Close()
	var head [4]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[:]) != "MThd" {
		return errors.New("is not a Standard MIDI File (.mid)")
	}
	return nil
}

func (c *instChecker) quiet(top table, in *Installation) {
	ts := c.tables(top, "quiet", "[[quiet]]")
	if len(ts) > MaxQuietHours {
		c.errorf(ts[MaxQuietHours].path, "this [[quiet]] is the %s, but an installation may have at most %d", ordinal(MaxQuietHours+1), MaxQuietHours)
		return
	}
	var placed []table
	for _, t := range ts {
		c.onlyKeys(t, instQuietKeys)
		q := QuietHours{}
		from, okF := c.clock(t, "from")
		to, okT := c.clock(t, "to")
		ok := okF && okT
		q.From, q.To = from, to
		if ok && from == to {
			c.errorf(t.at("to"), "from and to are both %s: quiet hours need a length (for the whole day, lower cap_db instead)", clockText(from))
			ok = false
		}
		silent, isBool := c.boolean(t, "silent")
		q.Silent = isBool && silent
		switch {
		case q.Silent && t.has("cap_db"):
			c.errorf(t.at("cap_db"), "give silent = true or cap_db, not both: silent quiet hours have no sound at all")
			ok = false
		case t.has("cap_db"):
			v, isNum := c.number(t, "cap_db")
			switch {
			case !isNum:
				ok = false
			case v < emu.MinCeilingDB:
				c.errorf(t.at("cap_db"), "cap_db = %g is below %g dBFS, which nobody hears: use silent = true for silence", v, float64(emu.MinCeilingDB))
				ok = false
			case top.has("cap_db") && v >= in.CapDB:
				c.errorf(t.at("cap_db"), "cap_db = %g is not below the installation's cap (cap_db = %g): quiet hours are quieter", v, in.CapDB)
				ok = false
			default:
				q.CapDB = v
			}
		case !t.has("silent"):
			c.errorf(t.path, "these quiet hours need a lower cap, like cap_db = -30, or silent = true")
			ok = false
		case !q.Silent && isBool:
			c.errorf(t.at("silent"), "silent = false and no cap_db: give these quiet hours a lower cap, like cap_db = -30, or silent = true")
			ok = false
		}
		if !ok {
			continue
		}
		for j, o := range in.Quiet {
			if overlap(q, o) {
				c.errorf(t.at("from"), "these quiet hours, %s to %s, overlap those at line %d, %s to %s: make them one, or move one",
					clockText(q.From), clockText(q.To), c.loc.find(placed[j].path).line, clockText(o.From), clockText(o.To))
				ok = false
				break
			}
		}
		if ok {
			in.Quiet = append(in.Quiet, q)
			placed = append(placed, t)
		}
	}
}

// overlap reports whether two periods of the day share a minute.
func overlap(a, b QuietHours) bool {
	for m := range minutesPerDay {
		if a.Contains(m) && b.Contains(m) {
			return true
		}
	}
	return false
}

// clock reads a time of day "HH:MM" as minutes after midnight.
func (c *instChecker) clock(t table, key string) (int, bool) {
	if !t.has(key) {
		c.errorf(t.path, `these quiet hours need from and to, times of day like from = "12:00" and to = "13:30"`)
		return 0, false
	}
	v := t.m[key]
	s, ok := v.(string)
	if !ok {
		c.errorf(t.at(key), `%s must be a time of day in quotes, like %s = "12:00", not %s`, key, key, describe(v))
		return 0, false
	}
	h, m, colon := strings.Cut(strings.TrimSpace(s), ":")
	hh, errH := strconv.Atoi(h)
	mm, errM := strconv.Atoi(m)
	switch {
	case !colon || errH != nil || errM != nil || len(m) != 2 || len(h) < 1 || len(h) > 2:
		c.errorf(t.at(key), `%s = %q is not a time of day: write hours and minutes, like %s = "12:00" or "21:30"`, key, s, key)
	case hh == 24 && mm == 0:
		c.errorf(t.at(key), `%s = "24:00": write midnight as "00:00" (to before from spans midnight)`, key)
	case hh > 23 || mm > 59:
		c.errorf(t.at(key), `%s = %q is not a time of day: hours go from 00 to 23, minutes from 00 to 59`, key, s)
	default:
		return hh*60 + mm, true
	}
	return 0, false
}

func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func (c *instChecker) osc(top table, in *Installation) {
	in.OSC.StateRate = DefaultOSCStateRate
	t, ok := c.subtable(top, "osc", "[osc]")
	if !ok {
		return
	}
	c.onlyKeys(t, instOSCKeys)
	if v, ok := t.m["listen"]; ok {
		s, isText := v.(string)
		if n, isWhole := v.(int64); isWhole {
			s, isText = strconv.FormatInt(n, 10), true
		}
		s = strings.TrimSpace(s)
		addr := s
		if !strings.Contains(s, ":") || strings.HasPrefix(s, ":") {
			addr = "127.0.0.1:" + strings.TrimPrefix(s, ":") // a port alone: this machine only
		}
		switch {
		case !isText:
			c.errorf(t.at("listen"), `listen must be a port, like listen = "9000", or HOST:PORT, not %s`, describe(v))
		case checkHostPort(addr, false) != nil:
			c.errorf(t.at("listen"), `listen = %q %v; give a port, like listen = "9000" (this machine only), or HOST:PORT, like "0.0.0.0:9000" (every network)`, s, checkHostPort(addr, false))
		default:
			in.OSC.Listen = addr
		}
	}
	if s, ok := c.text(t, "send"); ok {
		if err := checkHostPort(s, false); err != nil {
			c.errorf(t.at("send"), `send = %q %v; give the HOST:PORT to send to, like send = "192.168.1.20:9001"`, s, err)
		} else {
			in.OSC.Send = s
		}
	}
	in.OSC.StateRate = c.positive(t, "state_rate", DefaultOSCStateRate, MaxOSCStateRate, "messages a second")
}
