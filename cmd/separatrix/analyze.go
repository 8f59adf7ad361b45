package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
	"github.com/separatrix-audio/separatrix/patches"
)

// target is the neuron of a patch that analyze, portrait and bifurcation study.
type target struct {
	patch  *patches.Patch
	index  int
	name   string
	spec   emu.NeuronSpec
	system *analysis.System
}

// analysisFlags are the flags analyze, portrait and bifurcation share.
type analysisFlags struct {
	neuron             *string
	current, from, to  *float64
	currentSet, fromTo bool
}

func addAnalysisFlags(fs *flag.FlagSet, withCurrent, withRange bool) *analysisFlags {
	f := &analysisFlags{
		neuron: fs.String("neuron", "", "study this `neuron` of the patch (default: the first)"),
	}
	if withCurrent {
		f.current = fs.Float64("current", 0, "the injected current `I` to study (default: the neuron's current in the patch)")
	}
	if withRange {
		f.from = fs.Float64("from", 0, "lowest current `I0` to search for bifurcations (default: the preset's range)")
		f.to = fs.Float64("to", 0, "highest current `I1` (default: the preset's range)")
	}
	return f
}

// resolve loads the patch and picks the neuron, the current and the range of currents.
func (f *analysisFlags) resolve(fs *flag.FlagSet, patch string) (*target, float64, [2]float64, error) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	p, err := patches.Load(patch)
	if err != nil {
		return nil, 0, [2]float64{}, err
	}
	t := &target{patch: p}
	if *f.neuron == "" {
		t.index = 0
	} else if t.index = p.Neuron(*f.neuron); t.index < 0 {
		return nil, 0, [2]float64{}, usageError{fmt.Sprintf("patch %s has no neuron %q (it has %s)", p.Name, *f.neuron, strings.Join(p.NeuronNames, ", "))}
	}
	t.name, t.spec = p.NeuronNames[t.index], p.Engine.Neurons[t.index]
	if t.system, err = analysis.NewSystem(t.spec.Model, t.spec.Params); err != nil {
		return nil, 0, [2]float64{}, err
	}
	m := t.spec.Model
	I := t.spec.Current
	if set["current"] {
		I = *f.current
	}
	rng := t.spec.Sweep
	if f.from != nil {
		if set["from"] {
			rng[0] = *f.from
		}
		if set["to"] {
			rng[1] = *f.to
		}
	}
	for _, v := range []float64{I, rng[0], rng[1]} {
		if math.IsNaN(v) || v < m.CurrentMin || v > m.CurrentMax {
			return nil, 0, rng, usageError{fmt.Sprintf("current %g is outside what %s takes (%g to %g %s)", v, m.Name, m.CurrentMin, m.CurrentMax, m.CurrentUnit)}
		}
	}
	if !(rng[0] < rng[1]) {
		return nil, 0, rng, usageError{fmt.Sprintf("--from %g --to %g is an empty range: give the lower current first", rng[0], rng[1])}
	}
	return t, I, rng, nil
}

func runAnalyze(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("analyze", "PATCH [flags]",
		"Finds the equilibria and limit cycles of one neuron of PATCH at a current, the\n"+
			"bifurcations of its rest state over a range of currents, where firing stops on a\n"+
			"down sweep, and whether it is a mono- or bistable integrator or resonator.",
		"separatrix analyze hopf-sub --current 45 --json", stderr)
	af := addAnalysisFlags(fs, true, true)
	asJSON := fs.Bool("json", false, "print the analysis as JSON")
	patch, err := onePatch(fs, args, stderr)
	if err != nil {
		return err
	}
	t, I, rng, err := af.resolve(fs, patch)
	if err != nil {
		return err
	}
	r, err := t.system.Analyze(I, rng[0], rng[1], t.spec.Init)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reportJSON(t, r))
	}
	_, err = io.WriteString(stdout, reportText(t, r))
	return err
}

// The JSON shape of analyze --json (issue 4); fields may be added, never renamed.
type (
	jsonReport struct {
		Patch            string        `json:"patch"`
		Neuron           string        `json:"neuron"`
		Model            string        `json:"model"`
		Preset           string        `json:"preset,omitempty"`
		CurrentUnit      string        `json:"current_unit"`
		Current          float64       `json:"current"`
		Range            [2]float64    `json:"range"`
		Equilibria       []jsonEq      `json:"equilibria"`
		Bifurcations     []jsonBif     `json:"bifurcations"`
		Cycles           []jsonCycle   `json:"cycles"`
		CycleEnd         *jsonCycleEnd `json:"cycle_end"`
		CycleFoldCurrent *float64      `json:"cycle_fold_current"`
		BistableRange    *[2]float64   `json:"bistable_range"`
		BistableBelow    bool          `json:"bistable_below_range,omitempty"`
		BistableRanges   []jsonRange   `json:"bistable_ranges"`
		Attractors       []jsonBranch  `json:"attractors"`
		RestLostOutside  *jsonCycleEnd `json:"rest_lost_outside_range,omitempty"`
		Rheobase         *float64      `json:"rheobase"`
		Class            jsonClass     `json:"class"`
		Notes            []string      `json:"notes,omitempty"`
	}
	jsonEq struct {
		State       map[string]float64 `json:"state"`
		Stability   string             `json:"stability"`
		Type        string             `json:"type"`
		Eigenvalues []jsonComplex      `json:"eigenvalues"`
	}
	jsonComplex struct {
		Re float64 `json:"re"`
		Im float64 `json:"im"`
	}
	jsonBif struct {
		Kind        string             `json:"kind"`
		Current     float64            `json:"current"`
		State       map[string]float64 `json:"state"`
		Criticality string             `json:"criticality,omitempty"`
		Lyapunov    *float64           `json:"first_lyapunov_coefficient,omitempty"`
		FrequencyHz *float64           `json:"frequency_hz,omitempty"`
	}
	jsonCycle struct {
		Stability string  `json:"stability"`
		PeriodMS  float64 `json:"period_ms"`
		HeardHz   float64 `json:"heard_hz"`
		VMin      float64 `json:"v_min"`
		VMax      float64 `json:"v_max"`
	}
	jsonCycleEnd struct {
		Current float64 `json:"current"`
		Kind    string  `json:"kind"`
	}
	jsonClass struct {
		Stability    string `json:"stability"`
		Excitability string `json:"excitability"`
	}
	// jsonRange is an interval where a stable equilibrium and a stable cycle coexist.
	// Each end says what bounds it: the bifurcation (kind) of the state (state) that
	// appears or disappears there.
	jsonRange struct {
		From      float64    `json:"from"`
		To        float64    `json:"to"`
		FromKind  string     `json:"from_kind"`
		ToKind    string     `json:"to_kind"`
		FromState string     `json:"from_state"`
		ToState   string     `json:"to_state"`
		States    []string   `json:"states"`
		Also      []jsonSpan `json:"also,omitempty"`
	}
	jsonSpan struct {
		State string  `json:"state"`
		From  float64 `json:"from"`
		To    float64 `json:"to"`
	}
	// jsonBranch is a branch of stable states: equilibria or cycles.
	jsonBranch struct {
		State    string  `json:"state"`
		Type     string  `json:"type"` // "equilibrium" or "cycle"
		From     float64 `json:"from"`
		To       float64 `json:"to"`
		FromKind string  `json:"from_kind"`
		ToKind   string  `json:"to_kind"`
	}
)

func stateMap(m *emu.Model, x []float64) map[string]float64 {
	out := map[string]float64{}
	for i, v := range m.Vars {
		out[v.Name] = x[i]
	}
	return out
}

func reportJSON(t *target, r *analysis.Report) *jsonReport {
	m := t.spec.Model
	j := &jsonReport{
		Patch: t.patch.Name, Neuron: t.name, Model: m.Name, Preset: t.spec.Preset, CurrentUnit: m.CurrentUnit,
		Current: r.Current, Range: r.Range,
		Equilibria: []jsonEq{}, Bifurcations: []jsonBif{}, Cycles: []jsonCycle{},
		BistableRanges: []jsonRange{}, Attractors: []jsonBranch{},
		CycleFoldCurrent: r.CycleFold, BistableRange: r.Bistable, BistableBelow: r.BistableBelow,
		Class: jsonClass{Stability: r.Stability, Excitability: r.Excitability},
	}
	for _, e := range r.Equilibria {
		je := jsonEq{State: stateMap(m, e.State), Stability: e.Stability, Type: e.Type}
		for _, l := range e.Eigenvalues {
			je.Eigenvalues = append(je.Eigenvalues, jsonComplex{real(l), imag(l)})
		}
		j.Equilibria = append(j.Equilibria, je)
	}
	for _, b := range r.Bifurcations {
		jb := jsonBif{Kind: b.Kind, Current: b.Current, State: stateMap(m, b.State), Criticality: b.Criticality}
		if b.Kind == "hopf" {
			l, f := b.Lyapunov, b.FrequencyHz
			jb.Lyapunov, jb.FrequencyHz = &l, &f
		}
		j.Bifurcations = append(j.Bifurcations, jb)
	}
	for _, c := range r.Cycles {
		st := "unstable"
		if c.Stable {
			st = "stable"
		}
		j.Cycles = append(j.Cycles, jsonCycle{Stability: st, PeriodMS: c.Period, HeardHz: 1000 / c.Period * t.patch.Speed, VMin: c.VMin, VMax: c.VMax})
	}
	if r.CycleEnd != nil {
		j.CycleEnd = &jsonCycleEnd{Current: *r.CycleEnd, Kind: r.CycleEndKind}
	}
	if r.RestLoss != nil {
		c := r.RestLoss.Current
		j.Rheobase = &c
	}
	if l := r.LossBeyond; l != nil {
		j.RestLostOutside = &jsonCycleEnd{Current: l.Current, Kind: l.Kind}
	}
	for _, b := range r.BistableRanges {
		jr := jsonRange{From: b.From.Current, To: b.To.Current, FromKind: b.From.Kind, ToKind: b.To.Kind,
			FromState: b.From.Of, ToState: b.To.Of, States: b.States[:]}
		for _, a := range b.Also {
			jr.Also = append(jr.Also, jsonSpan{State: a.Name, From: a.From, To: a.To})
		}
		j.BistableRanges = append(j.BistableRanges, jr)
	}
	for _, a := range r.Attractors {
		typ := "equilibrium"
		if a.Cycle {
			typ = "cycle"
		}
		j.Attractors = append(j.Attractors, jsonBranch{State: a.Name, Type: typ, From: a.From.Current, To: a.To.Current,
			FromKind: a.From.Kind, ToKind: a.To.Kind})
	}
	j.Notes = notes(t)
	return j
}

// notes are the caveats of an analysis: what it leaves out of the patch and the model.
func notes(t *target) []string {
	var out []string
	p := t.patch
	if len(p.Engine.Gaps) > 0 || len(p.Engine.Synapses) > 0 {
		out = append(out, fmt.Sprintf("neuron %s is analysed alone: the patch's gap junctions and synapses are left out", t.name))
	}
	if t.spec.Noise > 0 {
		out = append(out, "the patch's current noise is left out")
	}
	if len(t.spec.Model.Vars) > 2 {
		out = append(out, "unstable limit cycles are searched only in two-variable models")
	}
	return out
}

// bifName is how the report names a bifurcation.
func bifName(b *analysis.Bifurcation) string {
	switch b.Kind {
	case "snic":
		return "saddle-node on invariant circle (SNIC)"
	case "saddle-node":
		return "saddle-node off invariant circle"
	case "hopf":
		return b.Criticality + " Andronov-Hopf"
	}
	return b.Kind
}

// hearing says, for each class, what the audience hears when the knob crosses the
// bifurcation (Izhikevich 2007, sec. 7.1).
var hearing = map[string]string{
	"monostable integrator": "Turn the current up past the bifurcation and firing starts at an arbitrarily " +
		"low rate that rises with the current; turn it back and firing stops at the same place. " +
		"Kicks add up: several small ones can make a spike.",
	"bistable integrator": "Firing starts abruptly at a clear rate when the current passes the " +
		"saddle-node, and keeps going on the way down far below it (hysteresis). Between the " +
		"two, a kick of the right size switches the neuron between rest and firing.",
	"monostable resonator": "Past the Hopf point the neuron starts to oscillate with a small " +
		"amplitude that grows with the current, at a pitch set by the rest state's damped " +
		"oscillation; it fades out the same way it came in.",
	"bistable resonator": "Rest loses stability abruptly and the neuron jumps to large spikes at " +
		"a finite rate; coming back down it keeps firing until the fold of limit cycles. Kicks " +
		"at the right rhythm (resonance) switch it on; a well-timed one switches it off.",
}

// timeUnits names the model's time unit and its rates: ms and Hz, or, for a
// dimensionless model (FitzHugh-Nagumo), time units played as 1 ms each.
func timeUnits(m *emu.Model) (unit, rate string) {
	if m.Vars[0].Unit == "" {
		return "time units", "per 1000 time units"
	}
	return "ms", "Hz"
}

func reportText(t *target, r *analysis.Report) string {
	m := t.spec.Model
	u := m.CurrentUnit
	tu, ru := timeUnits(m)
	var b strings.Builder
	pf := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	state := func(x []float64) string {
		var parts []string
		for i, v := range m.Vars {
			if v.Unit != "" {
				parts = append(parts, fmt.Sprintf("%s = %.2f %s", v.Name, x[i], v.Unit))
			} else {
				parts = append(parts, fmt.Sprintf("%s = %.4g", v.Name, x[i]))
			}
		}
		return strings.Join(parts, ", ")
	}
	cur := func(I float64) string { return strings.TrimSpace(fmt.Sprintf("%.4f %s", I, u)) }
	pf("%s: neuron %s, %s, at I = %s\n\n", t.patch.Name, t.name, presetText(t), strings.TrimSpace(fmt.Sprintf("%g %s", r.Current, u)))
	pf("Equilibria\n")
	if len(r.Equilibria) == 0 {
		pf("  none with V from %g to %g %s\n", m.VoltageRange[0], m.VoltageRange[1], m.Vars[0].Unit)
	}
	for _, e := range r.Equilibria {
		var ev []string
		for _, l := range e.Eigenvalues {
			if imag(l) == 0 {
				ev = append(ev, fmt.Sprintf("%.3g", real(l)))
			} else {
				ev = append(ev, fmt.Sprintf("%.3g%+.3gi", real(l), imag(l)))
			}
		}
		pf("  %-15s %s  (eigenvalues %s per %s)\n", e.Kind(), state(e.State), strings.Join(ev, ", "), strings.TrimSuffix(tu, "s"))
	}
	pf("\nLimit cycles\n")
	if len(r.Cycles) == 0 {
		pf("  none found at this current\n")
	}
	for _, c := range r.Cycles {
		st := "unstable"
		if c.Stable {
			st = "stable"
		}
		pf("  %-8s period %.3f %s (%.1f %s%s), V from %.2f to %.2f\n", st, c.Period, tu, 1000/c.Period, ru, heard(t, 1000/c.Period), c.VMin, c.VMax)
	}
	pf("\nBifurcations of stable equilibria for I from %s\n", strings.TrimSpace(fmt.Sprintf("%g to %g %s", r.Range[0], r.Range[1], u)))
	if len(r.Bifurcations) == 0 {
		pf("  none\n")
	}
	for i := range r.Bifurcations {
		bf := &r.Bifurcations[i]
		pf("  I = %-9.4f %s at %s", bf.Current, bifName(bf), state(bf.State))
		if bf.Kind == "hopf" {
			pf(" (born at %.1f %s%s)", bf.FrequencyHz, ru, heard(t, bf.FrequencyHz))
		}
		pf("\n")
	}
	pf("\n")
	pf("%s", restText(r, m, cur))
	for _, br := range r.BistableRanges {
		if !isRestBistable(r, br) {
			pf("%s\n", wrap(rangeText(br, cur), 88))
		}
	}
	if r.RestLoss != nil {
		class := r.Stability + " " + r.Excitability
		pf("Class: %s.\n\n%s\n", class, wrap(hearing[class], 88))
	}
	for _, br := range r.BistableRanges {
		if br.States != [2]string{"high", "firing"} || br.To.Kind == "above range" {
			continue
		}
		back := fmt.Sprintf("until %s, where firing starts again", cur(br.From.Current))
		if br.From.Of != "high" || br.From.Kind == "below range" {
			back = fmt.Sprintf("at least down to %s", cur(br.From.Current))
		}
		pf("\n%s\n", wrap(fmt.Sprintf("Depolarisation block: turn the current up past %s and firing stops; the neuron "+
			"sits at a high, steady level. Turn it back down and it stays there, silent, %s. Between the two a kick "+
			"of the right size switches it between firing and the high level.", cur(br.To.Current), back), 88))
	}
	if ns := notes(t); len(ns) > 0 {
		pf("\nNote: %s.\n", strings.Join(ns, "; "))
	}
	return b.String()
}

// restText is the report's account of the rest state: where it is lost, where firing
// stops on a down sweep and rest's bistable range with the firing cycle.
func restText(r *analysis.Report, m *emu.Model, cur func(float64) string) string {
	var b strings.Builder
	pf := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	var high *analysis.Attractor
	hasRest := false
	for i, a := range r.Attractors {
		hasRest = hasRest || a.Name == "rest"
		if a.Name == "high" && high == nil {
			high = &r.Attractors[i]
		}
	}
	switch {
	case r.Rest == nil:
		pf("No stable rest state at any current of this range (with V from %g to %g): move it with --from and --to.\n",
			m.VoltageRange[0], m.VoltageRange[1])
		return b.String()
	case !hasRest && high != nil:
		pf("%s\n", wrap(fmt.Sprintf("Rest, the low state, is not stable at any current of this range; the depolarised "+
			"(high) state is, from I = %s.", cur(high.From.Current)), 88))
		return b.String()
	case r.RestCurrent > r.Range[0]:
		pf("Rest is taken at I = %s, the lowest current of the range with a stable equilibrium.\n", cur(r.RestCurrent))
	}
	if r.RestLoss == nil {
		if l := r.LossBeyond; l != nil && l.Current >= m.CurrentMin && l.Current <= m.CurrentMax {
			pf("Rest stays stable over this range; it is lost at I = %s (%s), outside it: widen the range with --from and --to.\n",
				cur(l.Current), bifName(l))
		} else if l != nil {
			pf("Rest stays stable over this range; it would be lost at I = %s (%s), beyond the currents %s takes (%g to %g).\n",
				cur(l.Current), bifName(l), m.Name, m.CurrentMin, m.CurrentMax)
		} else {
			pf("Rest never loses stability as the current rises.\n")
		}
		return b.String()
	}
	pf("Rheobase: rest is lost at I = %s (%s).\n", cur(r.RestLoss.Current), bifName(r.RestLoss))
	switch {
	case r.CycleEnd == nil:
		pf("No firing cycle was found near it.\n")
	case r.CycleEndKind == "below range":
		pf("Firing goes on below I = %g on a down sweep: lower --from to find where it stops.\n", *r.CycleEnd)
	case r.CycleFold != nil:
		pf("On a down sweep firing stops at I = %s (%s).\n", cur(*r.CycleEnd), cycleEndName[r.CycleEndKind])
	default:
		pf("On a down sweep firing stops where it started: no hysteresis.\n")
	}
	if r.Bistable != nil {
		from := "from " + cur(r.Bistable[0])
		if r.BistableBelow {
			from = "from below " + cur(r.Bistable[0])
		}
		var also string
		for _, br := range r.BistableRanges {
			if isRestBistable(r, br) {
				also = alsoText(br, cur)
			}
		}
		pf("%s\n", wrap(fmt.Sprintf("Bistable %s to %s: rest and repetitive firing coexist%s.", from, cur(r.Bistable[1]), also), 88))
	}
	return b.String()
}

// isRestBistable reports whether br is the report's Bistable: rest's range with the
// firing cycle born where rest is lost.
func isRestBistable(r *analysis.Report, br analysis.BistableRange) bool {
	return r.Bistable != nil && br.States == [2]string{"rest", "firing"} &&
		br.From.Current == r.Bistable[0] && br.To.Current == r.Bistable[1]
}

// stateName is how the report names an attractor.
var stateName = map[string]string{
	"rest": "rest", "high": "the depolarised state", "firing": "the firing cycle", "oscillation": "a small oscillation",
}

// cycleEndName says how a branch of stable cycles ends.
var cycleEndName = map[string]string{
	"fold": "a fold of limit cycles", "homoclinic": "a saddle homoclinic orbit",
	"snic": "a saddle-node on invariant circle", "hopf": "a supercritical Andronov-Hopf",
}

// rangeText describes a bistable range other than rest's with the firing cycle: what
// coexists, and what happens at each end.
func rangeText(br analysis.BistableRange, cur func(float64) string) string {
	what := fmt.Sprintf("%s and %s coexist", stateName[br.States[0]], stateName[br.States[1]])
	switch br.States {
	case [2]string{"rest", "firing"}:
		what = "rest and repetitive firing coexist"
	case [2]string{"high", "firing"}:
		what = "the firing cycle and the depolarised state coexist (depolarisation block)"
	}
	return fmt.Sprintf("Bistable from %s to %s: %s%s. %s; %s.", cur(br.From.Current), cur(br.To.Current), what,
		alsoText(br, cur), capitalise(boundText(br.From, true, cur)), boundText(br.To, false, cur))
}

// alsoText names the other states that coexist over part of a bistable range.
func alsoText(br analysis.BistableRange, cur func(float64) string) string {
	var s string
	for _, a := range br.Also {
		s += fmt.Sprintf("; %s too, from %s to %s", stateName[a.Name], cur(a.From), cur(a.To))
	}
	return s
}

// boundText says what happens at one end of a bistable range (lower: its lower end).
func boundText(b analysis.Bound, lower bool, cur func(float64) string) string {
	name := stateName[b.Of]
	switch {
	case b.Kind == "below range":
		// Both states go on past the range: its end is the higher of their lower ends.
		return "it goes on below the range (lower --from to see where it begins)"
	case b.Kind == "above range":
		return "it goes on above the range (raise --to to see where it ends)"
	case b.Of == "firing" || b.Of == "oscillation":
		sweep := "an up"
		if lower {
			sweep = "a down"
		}
		what := map[string]string{"firing": "firing", "oscillation": "the small oscillation"}[b.Of]
		return fmt.Sprintf("on %s sweep %s stops at %s (%s)", sweep, what, cur(b.Current), cycleEndName[b.Kind])
	case b.Kind == "voltage range":
		return fmt.Sprintf("%s leaves the model's range of voltages at %s", name, cur(b.Current))
	}
	how := map[string]string{"snic": "a saddle-node on invariant circle", "saddle-node": "a saddle-node",
		"hopf": b.Criticality + " Andronov-Hopf"}[b.Kind]
	if lower {
		return fmt.Sprintf("%s becomes stable at %s (%s)", name, cur(b.Current), how)
	}
	return fmt.Sprintf("%s loses stability at %s (%s)", name, cur(b.Current), how)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// heard says at what frequency a rate of model time sounds at the patch's speed.
func heard(t *target, hz float64) string {
	if t.patch.Speed == 1 {
		return ""
	}
	return fmt.Sprintf("; heard at %.1f Hz at speed %g", hz*t.patch.Speed, t.patch.Speed)
}

// presetText names the neuron's model and preset, and the parameters the patch changed
// (then the preset's name no longer tells the whole story).
func presetText(t *target) string {
	s := fmt.Sprintf("%s preset %s", t.spec.Model.Name, t.spec.Preset)
	if ch := changedParams(t); len(ch) > 0 {
		s += " with " + strings.Join(ch, ", ")
	}
	if n := t.spec.Population.Count; n > 1 {
		s += fmt.Sprintf(" (one member of a population of %d: the one at its own values, the centre of its spread)", n)
	}
	return s
}

// changedParams lists the parameters whose values differ from the neuron's preset.
func changedParams(t *target) []string {
	m := t.spec.Model
	p, ok := m.Preset(t.spec.Preset)
	if !ok {
		return nil
	}
	want := m.Values(nil, p)
	var changed []string
	for i, v := range t.spec.Params {
		if v != want[i] {
			changed = append(changed, fmt.Sprintf("%s = %g", m.Params[i].Name, v))
		}
	}
	return changed
}

// presetShort is presetText for a picture's title.
func presetShort(t *target) string {
	s := t.spec.Model.Name + " " + t.spec.Preset
	if len(changedParams(t)) > 0 {
		s += ", modified"
	}
	return s
}
