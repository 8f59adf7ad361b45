package figure

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Diagram is a bifurcation diagram in two panels that share the current axis. The
// upper panel shows the membrane potential of equilibria, and the lowest and highest
// potential on each cycle, against the injected current; the lower panel shows the
// firing rate of an upward and a downward sweep of the current, which differ where the
// neuron is bistable. The lower panel is left out when both sweeps are empty. The
// current axis spans all the data given.
type Diagram struct {
	Title string // top line, e.g. "Hodgkin–Huxley, I from 0 to 60 µA/cm²"
	Note  string // optional smaller line under the title

	CurrentLabel string // label of the shared current axis, e.g. "I (µA/cm²)"
	VLabel       string // label of the upper panel's axis, e.g. "V (mV)"
	RateLabel    string // label of the lower panel's axis, e.g. "firing rate (Hz)"

	// Equilibria are branches of equilibria, each already split into runs of equal
	// stability: stable solid, unstable dashed.
	Equilibria []Branch

	// Cycles are branches of periodic orbits, drawn as two curves (the lowest and the
	// highest V on the orbit) in the same style: stable solid, unstable dashed.
	Cycles []CycleBranch

	// Bifurcations are marked with a diamond and labelled beside it, e.g.
	// {I: 4.51, V: -62, Label: "SNIC 4.51"}.
	Bifurcations []Bifurcation

	// RateUp and RateDown are the firing rates measured while the current is stepped up
	// and then back down.
	RateUp, RateDown Sweep

	// Bistable shades, in both panels, each range of current in which the neuron is
	// bistable: rest's with firing, and any other (depolarisation block, where a high
	// state and firing coexist). The ranges may overlap.
	Bistable []Interval
}

// Branch is a curve of equilibria: V[i] at current I[i]. I and V have equal lengths.
type Branch struct {
	I, V   []float64
	Stable bool
}

// CycleBranch is a curve of periodic orbits: at current I[i] the orbit's membrane
// potential ranges over [VMin[i], VMax[i]]. All three have equal lengths.
type CycleBranch struct {
	I, VMin, VMax []float64
	Stable        bool
}

// Bifurcation is a marked point of the upper panel.
type Bifurcation struct {
	I, V  float64
	Label string // text beside the marker; may be empty
}

// Sweep is a firing rate Hz[i] at current I[i]. I and Hz have equal lengths.
type Sweep struct {
	I, Hz []float64
}

// Interval is the closed range [Lo, Hi], Lo < Hi.
type Interval struct{ Lo, Hi float64 }

// Save draws the diagram to path, a .png or .svg file, width by height (each between
// MinSide and MaxSide). It returns an error, and leaves any existing file at path as it
// was, if the path, size or diagram is unusable or the file cannot be written.
func (d *Diagram) Save(path string, width, height vg.Length) error {
	return save(path, width, height, d.validate, func(c draw.Canvas) error {
		_, err := d.render(c)
		return err
	})
}

func (d *Diagram) validate() error {
	for i, b := range d.Equilibria {
		if err := sameLength(fmt.Sprintf("Equilibria[%d]", i), []string{"I", "V"}, b.I, b.V); err != nil {
			return err
		}
	}
	for i, b := range d.Cycles {
		if err := sameLength(fmt.Sprintf("Cycles[%d]", i), []string{"I", "VMin", "VMax"}, b.I, b.VMin, b.VMax); err != nil {
			return err
		}
	}
	if err := sameLength("RateUp", []string{"I", "Hz"}, d.RateUp.I, d.RateUp.Hz); err != nil {
		return err
	}
	if err := sameLength("RateDown", []string{"I", "Hz"}, d.RateDown.I, d.RateDown.Hz); err != nil {
		return err
	}
	for i, b := range d.Bistable {
		if !(finite(b.Lo) && finite(b.Hi) && b.Lo < b.Hi) {
			return fmt.Errorf("Bistable[%d] is [%g, %g]; want finite Lo < Hi", i, b.Lo, b.Hi)
		}
	}
	return nil
}

func (d *Diagram) hasRates() bool {
	return len(finiteRuns(zip(d.RateUp.I, d.RateUp.Hz))) > 0 ||
		len(finiteRuns(zip(d.RateDown.I, d.RateDown.Hz))) > 0
}

// render draws the diagram on c and returns its panels, upper first, or an error if
// they do not fit.
func (d *Diagram) render(c draw.Canvas) ([]*panel, error) {
	c = drawHeader(c, d.Title, d.Note)
	panels := []*panel{d.bifurcationPanel()}
	if d.hasRates() {
		panels = append(panels, d.ratePanel())
	}

	// Both panels show the same current range: all the currents given.
	var currents [][]float64
	for _, b := range d.Equilibria {
		currents = append(currents, b.I)
	}
	for _, b := range d.Cycles {
		currents = append(currents, b.I)
	}
	for _, b := range d.Bifurcations {
		currents = append(currents, []float64{b.I})
	}
	currents = append(currents, d.RateUp.I, d.RateDown.I)
	for _, b := range d.Bistable {
		currents = append(currents, []float64{b.Lo, b.Hi})
	}
	if lo, hi, ok := span(currents...); ok {
		for _, pn := range panels {
			pn.plot.X.Min, pn.plot.X.Max = lo, hi
		}
	}
	shareX(panels, d.CurrentLabel)
	err := stack(c, panels)
	return panels, err
}

// shareX labels the shared horizontal axis on the lowest panel only.
func shareX(panels []*panel, label string) {
	panels[len(panels)-1].plot.X.Label.Text = label
	for _, pn := range panels[:len(panels)-1] {
		hideTickLabels(&pn.plot.X)
	}
}

func (d *Diagram) bistableBand(pn *panel) {
	for i, iv := range d.Bistable {
		b := &band{lo: iv.Lo, hi: iv.Hi, fill: bistableColour}
		pn.plot.Add(b)
		if i == 0 {
			pn.legend.add(1, "bistable range", b)
		}
	}
}

func (d *Diagram) bifurcationPanel() *panel {
	pn := &panel{plot: newPanel("", d.VLabel), weight: 3}
	p := pn.plot
	d.bistableBand(pn)

	for _, stable := range []bool{true, false} {
		var curves [][]Point
		for _, b := range d.Equilibria {
			if b.Stable == stable {
				curves = append(curves, zip(b.I, b.V))
			}
		}
		if l := newPolylines(stabilityLine(equilibriumColour, stable), curves...); !l.empty() {
			p.Add(l)
			pn.legend.add(0, stability(stable)+" equilibrium", l)
			pn.ink = append(pn.ink, curves...)
		}
	}
	for _, stable := range []bool{true, false} {
		var curves [][]Point
		for _, b := range d.Cycles {
			if b.Stable == stable {
				curves = append(curves, zip(b.I, b.VMin), zip(b.I, b.VMax))
			}
		}
		if l := newPolylines(stabilityLine(cycleColour, stable), curves...); !l.empty() {
			p.Add(l)
			pn.legend.add(0, stability(stable)+" cycle (min and max V)", l)
			pn.ink = append(pn.ink, curves...)
		}
	}

	var xys plotter.XYs
	var labels []string
	for _, b := range d.Bifurcations {
		if finite(b.I) && finite(b.V) {
			xys = append(xys, plotter.XY{X: b.I, Y: b.V})
			labels = append(labels, b.Label)
			pn.marks = append(pn.marks, Point{b.I, b.V})
		}
	}
	if len(xys) > 0 {
		mark := glyph(bifurcationColour, markerRadius, diamond, filled)
		s := newScatter(mark, pn.marks)
		p.Add(s)
		pn.legend.add(0, "bifurcation", s)
		// NewLabels fails only on non-finite points, ruled out above.
		text, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			panic("figure: " + err.Error())
		}
		for i := range text.TextStyle {
			text.TextStyle[i] = textStyle(vg.Points(8), black)
		}
		text.Offset = vg.Point{X: markerRadius + vg.Points(2), Y: markerRadius}
		p.Add(text)
	}
	return pn
}

func (d *Diagram) ratePanel() *panel {
	pn := &panel{plot: newPanel("", d.RateLabel), weight: 2}
	d.bistableBand(pn)
	for _, s := range []struct {
		sweep  Sweep
		label  string
		colour color.Color
		shape  markerShape
	}{
		{d.RateUp, "I stepped up", sweepUpColour, triangleUp},
		{d.RateDown, "I stepped down", sweepDownColour, triangleDown},
	} {
		pts := zip(s.sweep.I, s.sweep.Hz)
		l := newPolylines(draw.LineStyle{Color: s.colour, Width: normalWidth}, pts)
		mark := glyph(s.colour, smallMarker, s.shape, filled)
		sc := newScatter(mark, pts)
		if sc == nil {
			continue
		}
		pn.plot.Add(l, sc)
		pn.legend.add(0, s.label, l, glyphThumb{mark, 0.5})
		pn.ink = append(pn.ink, pts)
	}
	return pn
}

func stability(stable bool) string {
	if stable {
		return "stable"
	}
	return "unstable"
}
