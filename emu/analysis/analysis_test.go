package analysis

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/separatrix-audio/separatrix/emu"
)

func system(t *testing.T, m *emu.Model, preset string) (*System, *emu.Preset) {
	t.Helper()
	p, ok := m.Preset(preset)
	if !ok {
		t.Fatalf("no preset %s/%s", m.Name, preset)
	}
	s, err := NewSystem(m, m.Values(nil, p))
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

// The bifurcations and classes of every preset, against the literature. Tolerances are
// stated per row; where a source gives fewer digits, the tolerance covers its rounding.
func TestLiterature(t *testing.T) {
	type want struct {
		model        *emu.Model
		preset       string
		kind         string  // of the rest state's loss
		current, tol float64 // where rest is lost
		criticality  string
		stability    string // monostable / bistable
		excitability string
		// Where firing stops on a down sweep (CycleEnd), and how; tol as above.
		end     float64
		endTol  float64
		endKind string
		why     string
		// The bistable ranges in the preset's sweep: rest's with firing (Bistable), and
		// a depolarised state's with firing above it.
		ranges int
	}
	for _, w := range []want{
		{emu.INaPK(), "snic", "snic", 4.51, 0.02, "", "monostable", "integrator", 4.51, 0.02, "snic",
			"Izhikevich 2007, fig. 6.6: saddle-node on invariant circle at I = 4.51", 0},
		{emu.INaPK(), "saddle-node", "saddle-node", 4.51, 0.02, "", "bistable", "integrator", -0.30, 0.01, "homoclinic",
			"Izhikevich 2007, fig. 6.7 and 7.1: the same fold, off the circle (tau = 0.152); firing " +
				"outlives it on the way down until the cycle hits the saddle, at I = -0.30 (a saddle " +
				"homoclinic orbit, not a fold of cycles; testdata/folds.py finds -0.2977 with scipy)", 1},
		{emu.INaPK(), "hopf-super", "hopf", 14.66, 0.02, "supercritical", "monostable", "resonator", 14.66, 0.06, "hopf",
			"Izhikevich 2007, fig. 6.16: supercritical Hopf; the book gives no number, 14.66 is " +
				"where the analytic Jacobian's trace vanishes (TestHopfIsTraceZero; the cycle end is found by " +
				"following a shrinking cycle, hence its wider tolerance)", 0},
		{emu.INaPK(), "hopf-sub", "hopf", 48.90, 0.02, "subcritical", "bistable", "resonator", 42.2, 0.1, "fold",
			"Izhikevich 2007, fig. 6.16/6.17: subcritical Hopf; 48.90 (trace zero, TestHopfIsTraceZero) and the fold of " +
				"cycles 42.23 from scipy in testdata/folds.py", 1},
		{emu.HH(), "classic", "hopf", 9.78, 0.02, "subcritical", "bistable", "resonator", 6.25, 0.06, "fold",
			"Rinzel & Miller 1980 / Ermentrout & Terman 2010, sec. 1.9 and fig. 3.6: subcritical " +
				"Hopf at 9.78 µA/cm², fold of limit cycles at 6.2-6.3 µA/cm²", 1},
		{emu.MorrisLecar(), "hopf", "hopf", 93.86, 0.1, "subcritical", "bistable", "resonator", 88.3, 0.1, "fold",
			"Rinzel & Ermentrout 1989; Ermentrout & Terman 2010, sec. 3.1: subcritical Hopf near " +
				"93.86 and fold of cycles near 88.3", 1},
		{emu.MorrisLecar(), "snic", "snic", 39.96, 0.02, "", "monostable", "integrator", 39.96, 0.02, "snic",
			"Rinzel & Ermentrout 1989; Ermentrout & Terman 2010, sec. 3.1: SNIC near 39.96", 0},
		{emu.MorrisLecar(), "homoclinic", "saddle-node", 39.96, 0.02, "", "bistable", "integrator", 35.05, 0.1, "homoclinic",
			"Ermentrout & Terman 2010, sec. 3.1 (phi = 0.23): the saddle-node is off the circle; the " +
				"cycle is born in a saddle homoclinic bifurcation near 35. The high state regains stability " +
				"in a subcritical Hopf at 36.32 and firing goes on above it to a fold of cycles at 40.59 " +
				"(testdata/folds.py): a second bistable range, with rest too up to 39.96", 2},
		{emu.FitzHughNagumo(), "classic", "hopf", 0.3313, 0.0005, "subcritical", "bistable", "resonator", 0.3242, 0.0005, "fold",
			"Hopf where 1 - v² = eps b (v = -0.9675, I = 0.3313). The first Lyapunov coefficient " +
				"is positive, so it is subcritical, with a narrow bistable range below it ending in a " +
				"fold of cycles (the canard region of FitzHugh-Nagumo; Rocsoreanu et al. 2000, ch. 3). " +
				"The same at the top: the high state regains stability in a subcritical Hopf at 1.4187 " +
				"(v = +0.9675) and firing goes on to a fold of cycles at 1.4258 (testdata/folds.py): " +
				"depolarisation block", 2},
	} {
		t.Run(w.model.Name+"/"+w.preset, func(t *testing.T) {
			s, p := system(t, w.model, w.preset)
			r, err := s.Analyze(0, p.Sweep[0], p.Sweep[1], p.Init)
			if err != nil {
				t.Fatal(err)
			}
			if r.RestLoss == nil {
				t.Fatalf("rest is never lost in %v (%s)", r.Range, w.why)
			}
			b := r.RestLoss
			t.Logf("rest lost: %s at %.4f %s; firing ends at %v (%s); %s %s", b.Kind, b.Current, b.Criticality,
				deref(r.CycleEnd), r.CycleEndKind, r.Stability, r.Excitability)
			if b.Kind != w.kind || math.Abs(b.Current-w.current) > w.tol || b.Criticality != w.criticality {
				t.Errorf("rest is lost in a %s %s at %.4f, want %s %s at %g +- %g (%s)",
					b.Criticality, b.Kind, b.Current, w.criticality, w.kind, w.current, w.tol, w.why)
			}
			if r.Stability != w.stability || r.Excitability != w.excitability {
				t.Errorf("class %s %s, want %s %s (%s)", r.Stability, r.Excitability, w.stability, w.excitability, w.why)
			}
			if r.CycleEnd == nil || math.Abs(*r.CycleEnd-w.end) > w.endTol || r.CycleEndKind != w.endKind {
				t.Errorf("firing ends at %v (%s), want %g +- %g (%s): %s", deref(r.CycleEnd), r.CycleEndKind, w.end, w.endTol, w.endKind, w.why)
			}
			if w.stability == "bistable" {
				if r.Bistable == nil || r.Bistable[0] != *r.CycleEnd || r.Bistable[1] != b.Current || r.CycleFold == nil {
					t.Errorf("bistable range %v, cycle fold %v; want [cycle end, rest loss]", r.Bistable, r.CycleFold)
				}
			} else if r.Bistable != nil || r.CycleFold != nil {
				t.Errorf("monostable, yet bistable range %v and cycle fold %v", r.Bistable, r.CycleFold)
			}
			// Bistable is one of the bistable ranges: rest's with firing.
			found := r.Bistable == nil
			for _, br := range r.BistableRanges {
				t.Logf("bistable from %.5g (%s of %s) to %.5g (%s of %s): %v, also %v", br.From.Current, br.From.Kind, br.From.Of,
					br.To.Current, br.To.Kind, br.To.Of, br.States, br.Also)
				if r.Bistable != nil && br.States == [2]string{"rest", "firing"} && br.From.Current == r.Bistable[0] && br.To.Current == r.Bistable[1] {
					found = true
				}
			}
			if len(r.BistableRanges) != w.ranges || !found {
				t.Errorf("%d bistable ranges, want %d, among them Bistable %v (%s)", len(r.BistableRanges), w.ranges, r.Bistable, w.why)
			}
		})
	}
}

// referenceLines reads a reference file of testdata/*.py: one case a line, each of
// the given number of space-separated fields.
func referenceLines(t *testing.T, path string, fields int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != fields {
			t.Fatalf("%s: bad reference line %q: want %d fields", path, sc.Text(), fields)
		}
		out = append(out, fs)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Limit cycles against scipy (DOP853, rtol 1e-11): testdata/reference.py. The analysis
// integrates with fixed-step RK4 at the engine's step, so periods agree to 0.1% and
// voltage extremes to 0.1 mV (the orbit is drawn from samples one step apart).
func TestCyclesMatchScipy(t *testing.T) {
	n := 0
	for _, fs := range referenceLines(t, "testdata/reference.txt", 6) {
		var num [4]float64 // current, period, v_min, v_max
		for i, k := range []int{1, 3, 4, 5} {
			var err error
			if num[i], err = strconv.ParseFloat(fs[k], 64); err != nil {
				t.Fatalf("bad reference line %q: %v", strings.Join(fs, " "), err)
			}
		}
		I, period, vmin, vmax := num[0], num[1], num[2], num[3]
		stable := fs[2] == "forward"
		s, _ := system(t, emu.INaPK(), fs[0])
		var got *Cycle
		cs := s.Cycles(I)
		for i := range cs {
			if cs[i].Stable == stable && math.Abs(cs[i].Period/period-1) < 0.05 {
				got = &cs[i]
			}
		}
		if got == nil {
			t.Errorf("%s at I=%g: no %s cycle of period %.4f among %d found", fs[0], I, fs[2], period, len(cs))
			continue
		}
		n++
		t.Logf("%s at I=%g (stable %v): period %.5f ms, V %.4f..%.4f; scipy %.5f, %.4f..%.4f",
			fs[0], I, stable, got.Period, got.VMin, got.VMax, period, vmin, vmax)
		// The orbit is one closed period: it ends where it starts.
		first, last := got.Orbit[0], got.Orbit[len(got.Orbit)-1]
		if d := s.distance(first, last); d > 1e-3 {
			t.Errorf("%s at I=%g: the orbit does not close (ends %.2g away from its start)", fs[0], I, d)
		}
		if math.Abs(got.Period/period-1) > 1e-3 || math.Abs(got.VMin-vmin) > 0.1 || math.Abs(got.VMax-vmax) > 0.1 {
			t.Errorf("%s at I=%g: cycle period %.5f, V %.4f..%.4f; scipy %.5f, %.4f..%.4f",
				fs[0], I, got.Period, got.VMin, got.VMax, period, vmin, vmax)
		}
	}
	if n < 4 {
		t.Errorf("matched %d reference cycles, want 4", n)
	}
}

// Every model's clamped state is steady in all but V, and I_ss gives equilibria.
func TestClampIsSteady(t *testing.T) {
	for _, name := range emu.ModelNames() {
		m, _ := emu.LookupModel(name)
		s, err := NewSystem(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		dx := make([]float64, s.Dim())
		for _, V := range s.voltageGrid(20) {
			x := s.Clamp(nil, V)
			s.Deriv(dx, x, s.SteadyCurrent(V))
			for j, d := range dx {
				if math.Abs(d) > 1e-9 {
					t.Errorf("%s at V=%g: d%s/dt = %g at the clamped steady state", name, V, m.Vars[j].Name, d)
				}
			}
		}
	}
}

// At zero current the snic preset has the three equilibria of Izhikevich's fig. 6.6: a
// stable node (the preset's rest state), a saddle and an unstable focus; the eigenvalues
// agree with the trace and determinant of the analytic Jacobian.
func TestSNICEquilibriaAtZero(t *testing.T) {
	s, p := system(t, emu.INaPK(), "snic")
	eqs := s.Equilibria(0)
	var kinds []string
	for _, e := range eqs {
		kinds = append(kinds, e.Kind())
	}
	if strings.Join(kinds, ",") != "stable node,saddle,unstable focus" {
		t.Fatalf("equilibria at I=0: %v", kinds)
	}
	if d := math.Abs(eqs[0].State[0] - p.Init[0]); d > 1e-3 {
		t.Errorf("rest at %.4f mV, preset's rest state %.4f", eqs[0].State[0], p.Init[0])
	}
	// Analytic Jacobian of I_Na,p+I_K (C=1, tau=1).
	for _, e := range eqs {
		V, n := e.State[0], e.State[1]
		sig := func(v, h, k float64) float64 { return 1 / (1 + math.Exp((h-v)/k)) }
		m := sig(V, -20, 15)
		dm := m * (1 - m) / 15
		ni := sig(V, -25, 5)
		dn := ni * (1 - ni) / 5
		a := -8 - 20*(dm*(V-60)+m) - 10*n
		b := -10 * (V + 90)
		c, d := dn, -1.0
		tr, det := a+d, a*d-b*c
		l0, l1 := e.Eigenvalues[0], e.Eigenvalues[1]
		if math.Abs(real(l0+l1)-tr) > 1e-5*math.Abs(tr) || math.Abs(real(l0*l1)-det) > 1e-5*math.Abs(det) {
			t.Errorf("%s: eigenvalues %v; analytic trace %g, determinant %g", e.Kind(), e.Eigenvalues, tr, det)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		ev        []complex128
		stability string
		typ       string
	}{
		{[]complex128{-1, -7}, "stable", "node"},
		{[]complex128{complex(-1, 2), complex(-1, -2)}, "stable", "focus"},
		{[]complex128{2, -1}, "unstable", "saddle"},
		{[]complex128{3, 1}, "unstable", "node"},
		{[]complex128{complex(0.5, 3), complex(0.5, -3)}, "unstable", "focus"},
		// Hodgkin-Huxley's rest: the slowest direction is real, a faster pair is complex.
		{[]complex128{-0.12, complex(-0.2, 0.38), complex(-0.2, -0.38), -4.7}, "stable", "node"},
		{[]complex128{complex(-0.1, 0.4), complex(-0.1, -0.4), -0.12, -4.7}, "stable", "focus"},
		{[]complex128{complex(0.1, 0.4), complex(0.1, -0.4), -0.12, -4.7}, "unstable", "saddle"},
	} {
		st, ty := classify(c.ev)
		if st != c.stability || ty != c.typ {
			t.Errorf("eigenvalues %v: %s %s, want %s %s", c.ev, st, ty, c.stability, c.typ)
		}
	}
}

// On the Hopf normal form x' = μx - ωy + a x r², y' = ωx + μy + a y r² (r² = x²+y²), at
// μ = 0, the first Lyapunov coefficient is a, and keeps its sign after a linear change
// of coordinates with unequal scales (which the analysis's scaled coordinates must
// survive; its size is not invariant).
func TestLyapunovSignOnNormalForm(t *testing.T) {
	for _, a := range []float64{-1, -0.1, 0.1, 1} {
		for _, mix := range [][4]float64{{1, 0, 0, 1}, {30, 5, 0.01, 0.2}} {
			// x = M u; u' = N(u) is the normal form; x' = M N(M⁻¹ x).
			det := mix[0]*mix[3] - mix[1]*mix[2]
			inv := [4]float64{mix[3] / det, -mix[1] / det, -mix[2] / det, mix[0] / det}
			const omega = 2
			m := &emu.Model{Name: "normal-form", Vars: []emu.Var{{Name: "x"}, {Name: "y"}}, MaxStep: 0.01,
				Deriv: func(dx, x, p []float64, I float64) {
					u := inv[0]*x[0] + inv[1]*x[1]
					v := inv[2]*x[0] + inv[3]*x[1]
					r2 := u*u + v*v
					du := I*u - omega*v + a*u*r2
					dv := omega*u + I*v + a*v*r2
					dx[0], dx[1] = mix[0]*du+mix[1]*dv, mix[2]*du+mix[3]*dv
				}}
			s := &System{Model: m, scale: []float64{mix[0] + mix[1], mix[2] + mix[3]}}
			l1, w, ok := s.lyapunovCoefficient([]float64{0, 0}, 0)
			if !ok || math.Abs(w-omega) > 1e-6 || (l1 < 0) != (a < 0) {
				t.Errorf("a=%g, mix %v: l1 = %g, omega = %g (ok %v); want the sign of a and omega %d", a, mix, l1, w, ok, omega)
			}
			// In the normal form's own coordinates, l1 = a (Kuznetsov, sec. 3.5).
			if mix == [4]float64{1, 0, 0, 1} && math.Abs(l1-a) > 1e-4*math.Abs(a) {
				t.Errorf("a=%g: l1 = %g in the normal form's coordinates, want a", a, l1)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewSystem(emu.INaPK(), []float64{1, 2}); err == nil || !strings.Contains(err.Error(), "12 parameters") {
		t.Errorf("two parameters for inapk: %v", err)
	}
	m := emu.INaPK()
	vals := m.Values(nil, &m.Presets[0])
	vals[0] = -1 // C < 0
	if _, err := NewSystem(emu.INaPK(), vals); err == nil {
		t.Error("negative capacitance accepted")
	}
	s, _ := system(t, emu.INaPK(), "snic")
	if _, err := s.Analyze(0, 5, 5); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty range: %v", err)
	}
}

// For the two-variable I_Na,p+I_K a Hopf point is where the trace of the Jacobian
// vanishes with a positive determinant. Found here from the analytic Jacobian along the
// curve of equilibria, independently of the eigenvalues and finite differences the
// analysis uses, it must match the analysis's Hopf points.
func TestHopfIsTraceZero(t *testing.T) {
	for _, preset := range []string{"hopf-super", "hopf-sub"} {
		s, p := system(t, emu.INaPK(), preset)
		v := func(name string) float64 { return s.Params[emu.INaPK().Param(name)] }
		C, gL, gNa, ENa, gK, EK := v("C"), v("gL"), v("gNa"), v("ENa"), v("gK"), v("EK")
		Vm, km, Vn, kn, tau := v("Vm"), v("km"), v("Vn"), v("kn"), v("tau")
		sig := func(x, h, k float64) float64 { return 1 / (1 + math.Exp((h-x)/k)) }
		jacobian := func(V float64) (a, b, c, d float64) {
			m := sig(V, Vm, km)
			n := sig(V, Vn, kn) // at equilibrium n = n_inf(V)
			a = (-gL - gNa*(m*(1-m)/km*(V-ENa)+m) - gK*n) / C
			b = -gK * (V - EK) / C
			c = n * (1 - n) / kn / tau
			return a, b, c, -1 / tau
		}
		trace := func(V float64) float64 { a, _, _, d := jacobian(V); return a + d }
		var want []float64
		const N = 20000
		vr := emu.INaPK().VoltageRange
		prev := trace(vr[0])
		for i := 1; i <= N; i++ {
			V := vr[0] + (vr[1]-vr[0])*float64(i)/N
			cur := trace(V)
			if prev*cur < 0 {
				Vh := bisect(trace, V-(vr[1]-vr[0])/N, V, prev)
				a, b, c, d := jacobian(Vh)
				if I := s.SteadyCurrent(Vh); a*d-b*c > 0 && I >= p.Sweep[0] && I <= p.Sweep[1] {
					want = append(want, I)
				}
			}
			prev = cur
		}
		var got []float64
		for _, b := range s.Bifurcations(p.Sweep[0], p.Sweep[1]) {
			if b.Kind == "hopf" {
				got = append(got, b.Current)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: Hopf points %v, trace zeros at %v", preset, got, want)
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("%s: Hopf at %.8f, trace zero at %.8f", preset, got[i], want[i])
			}
		}
		t.Logf("%s: Hopf points %v", preset, got)
	}
}
