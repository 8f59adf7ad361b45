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
func newLocator(src string) *locator {
	sc := &scanner{s: src, line: 1, col: 1, at: map[string]position{}, arrays: map[string]int{}}
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

// scanner walks TOML structure (headers, keys, values) without interpreting values.
type scanner struct {
	s         string
	i         int // byte offset
	line, col int
	at        map[string]position
	arrays    map[string]int // array-of-tables path -> elements seen so far
}

func (sc *scanner) eof() bool { return sc.i >= len(sc.s) }

func (sc *scanner) peek() byte {
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

func (sc *scanner) peekAt(k int) byte {
	if sc.i+k < len(sc.s) {
		return sc.s[sc.i+k]
	}
	return 0
}

func (sc *scanner) has(prefix string) bool { return strings.HasPrefix(sc.s[sc.i:], prefix) }

func (sc *scanner) pos() position { return position{sc.line, sc.col} }

// adv moves past one character.
func (sc *scanner) adv() {
	if sc.eof() {
		return
	}
	_, n := utf8.DecodeRuneInString(sc.s[sc.i:])
	if sc.s[sc.i] == '\n' {
		sc.line++
		sc.col = 1
	} else {
		sc.col++
	}
	sc.i += n
}

func (sc *scanner) advN(n int) {
	for ; n > 0; n-- {
		sc.adv()
	}
}

// skipSpace skips spaces and tabs.
func (sc *scanner) skipSpace() {
	for c := sc.peek(); c == ' ' || c == '\t'; c = sc.peek() {
		sc.adv()
	}
}

// skipBlank skips whitespace, newlines and comments.
func (sc *scanner) skipBlank() {
	for !sc.eof() {
		switch sc.peek() {
		case ' ', '\t', '\r', '\n':
			sc.adv()
		case '#':
			for !sc.eof() && sc.peek() != '\n' {
				sc.adv()
			}
		default:
			return
		}
	}
}

// skipLine moves past the end of the current line.
func (sc *scanner) skipLine() {
	for !sc.eof() && sc.peek() != '\n' {
		sc.adv()
	}
	sc.adv()
}

func (sc *scanner) document() {
	table := ""
	for {
		sc.skipBlank()
		if sc.eof() {
			return
		}
		if sc.peek() == '[' {
			table = sc.header()
		} else {
			sc.keyValue(table)
		}
		sc.skipLine() // a comment, or whatever a malformed line left
	}
}

// header reads [a.b] or [[a.b]] and returns the path of the table it opens.
func (sc *scanner) header() string {
	array := sc.peekAt(1) == '['
	sc.adv()
	if array {
		sc.adv()
	}
	sc.skipSpace()
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
	for {
		sc.skipSpace()
		p := sc.pos()
		seg, ok := sc.keySegment()
		if !ok {
			return segs, at
		}
		segs, at = append(segs, seg), append(at, p)
		sc.skipSpace()
		if sc.peek() != '.' {
			return segs, at
		}
		sc.adv()
	}
}

func (sc *scanner) keySegment() (string, bool) {
	switch sc.peek() {
	case '"':
		start := sc.i + 1
		sc.basicString()
		end := max(start, sc.i-1)
		raw := sc.s[start:end]
		if u, err := strconv.Unquote(`"` + raw + `"`); err == nil {
			return u, true
		}
		return raw, true
	case '\'':
		start := sc.i + 1
		sc.literalString()
		return sc.s[start:max(start, sc.i-1)], true
	}
	start := sc.i
	for !sc.eof() && !strings.ContainsRune(" \t\r\n.=[]\"'#,{}", rune(sc.peek())) {
		sc.adv()
	}
	return sc.s[start:sc.i], sc.i > start
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
	sc.skipSpace()
	if sc.peek() != '=' {
		return
	}
	sc.adv()
	sc.skipSpace()
	sc.value(path)
}

func (sc *scanner) value(path string) {
	switch sc.peek() {
	case '"':
		if sc.has(`"""`) {
			sc.multiline(`"""`, true)
		} else {
			sc.basicString()
		}
	case '\'':
		if sc.has(`'''`) {
			sc.multiline(`'''`, false)
		} else {
			sc.literalString()
		}
	case '[':
		sc.array(path)
	case '{':
		sc.inlineTable(path)
	default: // numbers, booleans, dates (which may hold a space)
		for !sc.eof() && !strings.ContainsRune(",]}#\r\n", rune(sc.peek())) {
			sc.adv()
		}
	}
}

func (sc *scanner) array(path string) {
	sc.adv() // [
	for n := 0; ; {
		sc.skipBlank()
		switch sc.peek() {
		case 0:
			return
		case ']':
			sc.adv()
			return
		case ',':
			sc.adv()
			continue
		}
		elem := path // a value beyond the first few is found at its list
		if c := sc.peek(); n < maxValuePositions || c == '[' || c == '{' {
			elem = indexPath(path, n)
			sc.at[elem] = sc.pos()
		}
		before := sc.i
		sc.value(elem)
		if sc.i == before {
			sc.adv() // not a value: step over it rather than loop
		}
		n++
	}
}

func (sc *scanner) inlineTable(path string) {
	sc.adv() // {
	for {
		sc.skipBlank() // TOML 1.1 allows newlines and comments inside inline tables
		switch sc.peek() {
		case 0:
			return
		case '}':
			sc.adv()
			return
		case ',':
			sc.adv()
			continue
		}
		before := sc.i
		sc.keyValue(path)
		if sc.i == before {
			sc.adv()
		}
	}
}

// basicString reads "..." with backslash escapes; it stops before a newline (invalid).
func (sc *scanner) basicString() {
	sc.adv()
	for !sc.eof() {
		switch sc.peek() {
		case '\\':
			sc.adv()
			if sc.peek() != '\n' {
				sc.adv()
			}
		case '"':
			sc.adv()
			return
		case '\n':
			return
		default:
			sc.adv()
		}
	}
}

// literalString reads '...' (no escapes).
func (sc *scanner) literalString() {
	sc.adv()
	for !sc.eof() {
		switch sc.peek() {
		case '\'':
			sc.adv()
			return
		case '\n':
			return
		default:
			sc.adv()
		}
	}
}

// multiline reads a multi-line string, basic (delimited by three double quotes, with
// escapes) or literal (three single quotes); up to two more quotes may end it, as a
// quote just before the closing delimiter.
func (sc *scanner) multiline(delim string, escapes bool) {
	sc.advN(3)
	for !sc.eof() {
		if escapes && sc.peek() == '\\' {
			sc.adv()
			sc.adv()
			continue
		}
		if sc.has(delim) {
			sc.advN(3)
			for k := 0; k < 2 && sc.peek() == delim[0]; k++ {
				sc.adv()
			}
			return
		}
		sc.adv()
	}
}

// offsetPosition converts a byte offset in src to a line and character column.
func offsetPosition(src string, off int) position {
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	head := src[:off]
	line := 1 + strings.Count(head, "\n")
	lineStart := strings.LastIndexByte(head, '\n') + 1
	return position{line, 1 + utf8.RuneCountInString(head[lineStart:])}
}
