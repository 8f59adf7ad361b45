package patches

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLexerReadsOnePiece: each of TOML's lexical rules, read from the start of src by
// one lexer method, ends where the rule says, leaving rest.
func TestLexerReadsOnePiece(t *testing.T) {
	scalar := (*lexer).scalar
	cases := []struct {
		name, src string
		read      func(*lexer)
		rest      string
	}{
		{"basic string with escaped quote", `"a\"b" = 1`, scalar, " = 1"},
		{"basic string with escaped backslash", `"a\\" b`, scalar, " b"},
		{"basic string stops before a newline", "\"abc\nx", scalar, "\nx"},
		{"basic string: escape at the end", `"a\`, scalar, ""},
		{"literal string has no escapes", `'a\'b`, scalar, "b"},
		{"literal string stops before a newline", "'abc\nx'", scalar, "\nx'"},
		{"multi-line basic: escaped quotes", `"""a\"""b""" x`, scalar, " x"},
		{"multi-line basic: two more quotes end it", `"""a""""" x`, scalar, " x"},
		{"multi-line basic spans lines", "\"\"\"\n[[neuron]]\n\"\"\"\nx", scalar, "\nx"},
		{"multi-line basic: escape at the end", `"""a\`, scalar, ""},
		{"multi-line literal: backslash is a character", `'''a\''' x`, scalar, " x"},
		{"multi-line literal: two more quotes end it", `'''a''''' x`, scalar, " x"},
		{"unterminated multi-line string runs to the end", `"""a"" b`, scalar, ""},
		{"date with a space", "1979-05-27 07:32:00Z, x", scalar, ", x"},
		{"number before a comment", "1.5e3# c", scalar, "# c"},
		{"number before a brace", "-0x1F}", scalar, "}"},
		{"blank: spaces, newlines and comments", " \t# [c]\r\n\n  # d\nx", (*lexer).skipBlank, "x"},
		{"space stops at a newline", " \t\nx", (*lexer).skipSpace, "\nx"},
		{"line: up to its newline", "a # b\nc", (*lexer).skipLine, "\nc"},
		{"header of a table", "[a]", func(lx *lexer) {
			if lx.headerOpen() {
				lx.i = len(lx.s) // say so by reading all
			}
		}, "a]"},
		{"header of an array of tables", "[[a]]", func(lx *lexer) {
			if !lx.headerOpen() {
				lx.i = len(lx.s)
			}
		}, "a]]"},
		{"assignment with spaces", " \t= \t1", func(lx *lexer) { lx.assign() }, "1"},
		{"no assignment: only spaces read", "  1", func(lx *lexer) { lx.assign() }, "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lx := &lexer{s: c.src}
			c.read(lx)
			if got := lx.s[lx.i:]; got != c.rest {
				t.Errorf("read %q, left %q; want %q left", c.src, got, c.rest)
			}
		})
	}
}

// TestLexerKeySegments: a dotted key's segments, bare, quoted (where a dot or a bracket
// is part of the name) and literal, with spaces around the dots, as written.
func TestLexerKeySegments(t *testing.T) {
	cases := []struct {
		src  string
		segs []string
		at   []int
		rest string
	}{
		{"a = 1", []string{"a"}, []int{0}, "= 1"},
		{`a . "b.c" .'d]' = 1`, []string{"a", `"b.c"`, `'d]'`}, []int{0, 4, 11}, "= 1"},
		{"  µ-x_1.y]", []string{"µ-x_1", "y"}, []int{2, 9}, "]"},
		{`"a\"b".c`, []string{`"a\"b"`, "c"}, []int{0, 7}, ""},
		{"a. = 1", []string{"a"}, []int{0}, "= 1"},
		{"= 1", nil, nil, "= 1"},
	}
	for _, c := range cases {
		lx := &lexer{s: c.src}
		var segs []string
		var at []int
		for start, raw := range lx.keySegments() {
			segs, at = append(segs, raw), append(at, start)
		}
		if fmt.Sprint(segs, at) != fmt.Sprint(c.segs, c.at) || lx.s[lx.i:] != c.rest {
			t.Errorf("%q: segments %q at %v, left %q; want %q at %v, left %q", c.src, segs, at, lx.s[lx.i:], c.segs, c.at, c.rest)
		}
	}
}

// TestLexerItems: the items of arrays and inline tables, across lines and comments,
// with stray commas, counted from 0 and read by the caller; what no item reads is stepped
// over, and an unclosed list ends at the end of the text.
func TestLexerItems(t *testing.T) {
	cases := []struct {
		name, src string
		close     byte
		items     []string // what stands at each item's start
		rest      string
	}{
		{"array", `[1, 'a]', """]"""]x`, ']', []string{"1", "'", `"`}, "x"},
		{"across lines and comments", "[\n  1, # ]\n\n  2,\n]x", ']', []string{"1", "2"}, "x"},
		{"stray commas", "[,1,, ,2,]x", ']', []string{"1", "2"}, "x"},
		{"inline table across lines (TOML 1.1)", "{a = 1,\n # }\n b = '}' }x", '}', []string{"a", "b"}, "x"},
		{"unclosed", "[1, 2", ']', []string{"1", "2"}, ""},
		{"what no item reads is stepped over", "[}]x", ']', []string{"}"}, "x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lx := &lexer{s: c.src}
			var items []string
			for n := range lx.items(c.close) {
				if n != len(items) {
					t.Fatalf("item %d numbered %d", len(items), n)
				}
				items = append(items, lx.s[lx.i:lx.i+1])
				switch {
				case lx.peek() == '}': // read nothing
				case c.close == '}':
					for range lx.keySegments() {
					}
					if lx.assign() {
						lx.scalar()
					}
				default:
					lx.scalar()
				}
			}
			if fmt.Sprint(items) != fmt.Sprint(c.items) || lx.s[lx.i:] != c.rest {
				t.Errorf("items %q, left %q; want %q, left %q", items, lx.s[lx.i:], c.items, c.rest)
			}
		})
	}
}

// TestLexerStatements: a document's statements start where its headers and keys start,
// not in its blank lines, comments or what a statement leaves of its line; a statement
// that reads nothing is stepped over.
func TestLexerStatements(t *testing.T) {
	src := "a = 1 # b = 2\n\n  # c = 3\n[t] # [u]\r\n= 4 x = 5\n\tz = 6"
	lx := &lexer{s: src}
	var got []string
	for range lx.statements() {
		got = append(got, lx.s[lx.i:lx.i+1])
		if lx.peek() != '=' {
			lx.i++ // read a little of the statement; the rest of its line is skipped
		}
	}
	if want := []string{"a", "[", "=", "z"}; fmt.Sprint(got) != fmt.Sprint(want) || !lx.eof() {
		t.Errorf("statements start at %q, ending at %d of %d; want %q, ending at the end", got, lx.i, len(src), want)
	}
}

// TestLineCounterCountsOn: asked for offsets in any order, forward as the locator asks,
// back, and inside characters (of valid and invalid UTF-8), lineCounter gives the
// position counted from the start of the text.
func TestLineCounterCountsOn(t *testing.T) {
	src := "a = \"µé\"\n\n€ = 1\xe2\x82 x\xff\n𝄞\ttail\n"
	fromStart := func(off int) position {
		off = min(max(off, 0), len(src))
		head := src[:off]
		lineStart := strings.LastIndexByte(head, '\n') + 1
		return position{1 + strings.Count(head, "\n"), 1 + utf8.RuneCountInString(head[lineStart:])}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	lc := lineCounter{src: src}
	off := 0
	for range 2000 {
		if rng.IntN(4) == 0 { // back, or beyond either end
			off = rng.IntN(len(src)+4) - 2
		} else { // on by a few bytes
			off = min(off+rng.IntN(4), len(src)+1)
		}
		if got, want := lc.position(off), fromStart(off); got != want {
			t.Fatalf("position(%d) = %v, want %v", off, got, want)
		}
	}
}

// stringsDoc is 2 MiB of what the lexer reads character by character: strings of the
// four kinds, escapes, non-ASCII text, comments, and quoted and dotted keys.
func stringsDoc() string {
	var b strings.Builder
	b.WriteString("format = 1\n")
	for k := 0; b.Len() < MaxFileSize-512; k++ {
		fmt.Fprintf(&b, "[t%d.\"quoted key\"] # a table whose name is quoted: ünïcödé\n", k)
		fmt.Fprintf(&b, "basic = \"a \\\"quoted\\\" word, an escape \\u00e9 and é\"\n")
		fmt.Fprintf(&b, "literal = 'C:\\path\\with \"quotes\"' # and a comment\n")
		fmt.Fprintf(&b, "multi = \"\"\"\nfirst line\nsecond \\\"\"\" line \\\n  joined\"\"\"\n")
		fmt.Fprintf(&b, "lines = '''\none 'quoted' line\ntwo ''line'''\n")
		fmt.Fprintf(&b, "'lit key'.\"dotted key\".bare = [\"x\", 'y', {z = \"{[#\"}]\n")
	}
	return b.String()
}

// BenchmarkScan measures the two scanners Parse runs before and after the decoder on
// limitDocs and stringsDoc: shape, the limits' check on every text Parse reads, and
// locate, which finds where keys are written for the checker's messages.
func BenchmarkScan(b *testing.B) {
	docs := append(limitDocs(), struct{ name, src string }{"2 MiB of strings and comments", stringsDoc()})
	for _, d := range docs {
		if sc := scanShape(d.src); sc.problem >= 0 {
			b.Fatalf("%s: beyond the limits: %s", d.name, sc.msg)
		}
		b.Run("shape/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.src)))
			b.ReportAllocs()
			for b.Loop() {
				scanShape(d.src)
			}
		})
		b.Run("locate/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.src)))
			b.ReportAllocs()
			for b.Loop() {
				newLocator(d.src)
			}
		})
	}
}

// TestStringsDocIsTOML: the benchmark's strings document is TOML the decoder accepts,
// so that the scanners read what a patch may hold.
func TestStringsDocIsTOML(t *testing.T) {
	src := stringsDoc()
	if _, err := decodeTOML(src); err != nil {
		t.Fatalf("stringsDoc does not decode: %v", err)
	}
	if sc := scanShape(src); sc.problem >= 0 {
		t.Fatalf("stringsDoc is beyond the limits: %s", sc.msg)
	}
}
