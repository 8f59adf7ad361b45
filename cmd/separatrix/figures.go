package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
	"github.com/separatrix-audio/separatrix/io/figure"
	"github.com/separatrix-audio/separatrix/io/outfile"
	"github.com/separatrix-audio/separatrix/io/render"
	"github.com/separatrix-audio/separatrix/patches"
)

// figureOutput checks -o, refuses it if it is the patch file or the score the command
// reads (score is "" if none), and makes its directory. figure.Save then writes it
// through package outfile.
func figureOutput(out, patch, score string) error {
	if out == "" {
		return usageError{"needs -o FILE.png or -o FILE.svg"}
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".png" && ext != ".svg" {
		return usageError{fmt.Sprintf("-o %s: want a .png or .svg file", out)}
	}
	var files outfile.Files
	if patches.IsFile(patch) {
		files.Input("the patch file", patch)
	}
	files.Input("--score", score)
	files.Output("-o", out)
	if err := files.Check(); err != nil {
		return usageError{err.Error()}
	}
	return os.MkdirAll(filepath.Dir(out), 0o755)
}

func axisLabel(v emu.Var) string {
	if v.Unit == "" {
		return v.Name
	}
	return fmt.Sprintf("%s (%s)", v.Name, v.Unit)
}

func currentText(I float64, unit string) string {
	return strings.TrimSpace(fmt.Sprintf("I = %.4g %s", I, unit))
}

func points(xs [][2]float64) []figure.Point {
	out := make([]figure.Point, len(xs))
	for i, x := range xs {
		out[i] = figure.Point{X: x[0], Y: x[1]}
	}
	return out
}

func pieces(ps [][][2]float64) [][]figure.Point {
	var out [][]figure.Point
	for _, p := range ps {
		out = append(out, points(p))
	}
	return out
}

func runPortrait(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("portrait", "PATCH -o FILE.png|.svg [flags]",
		"Draws the phase portrait of one neuron of PATCH at a current: vector field,\n"+
			"nullclines, equilibria, limit cycles, the saddle's separatrices, the firing\n"+
			"cycle's basin (where rest and firing coexist) and a trajectory from the patch's\n"+
			"initial state.", "separatrix portrait hysteresis --current 2 -o out/portrait.png", stderr)
	af := addAnalysisFlags(fs, true, false)
	out := fs.String("o", "", "write the picture to this `file` (.png or .svg)")
	patch, err := onePatch(fs, args, stderr)
	if err != nil {
		return err
	}
	if err := figureOutput(*out, patch, ""); err != nil {
		return err
	}
	t, I, _, err := af.resolve(fs, patch)
	if err != nil {
		return err
	}
	p := t.system.Portrait(I, t.spec.Init, analysis.PortraitOptions{})
	fig := portraitFigure(t, p)
	if err := fig.Save(*out, figure.DefaultWidth, figure.DefaultHeight); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

func portraitFigure(t *target, p *analysis.Portrait) *figure.Portrait {
	m := t.spec.Model
	yv := m.Vars[p.Y]
	f := &figure.Portrait{
		Title:  fmt.Sprintf("%s (%s) at %s", t.patch.Name, presetShort(t), currentText(p.Current, m.CurrentUnit)),
		XLabel: axisLabel(m.Vars[0]), YLabel: axisLabel(yv),
		XMin: p.XRange[0], XMax: p.XRange[1], YMin: p.YRange[0], YMax: p.YRange[1],
		Field: p.Field,
		Nullclines: []figure.Nullcline{
			{Label: "V-nullcline (dV/dt = 0)", Pieces: pieces(p.VNullcline)},
			{Label: yv.Name + "-nullcline (d" + yv.Name + "/dt = 0)", Pieces: pieces(p.YNullcline)},
		},
		Separatrices:    pieces(p.Separatrices),
		SeparatrixLabel: "separatrix (stable manifold of the saddle)",
		Basin:           p.Basin,
		BasinLabel:      "basin of the firing cycle",
		Trajectory:      points(p.Trajectory),
		TrajectoryLabel: "trajectory from the patch's initial state",
	}
	if p.Projected {
		var others []string
		for i, v := range m.Vars[1:] {
			if i+1 != p.Y {
				others = append(others, v.Name)
			}
		}
		f.Note = fmt.Sprintf("(V, %s) projection of the %d-variable model; field, nullclines and basin with %s at their steady state for V",
			yv.Name, len(m.Vars), strings.Join(others, ", "))
	}
	for _, e := range p.Equilibria {
		f.Equilibria = append(f.Equilibria, figure.Equilibrium{
			X: e.State[0], Y: e.State[p.Y], Stable: e.Stable(), Saddle: e.Type == "saddle", Kind: e.Kind(),
		})
	}
	for _, c := range p.Cycles {
		fc := figure.Cycle{Stable: c.Stable}
		for _, x := range c.Orbit {
			fc.Points = append(fc.Points, figure.Point{X: x[0], Y: x[p.Y]})
		}
		f.Cycles = append(f.Cycles, fc)
	}
	return f
}

func runBifurcation(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bifurcation", "PATCH -o FILE.png|.svg [flags]",
		"Draws the bifurcation diagram of one neuron of PATCH: V of the equilibria against\n"+
			"the current (stable solid, unstable dashed), the voltage range of stable and\n"+
			"unstable limit cycles, the bifurcation points, and below it the firing rate on a\n"+
			"slow up sweep and down sweep, where hysteresis shows.", "separatrix bifurcation hopf-sub -o out/hopf-sub.svg", stderr)
	af := addAnalysisFlags(fs, false, true)
	out := fs.String("o", "", "write the diagram to this `file` (.png or .svg)")
	steps := fs.Int("steps", 120, "currents per sweep (more: finer, slower)")
	patch, err := onePatch(fs, args, stderr)
	if err != nil {
		return err
	}
	if *steps < 10 || *steps > 2000 {
		return usageError{fmt.Sprintf("--steps %d: give 10 to 2000", *steps)}
	}
	if err := figureOutput(*out, patch, ""); err != nil {
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
	d := t.system.Diagram(r, analysis.DiagramOptions{Steps: *steps})
	if err := diagramFigure(t, d).Save(*out, figure.DefaultWidth, figure.DefaultHeight); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

func diagramFigure(t *target, d *analysis.Diagram) *figure.Diagram {
	m := t.spec.Model
	r := d.Report
	_, rateUnit := timeUnits(m)
	f := &figure.Diagram{
		Title:        strings.TrimSuffix(fmt.Sprintf("%s (%s): %s %s", t.patch.Name, presetShort(t), r.Stability, r.Excitability), ": "),
		CurrentLabel: strings.TrimSpace("I (" + m.CurrentUnit + ")"),
		VLabel:       axisLabel(m.Vars[0]),
		RateLabel:    "rate of firing or oscillation (" + rateUnit + ")",
		RateUp:       figure.Sweep{I: d.Up.I, Hz: d.Up.Hz},
		RateDown:     figure.Sweep{I: d.Down.I, Hz: d.Down.Hz},
	}
	if m.CurrentUnit == "" {
		f.CurrentLabel = "I"
	}
	for _, b := range d.Equilibria {
		f.Equilibria = append(f.Equilibria, figure.Branch{I: b.I, V: b.V, Stable: b.Stable})
	}
	for _, c := range d.Cycles {
		f.Cycles = append(f.Cycles, figure.CycleBranch{I: c.I, VMin: c.VMin, VMax: c.VMax, Stable: c.Stable})
	}
	for i := range r.Bifurcations {
		b := &r.Bifurcations[i]
		label := map[string]string{"snic": "SNIC", "saddle-node": "SN"}[b.Kind]
		if b.Kind == "hopf" {
			label = "Hopf (" + strings.TrimSuffix(b.Criticality, "critical") + ")"
		}
		f.Bifurcations = append(f.Bifurcations, figure.Bifurcation{I: b.Current, V: b.State[0], Label: fmt.Sprintf("%s %.4g", label, b.Current)})
	}
	if r.CycleFold != nil {
		// Mark the end of the firing branch: a fold at the top of the cycle, a
		// homoclinic orbit at its bottom, where it touches the saddle.
		v := math.NaN()
		for _, c := range d.Cycles {
			if c.Stable && len(c.I) > 0 {
				v = c.VMax[0]
				if r.CycleEndKind == "homoclinic" {
					v = c.VMin[0]
				}
			}
		}
		label := map[string]string{"fold": "fold of cycles", "homoclinic": "homoclinic"}[r.CycleEndKind]
		if !math.IsNaN(v) {
			f.Bifurcations = append(f.Bifurcations, figure.Bifurcation{I: *r.CycleFold, V: v, Label: fmt.Sprintf("%s %.4g", label, *r.CycleFold)})
		}
	}
	labelled := map[float64]bool{}
	for _, b := range r.BistableRanges {
		f.Bistable = append(f.Bistable, figure.Interval{Lo: b.From.Current, Hi: b.To.Current})
		// Where firing stops going up (above a high state): a fold at the top of the cycle.
		if e := b.To; e.Kind == "fold" && e.Cycle != nil && !labelled[e.Current] {
			labelled[e.Current] = true
			f.Bifurcations = append(f.Bifurcations, figure.Bifurcation{I: e.Current, V: e.Cycle.VMax, Label: fmt.Sprintf("fold of cycles %.4g", e.Current)})
		}
	}
	if len(m.Vars) > 2 {
		f.Note = "unstable limit cycles are computed only for two-variable models"
	}
	return f
}

func runTrace(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("trace", "PATCH -o FILE.png|.svg [flags]",
		"Renders PATCH offline, as render does with the same performance flags, and draws\n"+
			"each neuron's voltage and injected current against time with its spikes marked.",
		"separatrix trace hysteresis --ramp current=-1:6:10 --ramp current=6:-1:10 -o out/trace.png", stderr)
	var (
		out      = fs.String("o", "", "write the picture to this `file` (.png or .svg)")
		duration = fs.Duration("duration", 0, "render this long (default: as long as the ramps or the score, else 10s)")
		seed     = fs.Uint64("seed", 0, "noise seed (default: the patch's)")
		pf       = addPerformanceFlags(fs, true)
	)
	patch, err := onePatch(fs, args, stderr)
	if err != nil {
		return err
	}
	if err := figureOutput(*out, patch, *pf.score); err != nil {
		return err
	}
	p, err := patches.Load(patch)
	if err != nil {
		return err
	}
	perf, err := pf.performance()
	if err != nil {
		return err
	}
	tr, err := traceFigure(p, perf, render.Options{SampleRate: 48000, Duration: duration.Seconds(), Seed: *seed})
	if err != nil {
		return err
	}
	if err := tr.Save(*out, figure.DefaultWidth, figure.DefaultHeight); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// traceFigure renders the performance and collects voltage, current and spikes.
func traceFigure(p *patches.Patch, perf render.Performance, opt render.Options) (*figure.Trace, error) {
	n := len(p.Engine.Neurons)
	tr := &figure.Trace{
		Title:     p.Name,
		TimeLabel: "t (s of sound)",
		Neurons:   make([]figure.TraceNeuron, n),
	}
	// Column of each neuron's V and I in the table rows (see render.Header).
	colV, colI := make([]int, n), make([]int, n)
	col := 1
	for i, s := range p.Engine.Neurons {
		colV[i] = col
		col += len(s.Model.Vars)
		colI[i] = col
		col++
		tr.Neurons[i].Name = p.NeuronNames[i]
	}
	first := p.Engine.Neurons[0].Model
	tr.VLabel, tr.ILabel = axisLabel(first.Vars[0]), strings.TrimSpace("I ("+first.CurrentUnit+")")
	if first.CurrentUnit == "" {
		tr.ILabel = "I"
	}
	sink := render.Sink{
		Table: func(row []float64) error {
			t := row[0] / 1000
			for i := range tr.Neurons {
				nr := &tr.Neurons[i]
				nr.T, nr.V, nr.I = append(nr.T, t), append(nr.V, row[colV[i]]), append(nr.I, row[colI[i]])
			}
			return nil
		},
	}
	rate := opt.SampleRate
	sink.Spike = func(s emu.Spike) {
		nr := &tr.Neurons[s.Neuron]
		nr.Spikes = append(nr.Spikes, float64(s.Frame)/float64(rate))
	}
	res, err := render.Run(p, perf, opt, sink)
	if err != nil {
		return nil, err
	}
	spikes := 0
	for _, nr := range tr.Neurons {
		spikes += len(nr.Spikes)
	}
	tr.Note = fmt.Sprintf("%.3g s of sound at speed %g (%.3g s of model time), %d spikes", res.Seconds(), p.Speed, res.Seconds()*p.Speed, spikes)
	return tr, nil
}
