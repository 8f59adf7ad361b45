package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/separatrix-audio/separatrix/emu/probe"
	"github.com/separatrix-audio/separatrix/io/figure"
)

// The experiments of probe, and the flags that belong to each.
var probeExperiments = map[string][]string{
	"doublet":   {"amplitude", "width", "intervals"},
	"rebound":   {"amplitudes", "widths"},
	"threshold": {"width", "amplitudes"},
	"chirp":     {"amplitude", "from", "to", "seconds"},
}

const probeNames = "doublet, rebound, threshold or chirp"

func runProbe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", "EXPERIMENT PATCH [flags]",
		"Runs an experiment that tells an integrator from a resonator on one neuron of PATCH,\n"+
			"offline, from rest at a holding current, and reports each trial, a summary and a\n"+
			"verdict (integrator or resonator):\n"+
			"  doublet    two brief pulses, their interval swept: the interval that fires with the\n"+
			"             smallest pulses, beside the damped period 2π/ω of the rest state\n"+
			"  rebound    an inhibitory pulse, swept in size and duration: a spike after release?\n"+
			"  threshold  one pulse, amplitude swept: all-or-none (sharp threshold) or graded\n"+
			"  chirp      a small sine whose frequency sweeps up: the frequency it answers most\n"+
			"Times are ms and frequencies Hz of model time.",
		"separatrix probe doublet hopf-super -o out/doublet.png", stderr)
	af := addAnalysisFlags(fs, true, false)
	var (
		asJSON     = fs.Bool("json", false, "print the trials and the summary as JSON")
		out        = fs.String("o", "", "draw the sweep and two example trials to this `file` (.png or .svg)")
		amplitude  = fs.Float64("amplitude", 0, "doublet: each pulse's `amplitude`; chirp: the sine's (default: below threshold, from the neuron)")
		width      = fs.Float64("width", 0, "doublet, threshold: the pulse width in `ms` (default: from the model's time scale)")
		intervals  = fs.String("intervals", "", "doublet: the intervals between the pulses' onsets, `FROM:TO:STEPS` in ms (default: up to about twice the damped period)")
		amplitudes = fs.String("amplitudes", "", "threshold: `FROM:TO:STEPS`; rebound: a comma-separated list of negative amplitudes")
		widths     = fs.String("widths", "", "rebound: a comma-separated list of pulse widths in `ms`")
		from       = fs.Float64("from", 0, "chirp: the lowest frequency in `Hz`")
		to         = fs.Float64("to", 0, "chirp: the highest frequency in `Hz`")
		seconds    = fs.Float64("seconds", 0, "chirp: how long the sweep lasts, in `seconds` of model time (default 2)")
	)
	rest, err := parseInterspersed(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usageError{"probe takes an EXPERIMENT (" + probeNames + ") and a PATCH, e.g. separatrix probe doublet hopf-super"}
	}
	exp, patch := rest[0], rest[1]
	allowed, ok := probeExperiments[exp]
	if !ok {
		return usageError{fmt.Sprintf("there is no experiment %q: give %s", exp, probeNames)}
	}
	var wrong []string
	fs.Visit(func(f *flag.Flag) {
		for _, all := range probeExperiments {
			for _, name := range all {
				if f.Name == name && !contains(allowed, name) {
					wrong = append(wrong, "--"+name)
					return
				}
			}
		}
	})
	if len(wrong) > 0 {
		return usageError{fmt.Sprintf("%s does not go with %s (it takes %s)", strings.Join(wrong, ", "), exp, flagList(allowed))}
	}
	if *out != "" {
		if err := figureOutput(*out, patch, ""); err != nil {
			return err
		}
	}
	t, I, _, err := af.resolve(fs, patch)
	if err != nil {
		return err
	}
	n := probe.Neuron{Spec: t.spec, Current: I}
	res, err := runExperiment(exp, n, *amplitude, *width, *intervals, *amplitudes, *widths, *from, *to, *seconds)
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			return err
		}
		// The command names itself already: "separatrix probe: at 20 µA/cm² ...".
		return errors.New(strings.TrimPrefix(err.Error(), "probe: "))
	}
	head := probeHead{Experiment: exp, Patch: t.patch.Name, Neuron: t.name, Current: I}
	if *asJSON {
		b, err := json.MarshalIndent(res.json(head), "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		unit := t.spec.Model.CurrentUnit
		fmt.Fprintf(stdout, "%s: %s of %s (%s) at %s\n\n", exp, t.name, t.patch.Name, presetShort(t), currentText(I, unit))
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		res.table(tw)
		tw.Flush()
		fmt.Fprintf(stdout, "\n%s\nverdict: %s\n", res.summary(unit), res.verdict())
	}
	if *out != "" {
		m := t.spec.Model
		f := res.figure(fmt.Sprintf("%s (%s) at %s: %s: %s", t.patch.Name, t.name, currentText(I, m.CurrentUnit), exp, res.verdict()), m.CurrentUnit, m.Vars[0].Unit)
		f.TimeLabel, f.VLabel = "t (ms)", axisLabel(t.spec.Model.Vars[0])
		if err := f.Save(*out, figure.DefaultWidth, figure.DefaultHeight); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintf(stdout, "wrote %s\n", *out)
		}
	}
	return nil
}

// runExperiment runs one experiment with the flags given (zero: the defaults).
func runExperiment(exp string, n probe.Neuron, amplitude, width float64, intervals, amplitudes, widths string, from, to, seconds float64) (probeResult, error) {
	var res probeResult
	var err error
	switch exp {
	case "doublet":
		opt := probe.DoubletOptions{Amplitude: amplitude, Width: width}
		if intervals != "" {
			if opt.From, opt.To, opt.Steps, err = parseSweep("--intervals", intervals); err != nil {
				return nil, err
			}
		}
		r, err := probe.Doublet(n, opt)
		if err != nil {
			return nil, err
		}
		res = doubletReport{r}
	case "rebound":
		opt := probe.ReboundOptions{}
		if opt.Amplitudes, err = parseList("--amplitudes", amplitudes); err != nil {
			return nil, err
		}
		if opt.Widths, err = parseList("--widths", widths); err != nil {
			return nil, err
		}
		r, err := probe.Rebound(n, opt)
		if err != nil {
			return nil, err
		}
		res = reboundReport{r}
	case "threshold":
		opt := probe.ThresholdOptions{Width: width}
		if amplitudes != "" {
			if opt.From, opt.To, opt.Steps, err = parseSweep("--amplitudes", amplitudes); err != nil {
				return nil, err
			}
		}
		r, err := probe.Threshold(n, opt)
		if err != nil {
			return nil, err
		}
		res = thresholdReport{r}
	case "chirp":
		r, err := probe.Chirp(n, probe.ChirpOptions{FromHz: from, ToHz: to, Seconds: seconds, Amplitude: amplitude})
		if err != nil {
			return nil, err
		}
		res = chirpReport{r}
	}
	return res, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func flagList(names []string) string {
	var s []string
	for _, n := range names {
		s = append(s, "--"+n)
	}
	return strings.Join(s, ", ")
}

// parseSweep reads FROM:TO:STEPS.
func parseSweep(flagName, s string) (from, to float64, steps int, err error) {
	parts := strings.Split(s, ":")
	bad := usageError{fmt.Sprintf("%s %s: give FROM:TO:STEPS, e.g. 1:20:40", flagName, s)}
	if len(parts) != 3 {
		return 0, 0, 0, bad
	}
	if from, err = strconv.ParseFloat(parts[0], 64); err != nil {
		return 0, 0, 0, bad
	}
	if to, err = strconv.ParseFloat(parts[1], 64); err != nil {
		return 0, 0, 0, bad
	}
	if steps, err = strconv.Atoi(parts[2]); err != nil {
		return 0, 0, 0, bad
	}
	if !(from < to) || math.IsInf(to, 0) || steps < 2 || steps > 1000 {
		return 0, 0, 0, usageError{fmt.Sprintf("%s %s: FROM must be below TO, and STEPS 2 to 1000", flagName, s)}
	}
	return from, to, steps, nil
}

// parseList reads a comma-separated list of numbers ("" is none: the default).
func parseList(flagName, s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usageError{fmt.Sprintf("%s %s: give numbers separated by commas, e.g. -2,-5,-10", flagName, s)}
		}
		out = append(out, v)
	}
	if len(out) > 100 {
		return nil, usageError{fmt.Sprintf("%s: %d values; at most 100", flagName, len(out))}
	}
	return out, nil
}

// probeHead is what every experiment's JSON starts with.
type probeHead struct {
	Experiment string  `json:"experiment"`
	Patch      string  `json:"patch"`
	Neuron     string  `json:"neuron"`
	Current    float64 `json:"current"`
}

// probeResult is one experiment's outcome as the command prints and draws it.
type probeResult interface {
	json(h probeHead) any
	table(w io.Writer)
	summary(unit string) string
	verdict() string
	// figure draws it; cu and vu are the units of current and voltage ("" for none).
	figure(title, cu, vu string) *figure.Response
}

// withUnit is "what (unit)", or what alone without a unit.
func withUnit(what, unit string) string {
	if unit == "" {
		return what
	}
	return what + " (" + unit + ")"
}

func optMs(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func optNum(v *float64, prec int) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'g', prec, 64)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// examples turns an experiment's example trials into the figure's traces.
func examples(trs []probe.Trace) []figure.TraceNeuron {
	var out []figure.TraceNeuron
	for _, tr := range trs {
		out = append(out, figure.TraceNeuron{Name: tr.Label, T: tr.T, V: tr.V})
	}
	return out
}

type doubletReport struct{ r *probe.DoubletResult }

func (d doubletReport) json(h probeHead) any {
	return struct {
		probeHead
		Trials              []probe.DoubletTrial `json:"trials"`
		Verdict             string               `json:"verdict"`
		BestIntervalMs      *float64             `json:"best_interval_ms"`
		PredictedIntervalMs *float64             `json:"predicted_interval_ms"`
		Amplitude           float64              `json:"amplitude"`
		WidthMs             float64              `json:"width_ms"`
	}{h, d.r.Trials, d.r.Verdict, d.r.BestIntervalMs, d.r.PredictedIntervalMs, d.r.Amplitude, d.r.Width}
}

func (d doubletReport) table(w io.Writer) {
	fmt.Fprintf(w, "interval ms\tfires\tspikes\tpeak V\tlatency ms\tthreshold amplitude\t\n")
	for _, tr := range d.r.Trials {
		fmt.Fprintf(w, "%.2f\t%s\t%d\t%.1f\t%s\t%s\t\n", tr.IntervalMs, yesNo(tr.Fired), tr.Spikes, tr.PeakV, optMs(tr.LatencyMs), optNum(tr.ThresholdAmplitude, 4))
	}
}

func (d doubletReport) summary(unit string) string {
	return fmt.Sprintf("pulses of %.3g %s for %.3g ms; best interval %s ms; damped period 2π/ω of the rest state %s ms",
		d.r.Amplitude, unit, d.r.Width, optMs(d.r.BestIntervalMs), optMs(d.r.PredictedIntervalMs))
}

func (d doubletReport) verdict() string { return d.r.Verdict }

func (d doubletReport) figure(title, cu, vu string) *figure.Response {
	c := figure.ResponseCurve{Label: "smallest amplitude that fires the pair", Points: true}
	for _, tr := range d.r.Trials {
		c.X = append(c.X, tr.IntervalMs)
		if tr.ThresholdAmplitude != nil {
			c.Y = append(c.Y, *tr.ThresholdAmplitude)
		} else {
			c.Y = append(c.Y, math.NaN())
		}
	}
	f := &figure.Response{Title: title, Note: fmt.Sprintf("two pulses of %.3g ms", d.r.Width),
		XLabel: "interval between the pulses (ms)", YLabel: withUnit("threshold amplitude", cu), Curves: []figure.ResponseCurve{c},
		Examples: examples(d.r.Examples)}
	if v := d.r.BestIntervalMs; v != nil {
		f.Markers = append(f.Markers, figure.Marker{X: *v, Label: fmt.Sprintf("best %.3g ms", *v)})
	}
	if v := d.r.PredictedIntervalMs; v != nil {
		f.Markers = append(f.Markers, figure.Marker{X: *v, Label: fmt.Sprintf("2π/ω %.3g ms", *v), Dashed: true})
	}
	return f
}

type reboundReport struct{ r *probe.ReboundResult }

func (d reboundReport) json(h probeHead) any {
	return struct {
		probeHead
		Trials       []probe.ReboundTrial `json:"trials"`
		Verdict      string               `json:"verdict"`
		ReboundSpike bool                 `json:"rebound_spike"`
		Smallest     *probe.Pulse         `json:"smallest_pulse"`
		Overshoot    float64              `json:"overshoot_v"`
	}{h, d.r.Trials, d.r.Verdict, d.r.ReboundSpike, d.r.Smallest, d.r.Overshoot}
}

func (d reboundReport) table(w io.Writer) {
	fmt.Fprintf(w, "amplitude\twidth ms\tfires after\tspikes\tlowest V\tpeak V after\tlatency ms\t\n")
	for _, tr := range d.r.Trials {
		fmt.Fprintf(w, "%.3g\t%.3g\t%s\t%d\t%.1f\t%.1f\t%s\t\n", tr.Amplitude, tr.WidthMs, yesNo(tr.Fired), tr.Spikes, tr.MinV, tr.PeakV, optMs(tr.LatencyMs))
	}
}

func (d reboundReport) summary(unit string) string {
	if d.r.Smallest == nil {
		return "no inhibitory pulse tried makes it fire on release (no post-inhibitory rebound)"
	}
	return fmt.Sprintf("rebound spike: the smallest pulse that fires on release is %.3g %s for %.3g ms",
		d.r.Smallest.Amplitude, unit, d.r.Smallest.Width)
}

func (d reboundReport) verdict() string { return d.r.Verdict }

func (d reboundReport) figure(title, cu, vu string) *figure.Response {
	// One curve per amplitude: the highest V after release against the pulse's width.
	byAmp := map[float64]*figure.ResponseCurve{}
	var order []float64
	for _, tr := range d.r.Trials {
		c, ok := byAmp[tr.Amplitude]
		if !ok {
			c = &figure.ResponseCurve{Label: fmt.Sprintf("pulse of %.3g", tr.Amplitude), Points: true}
			byAmp[tr.Amplitude] = c
			order = append(order, tr.Amplitude)
		}
		c.X, c.Y = append(c.X, tr.WidthMs), append(c.Y, tr.PeakV)
	}
	f := &figure.Response{Title: title, Note: "highest V after the pulse ends; a spike's peak means a rebound spike",
		XLabel: "width of the inhibitory pulse (ms)", YLabel: withUnit("peak V after release", vu), Examples: examples(d.r.Examples)}
	for _, a := range order {
		f.Curves = append(f.Curves, *byAmp[a])
	}
	if s := d.r.Smallest; s != nil {
		f.Markers = append(f.Markers, figure.Marker{X: s.Width, Label: fmt.Sprintf("fires from %.3g ms at %.3g", s.Width, s.Amplitude)})
	}
	return f
}

type thresholdReport struct{ r *probe.ThresholdResult }

func (d thresholdReport) json(h probeHead) any {
	return struct {
		probeHead
		Trials             []probe.ThresholdTrial `json:"trials"`
		Verdict            string                 `json:"verdict"`
		ThresholdAmplitude *float64               `json:"threshold_amplitude"`
		ThresholdWidth     *float64               `json:"threshold_width"`
		WidthMs            float64                `json:"width_ms"`
		Approach           []probe.ThresholdTrial `json:"approach"`
	}{h, d.r.Trials, d.r.Verdict, d.r.ThresholdAmplitude, d.r.ThresholdWidth, d.r.Width, d.r.Approach}
}

func (d thresholdReport) table(w io.Writer) {
	fmt.Fprintf(w, "amplitude\tfires\tpeak V\tlatency ms\t\n")
	for _, tr := range d.r.Trials {
		fmt.Fprintf(w, "%.4g\t%s\t%.1f\t%s\t\n", tr.Amplitude, yesNo(tr.Fired), tr.PeakV, optMs(tr.LatencyMs))
	}
}

func (d thresholdReport) summary(unit string) string {
	s := fmt.Sprintf("a pulse of %.3g ms fires from %s %s; the peak V goes from 10%% to 90%% of a spike over %s of that amplitude",
		d.r.Width, optNum(d.r.ThresholdAmplitude, 5), unit, optNum(d.r.ThresholdWidth, 3))
	var lat []string
	for _, tr := range d.r.Approach {
		lat = append(lat, optMs(tr.LatencyMs))
	}
	if len(lat) > 0 {
		s += "\nlatency ever closer above it (1.1, 1.01, ... times): " + strings.Join(lat, ", ") + " ms"
	}
	return s
}

func (d thresholdReport) verdict() string { return d.r.Verdict }

func (d thresholdReport) figure(title, cu, vu string) *figure.Response {
	c := figure.ResponseCurve{Label: "peak V", Points: true}
	for _, tr := range d.r.Trials {
		c.X, c.Y = append(c.X, tr.Amplitude), append(c.Y, tr.PeakV)
	}
	f := &figure.Response{Title: title, Note: fmt.Sprintf("one pulse of %.3g ms; 10-90%% width %s of the threshold", d.r.Width, optNum(d.r.ThresholdWidth, 3)),
		XLabel: withUnit("pulse amplitude", cu), YLabel: withUnit("peak V", vu), Curves: []figure.ResponseCurve{c}, Examples: examples(d.r.Examples)}
	if v := d.r.ThresholdAmplitude; v != nil {
		f.Markers = append(f.Markers, figure.Marker{X: *v, Label: fmt.Sprintf("threshold %.4g", *v)})
	}
	return f
}

type chirpReport struct{ r *probe.ChirpResult }

func (d chirpReport) json(h probeHead) any {
	return struct {
		probeHead
		Trials   []probe.ChirpPoint `json:"trials"`
		Verdict  string             `json:"verdict"`
		PeakHz   *float64           `json:"peak_hz"`
		PeakGain *float64           `json:"peak_gain"`
		DampedHz *float64           `json:"damped_hz"`
		FromHz   float64            `json:"from_hz"`
		ToHz     float64            `json:"to_hz"`
		Seconds  float64            `json:"seconds"`
		Amp      float64            `json:"amplitude"`
		Spikes   int                `json:"spikes"`
	}{h, d.r.Trials, d.r.Verdict, d.r.PeakHz, d.r.PeakGain, d.r.DampedHz, d.r.FromHz, d.r.ToHz, d.r.Seconds, d.r.Amplitude, d.r.Spikes}
}

func (d chirpReport) table(w io.Writer) {
	// One row per input cycle is hundreds: the table shows about 40 (--json has all).
	fmt.Fprintf(w, "Hz\tresponse mV\t\n")
	every := max(1, len(d.r.Trials)/40)
	for i, tr := range d.r.Trials {
		if i%every == 0 || i == len(d.r.Trials)-1 {
			fmt.Fprintf(w, "%.3g\t%.3g\t\n", tr.Hz, tr.Amplitude)
		}
	}
}

func (d chirpReport) summary(string) string {
	if d.r.PeakHz == nil {
		return fmt.Sprintf("no peak: the response is largest at the lowest frequency; damped frequency of the rest state %s Hz", optNum(d.r.DampedHz, 3))
	}
	return fmt.Sprintf("the response peaks at %s Hz, %s times the lowest frequency's; damped frequency of the rest state %s Hz",
		optNum(d.r.PeakHz, 3), optNum(d.r.PeakGain, 3), optNum(d.r.DampedHz, 3))
}

func (d chirpReport) verdict() string { return d.r.Verdict }

func (d chirpReport) figure(title, cu, vu string) *figure.Response {
	c := figure.ResponseCurve{Label: withUnit("response amplitude", vu)}
	for _, tr := range d.r.Trials {
		c.X, c.Y = append(c.X, tr.Hz), append(c.Y, tr.Amplitude)
	}
	f := &figure.Response{Title: title, Note: "a small sine whose frequency sweeps up (ZAP)",
		XLabel: "frequency (Hz)", YLabel: withUnit("response", vu), Curves: []figure.ResponseCurve{c}, Examples: examples(d.r.Examples)}
	if v := d.r.PeakHz; v != nil {
		f.Markers = append(f.Markers, figure.Marker{X: *v, Label: fmt.Sprintf("peak %.3g Hz", *v)})
	}
	if v := d.r.DampedHz; v != nil {
		f.Markers = append(f.Markers, figure.Marker{X: *v, Label: fmt.Sprintf("ω/2π %.3g Hz", *v), Dashed: true})
	}
	return f
}
