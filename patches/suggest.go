package patches

import "strings"

// closest returns the known name nearest to name (ignoring case) if it is near enough to
// be a likely typo, else "".
func closest(name string, known []string) string {
	if name == "" {
		return ""
	}
	best, bestD := "", 0
	lname := strings.ToLower(name)
	for _, k := range known {
		d := editDistance(lname, strings.ToLower(k))
		limit := 2
		if len([]rune(k)) <= 4 {
			limit = 1
		}
		// A name must keep something of the one it mistypes: "c" is no typo of "a".
		if d <= limit && d < len([]rune(lname)) && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	return best
}

// hint is " (did you mean "x"?)" for a likely typo, else " (known: a, b, c)" naming
// what, or "" when there is nothing to list.
func hint(name string, known []string, what string) string {
	if c := closest(name, known); c != "" {
		return ` (did you mean "` + c + `"?)`
	}
	if len(known) == 0 {
		return ""
	}
	return " (" + what + ": " + strings.Join(known, ", ") + ")"
}

// editDistance is the optimal-string-alignment distance: insertions, deletions,
// substitutions and swaps of neighbours each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 { // never a typo of a short name
		return 1 << 30
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
