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
		limit := 2
		if len([]rune(k)) <= 4 {
			limit = 1
		}
		if n, m := len([]rune(lname)), len([]rune(k)); n-m > limit || m-n > limit {
			continue // the distance is at least the difference in length
		}
		d := editDistance(lname, strings.ToLower(k))
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
// It allocates nothing: a patch with thousands of unknown keys asks for thousands.
func editDistance(a, b string) int {
	const most = 64 // longer is never a typo of a short name
	var ra, rb [most]rune
	n, m := 0, 0
	for _, r := range a {
		if n == most {
			return 1 << 30
		}
		ra[n], n = r, n+1
	}
	for _, r := range b {
		if m == most {
			return 1 << 30
		}
		rb[m], m = r, m+1
	}
	var rows [3][most + 1]int // rows i-2, i-1 and i of the table
	for j := 0; j <= m; j++ {
		rows[0][j] = j
	}
	for i := 1; i <= n; i++ {
		prev2, prev, cur := &rows[(i+1)%3], &rows[(i+2)%3], &rows[i%3]
		cur[0] = i
		for j := 1; j <= m; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
	}
	return rows[n%3][m]
}
