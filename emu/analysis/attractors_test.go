package analysis

import (
	"math"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// The bistable ranges above rest's (issue 7): where a depolarised (high) equilibrium
// regains stability in a subcritical Hopf point as the current rises, while the firing
// cycle goes on above it to a fold of limit cycles. Each end is held within 0.5% of its
// own value, as the issue asks (TestFoldsMatchScipy holds the folds tighter against
// scipy, to 0.2% of the sweep: 0.0032 for FitzHugh-Nagumo, 0.08 for Morris-Lecar). The
// kinds are held too: an end put at the wrong bifurcation fails on its kind even where it
// would pass on its current.
func TestUpperBistableRanges(t *testing.T) {
	type end struct {
		current float64
		kind    string // of the attractor that appears or disappears there
		of      string // that attractor
	}
	for _, c := range []struct {
		name     string
		model    *emu.Model
		preset   string
		from, to float64 // the range analysed; 0, 0: the preset's sweep
		lo, hi   end
		also     []Span // other attractors coexisting over part of the range
		restLost bool   // whether rest is lost in the range (the class is told)
		why      string
	}{
		{"fitzhugh-nagumo", emu.FitzHughNagumo(), "classic", 0, 0,
			end{1.4187, "hopf", "high"}, end{1.426, "fold", "firing"}, nil, true,
			"Hopf where 1 - v² = eps b on the high branch (v = +0.9675); the fold from testdata/folds.py (1.42581)"},
		{"fitzhugh-nagumo from 1.3", emu.FitzHughNagumo(), "classic", 1.3, 1.6,
			end{1.4187, "hopf", "high"}, end{1.426, "fold", "firing"}, nil, false,
			"the issue's command: analyze fitzhugh-nagumo --from 1.3 --to 1.6, where rest is unstable throughout"},
		{"morris-lecar homoclinic", emu.MorrisLecar(), "homoclinic", 0, 0,
			end{36.316, "hopf", "high"}, end{40.59, "fold", "firing"}, []Span{{"rest", 36.316, 39.963}}, true,
			"the high state's Hopf at 36.3162 and the fold of cycles at 40.5922 from testdata/folds.py; rest is lost at 39.963"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, p := system(t, c.model, c.preset)
			from, to := p.Sweep[0], p.Sweep[1]
			if c.from != c.to {
				from, to = c.from, c.to
			}
			r, err := s.Analyze(0, from, to, p.Init)
			if err != nil {
				t.Fatal(err)
			}
			if (r.RestLoss != nil) != c.restLost {
				t.Errorf("rest lost at %+v, want lost: %v", r.RestLoss, c.restLost)
			}
			var got *BistableRange
			for i, br := range r.BistableRanges {
				t.Logf("bistable from %.6g (%s %s of %s) to %.6g (%s of %s): %v, also %v", br.From.Current, br.From.Criticality,
					br.From.Kind, br.From.Of, br.To.Current, br.To.Kind, br.To.Of, br.States, br.Also)
				if br.States == [2]string{"high", "firing"} {
					got = &r.BistableRanges[i]
				}
			}
			if got == nil {
				t.Fatalf("no range where the high state and firing coexist (%s)", c.why)
			}
			near := func(got, want float64) bool { return math.Abs(got-want) <= 0.005*math.Abs(want) }
			for _, e := range []struct {
				got  Bound
				want end
			}{{got.From, c.lo}, {got.To, c.hi}} {
				if !near(e.got.Current, e.want.current) || e.got.Kind != e.want.kind || e.got.Of != e.want.of {
					t.Errorf("end at %.6g (%s of %s), want %g within 0.5%% (%s of %s): %s",
						e.got.Current, e.got.Kind, e.got.Of, e.want.current, e.want.kind, e.want.of, c.why)
				}
			}
			if got.From.Criticality != "subcritical" {
				t.Errorf("the high state regains stability in a %s Hopf point, want subcritical", got.From.Criticality)
			}
			if len(got.Also) != len(c.also) {
				t.Fatalf("also coexisting: %v, want %v", got.Also, c.also)
			}
			for i, a := range got.Also {
				w := c.also[i]
				if a.Name != w.Name || !near(a.From, w.From) || !near(a.To, w.To) {
					t.Errorf("also coexisting: %v, want %v", a, w)
				}
			}
		})
	}
}

// The ranges come from pairing every stable equilibrium's run with every cycle branch:
// scenarios of bounds built by hand, including ranges that go on past the range
// searched and ones too narrow to tell from a point.
func TestBistableRangesPairing(t *testing.T) {
	eq := func(name string, lo, hi float64, loKind, hiKind string) Attractor {
		return Attractor{Name: name, From: Bound{Current: lo, Kind: loKind, Of: name}, To: Bound{Current: hi, Kind: hiKind, Of: name}}
	}
	cyc := func(lo, hi float64, loKind, hiKind string) Attractor {
		a := eq("firing", lo, hi, loKind, hiKind)
		a.Cycle = true
		return a
	}
	type want struct {
		from, to         float64
		fromKind, toKind string
		states           [2]string
		also             int
	}
	for _, c := range []struct {
		name string
		as   []Attractor
		want []want
	}{
		{"monostable: firing starts where rest ends", []Attractor{
			eq("rest", 0, 4.5, "below range", "snic"), cyc(4.5, 10, "snic", "above range")}, nil},
		{"rest and firing", []Attractor{
			eq("rest", -2, 4.5, "below range", "saddle-node"), cyc(-0.3, 8, "homoclinic", "above range")},
			[]want{{-0.3, 4.5, "homoclinic", "saddle-node", [2]string{"rest", "firing"}, 0}}},
		{"firing goes on below the range", []Attractor{
			eq("rest", 0, 4.5, "below range", "saddle-node"), cyc(0, 10, "below range", "above range")},
			[]want{{0, 4.5, "below range", "saddle-node", [2]string{"rest", "firing"}, 0}}},
		{"depolarisation block with rest in the middle", []Attractor{
			eq("rest", 20, 40, "below range", "saddle-node"), eq("high", 36, 60, "hopf", "above range"),
			cyc(35, 40.6, "homoclinic", "fold")},
			[]want{
				{35, 40, "homoclinic", "saddle-node", [2]string{"rest", "firing"}, 1},
				{36, 40.6, "hopf", "fold", [2]string{"high", "firing"}, 1},
			}},
		{"too narrow to tell from a point", []Attractor{
			eq("rest", 0, 1, "below range", "hopf"), cyc(0.9995, 1.5, "fold", "fold")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := bistableRanges(c.as, 2e-3)
			if len(got) != len(c.want) {
				t.Fatalf("ranges %+v, want %+v", got, c.want)
			}
			for i, w := range c.want {
				g := got[i]
				if g.From.Current != w.from || g.To.Current != w.to || g.From.Kind != w.fromKind || g.To.Kind != w.toKind ||
					g.States != w.states || len(g.Also) != w.also {
					t.Errorf("range %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
