package patches

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// position is where something is written in a patch: 1-based line and column, the column
// counted in characters (not bytes), as editors show it.
type position struct{ line, col int }

// locator maps key paths to where their keys are written. BurntSushi/toml keeps key
// positions to itself (and keys them without array indices), so the checker finds them
// here by scanning the source once.
//
// A path names a key the way the checker walks the document: table and key names joined
// by dots, elements of arrays (of tables, or of values) by [i]:
//
//	format                  a top-level key
//	neuron[1].model         a key in the second [[neuron]]
//	neuron[0].params.tau    a key in [neuron.params], or params.tau = ..., or params = {tau = ...}
//	midi.cc[0].target       a key in the first [[midi.cc]]
//	gap[0]                  the first element of gap = [{...}] (its brace)
//
// A table's path is at its header's first key character. The locator expects a document
// that BurntSushi/toml has accepted; on anything else it records what it can and never
// fails.
type locator struct {
	at map[string]position
}

// newLocator scans src (UTF-8 TOML without a byte-order mark).
func newLocator(src string) *locator { return newLocatorPlacing(src, maxValuePositions) }

// newLocatorPlacing is newLocator placing the first values of each list of values.
func newLocatorPlacing(src string, values int) *locator {
	sc := &scanner{lexer: lexer{s: src}, lines: lineCounter{src: src}, at: map[string]position{}, arrays: map[string]int{}, values: values}
	sc.document()
	return &locator{at: sc.at}
}

// find returns the position of path or, failing that, of its nearest enclosing key,
// element or table that has one; 1:1 when nothing encloses it.
func (l *locator) find(path string) position {
	for {
		if p, ok := l.at[path]; ok {
			return p
		}
		if path == "" {
			return position{1, 1}
		}
		path = parentPath(path)
	}
}

// joinPath appends a key to a path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// indexPath appends an array index to a path.
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// parentPath strips the last key or index from a path; the parent of a top-level key is "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// maxValuePositions is how many values of a list the locator places: a patch's lists of
// values are short (notes = [36, 84]); a list of a million numbers would otherwise cost
// a map entry each. Tables and lists in a list are always placed.
const maxValuePositions = 16

// scanner walks TOML structure (headers, keys, values) without interpreting values. It
// reads bytes with the lexer and counts lines and columns only where it records a place.
type scanner struct {
	lexer
	lines  lineCounter
	at     map[string]position
	arrays map[string]int // array-of-tables path -> elements seen so far
	values int            // how many values of a list are placed (maxValuePositions)
}

func (sc *scanner) document() {
	table := ""
	for range sc.statements() {
		if sc.peek() == '[' {
			table = sc.header()
		} else {
			sc.keyValue(table)
		}
	}
}

// header reads [a.b] or [[a.b]] and returns the path of the table it opens.
func (sc *scanner) header() string {
	array := sc.headerOpen()
	segs, at := sc.key()
	if len(segs) == 0 {
		return ""
	}
	path := ""
	for k, seg := range segs {
		path = joinPath(path, seg)
		if k == len(segs)-1 {
			break
		}
		if _, seen := sc.at[path]; !seen {
			sc.at[path] = at[k]
		}
		if n := sc.arrays[path]; n > 0 {
			path = indexPath(path, n-1) // [a.b] after [[a]] is inside the last a
		}
	}
	if array {
		if _, seen := sc.at[path]; !seen {
			sc.at[path] = at[0] // the array itself: its first header
		}
		n := sc.arrays[path]
		sc.arrays[path] = n + 1
		path = indexPath(path, n)
	}
	sc.at[path] = at[0]
	return path
}

// key reads a possibly dotted key and returns its segments and where each starts.
func (sc *scanner) key() (segs []string, at []position) {
	for start, raw := range sc.keySegments() {
		segs, at = append(segs, keyName(raw)), append(at, sc.lines.position(start))
	}
	return segs, at
}

// keyName is the name a key segment written as raw stands for: a quoted one unquoted.
func keyName(raw string) string {
	switch raw[0] {
	case '"':
		inner := raw[1:max(1, len(raw)-1)]
		if u, err := strconv.Unquote(`"` + inner + `"`); err == nil {
			return u
		}
		return inner
	case '\'':
		return raw[1:max(1, len(raw)-1)]
	}
	return raw
}

// keyValue reads key = value inside the table at path.
func (sc *scanner) keyValue(table string) {
	segs, at := sc.key()
	if len(segs) == 0 {
		return
	}
	path := table
	for k, seg := range segs {
		path = joinPath(path, seg)
		if _, seen := sc.at[path]; !seen || k == len(segs)-1 {
			sc.at[path] = at[k]
		}
	}
	if sc.assign() {
		sc.value(path)
	}
}

func (sc *scanner) value(path string) {
	switch sc.peek() {
	case '[':
		sc.array(path)
	case '{':
		sc.inlineTable(path)
	default:
		sc.scalar()
	}
}

func (sc *scanner) array(path string) {
	for n := range sc.items(']') {
		elem := path // a value beyond the first few is found at its list
		if c := sc.peek(); n < sc.values || c == '[' || c == '{' {
			elem = indexPath(path, n)
			sc.at[elem] = sc.lines.position(sc.i)
		}
		sc.value(elem)
	}
}

func (sc *scanner) inlineTable(path string) {
	for range sc.items('}') {
		sc.keyValue(path)
	}
}

// lineCounter turns byte offsets in src into positions. It counts on from the offset it
// was last asked for, so a scanner that asks as it moves forward reads the text once in
// all; an offset behind that one is counted from the start again.
type lineCounter struct {
	src string
	off int      // where counting goes on from: an offset asked for, between characters
	at  position // its position; the zero value stands for 1:1 at offset 0
}

func (lc *lineCounter) position(off int) position {
	off = min(max(off, 0), len(lc.src))
	if off < lc.off || lc.at.line == 0 {
		lc.off, lc.at = 0, position{1, 1}
	}
	ahead, at := lc.src[lc.off:off], lc.at
	if k := strings.LastIndexByte(ahead, '\n'); k >= 0 {
		at = position{at.line + strings.Count(ahead, "\n"), 1 + utf8.RuneCountInString(ahead[k+1:])}
	} else {
		at.col += utf8.RuneCountInString(ahead)
	}
	// Counted on from inside a character, its remaining bytes would count as characters.
	if off == len(lc.src) || utf8.RuneStart(lc.src[off]) {
		lc.off, lc.at = off, at
	}
	return at
}

// offsetPosition converts a byte offset in src to a line and character column.
func offsetPosition(src string, off int) position {
	lc := lineCounter{src: src}
	return lc.position(off)
}
