package mididrv

import (
	"fmt"
	"strings"
)

// Match picks the one name that contains query, ignoring case. A name equal to query
// wins over names that merely contain it (exact case first, then ignoring case), so
// every port can be named. "all" means nothing here: callers that accept it handle it
// first. Anything but exactly one pick is a *MatchError listing what exists.
func Match(names []string, query string) (string, error) {
	return match(names, query, "")
}

func match(names []string, query, kind string) (string, error) {
	for _, n := range names {
		if n == query {
			return n, nil
		}
	}
	var equal, contain []string
	q := strings.ToLower(query)
	for _, n := range names {
		l := strings.ToLower(n)
		if l == q {
			equal = append(equal, n)
		}
		if strings.Contains(l, q) {
			contain = append(contain, n)
		}
	}
	switch {
	case len(equal) == 1:
		return equal[0], nil
	case len(equal) > 1:
		contain = equal
	case len(contain) == 1:
		return contain[0], nil
	}
	return "", &MatchError{Kind: kind, Query: query, Names: names, Matches: contain}
}

// MatchError says why a query picked no port: none matched, or several did.
type MatchError struct {
	Kind    string   // "input", "output", or "" for either
	Query   string   // what was asked for
	Names   []string // every port there was
	Matches []string // the ports that matched: none, or more than one
}

func (e *MatchError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "port"
	}
	if len(e.Matches) > 1 {
		return fmt.Sprintf("%q matches more than one MIDI %s: %s", e.Query, kind, strings.Join(e.Matches, ", "))
	}
	if len(e.Names) == 0 {
		return fmt.Sprintf("no MIDI %s matches %q; there are no %ss", kind, e.Query, kind)
	}
	return fmt.Sprintf("no MIDI %s matches %q; %ss: %s", kind, e.Query, kind, strings.Join(e.Names, ", "))
}
