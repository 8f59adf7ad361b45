package patches

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Keys each table may hold, in the order the documentation gives them.
var (
	topKeys     = []string{"format", "name", "description", "speed", "seed", "output", "neuron", "gap", "synapse", "midi", "tour"}
	outputKeys  = []string{"ceiling_db", "channels"}
	neuronKeys  = []string{"name", "model", "preset", "current", "gain", "pan", "noise", "noise_tau", "pulses", "interval", "centre", "span", "spike_high", "spike_low", "params", "init", "count", "seed", "spread"}
	gapKeys     = []string{"neurons", "g"}
	synapseKeys = []string{"from", "to", "g", "tau", "reversal"}
	midiKeys    = []string{"max_notes_per_second", "cc", "bend", "kick", "spike"}
	ccKeys      = []string{"cc", "lsb", "channel", "target", "min", "max", "curve", "smoothing", "takeover"}
	bendKeys    = []string{"channel", "target", "min", "max", "curve", "smoothing", "takeover"}
	kickKeys    = []string{"note", "notes", "channel", "neuron", "amplitude", "duration", "pulses", "hold"}
	spikeKeys   = []string{"neuron", "mode", "channel", "note", "notes", "velocity", "duration", "release", "rate_cc", "rate_max"}
)

// Defaults and limits this package adds to emu's (emu declares the engine's own:
// emu.MaxSpeed, emu.ControlRange, ...).
const (
	defaultNotesPerSecond = 500    // a DIN cable carries about 1000 messages a second
	maxNotesPerSecond     = 100000 // no output takes more
	defaultSmoothing      = 0.05   // seconds: a knob move ramps this long (no zipper noise)
	maxSeconds            = 10     // longest smoothing, note or release, seconds
	maxRate               = 100000 // Hz sent as CC 127
	maxNameLen            = 32
	maxController         = 119 // 120..127 are channel-mode messages (all notes off, ...)
	maxUnknownKeys        = 20  // reported one by one per table; a file of 300000 costs no more
)

var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

func parse(source string, data []byte) (*Patch, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(source, data)
	}
	src := strings.TrimPrefix(string(data), "\ufeff")
	if e := checkShape(source, src); e != nil {
		return nil, ErrorList{e}
	}
	raw, err := decodeTOML(src)
	if err != nil {
		return nil, ErrorList{syntaxError(source, src, err)}
	}
	c := &checker{source: source, loc: newLocator(src)}
	p := c.patch(raw)
	if len(c.errs) > 0 {
		return nil, c.list()
	}
	return p, nil
}

// decodeTOML reads the document into plain maps. The checker, not the decoder, knows the
// schema: it reports wrong types and unknown keys with their positions and array indices,
// which toml.MetaData.Undecoded cannot (its keys carry no array indices).
func decodeTOML(src string) (raw map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil { // the decoder's own bug; never the performer's crash
			raw, err = nil, fmt.Errorf("the TOML reader failed: %v", r)
		}
	}()
	_, err = toml.Decode(src, &raw)
	return raw, err
}

func syntaxError(source, src string, err error) *Error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Source: source, Line: 1, Col: 1, Msg: "this is not valid TOML: " + oneLine(err.Error()), Err: err}
	}
	pos := position{max(pe.Position.Line, 1), max(pe.Position.Col, 1)}
	if at := offsetPosition(src, pe.Position.Start); pe.Position.Start >= 0 && at.line == pos.line {
		pos = at // columns in characters, like every other message
	}
	msg := "this is not valid TOML: " + oneLine(pe.Message)
	if strings.HasPrefix(pe.Message, "expected value but found") {
		msg += ` (text needs quotes, like model = "inapk")`
	}
	return &Error{Source: source, Line: pos.line, Col: pos.col, Msg: msg, Err: err}
}

// checker walks a decoded patch, building it and collecting every problem with the
// position of the key it concerns.
type checker struct {
	source string
	loc    *locator
	errs   []*Error
}

func (c *checker) errorf(path, format string, args ...any) {
	p := c.loc.find(path)
	c.errs = append(c.errs, &Error{Source: c.source, Line: p.line, Col: p.col, Msg: oneLine(fmt.Sprintf(format, args...))})
}

// oneLine escapes control characters, so that each problem stays on its own line.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (c *checker) list() ErrorList {
	l := ErrorList(c.errs)
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
	return l
}

// table is one TOML table as the checker walks it.
type table struct {
	path string // locator path: "", "output", "neuron[0]", "midi.cc[2]"
	name string // how a performer writes it: "[[neuron]]"
	m    map[string]any
}

func (t table) at(key string) string { return joinPath(t.path, key) }

func (t table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

// sortedKeys returns t's keys in file order.
func (c *checker) sortedKeys(t table) []string {
	type placed struct {
		key string
		at  position
	}
	ps := make([]placed, 0, len(t.m))
	for k := range t.m {
		ps = append(ps, placed{k, c.loc.find(t.at(k))})
	}
	sort.Slice(ps, func(i, j int) bool {
		pi, pj := ps[i].at, ps[j].at
		if pi != pj {
			return pi.line < pj.line || pi.line == pj.line && pi.col < pj.col
		}
		return ps[i].key < ps[j].key
	})
	keys := make([]string, len(ps))
	for i, p := range ps {
		keys[i] = p.key
	}
	return keys
}

// onlyKeys reports every key of t not in known, the first maxUnknownKeys one by one.
func (c *checker) onlyKeys(t table, known []string) {
	unknown, rest := 0, ""
	for _, k := range c.sortedKeys(t) {
		if slices.Contains(known, k) {
			continue
		}
		if unknown++; unknown > maxUnknownKeys {
			if rest == "" {
				rest = k
			}
			continue
		}
		if where := belongs(t, k); where != "" {
			c.errorf(t.at(k), "unknown key %q in %s (%s)", k, t.name, where)
			continue
		}
		c.errorf(t.at(k), "unknown key %q in %s%s", k, t.name, hint(k, known, "known keys"))
	}
	if rest != "" {
		c.errorf(t.at(rest), "and %d more unknown keys in %s from here on: is this a patch?", unknown-maxUnknownKeys, t.name)
	}
}

// belongs says where a key unknown in t would be at home, for the commonest slips: a
// top-level key written below a table header, a neuron's or the MIDI section's key
// written at the top.
func belongs(t table, key string) string {
	switch {
	case t.path != "" && slices.Contains(topKeys, key):
		return key + " belongs at the top of the file, above the first [table] header"
	case t.path != "":
		return ""
	case key == "cc" || key == "bend" || key == "kick" || key == "spike":
		return "it belongs under [midi]: write [[midi." + key + "]]"
	case key == "step":
		return "it belongs under [tour]: write [[tour.step]]"
	case key == "length":
		return "it belongs under [tour]"
	case slices.Contains(midiKeys, key):
		return "it belongs under [midi]"
	case slices.Contains(outputKeys, key):
		return "it belongs under [output]"
	case slices.Contains(neuronKeys, key):
		return "it belongs in a [[neuron]] table"
	}
	return ""
}

// describe names a decoded TOML value for messages.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return fmt.Sprintf("the text %q", v)
	case int64, float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "a list of tables"
	case time.Time:
		return "a date or time"
	}
	return fmt.Sprintf("a %T", v)
}

func (c *checker) text(t table, key string) (string, bool) {
	v, ok := t.m[key]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.errorf(t.at(key), `%s must be text in quotes, like %s = "...", not %s`, key, key, describe(v))
	}
	return s, ok
}

// asNumber converts a decoded number; ok is false for anything else or a non-finite value.
func asNumber(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	return 0, false
}

func (c *checker) number(t table, key string) (float64, bool) {
	v, ok := t.m[key]
	if !ok {
		return 0, false
	}
	return c.numberValue(t.at(key), key, v)
}

func (c *checker) numberValue(path, key string, v any) (float64, bool) {
	x, ok := asNumber(v)
	if !ok {
		if f, isFloat := v.(float64); isFloat {
			c.errorf(path, "%s = %v is not a usable number", key, f)
		} else {
			c.errorf(path, "%s must be a number, not %s", key, describe(v))
		}
	}
	return x, ok
}

func (c *checker) boolean(t table, key string) (bool, bool) {
	v, ok := t.m[key]
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		c.errorf(t.at(key), "%s must be true or false, without quotes, not %s", key, describe(v))
	}
	return b, ok
}

func (c *checker) whole(t table, key string) (int64, bool) {
	v, ok := t.m[key]
	if !ok {
		return 0, false
	}
	return c.wholeValue(t.at(key), key, v)
}

func (c *checker) wholeValue(path, key string, v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			c.errorf(path, "%s must be a whole number, like %s = %d", key, key, int64(v))
			return 0, false
		}
		c.errorf(path, "%s must be a whole number, not %v", key, v)
		return 0, false
	}
	c.errorf(path, "%s must be a whole number, not %s", key, describe(v))
	return 0, false
}

// numberIn returns the number at key, def when it is absent or wrong.
func (c *checker) numberIn(t table, key string, def, lo, hi float64, unit string) float64 {
	v, ok := c.number(t, key)
	if !ok {
		return def
	}
	if v < lo || v > hi {
		c.errorf(t.at(key), "%s = %g is outside the allowed range %g to %g%s", key, v, lo, hi, withSpace(unit))
		return def
	}
	return v
}

// positive is numberIn for ranges open at zero: 0 < v <= hi.
func (c *checker) positive(t table, key string, def, hi float64, unit string) float64 {
	v, ok := c.number(t, key)
	if !ok {
		return def
	}
	if !(v > 0 && v <= hi) {
		c.errorf(t.at(key), "%s = %g is outside the allowed range: more than 0, at most %g%s", key, v, hi, withSpace(unit))
		return def
	}
	return v
}

func withSpace(unit string) string {
	if unit == "" {
		return ""
	}
	return " " + unit
}

// midiNumber reads a whole number in lo..hi; what names it in the message ("a MIDI note").
func (c *checker) midiNumber(t table, key string, def, lo, hi int, what string) int {
	v, ok := c.whole(t, key)
	if !ok {
		return def
	}
	if v < int64(lo) || v > int64(hi) {
		c.errorf(t.at(key), "%s = %d is not %s (%d to %d)", key, v, what, lo, hi)
		return def
	}
	return int(v)
}

// controller reads a controller number; -1 when absent or wrong.
func (c *checker) controller(t table, key string) int {
	v, ok := c.whole(t, key)
	if !ok {
		return -1
	}
	if v < 0 || v > maxController {
		c.errorf(t.at(key), "%s = %d is not a controller number you can map: use 0 to %d (%d to 127 are channel-mode messages)", key, v, maxController, maxController+1)
		return -1
	}
	return int(v)
}

func (c *checker) channel(t table, def int, anyAllowed bool) int {
	v, ok := c.whole(t, "channel")
	if !ok {
		return def
	}
	if anyAllowed && (v < 0 || v > 16) {
		c.errorf(t.at("channel"), "channel = %d is not a MIDI channel: use 1 to 16, or 0 for any channel", v)
		return def
	}
	if !anyAllowed && (v < 1 || v > 16) {
		c.errorf(t.at("channel"), "channel = %d is not a MIDI channel to send on: use 1 to 16", v)
		return def
	}
	return int(v)
}

func (c *checker) subtable(t table, key, name string) (table, bool) {
	v, ok := t.m[key]
	if !ok {
		return table{}, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf(t.at(key), "%s must be a table, written %s, not %s", key, name, describe(v))
		return table{}, false
	}
	return table{path: t.at(key), name: name, m: m}, true
}

// tables reads an array of tables: [[x]] headers, or x = [{...}, {...}].
func (c *checker) tables(t table, key, name string) []table {
	v, ok := t.m[key]
	if !ok {
		return nil
	}
	var ms []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		ms = v
	case []any:
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				c.errorf(t.at(key), "%s must be a list of tables, written %s, not a list of %s", key, name, kindOf(e))
				return nil
			}
			ms = append(ms, m)
		}
	case map[string]any:
		c.errorf(t.at(key), "%s must be written %s, with double brackets: a patch can have several", key, name)
		return nil
	default:
		c.errorf(t.at(key), "%s must be a list of tables, written %s, not %s", key, name, describe(v))
		return nil
	}
	ts := make([]table, len(ms))
	for i, m := range ms {
		ts[i] = table{path: indexPath(t.at(key), i), name: name, m: m}
	}
	return ts
}

func isEmptyList(v any) bool {
	switch v := v.(type) {
	case []any:
		return len(v) == 0
	case []map[string]any:
		return len(v) == 0
	}
	return false
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "text"
	case int64, float64:
		return "numbers"
	case bool:
		return "true/false values"
	case []any:
		return "lists"
	}
	return "other values"
}
