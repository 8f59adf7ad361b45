package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// analyze --json has exactly the shape: these keys, these types.
func TestAnalyzeJSONShape(t *testing.T) {
	code, out, errs := runCLI(t, "analyze", "snic", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"patch", "neuron", "model", "current", "equilibria", "bifurcations", "cycles",
		"cycle_fold_current", "bistable_range", "bistable_ranges", "attractors", "class"} {
		if _, ok := j[k]; !ok {
			t.Errorf("no key %q in %s", k, out)
		}
	}
	if j["patch"] != "snic" || j["neuron"] != "a" || j["model"] != "inapk" || j["current"] != 0.0 {
		t.Errorf("patch %v neuron %v model %v current %v", j["patch"], j["neuron"], j["model"], j["current"])
	}
	if j["cycle_fold_current"] != nil || j["bistable_range"] != nil {
		t.Errorf("snic is monostable, yet cycle_fold_current %v, bistable_range %v", j["cycle_fold_current"], j["bistable_range"])
	}
	eqs := j["equilibria"].([]any)
	if len(eqs) != 3 {
		t.Fatalf("%d equilibria at I=0, want 3", len(eqs))
	}
	e0 := eqs[0].(map[string]any)
	st := e0["state"].(map[string]any)
	ev := e0["eigenvalues"].([]any)[0].(map[string]any)
	if e0["stability"] != "stable" || e0["type"] != "node" || math.Abs(st["V"].(float64)+65.95) > 0.01 ||
		st["n"] == nil || ev["re"] == nil || ev["im"] == nil {
		t.Errorf("first equilibrium %v", e0)
	}
	bifs := j["bifurcations"].([]any)
	if len(bifs) != 1 {
		t.Fatalf("bifurcations %v, want the SNIC only", bifs)
	}
	b := bifs[0].(map[string]any)
	if b["kind"] != "snic" || math.Abs(b["current"].(float64)-4.51) > 0.02 || b["state"].(map[string]any)["V"] == nil {
		t.Errorf("bifurcation %v, want snic at 4.51", b)
	}
	class := j["class"].(map[string]any)
	if class["stability"] != "monostable" || class["excitability"] != "integrator" {
		t.Errorf("class %v", class)
	}
}

// Through the command line, the bistable patches report their bistable range and the
// Hopf entries their criticality.
func TestAnalyzeBistableResonator(t *testing.T) {
	code, out, errs := runCLI(t, "analyze", "hopf-sub", "--current", "45", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var j struct {
		Bifurcations []struct {
			Kind, Criticality string
			Current           float64
		}
		Cycles []struct {
			Stability string
			PeriodMS  float64 `json:"period_ms"`
			VMin      float64 `json:"v_min"`
			VMax      float64 `json:"v_max"`
		}
		CycleFold *float64    `json:"cycle_fold_current"`
		Bistable  *[2]float64 `json:"bistable_range"`
		Class     struct{ Stability, Excitability string }
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Bifurcations) != 1 || j.Bifurcations[0].Kind != "hopf" || j.Bifurcations[0].Criticality != "subcritical" {
		t.Errorf("bifurcations %+v, want one subcritical hopf", j.Bifurcations)
	}
	if j.Bistable == nil || math.Abs(j.Bistable[0]-42.2) > 0.1 || math.Abs(j.Bistable[1]-48.9) > 0.02 || j.CycleFold == nil {
		t.Errorf("bistable range %v, cycle fold %v; want [42.2, 48.9]", j.Bistable, j.CycleFold)
	}
	// At 45, inside the bistable range: a stable firing cycle and the unstable cycle
	// that separates it from rest.
	var stable, unstable int
	for _, c := range j.Cycles {
		if c.Stability == "stable" {
			stable++
		} else {
			unstable++
		}
	}
	if stable != 1 || unstable != 1 {
		t.Errorf("cycles at 45: %+v, want one stable and one unstable", j.Cycles)
	}
	if j.Class.Stability != "bistable" || j.Class.Excitability != "resonator" {
		t.Errorf("class %+v", j.Class)
	}
}

func TestAnalyzeReport(t *testing.T) {
	code, out, errs := runCLI(t, "analyze", "hysteresis", "--current", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"saddle-node off invariant circle", "I = 4.51", "Bistable from -0.29",
		"saddle homoclinic orbit", "Class: bistable integrator.", "stable   period"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"analyze"}, 2, "one PATCH"},
		{[]string{"analyze", "flip-flop", "--neuron", "z"}, 2, "has no neuron \"z\" (it has a, b)"},
		{[]string{"analyze", "snic", "--from", "5", "--to", "1"}, 2, "empty range"},
		{[]string{"analyze", "snic", "--current", "1e9"}, 2, "outside what inapk takes"},
		{[]string{"analyze", "nosuchpatch"}, 1, "nosuchpatch"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

// A neuron of a network is analysed alone, and the report says so.
func TestAnalyzeSaysWhatItLeavesOut(t *testing.T) {
	code, out, errs := runCLI(t, "analyze", "flip-flop", "--neuron", "b")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "neuron b is analysed alone: the patch's gap junctions and synapses are left out") {
		t.Errorf("report does not say the coupling is left out:\n%s", out)
	}
	code, out, _ = runCLI(t, "analyze", "hh", "--json")
	if code != 0 || !strings.Contains(out, "unstable limit cycles are searched only in two-variable models") {
		t.Errorf("hh --json does not say unstable cycles are not searched:\n%s", out)
	}
}

// A cycle's heard frequency is its rate of model time times the patch's speed (hh plays
// at speed 2).
func TestAnalyzeHeardFrequency(t *testing.T) {
	code, out, errs := runCLI(t, "analyze", "hh", "--current", "10", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var j struct {
		Cycles []struct {
			PeriodMS float64 `json:"period_ms"`
			HeardHz  float64 `json:"heard_hz"`
		}
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Cycles) == 0 {
		t.Fatal("no cycle for hh at 10 µA/cm²")
	}
	for _, c := range j.Cycles {
		if want := 2 * 1000 / c.PeriodMS; math.Abs(c.HeardHz-want) > 1e-9*want {
			t.Errorf("period %g ms at speed 2 is heard at %g Hz, want %g", c.PeriodMS, c.HeardHz, want)
		}
	}
}

// analyze --json lists every bistable range (issue 7): rest's with firing, which is
// bistable_range, and the depolarisation block above it, where the high state has
// regained stability while firing goes on to a fold of cycles. Each end within 0.5% of
// its own value (the references: testdata/folds.py in emu/analysis); the fields of
// issue 4 keep their values.
func TestAnalyzeBistableRanges(t *testing.T) {
	type rng struct {
		from, to         float64
		fromKind, toKind string
		states           []string
		also             []string
	}
	for _, c := range []struct {
		args     []string
		ranges   []rng
		bistable *[2]float64 // bistable_range, nil for null
		class    string
		text     string // in the readable report
	}{
		{[]string{"fitzhugh-nagumo"}, []rng{
			{0.3242, 0.3313, "fold", "hopf", []string{"rest", "firing"}, nil},
			{1.4187, 1.426, "hopf", "fold", []string{"high", "firing"}, nil},
		}, &[2]float64{0.3242, 0.3313}, "bistable resonator",
			"Bistable from 1.4187 to 1.4258: the firing cycle and the depolarised state coexist\n(depolarisation block)"},
		{[]string{"fitzhugh-nagumo", "--from", "1.3", "--to", "1.6"}, []rng{
			{1.4187, 1.426, "hopf", "fold", []string{"high", "firing"}, nil},
		}, nil, " ", "Rest, the low state, is not stable at any current of this range"},
		{[]string{"morris-lecar-homoclinic"}, []rng{
			{35.007, 39.963, "homoclinic", "saddle-node", []string{"rest", "firing"}, []string{"high"}},
			{36.316, 40.59, "hopf", "fold", []string{"high", "firing"}, []string{"rest"}},
		}, &[2]float64{35.007, 39.963}, "bistable integrator",
			"on an up sweep firing stops at 40.5950 µA/cm² (a fold of limit\ncycles)"},
		{[]string{"snic"}, nil, nil, "monostable integrator", "On a down sweep firing stops where it started"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"analyze", "--json"}, c.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var j struct {
				Ranges []struct {
					From, To           float64
					FromKind           string `json:"from_kind"`
					ToKind             string `json:"to_kind"`
					FromState, ToState string
					States             []string
					Also               []struct{ State string }
				} `json:"bistable_ranges"`
				Bistable *[2]float64 `json:"bistable_range"`
				Class    struct{ Stability, Excitability string }
			}
			if err := json.Unmarshal([]byte(out), &j); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, `"bistable_ranges": [`) {
				t.Errorf("no bistable_ranges list in %s", out)
			}
			if len(j.Ranges) != len(c.ranges) {
				t.Fatalf("bistable_ranges %+v, want %+v", j.Ranges, c.ranges)
			}
			near := func(got, want float64) bool { return math.Abs(got-want) <= 0.005*math.Abs(want) }
			for i, w := range c.ranges {
				g := j.Ranges[i]
				var also []string
				for _, a := range g.Also {
					also = append(also, a.State)
				}
				if !near(g.From, w.from) || !near(g.To, w.to) || g.FromKind != w.fromKind || g.ToKind != w.toKind ||
					strings.Join(g.States, ",") != strings.Join(w.states, ",") || strings.Join(also, ",") != strings.Join(w.also, ",") {
					t.Errorf("range %d: %+v, want %+v", i, g, w)
				}
			}
			if (j.Bistable == nil) != (c.bistable == nil) ||
				(c.bistable != nil && (!near(j.Bistable[0], c.bistable[0]) || !near(j.Bistable[1], c.bistable[1]))) {
				t.Errorf("bistable_range %v, want %v", j.Bistable, c.bistable)
			}
			if got := j.Class.Stability + " " + j.Class.Excitability; got != c.class {
				t.Errorf("class %q, want %q", got, c.class)
			}
			code, out, errs = runCLI(t, append([]string{"analyze"}, c.args...)...)
			if code != 0 || !strings.Contains(out, c.text) {
				t.Errorf("exit %d (%s); the report lacks %q:\n%s", code, errs, c.text, out)
			}
		})
	}
}
