package patches

import (
	"fmt"
	"strings"
	"testing"
)

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
