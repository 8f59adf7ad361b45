package patches

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// locatorDoc is tricky on purpose: strings that look like headers and keys, comments with
// brackets, quoted and dotted keys, inline tables across lines, arrays of arrays.
const locatorDoc = `format = 1 # [[not.a.header]]
description = """
[[neuron]]
name = "not a key"
"""  # still the description
literal = '''
[midi]
x = 1'''
µ = "a \" quote and # hash"
"quoted key" = 1
'lit.key' = 2

[[neuron]]
  name = "a"   # [[comment]]
  params.tau = 0.1
  [neuron.params]
  gK = 1

[[neuron]]
name = "b"
init = { V = -60,
         n = 0.1 }
[neuron.params]
    tau = 2

[[neuron.spike]]
note = 1
[[neuron.spike]]
note = 2

[midi]
max = 3
[[midi.cc]]
cc = 1
[[midi.cc]]
	target = "a.current"
kick = [ { note = 60 },   # first
         { note = 61, amplitude = [1,
                                   2] } ]
grid = [[1, 2], [3, {deep = 4}]]
empty = """"quoted""""
`

func TestLocatorPositions(t *testing.T) {
	l := newLocator(locatorDoc)
	want := map[string]position{
		"format":                          {1, 1},
		"description":                     {2, 1},
		"literal":                         {6, 1},
		"µ":                               {9, 1},
		"quoted key":                      {10, 1},
		"lit.key":                         {11, 1},
		"neuron":                          {13, 3},
		"neuron[0]":                       {13, 3},
		"neuron[0].name":                  {14, 3},
		"neuron[0].params":                {16, 4}, // the [neuron.params] header
		"neuron[0].params.tau":            {15, 10},
		"neuron[0].params.gK":             {17, 3},
		"neuron[1]":                       {19, 3},
		"neuron[1].name":                  {20, 1},
		"neuron[1].init":                  {21, 1},
		"neuron[1].init.V":                {21, 10},
		"neuron[1].init.n":                {22, 10},
		"neuron[1].params":                {23, 2},
		"neuron[1].params.tau":            {24, 5},
		"neuron[1].spike[0]":              {26, 3},
		"neuron[1].spike[0].note":         {27, 1},
		"neuron[1].spike[1].note":         {29, 1},
		"midi":                            {31, 2},
		"midi.max":                        {32, 1},
		"midi.cc[0]":                      {33, 3},
		"midi.cc[0].cc":                   {34, 1},
		"midi.cc[1]":                      {35, 3},
		"midi.cc[1].target":               {36, 2},
		"midi.cc[1].kick":                 {37, 1},
		"midi.cc[1].kick[0]":              {37, 10},
		"midi.cc[1].kick[0].note":         {37, 12},
		"midi.cc[1].kick[1].note":         {38, 12},
		"midi.cc[1].kick[1].amplitude":    {38, 23},
		"midi.cc[1].kick[1].amplitude[1]": {39, 36},
		"midi.cc[1].grid[1][1].deep":      {40, 22},
		"midi.cc[1].empty":                {41, 1},
	}
	for path, p := range want {
		if got, ok := l.at[path]; !ok || got != p {
			t.Errorf("%s at %v (found %v), want %v", path, got, ok, p)
		}
	}
	for path := range l.at {
		if strings.HasPrefix(path, "not") || strings.Contains(path, "comment") || path == "x" || path == "neuron[2]" || path == "midi.cc[2]" {
			t.Errorf("locator found %q, which is inside a string or comment", path)
		}
	}
}

func TestLocatorFallsBackToEnclosingTable(t *testing.T) {
	l := newLocator(locatorDoc)
	for path, want := range map[string]position{
		"neuron[1].model":        {19, 3},  // missing key: its table's header
		"neuron[1].params.gNa":   {23, 2},  // missing key in a sub-table
		"midi.cc[1].kick[0].zzz": {37, 10}, // missing key in an inline table: its brace
		"midi.spike[0].note":     {31, 2},  // a table that does not exist: the nearest that does
		"nothing.at.all":         {1, 1},
		"":                       {1, 1},
	} {
		if got := l.find(path); got != want {
			t.Errorf("find(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestParentPath(t *testing.T) {
	for in, want := range map[string]string{
		"a.b.c": "a.b", "a[3]": "a", "a[3].b": "a[3]", "a.b[0][1]": "a.b[0]", "a": "", "": "",
	} {
		if got := parentPath(in); got != want {
			t.Errorf("parentPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOffsetPosition(t *testing.T) {
	src := "ab\nµx\n\ny"
	for off, want := range map[int]position{0: {1, 1}, 2: {1, 3}, 3: {2, 1}, 5: {2, 2}, 6: {2, 3}, 7: {3, 1}, 8: {4, 1}, 99: {4, 2}, -1: {1, 1}} {
		if got := offsetPosition(src, off); got != want {
			t.Errorf("offsetPosition(%d) = %v, want %v", off, got, want)
		}
	}
}

// The locator sees documents the TOML reader rejects only in tests and fuzzing; it must
// still finish and never fail.
func TestLocatorNeverFails(t *testing.T) {
	for _, src := range []string{
		"", "[", "[[", "[[]]", "a", "a =", "a = [", "a = {", `a = "`, `a = """`, "a = '''", "= 1",
		"[a.\n", "a = [1,, ,]", "a = {b = {c = [", "\x00\xff\xfe", "[[a]]\n[a]\n[[a.b]]", "a.b.c.d.e = 1",
		strings.Repeat("[", 1000), strings.Repeat("a = [", 500),
	} {
		l := newLocator(src)
		for path := range l.at {
			if !utf8.ValidString(path) && utf8.ValidString(src) {
				t.Errorf("%q: invalid path %q", src, path)
			}
		}
		_ = l.find("a.b[0].c")
	}
}

// Every key of every built-in is found at a line whose text holds the key.
func TestLocatorFindsEveryBuiltinKey(t *testing.T) {
	for _, name := range BuiltinNames() {
		data, _ := BuiltinSource(name)
		src := string(data)
		rows := strings.Split(src, "\n")
		l := newLocator(src)
		if len(l.at) < 10 {
			t.Errorf("%s: only %d keys located", name, len(l.at))
		}
		for path, p := range l.at {
			key := path
			if i := strings.LastIndexAny(key, ".]"); i >= 0 {
				key = key[i+1:]
			}
			if key == "" {
				continue // an array element: [i]
			}
			row := []rune(rows[p.line-1])
			if strings.HasPrefix(string(row), "[") { // a table: at its header's name
				if !strings.Contains(string(row), key+"]") || p.col != strings.Count(string(row), "[")+1 {
					t.Errorf("%s: table %s at %d:%d, but that line is %q", name, path, p.line, p.col, row)
				}
				continue
			}
			if p.col-1+len([]rune(key)) > len(row) || string(row[p.col-1:p.col-1+len([]rune(key))]) != key {
				t.Errorf("%s: %s at %d:%d, but that line is %q", name, path, p.line, p.col, rows[p.line-1])
			}
		}
	}
}
