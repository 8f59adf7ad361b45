package patches

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// allocated returns the bytes f allocates (no other goroutine of the test runs meanwhile).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// decodedDepth is how many tables and lists enclose the deepest value of a decoded
// document (the top-level table not counted).
func decodedDepth(doc map[string]any) int {
	d := 0
	for _, v := range doc {
		d = max(d, depthOf(v))
	}
	return d
}

// depthOf is 0 for a value, 1 + the deepest element for a table or list.
func depthOf(v any) int {
	var elems []any
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			elems = append(elems, e)
		}
	case []map[string]any:
		for _, e := range v {
			elems = append(elems, e)
		}
	case []any:
		elems = v
	default:
		return 0
	}
	d := 0
	for _, e := range elems {
		d = max(d, depthOf(e))
	}
	return 1 + d
}

// containerCount counts the tables and lists of a decoded value, itself included.
func containerCount(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		n = 1
		for _, e := range v {
			n += containerCount(e)
		}
	case []map[string]any:
		n = 1
		for _, e := range v {
			n += containerCount(e)
		}
	case []any:
		n = 1
		for _, e := range v {
			n += containerCount(e)
		}
	}
	return n
}

// TestShapeDepthMatchesDecoder: the depth checkShape measures is the depth of what the
// TOML decoder builds, in every spelling TOML has for nesting; brackets in strings and
// comments count for nothing.
func TestShapeDepthMatchesDecoder(t *testing.T) {
	cases := []struct {
		name, src string
		depth     int
	}{
		{"scalar", "x = 1", 0},
		{"empty list", "x = []", 1},
		{"lists in a list", "x = [[1], [[2]]]", 3},
		{"dotted key", "a.b.c = 1", 2},
		{"spaced dotted key", "a . b . c = 1", 2},
		{"quoted segment with a dot", `"a.b".c = 1`, 1},
		{"header", "[a.b]\nc = 1", 2},
		{"empty header", "[a]", 1},
		{"array of tables", "[[a]]\nx = 1", 2},
		{"table under an array of tables", "[[a]]\n[a.b]\nc = [1]", 4},
		{"kick notes", "[[midi.kick]]\nnotes = [36, 84]", 4},
		{"kick notes inline", "midi = {kick = [{notes = [36, 84]}]}", 4},
		{"neuron params inline", `neuron = [{name = "a", params = {tau = 1}}]`, 3},
		{"dotted key in an inline table", "x = {a.b = {c = 1}}", 3},
		{"inline table over lines (TOML 1.1)", "x = {\n  a = [1], # [[[[\n}", 2},
		{"comment in a list", "x = [ # [[[[[[[[[[\n  1, # ]]]]\n]", 1},
		{"comment line", "# [[[[[[[[[[[[[[[[\nx = 1", 0},
		{"basic string", `s = "[[[[[[[[[[ \" {{{{{{{{{{"`, 0},
		{"literal string", `s = '[[[[[[[[[[[{{{{{{{{{{\'`, 0},
		{"multi-line basic string", "s = \"\"\"\n[[[[[[[[[[\n\\\"\"\" {{{{{{{{{{\n\"\"\"", 0},
		{"multi-line literal string ending in quotes", "s = '''[[[[[[[[[['''''\nx = [1]", 1},
		{"date with a space", "d = 1979-05-27 07:32:00Z\nx = [1]", 1},
		{"key named like a header", "[a]\n\"[[[[\" = [1]", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := decodeTOML(c.src)
			if err != nil {
				t.Fatalf("the case is not valid TOML: %v", err)
			}
			if d := decodedDepth(raw); d != c.depth {
				t.Fatalf("the decoder nests it %d deep; the case says %d", d, c.depth)
			}
			sc := scanShape(c.src)
			if sc.deepest != c.depth || sc.problem >= 0 {
				t.Errorf("checkShape measured depth %d (problem: %q), want %d", sc.deepest, sc.msg, c.depth)
			}
			if n := containerCount(raw) - 1; sc.tables < n { // the top level is not counted
				t.Errorf("checkShape counted %d tables and lists, fewer than the %d decoded", sc.tables, n)
			}
		})
	}
}

// nested spells a value nested depth deep in each way TOML nests.
var nested = []struct {
	name string
	doc  func(depth int) string
	col  func(depth int) int // column of the first table or list beyond MaxDepth
}{
	{"lists", func(d int) string { return "x = " + strings.Repeat("[", d) + strings.Repeat("]", d) },
		func(d int) int { return 5 + MaxDepth }},
	{"inline tables", func(d int) string { return "x = " + strings.Repeat("{a = ", d-1) + "{}" + strings.Repeat("}", d-1) },
		func(d int) int { return 5 + 5*MaxDepth }},
	{"dotted key", func(d int) string { return "x" + strings.Repeat(".a", d) + " = 1" },
		func(int) int { return 1 }},
	{"header", func(d int) string { return "[x" + strings.Repeat(".a", d-1) + "]" },
		func(int) int { return 1 }},
}

// TestParseRefusesDeepNesting: MaxDepth is allowed in every spelling and one more level
// refused at its place, before the decoder runs: a document whose nesting would cost
// the decoder (or the locator) hundreds of MB costs no more than its own length.
func TestParseRefusesDeepNesting(t *testing.T) {
	for _, n := range nested {
		t.Run(n.name, func(t *testing.T) {
			if sc := scanShape(n.doc(MaxDepth)); sc.problem >= 0 || sc.deepest != MaxDepth {
				t.Errorf("depth %d: checkShape measured %d, problem %q; want it allowed", MaxDepth, sc.deepest, sc.msg)
			}
			_, err := Parse("deep.toml", []byte("format = 1\n"+n.doc(MaxDepth+1)))
			want := fmt.Sprintf("deep.toml:2:%d: tables and lists nest more than %d deep", n.col(MaxDepth+1), MaxDepth)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("depth %d: Parse = %v, want %q...", MaxDepth+1, err, want)
			}
		})
	}
	// Depths at which today's decoder and locator take 0.2 to 0.7 GB.
	for _, c := range []struct {
		shape int
		depth int
	}{{0, 20000}, {1, 2000}, {2, 2000}, {3, 2000}} {
		n := nested[c.shape]
		t.Run(fmt.Sprintf("%s %d deep", n.name, c.depth), func(t *testing.T) {
			data := []byte("format = 1\n" + n.doc(c.depth))
			var err error
			alloc := allocated(func() { _, err = Parse("deep.toml", data) })
			if err == nil || !strings.Contains(err.Error(), "nest more than") {
				t.Fatalf("Parse = %v, want it refused for its nesting", err)
			}
			if limit := uint64(4*len(data) + 64<<10); alloc > limit {
				t.Errorf("refusing %d bytes allocated %d bytes, want at most %d", len(data), alloc, limit)
			}
		})
	}
}

// TestParseRefusesTooManyTables: MaxTables tables and lists pass the check and one more
// is refused, at its place, before the decoder (a kB a table) runs.
func TestParseRefusesTooManyTables(t *testing.T) {
	doc := func(n int) string { return "x = [" + strings.Repeat("{},", n-1) + "]" } // n-1 tables in a list
	if sc := scanShape(doc(MaxTables)); sc.problem >= 0 || sc.tables != MaxTables {
		t.Errorf("%d tables and lists: checkShape counted %d, problem %q; want them allowed", MaxTables, sc.tables, sc.msg)
	}
	data := []byte("format = 1\n" + doc(MaxTables+1))
	var err error
	alloc := allocated(func() { _, err = Parse("many.toml", data) })
	want := fmt.Sprintf("many.toml:2:%d: more than %d tables and lists", 6+3*(MaxTables-1), MaxTables)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Parse = %v, want %q...", err, want)
	}
	if limit := uint64(4*len(data) + 64<<10); alloc > limit {
		t.Errorf("refusing %d bytes allocated %d bytes, want at most %d", len(data), alloc, limit)
	}
}

// network writes a patch of neurons snic neurons with synapses synapses and gaps gap
// junctions (neuron k to the next ones), as [[headers]] or inline lists; "|" separates
// the keys of a table.
func network(neurons, synapses, gaps int, inline bool) string {
	var b strings.Builder
	b.WriteString("format = 1\n")
	list := func(key string, n int, body func(k int) string) {
		if n == 0 {
			return
		}
		if inline {
			fmt.Fprintf(&b, "%s = [\n", key)
			for k := 0; k < n; k++ {
				fmt.Fprintf(&b, "  {%s},\n", strings.ReplaceAll(body(k), "|", ", "))
			}
			b.WriteString("]\n")
			return
		}
		for k := 0; k < n; k++ {
			fmt.Fprintf(&b, "[[%s]]\n%s\n", key, strings.ReplaceAll(body(k), "|", "\n"))
		}
	}
	list("neuron", neurons, func(k int) string { return fmt.Sprintf(`name = "n%d"|model = "inapk"|preset = "snic"`, k) })
	list("synapse", synapses, func(k int) string {
		return fmt.Sprintf(`from = "n%d"|to = "n%d"|g = 0.001|reversal = -80`, k%neurons, (k+1+k/neurons)%neurons)
	})
	list("gap", gaps, func(k int) string {
		return fmt.Sprintf(`neurons = ["n%d", "n%d"]|g = 0.001`, k%neurons, (k+1+k/neurons)%neurons)
	})
	return b.String()
}

// lineOf is the line of the count-th (1-based) occurrence of s in doc.
func lineOf(doc, s string, count int) int {
	at := 0
	for ; count > 0; count-- {
		k := strings.Index(doc[at:], s)
		if k < 0 {
			return -1
		}
		at += k + len(s)
	}
	return 1 + strings.Count(doc[:at], "\n")
}

// TestParseRefusesNetworksBeyondLimits: a patch at the engine's limits (emu.MaxNeurons,
// emu.MaxSynapses, emu.MaxGaps) parses; one more neuron, synapse or gap junction is
// refused at the table that passes the limit, written as [[headers]] (found before the
// decoder runs) or as an inline list (found before the tables are checked one by one).
func TestParseRefusesNetworksBeyondLimits(t *testing.T) {
	cases := []struct {
		name                    string
		neurons, synapses, gaps int
		inline                  bool
		at                      string // what the error points at; "" parses
		msg                     string
	}{
		{"at every limit", emu.MaxNeurons, emu.MaxSynapses, emu.MaxGaps, false, "", ""},
		{"one neuron too many", emu.MaxNeurons + 1, 0, 0, false, "[[neuron]]", "this [[neuron]] is the 1025th, but a patch may have at most 1024 neurons"},
		{"one neuron too many, inline", emu.MaxNeurons + 1, 0, 0, true, "{name", "this [[neuron]] is the 1025th, but a patch may have at most 1024 neurons"},
		{"one synapse too many", 128, emu.MaxSynapses + 1, 0, false, "[[synapse]]", "this [[synapse]] is the 16385th, but a patch may have at most 16384 synapses"},
		{"one synapse too many, inline", 128, emu.MaxSynapses + 1, 0, true, "{from", "this [[synapse]] is the 16385th"},
		{"one gap junction too many", 128, 0, emu.MaxGaps + 1, false, "[[gap]]", "this [[gap]] is the 8193rd, but a patch may have at most 8192 gap junctions"},
		{"one gap junction too many, inline", 128, 0, emu.MaxGaps + 1, true, "{neurons", "this [[gap]] is the 8193rd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := network(c.neurons, c.synapses, c.gaps, c.inline)
			p, err := Parse("net.toml", []byte(doc))
			if c.at == "" {
				if err != nil {
					t.Fatalf("a patch at the limits was refused: %v", err)
				}
				if _, err := emu.New(p.Engine); err != nil {
					t.Fatalf("emu.New refused the parsed patch: %v", err)
				}
				return
			}
			limit := map[string]int{"{name": emu.MaxNeurons, "{from": emu.MaxSynapses, "{neurons": emu.MaxGaps,
				"[[neuron]]": emu.MaxNeurons, "[[synapse]]": emu.MaxSynapses, "[[gap]]": emu.MaxGaps}[c.at]
			want := fmt.Sprintf("net.toml:%d:", lineOf(doc, c.at, limit+1))
			var l ErrorList
			if !errors.As(err, &l) || len(l) != 1 || !strings.HasPrefix(l.Error(), want) || !strings.Contains(l.Error(), c.msg) {
				t.Fatalf("Parse = %v\nwant one error starting %q saying %q", err, want, c.msg)
			}
		})
	}
}

// TestParseRefusesTheHugePatch: the 100000-neuron patch of the issue (3.6 MB) is refused
// for its size and, more tellingly, at its 1025th neuron, with no more memory than a copy
// of its first MaxFileSize bytes.
func TestParseRefusesTheHugePatch(t *testing.T) {
	var b strings.Builder
	b.WriteString("format = 1\n")
	for k := 0; k < 100000; k++ {
		fmt.Fprintf(&b, "[[neuron]]\nname = \"n%d\"\nmodel = \"inapk\"\n", k)
	}
	data := []byte(b.String())
	var err error
	alloc := allocated(func() { _, err = Parse("huge.toml", data) })
	var l ErrorList
	if !errors.As(err, &l) || len(l) != 2 {
		t.Fatalf("Parse = %v, want two errors (the 1025th neuron, the size)", err)
	}
	if want := fmt.Sprintf("huge.toml:%d:1: this [[neuron]] is the 1025th", lineOf(b.String(), "[[neuron]]", 1025)); !strings.HasPrefix(l[0].Error(), want) {
		t.Errorf("first error %q, want %q...", l[0], want)
	}
	if !strings.Contains(l[1].Error(), "the file goes on past 2 MiB here") {
		t.Errorf("second error %q, want the size", l[1])
	}
	if limit := uint64(MaxFileSize + 256<<10); alloc > limit {
		t.Errorf("refusing it allocated %d bytes, want at most %d", alloc, limit)
	}
}

// BenchmarkParseAtLimits measures Parse on limitDocs.
func BenchmarkParseAtLimits(b *testing.B) {
	for _, d := range limitDocs() {
		b.Run(d.name, func(b *testing.B) {
			data := []byte(d.src)
			if sc := scanShape(d.src); sc.problem >= 0 || len(data) > MaxFileSize {
				b.Fatalf("%d bytes beyond the limits: %s", len(data), sc.msg)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				Parse("limits.toml", data)
			}
		})
	}
}

// limitDocs are the costliest texts each limit lets through to the decoder, and the
// largest network a patch may hold, written as the built-ins are.
func limitDocs() []struct{ name, src string } {
	fill := func(prefix string, item func(k int) string, suffix string, maxItems int) string {
		var s strings.Builder
		s.WriteString("format = 1\n" + prefix)
		for k := 0; k < maxItems && s.Len()+len(suffix) < MaxFileSize-64; k++ {
			s.WriteString(item(k))
		}
		return s.String() + suffix
	}
	deep := strings.Repeat("{a = ", MaxDepth-1) + "1" + strings.Repeat("}", MaxDepth-1) // MaxDepth-1 tables
	return []struct{ name, src string }{
		{"inline tables 8 deep", fill("", func(k int) string { return fmt.Sprintf("k%d = %s\n", k, deep) }, "", MaxTables/(MaxDepth-1))},
		{"dotted keys 8 deep", fill("", func(k int) string { return fmt.Sprintf("k%d%s = 1\n", k, strings.Repeat(".a", MaxDepth)) }, "", MaxTables/MaxDepth)},
		{"2 MiB of numbers", fill("x = [", func(int) string { return "1," }, "]", MaxFileSize)},
		{"2 MiB of keys", fill("", func(k int) string { return fmt.Sprintf("k%d=1\n", k) }, "", MaxFileSize)},
		{"2 MiB of neuron keys", fill("[[neuron]]\n", func(k int) string { return fmt.Sprintf("k%d=1\n", k) }, "", MaxFileSize)},
		{"largest network", network(emu.MaxNeurons, 128*127, 128*127/2, false)},
	}
}
