package analysis

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

// The saddle's stable manifold is the threshold: just to one side of it the neuron
// rests, just to the other it fires. Checked at points along both separatrices of the
// bistable integrator at I = 2, by integrating from either side of the curve.
func TestSeparatrixIsTheThreshold(t *testing.T) {
	s, p := system(t, emu.INaPK(), "saddle-node")
	const I = 2
	pt := s.Portrait(I, p.Init, PortraitOptions{BasinCols: 20, BasinRows: 15})
	if len(pt.Separatrices) != 2 {
		t.Fatalf("%d separatrices, want the two branches of the saddle's stable manifold", len(pt.Separatrices))
	}
	eqs := s.Equilibria(I)
	checked := 0
	for _, sep := range pt.Separatrices {
		for k := 50; k+1 < len(sep); k += len(sep) / 8 {
			a, b := sep[k], sep[k+1]
			if a[0] < pt.XRange[0] || a[0] > pt.XRange[1] || a[1] < pt.YRange[0] || a[1] > pt.YRange[1] {
				continue
			}
			// Normal to the curve, in scaled units.
			dx, dy := (b[0]-a[0])/s.scale[0], (b[1]-a[1])/s.scale[1]
			n := math.Hypot(dx, dy)
			if n == 0 {
				continue
			}
			nx, ny := -dy/n, dx/n
			var fates [2]fate
			for i, sign := range []float64{1, -1} {
				x := []float64{a[0] + sign*2e-3*nx*s.scale[0], a[1] + sign*2e-3*ny*s.scale[1]}
				fates[i] = s.settle(x, I, eqs, false, s.settleTime()).fate
			}
			if fates[0] == fates[1] || (fates[0] != toCycle && fates[1] != toCycle) {
				t.Errorf("at (%.3f, %.4f) on the separatrix both sides end alike (%v, %v)", a[0], a[1], fates[0], fates[1])
			}
			checked++
		}
	}
	if checked < 6 {
		t.Errorf("checked %d points on the separatrices, want at least 6", checked)
	}
}

// The shaded basin agrees with where trajectories go, at random cells away from its edge.
func TestBasinAgreesWithTrajectories(t *testing.T) {
	for _, c := range []struct {
		preset string
		I      float64
	}{{"saddle-node", 2}, {"hopf-sub", 45}} {
		s, p := system(t, emu.INaPK(), c.preset)
		const cols, rows = 40, 30
		pt := s.Portrait(c.I, p.Init, PortraitOptions{BasinCols: cols, BasinRows: rows})
		if pt.Basin == nil {
			t.Fatalf("%s at %g: no basin, yet rest and firing coexist", c.preset, c.I)
		}
		eqs := s.Equilibria(c.I)
		rng := rand.New(rand.NewPCG(1, 2))
		inside, checked := 0, 0
		for checked < 40 {
			r, k := 1+rng.IntN(rows-2), 1+rng.IntN(cols-2)
			edge := false
			for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				edge = edge || pt.Basin[r+d[0]][k+d[1]] != pt.Basin[r][k]
			}
			if edge {
				continue
			}
			V := pt.XRange[0] + (pt.XRange[1]-pt.XRange[0])*(float64(k)+0.5)/cols
			y := pt.YRange[0] + (pt.YRange[1]-pt.YRange[0])*(float64(r)+0.5)/rows
			o := s.settle([]float64{V, y}, c.I, eqs, false, s.settleTime())
			if (o.fate == toCycle) != pt.Basin[r][k] {
				t.Errorf("%s at %g: cell (%.2f, %.3f) shaded %v, but its trajectory ends %v", c.preset, c.I, V, y, pt.Basin[r][k], o.fate)
			}
			if pt.Basin[r][k] {
				inside++
			}
			checked++
		}
		total := 0
		for _, row := range pt.Basin {
			for _, b := range row {
				if b {
					total++
				}
			}
		}
		if inside == 0 || total == cols*rows {
			t.Errorf("%s: %d of %d cells in the basin (%d of the sample): want both kinds", c.preset, total, cols*rows, inside)
		}
	}
	// Monostable: nothing to shade.
	s, p := system(t, emu.INaPK(), "snic")
	for _, I := range []float64{0, 6} {
		if pt := s.Portrait(I, p.Init, PortraitOptions{BasinCols: 10, BasinRows: 10}); pt.Basin != nil {
			t.Errorf("snic at %g: a basin is shaded, but rest and firing do not coexist", I)
		}
	}
}

// Points on the nullclines make the field vanish in their variable.
func TestNullclines(t *testing.T) {
	for _, c := range []struct {
		m      *emu.Model
		preset string
		I      float64
	}{{emu.INaPK(), "snic", 0}, {emu.MorrisLecar(), "hopf", 90}, {emu.FitzHughNagumo(), "classic", 0.5}, {emu.HH(), "classic", 8}} {
		s, p := system(t, c.m, c.preset)
		pt := s.Portrait(c.I, p.Init, PortraitOptions{BasinCols: 8, BasinRows: 6})
		if len(pt.VNullcline) == 0 || len(pt.YNullcline) == 0 {
			t.Errorf("%s: nullclines %d and %d pieces", c.preset, len(pt.VNullcline), len(pt.YNullcline))
			continue
		}
		if pt.Projected != (c.m.Name == "hh") {
			t.Errorf("%s: Projected %v", c.preset, pt.Projected)
		}
		for _, pc := range pt.VNullcline {
			for _, q := range pc {
				if dv, _ := pt.Field(q[0], q[1]); math.Abs(dv) > 1e-6 {
					t.Errorf("%s: dV/dt = %g on the V-nullcline at %v", c.preset, dv, q)
				}
			}
		}
		for _, pc := range pt.YNullcline {
			for _, q := range pc {
				if _, dy := pt.Field(q[0], q[1]); math.Abs(dy) > 1e-9 {
					t.Errorf("%s: dY/dt = %g on the Y-nullcline at %v", c.preset, dy, q)
				}
			}
		}
		// Every equilibrium in the window is where the nullclines cross.
		for _, e := range pt.Equilibria {
			if dv, dy := pt.Field(e.State[0], e.State[pt.Y]); math.Abs(dv) > 1e-6 || math.Abs(dy) > 1e-9 {
				t.Errorf("%s: field (%g, %g) at the equilibrium %v", c.preset, dv, dy, e.State)
			}
		}
	}
}

// The diagram's sweeps show the hysteresis of the bistable resonator: up, firing
// starts at the Hopf point; down, it stops at the fold of cycles (each within a step).
func TestDiagramHysteresis(t *testing.T) {
	s, p := system(t, emu.INaPK(), "hopf-sub")
	r, err := s.Analyze(45, p.Sweep[0], p.Sweep[1])
	if err != nil {
		t.Fatal(err)
	}
	const steps = 60
	d := s.Diagram(r, DiagramOptions{Steps: steps})
	step := (p.Sweep[1] - p.Sweep[0]) / steps
	on, off := math.NaN(), math.NaN()
	for i, hz := range d.Up.Hz {
		if hz > 0 && math.IsNaN(on) {
			on = d.Up.I[i]
		}
	}
	for i, hz := range d.Down.Hz {
		if hz > 0 {
			off = d.Down.I[i]
		}
	}
	if !(on >= r.RestLoss.Current && on <= r.RestLoss.Current+step) {
		t.Errorf("up sweep fires from %g; rest is lost at %g (step %g)", on, r.RestLoss.Current, step)
	}
	if !(off >= *r.CycleEnd && off <= *r.CycleEnd+step) {
		t.Errorf("down sweep fires until %g; the cycle ends at %g (step %g)", off, *r.CycleEnd, step)
	}
	var stable, unstable *CycleBranch
	for i := range d.Cycles {
		if d.Cycles[i].Stable {
			stable = &d.Cycles[i]
		} else {
			unstable = &d.Cycles[i]
		}
	}
	if stable == nil || unstable == nil {
		t.Fatalf("cycle branches %+v: want a stable and an unstable one", d.Cycles)
	}
	if stable.I[0] > *r.CycleEnd+step || stable.I[len(stable.I)-1] < p.Sweep[1]-step {
		t.Errorf("stable cycles from %g to %g, want from the fold %g to the top %g", stable.I[0], stable.I[len(stable.I)-1], *r.CycleEnd, p.Sweep[1])
	}
	for i, I := range unstable.I {
		if I < *r.CycleEnd || I > r.RestLoss.Current {
			t.Errorf("an unstable cycle at %g, outside the bistable range", I)
		}
		// Nested: the unstable cycle lies inside the stable one's voltage range.
		if unstable.VMax[i]-unstable.VMin[i] <= 0 {
			t.Errorf("unstable cycle at %g has no size", I)
		}
	}
	if len(d.Equilibria) < 2 || !d.Equilibria[0].Stable || d.Equilibria[len(d.Equilibria)-1].Stable {
		t.Errorf("equilibrium branches %d: want stable below the Hopf point and unstable above", len(d.Equilibria))
	}
}

// TestPortraitFixedWindow: a given window is the one the nullclines and the basin are
// computed over, and the basin on one goroutine is the basin on many.
func TestPortraitFixedWindow(t *testing.T) {
	s, _ := system(t, emu.INaPK(), "saddle-node")
	const I = 2 // bistable: rest and the firing cycle
	auto := s.Portrait(I, nil, PortraitOptions{BasinCols: 20, BasinRows: 15})
	win := PortraitOptions{BasinCols: 20, BasinRows: 15, XRange: [2]float64{-90, 20}, YRange: [2]float64{-0.1, 1}}
	fixed := s.Portrait(I, nil, win)
	if fixed.XRange != win.XRange || fixed.YRange != win.YRange {
		t.Fatalf("window %v x %v, asked for %v x %v", fixed.XRange, fixed.YRange, win.XRange, win.YRange)
	}
	if auto.XRange == win.XRange {
		t.Fatalf("the test's window is the automatic one: it shows nothing")
	}
	for _, pc := range fixed.VNullcline {
		for _, q := range pc {
			if q[0] < win.XRange[0] || q[0] > win.XRange[1] {
				t.Fatalf("V-nullcline point %v outside the window", q)
			}
		}
	}
	if lo := fixed.VNullcline[0][0][0]; lo > auto.XRange[0] {
		t.Errorf("V-nullcline starts at V=%g: not traced over the wider window", lo)
	}
	win.Workers = 1
	one := s.Portrait(I, nil, win)
	if fixed.Basin == nil || !reflect.DeepEqual(one.Basin, fixed.Basin) {
		t.Errorf("the basin on one goroutine differs from the basin on many")
	}
	win.NoBasin = true
	if s.Portrait(I, nil, win).Basin != nil {
		t.Errorf("NoBasin computed a basin")
	}
}

// TestPortraitNullclinesOnly: the fast portrait has the full portrait's equilibria and
// nullclines over the same window, and nothing that needs integration.
func TestPortraitNullclinesOnly(t *testing.T) {
	for _, c := range []struct {
		m      *emu.Model
		preset string
		I      float64
	}{{emu.INaPK(), "saddle-node", 2}, {emu.INaPK(), "saddle-node", 5}, {emu.HH(), "classic", 8}} {
		s, p := system(t, c.m, c.preset)
		full := s.Portrait(c.I, p.Init, PortraitOptions{BasinCols: 8, BasinRows: 6})
		fast := s.Portrait(c.I, p.Init, PortraitOptions{XRange: full.XRange, YRange: full.YRange, NullclinesOnly: true})
		if len(fast.Cycles) != 0 || len(fast.Trajectory) != 0 || len(fast.Separatrices) != 0 || fast.Basin != nil {
			t.Errorf("%s at %g: the fast portrait has %d cycles, %d trajectory points, %d separatrices, basin %v",
				c.preset, c.I, len(fast.Cycles), len(fast.Trajectory), len(fast.Separatrices), fast.Basin != nil)
		}
		if len(full.Cycles) == 0 && len(full.Separatrices) == 0 {
			t.Errorf("%s at %g: the full portrait has neither cycles nor separatrices: the case shows nothing", c.preset, c.I)
		}
		if !reflect.DeepEqual(fast.Equilibria, full.Equilibria) {
			t.Errorf("%s at %g: equilibria %v, the full portrait's %v", c.preset, c.I, fast.Equilibria, full.Equilibria)
		}
		if !reflect.DeepEqual(fast.VNullcline, full.VNullcline) || !reflect.DeepEqual(fast.YNullcline, full.YNullcline) {
			t.Errorf("%s at %g: the nullclines differ from the full portrait's", c.preset, c.I)
		}
		if len(fast.VNullcline) == 0 || len(fast.YNullcline) == 0 || fast.Field == nil {
			t.Errorf("%s at %g: no nullclines or field", c.preset, c.I)
		}
	}
}
