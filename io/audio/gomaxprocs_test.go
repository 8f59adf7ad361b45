package audio

import (
	"runtime"
	"testing"
)

// A GOMAXPROCS in the environment wins over the recommendation, as it does for any Go
// program; anything that is not a positive number is ignored.
func TestRecommendedGOMAXPROCSHonoursTheEnvironment(t *testing.T) {
	own := max(runtime.NumCPU()+2, 4)
	for _, tc := range []struct {
		env  string
		want int
	}{
		{"", own},
		{"3", 3},
		{"1", 1},
		{"0", own},
		{"-2", own},
		{"four", own},
	} {
		t.Setenv("GOMAXPROCS", tc.env)
		if got := RecommendedGOMAXPROCS(); got != tc.want {
			t.Errorf("GOMAXPROCS=%q: recommended %d, want %d", tc.env, got, tc.want)
		}
	}
}
