package patches

import (
	"fmt"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
)

// Limits on what Parse and Load read. The TOML decoder keeps every table's full key path
// while it reads, so its memory grows with the square of the nesting (a 32 kB dotted key
// takes 10 GB) and, at a bounded depth, with the number of tables (about 1 kB each);
// these limits are checked on the text before the decoder sees it. Within them, the
// costliest file allocates about 0.2 GB in all and takes under a second to check
// (BenchmarkParseAtLimits), as much as the largest network a patch may hold.
const (
	// MaxFileSize is the longest patch, in bytes. The largest network the engine plays,
	// emu.MaxNeurons neurons with every pair of 128 of them joined by a synapse and a gap
	// junction, written one key per line as the built-ins are, takes 1.6 MB.
	MaxFileSize = 2 << 20

	// MaxDepth is how deeply tables and lists may nest: header segments, dotted keys,
	// brackets and braces each open one. A patch needs 4 (the notes = [36, 84] of a
	// [[midi.kick]] are in a list in a table in the list kick in the table midi).
	MaxDepth = 8

	// MaxTables is how many tables and lists a patch may open. That largest network
	// opens about 41000.
	MaxTables = 1 << 16
)

// tooLarge refuses text longer than MaxFileSize at the place where it passes the limit,
// after the first problem of shape before that place, which may say more (100000
// neurons take more than MaxFileSize).
func tooLarge(source string, data []byte) ErrorList {
	src := strings.TrimPrefix(string(data[:MaxFileSize]), "\ufeff")
	var l ErrorList
	if e := checkShape(source, src); e != nil {
		l = append(l, e)
	}
	at := offsetPosition(src, len(src))
	return append(l, &Error{Source: source, Line: at.line, Col: at.col, Msg: fmt.Sprintf(
		"the file goes on past %d MiB here, the most a patch may be (%d neurons with every pair of 128 joined by a synapse "+
			"and a gap junction take 1.6 MB): is this the right file?", MaxFileSize>>20, emu.MaxNeurons)})
}

// checkShape walks the text the way TOML nests it (table headers, dotted keys, arrays,
// inline tables, strings and comments) without reading values, and reports the first
// place where the text goes beyond MaxDepth, MaxTables, or the number of [[neuron]],
// [[synapse]] or [[gap]] tables the engine takes. It is lenient: on text that is not
// TOML it goes on as best it can (the decoder reports the syntax) and never fails.
// Its work is linear in the text and its recursion bounded by MaxDepth.
func checkShape(source, src string) *Error {
	sc := scanShape(src)
	if sc.problem < 0 {
		return nil
	}
	at := offsetPosition(src, sc.problem)
	return &Error{Source: source, Line: at.line, Col: at.col, Msg: sc.msg}
}

func scanShape(src string) *shapeScanner {
	sc := &shapeScanner{lexer: lexer{s: src}, problem: -1, arrays: map[string]bool{}, counts: map[string]int{}}
	sc.document()
	return sc
}

// shapeScanner is checkShape's state. Offsets are in bytes, turned into a line and
// column only for the problem it reports.
type shapeScanner struct {
	lexer
	base    int             // the depth of the table the last header opened
	tables  int             // tables and lists opened so far
	deepest int             // the greatest depth seen
	arrays  map[string]bool // header paths declared as arrays of tables ([[a.b]])
	counts  map[string]int  // [[neuron]], [[synapse]] and [[gap]] headers seen
	problem int             // offset of the first problem; -1 while there is none
	msg     string
}

// headerLimits are the arrays of tables whose length the engine limits.
var headerLimits = map[string]arrayLimit{
	"neuron":  {emu.MaxNeurons, "neurons"},
	"synapse": {emu.MaxSynapses, "synapses (every pair of 128 neurons)"},
	"gap":     {emu.MaxGaps, "gap junctions (every pair of 128 neurons)"},
}

type arrayLimit struct {
	max  int
	what string // the plural, and why the limit is what it is
}

func (sc *shapeScanner) fail(at int, format string, args ...any) {
	if sc.problem < 0 {
		sc.problem, sc.msg = at, fmt.Sprintf(format, args...)
	}
}

func (sc *shapeScanner) failed() bool { return sc.problem >= 0 }

// open counts n tables or lists opened at depth, reporting one too deep or too many, and
// reports whether the scan goes on (there is no problem yet).
func (sc *shapeScanner) open(at, depth, n int) bool {
	sc.tables += n
	sc.deepest = max(sc.deepest, depth)
	switch {
	case depth > MaxDepth:
		sc.fail(at, "tables and lists nest more than %d deep here, too deep for a patch (one needs at most 4: "+
			"the notes = [36, 84] of a [[midi.kick]]): is this the right file?", MaxDepth)
	case sc.tables > MaxTables:
		sc.fail(at, "more than %d tables and lists by here, more than a patch may hold (%d neurons with every pair of 128 "+
			"joined by a synapse and a gap junction take about 41000): is this the right file?", MaxTables, emu.MaxNeurons)
	}
	return !sc.failed()
}

func (sc *shapeScanner) document() {
	for range sc.statements() {
		if sc.peek() == '[' {
			sc.header()
		} else {
			sc.keyValue(sc.base)
		}
		if sc.failed() {
			break
		}
	}
}

// header reads [a.b] or [[a.b]]: each segment opens a table, an array of tables one
// more (its element), and so does each segment earlier declared as one.
func (sc *shapeScanner) header() {
	start := sc.i
	array := sc.headerOpen()
	segs, n := sc.key()
	if n == 0 {
		return
	}
	depth, path := 0, ""
	for k, seg := range segs {
		path += "\x00" + seg
		depth++
		if k < len(segs)-1 && sc.arrays[path] || k == len(segs)-1 && array {
			depth++
		}
	}
	if n > len(segs) { // a key longer than MaxDepth segments: only the first were kept
		depth += n - len(segs)
	}
	if array {
		sc.arrays[path] = true
		n++
	}
	sc.open(start, depth, n)
	sc.base = depth
	if lim, ok := headerLimits[segs[0]]; ok && array && len(segs) == 1 {
		sc.counts[segs[0]]++
		if c := sc.counts[segs[0]]; c > lim.max {
			sc.fail(start, "this [[%s]] is the %s, but a patch may have at most %d %s: use fewer",
				segs[0], ordinal(c), lim.max, lim.what)
		}
	}
}

// key reads a possibly dotted key and returns its first MaxDepth+1 segments (enough to
// compare with a header name) and how many there are.
func (sc *shapeScanner) key() (segs []string, n int) {
	for _, raw := range sc.keySegments() {
		if n++; len(segs) <= MaxDepth {
			segs = append(segs, strings.Trim(raw, `"'`))
		}
	}
	return segs, n
}

// keyValue reads key = value in a table at depth: a dotted key opens a table per
// segment before the last.
func (sc *shapeScanner) keyValue(depth int) {
	start := sc.i
	_, n := sc.key()
	if n == 0 {
		return
	}
	depth += n - 1
	if sc.open(start, depth, n-1) && sc.assign() {
		sc.value(depth)
	}
}

func (sc *shapeScanner) value(depth int) {
	switch sc.peek() {
	case '[':
		sc.array(depth + 1)
	case '{':
		sc.inlineTable(depth + 1)
	default:
		sc.scalar()
	}
}

func (sc *shapeScanner) array(depth int) {
	if !sc.open(sc.i, depth, 1) {
		return
	}
	for range sc.items(']') {
		sc.value(depth)
		if sc.failed() {
			break
		}
	}
}

func (sc *shapeScanner) inlineTable(depth int) {
	if !sc.open(sc.i, depth, 1) {
		return
	}
	for range sc.items('}') {
		sc.keyValue(depth)
		if sc.failed() {
			break
		}
	}
}

// ordinal spells 1025 as "1025th", 8193 as "8193rd".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprint(n, suffix)
}
