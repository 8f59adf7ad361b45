package patches

import "strings"

// lexer reads TOML's lexical pieces: blanks and comments, strings of the four kinds
// (basic, literal, and their multi-line forms, with escapes), keys (bare, quoted, dotted)
// and values, the items of arrays and of inline tables (which TOML 1.1 lets span lines
// and hold comments), and the statements of a document. It interprets nothing and never
// fails: on text that is not TOML it goes on as best it can, always forward, so a scanner
// built on it costs time linear in the text. The two scanners that read a patch's text
// embed it: checkShape's, which bounds what the decoder is given (limits.go), and the
// locator's, which finds where keys are written (locate.go).
//
// Offsets are in bytes. Every delimiter is ASCII, which no byte of a multi-byte UTF-8
// character can be mistaken for, so the lexer stops only between characters.
type lexer struct {
	s string
	i int // offset of the next byte to read
}

func (lx *lexer) eof() bool { return lx.i >= len(lx.s) }

// peek returns the next byte, or 0 at the end.
func (lx *lexer) peek() byte {
	if lx.i < len(lx.s) {
		return lx.s[lx.i]
	}
	return 0
}

func (lx *lexer) has(prefix string) bool { return strings.HasPrefix(lx.s[lx.i:], prefix) }

// byteSet is a set of ASCII bytes, looked up in one step.
type byteSet [256]bool

func newByteSet(chars string) *byteSet {
	var set byteSet
	for k := range len(chars) {
		set[chars[k]] = true
	}
	return &set
}

var (
	bareKeyEnd = newByteSet(" \t\r\n.=[]\"'#,{}") // what ends a bare key
	scalarEnd  = newByteSet(",]}#\r\n")           // what ends a number, boolean or date
)

// skipTo moves to the next byte in set, or to the end.
func (lx *lexer) skipTo(set *byteSet) {
	for lx.i < len(lx.s) && !set[lx.s[lx.i]] {
		lx.i++
	}
}

// skipSpace skips spaces and tabs.
func (lx *lexer) skipSpace() {
	for c := lx.peek(); c == ' ' || c == '\t'; c = lx.peek() {
		lx.i++
	}
}

// skipBlank skips whitespace, newlines and comments.
func (lx *lexer) skipBlank() {
	for !lx.eof() {
		switch lx.peek() {
		case ' ', '\t', '\r', '\n':
			lx.i++
		case '#':
			lx.skipLine()
		default:
			return
		}
	}
}

// skipLine moves to the end of the line: to its newline, or to the end of the text.
func (lx *lexer) skipLine() {
	if k := strings.IndexByte(lx.s[lx.i:], '\n'); k >= 0 {
		lx.i += k
	} else {
		lx.i = len(lx.s)
	}
}

// statements reads a document statement by statement: it skips blank lines and comments,
// yields at the first character of each table header or key/value line, and then skips
// what the statement left of its line (a comment, or the rest of a malformed line). A
// statement that reads nothing is stepped over rather than yielded again.
func (lx *lexer) statements() func(yield func() bool) {
	return func(yield func() bool) {
		for {
			lx.skipBlank()
			if lx.eof() {
				return
			}
			before := lx.i
			if !yield() {
				return
			}
			if lx.i == before {
				lx.i++
			}
			lx.skipLine()
		}
	}
}

// headerOpen reads the [ or [[ that opens a table header and reports which.
func (lx *lexer) headerOpen() (array bool) {
	array = lx.has("[[")
	lx.i++
	if array {
		lx.i++
	}
	return array
}

// keySegments reads a possibly dotted key, with the spaces around its segments and dots,
// and yields where each segment starts and its text as written (quotes included).
func (lx *lexer) keySegments() func(yield func(start int, raw string) bool) {
	return func(yield func(start int, raw string) bool) {
		for {
			lx.skipSpace()
			start := lx.i
			if c := lx.peek(); c == '"' || c == '\'' {
				lx.quoted()
			} else {
				lx.skipTo(bareKeyEnd)
			}
			if lx.i == start || !yield(start, lx.s[start:lx.i]) {
				return
			}
			lx.skipSpace()
			if lx.peek() != '.' {
				return
			}
			lx.i++
		}
	}
}

// assign reads the = between a key and its value, with the spaces around it; it reports
// false, having read only the spaces, where there is none.
func (lx *lexer) assign() bool {
	lx.skipSpace()
	if lx.peek() != '=' {
		return false
	}
	lx.i++
	lx.skipSpace()
	return true
}

// items reads an array or an inline table from its opening bracket or brace to close,
// its closing one, and yields at the start of each item (counting them from 0) for the
// caller to read it: a value, or a key/value. Blank lines and comments may stand between
// items. An item that reads nothing is stepped over rather than yielded again.
func (lx *lexer) items(close byte) func(yield func(n int) bool) {
	return func(yield func(n int) bool) {
		lx.i++ // [ or {
		for n := 0; ; {
			lx.skipBlank()
			switch lx.peek() {
			case 0:
				return
			case close:
				lx.i++
				return
			case ',':
				lx.i++
				continue
			}
			before := lx.i
			if !yield(n) {
				return
			}
			if lx.i == before {
				lx.i++
			}
			n++
		}
	}
}

// scalar reads a value that is neither an array nor an inline table: a string of any
// kind, or a number, boolean or date (which may hold a space) up to what ends it.
func (lx *lexer) scalar() {
	switch {
	case lx.has(`"""`):
		lx.multiline(`"""`, true)
	case lx.has(`'''`):
		lx.multiline(`'''`, false)
	case lx.peek() == '"' || lx.peek() == '\'':
		lx.quoted()
	default:
		lx.skipTo(scalarEnd)
	}
}

// quoted reads a one-line string: basic ("..." with backslash escapes) or literal ('...'
// without). It stops before a newline, which neither may hold.
func (lx *lexer) quoted() {
	quote := lx.peek()
	lx.i++
	for !lx.eof() {
		switch c := lx.peek(); {
		case c == '\\' && quote == '"':
			lx.i++
			if !lx.eof() && lx.peek() != '\n' {
				lx.i++
			}
		case c == quote:
			lx.i++
			return
		case c == '\n':
			return
		default:
			lx.i++
		}
	}
}

// multiline reads a multi-line string, basic (delimited by three double quotes, with
// escapes) or literal (three single quotes); up to two more quotes may end it, as quotes
// just before the closing delimiter.
func (lx *lexer) multiline(delim string, escapes bool) {
	lx.i += len(delim)
	for !lx.eof() {
		if escapes && lx.peek() == '\\' {
			lx.i = min(lx.i+2, len(lx.s))
			continue
		}
		if lx.has(delim) {
			lx.i += len(delim)
			for k := 0; k < 2 && lx.peek() == delim[0]; k++ {
				lx.i++
			}
			return
		}
		lx.i++
	}
}
