package patches

import (
	"embed"
	"path"
	"slices"
	"strings"
)

//go:embed builtin/*.toml
var builtinFS embed.FS

// teachingOrder lists the built-ins from the simplest idea to the richest: the four
// bifurcations of the reference model, then the same ideas in other models, then a circuit
// and a population.
// Embedded files missing from it follow in name order.
var teachingOrder = []string{
	"snic", "saddle-node", "hysteresis", "hopf-super", "hopf-sub",
	"timing", "rebound",
	"fitzhugh-nagumo", "hh",
	"morris-lecar-snic", "morris-lecar-homoclinic", "morris-lecar-hopf",
	"flip-flop", "swarm",
}

// BuiltinNames lists the built-in patches in teaching order.
func BuiltinNames() []string {
	entries, err := builtinFS.ReadDir("builtin")
	if err != nil {
		panic("patches: built-in patches missing: " + err.Error())
	}
	var rest []string
	have := map[string]bool{}
	for _, e := range entries {
		n := strings.TrimSuffix(e.Name(), ".toml")
		have[n] = true
		if !slices.Contains(teachingOrder, n) {
			rest = append(rest, n)
		}
	}
	var names []string
	for _, n := range teachingOrder {
		if have[n] {
			names = append(names, n)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// Builtins parses every built-in patch, in teaching order. Each call returns fresh
// patches the caller may change.
func Builtins() []*Patch {
	var ps []*Patch
	for _, n := range BuiltinNames() {
		data, _ := builtinSource(n)
		p, err := Parse(n+".toml", data)
		if err != nil { // the tests parse every built-in, so this is a bug in this package
			panic("patches: built-in patch does not parse:\n" + err.Error())
		}
		ps = append(ps, p)
	}
	return ps
}

// BuiltinSource returns the TOML text of a built-in patch: a commented example of the
// format to copy and edit.
func BuiltinSource(name string) ([]byte, bool) { return builtinSource(name) }

func builtinSource(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, false
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".toml"))
	return data, err == nil
}
