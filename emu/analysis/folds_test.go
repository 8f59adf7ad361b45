package analysis

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// Where the firing cycle ends on a down sweep (CycleEnd) and how (CycleEndKind), against
// scipy (DOP853, rtol 1e-10; continuation and bisection to 1e-4 of the current, and for
// the planar homoclinic orbits the fate of the saddle's unstable manifold):
// testdata/folds.py, one line per preset whose firing outlives rest's loss on the way down.
//
// The tolerance is 0.2% of the preset's sweep width. It covers three errors, none near
// it: the reference's bracket (1e-4 of the current: at most 0.02% of the width, Morris-
// Lecar hopf), the analysis's continuation step (it stops at 1e-4 of the width) and the
// analysis's fixed-step RK4 at the model's MaxStep, which moves a fold of cycles or a
// homoclinic orbit of the discretised flow slightly off the exact one (measured: the
// whole difference is under 0.01% of the width on every preset). It stays well short of
// a wrong answer: every end lies more than twice the tolerance from rest's loss, where
// the cycle was born (the closest is FitzHugh-Nagumo's fold, 0.007 = 0.44% of the width
// below its Hopf at 0.331), and the test checks that, so an end put at the bifurcation
// that created the cycle fails, as does one off by a quarter of the analysis's first
// continuation step (2% of the width); a fold reported as homoclinic, or the reverse,
// fails on the kind.
func TestFoldsMatchScipy(t *testing.T) {
	n := 0
	for _, fs := range referenceLines(t, "testdata/folds.txt", 4) {
		ref, err := strconv.ParseFloat(fs[2], 64)
		if err != nil || (fs[3] != "fold" && fs[3] != "homoclinic") {
			t.Fatalf("bad reference line %q (%v)", strings.Join(fs, " "), err)
		}
		m, ok := emu.LookupModel(fs[0])
		if !ok {
			t.Fatalf("no model %s", fs[0])
		}
		n++
		t.Run(fs[0]+"/"+fs[1], func(t *testing.T) {
			s, p := system(t, m, fs[1])
			tol := 2e-3 * (p.Sweep[1] - p.Sweep[0])
			r, err := s.Analyze(0, p.Sweep[0], p.Sweep[1], p.Init)
			if err != nil {
				t.Fatal(err)
			}
			if r.CycleEnd == nil {
				t.Fatalf("no end of firing found in %v; scipy: %s at %g", r.Range, fs[3], ref)
			}
			t.Logf("firing ends at %.6g (%s); scipy %.6g (%s); difference %.2g, tolerance %.3g",
				*r.CycleEnd, r.CycleEndKind, ref, fs[3], *r.CycleEnd-ref, tol)
			if math.Abs(*r.CycleEnd-ref) > tol || r.CycleEndKind != fs[3] {
				t.Errorf("firing ends at %.6g (%s), scipy at %.6g (%s), tolerance %.3g",
					*r.CycleEnd, r.CycleEndKind, ref, fs[3], tol)
			}
			// The tolerance must tell the end from where the cycle was born.
			if r.RestLoss == nil {
				t.Fatalf("rest is never lost in %v", r.Range)
			}
			if math.Abs(r.RestLoss.Current-ref) < 2*tol {
				t.Errorf("rest is lost at %.6g, within twice the tolerance %.3g of the cycle's end %g: the test cannot tell them apart",
					r.RestLoss.Current, tol, ref)
			}
		})
	}
	if n != 6 {
		t.Errorf("%d reference lines, want 6", n)
	}
}
