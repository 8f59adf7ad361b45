package analysis

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// Where the firing cycle ends on a down sweep (CycleEnd) and on an up sweep (the end of
// the firing branch above a depolarised state), and how, and where that depolarised
// state regains stability, against scipy (DOP853, rtol 1e-10; continuation and
// bisection to 1e-4 of the current, and for the planar homoclinic orbits the fate of the
// saddle's unstable manifold; Hopf points from numpy's eigenvalues): testdata/folds.py.
//
// The tolerance for the ends of firing is 0.2% of the preset's sweep width. It covers
// three errors, none near it: the reference's bracket (1e-4 of the current: at most
// 0.02% of the width, Morris-Lecar hopf), the analysis's continuation step (it stops at
// 1e-4 of the width) and the analysis's fixed-step RK4 at the model's MaxStep, which
// moves a fold of cycles or a homoclinic orbit of the discretised flow slightly off the
// exact one (measured: the whole difference is under 0.02% of the width on every
// preset). It stays well short of a wrong answer: every end lies more than twice the
// tolerance from the bifurcation of equilibria at the other end of its bistable range
// (the closest are FitzHugh-Nagumo's folds, 0.0071 and 0.0071 = 0.44% of the width from
// its Hopf points at 0.331 and 1.419), and the test checks that, so an end put at the
// bifurcation fails, as does one off by a quarter of the analysis's first continuation
// step (2% of the width); a fold reported as homoclinic, or the reverse, fails on the
// kind. Hopf points are held to 1e-6 of the current: both sides locate a root to far
// better, and the reference prints 8 digits.
func TestFoldsMatchScipy(t *testing.T) {
	n := map[string]int{}
	for _, fs := range referenceLines(t, "testdata/folds.txt", 5) {
		what, kind := fs[2], fs[4]
		ref, err := strconv.ParseFloat(fs[3], 64)
		if err != nil || !map[string]bool{"down": true, "up": true, "high": true}[what] ||
			(kind != "fold" && kind != "homoclinic" && kind != "hopf") {
			t.Fatalf("bad reference line %q (%v)", strings.Join(fs, " "), err)
		}
		m, ok := emu.LookupModel(fs[0])
		if !ok {
			t.Fatalf("no model %s", fs[0])
		}
		n[what]++
		t.Run(fs[0]+"/"+fs[1]+"/"+what, func(t *testing.T) {
			s, p := system(t, m, fs[1])
			tol := 2e-3 * (p.Sweep[1] - p.Sweep[0])
			r, err := s.Analyze(0, p.Sweep[0], p.Sweep[1], p.Init)
			if err != nil {
				t.Fatal(err)
			}
			var got *Bound // the end found
			var other float64
			switch what {
			case "down":
				if r.CycleEnd == nil || r.RestLoss == nil {
					t.Fatalf("no end of firing or no loss of rest found in %v; scipy: %s at %g", r.Range, kind, ref)
				}
				got = &Bound{Current: *r.CycleEnd, Kind: r.CycleEndKind}
				other = r.RestLoss.Current
			case "up":
				high := attractor(r, "high")
				firing := attractor(r, "firing")
				if high == nil || firing == nil {
					t.Fatalf("no high state or no firing in %v: %+v", r.Range, r.Attractors)
				}
				got, other = &firing.To, high.From.Current
			case "high":
				high := attractor(r, "high")
				if high == nil {
					t.Fatalf("no high state in %v: %+v", r.Range, r.Attractors)
				}
				got, tol = &high.From, 1e-6*math.Max(1, math.Abs(ref))
			}
			t.Logf("%s: %.7g (%s); scipy %.7g (%s); difference %.2g, tolerance %.3g",
				what, got.Current, got.Kind, ref, kind, got.Current-ref, tol)
			if math.Abs(got.Current-ref) > tol || got.Kind != kind {
				t.Errorf("%s: %.7g (%s), scipy %.7g (%s), tolerance %.3g", what, got.Current, got.Kind, ref, kind, tol)
			}
			// The tolerance must tell the end from the bifurcation at the range's other end.
			if what != "high" && math.Abs(other-ref) < 2*tol {
				t.Errorf("the other end of the bistable range, %.6g, is within twice the tolerance %.3g of %g: the test cannot tell them apart",
					other, tol, ref)
			}
		})
	}
	if n["down"] != 6 || n["up"] != 2 || n["high"] != 2 {
		t.Errorf("reference lines %v, want 6 down, 2 up, 2 high", n)
	}
}

// attractor returns r's first attractor of the name, or nil.
func attractor(r *Report, name string) *Attractor {
	for i := range r.Attractors {
		if r.Attractors[i].Name == name {
			return &r.Attractors[i]
		}
	}
	return nil
}
