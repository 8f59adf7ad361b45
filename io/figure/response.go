package figure

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Response shows an experiment on a neuron: how it answers as one quantity is swept
// (upper panel: one or more curves against X, with vertical lines marking values such as
// the best interval and the predicted one), and below, example trials as voltage against
// time (one that fires, one that does not), each in its own colour with its spikes
// marked.
type Response struct {
	Title string // top line, e.g. "hopf-super (a) at 0 µA/cm²: doublet: resonator"
	Note  string // optional smaller line under the title

	XLabel, YLabel string // of the upper panel
	Curves         []ResponseCurve
	Markers        []Marker

	TimeLabel string // of the examples' time axis, e.g. "t (ms)"
	VLabel    string // e.g. "V (mV)"
	Examples  []TraceNeuron
}

// ResponseCurve is one response curve: Y[i] at X[i]. Non-finite values break the curve.
type ResponseCurve struct {
	Label  string
	X, Y   []float64
	Points bool // mark each value, not only the line through them
	Dashed bool // a secondary curve
}

// Marker is a vertical line across the upper panel at X, labelled.
type Marker struct {
	X      float64
	Label  string
	Dashed bool // a prediction rather than a measurement
}

// Save draws the response to path, a .png or .svg file, width by height (each between
// MinSide and MaxSide). It returns an error, and leaves any existing file at path as it
// was, if the path, size or figure is unusable or the file cannot be written.
func (r *Response) Save(path string, width, height vg.Length) error {
	return save(path, width, height, r.validate, func(c draw.Canvas) error {
		_, err := r.render(c)
		return err
	})
}

func (r *Response) validate() error {
	for k, cv := range r.Curves {
		if err := sameLength(fmt.Sprintf("Curves[%d] (%s)", k, cv.Label), []string{"X", "Y"}, cv.X, cv.Y); err != nil {
			return err
		}
	}
	ex := Trace{Neurons: r.Examples}
	return ex.validate()
}

// render draws the response on c and returns its panels, upper first.
func (r *Response) render(c draw.Canvas) ([]*panel, error) {
	c = drawHeader(c, r.Title, r.Note)
	top := &panel{plot: newPanel(r.XLabel, r.YLabel), weight: 3}
	var xs, ys [][]float64
	for k, cv := range r.Curves {
		colour := neuronColours[k%len(neuronColours)]
		line := draw.LineStyle{Color: colour, Width: normalWidth}
		if cv.Dashed {
			line.Dashes = unstableDash
		}
		pts := zip(cv.X, cv.Y)
		l := newPolylines(line, pts)
		thumbs := []plot.Thumbnailer{l}
		top.plot.Add(l)
		if cv.Points {
			mark := glyph(colour, smallMarker, disc, filled)
			if s := newScatter(mark, pts); s != nil {
				top.plot.Add(s)
				thumbs = append(thumbs, glyphThumb{mark, 0.5})
			}
		}
		top.legend.add(0, cv.Label, thumbs...)
		top.ink = append(top.ink, pts)
		xs, ys = append(xs, cv.X), append(ys, cv.Y)
	}
	for _, m := range r.Markers {
		xs = append(xs, []float64{m.X})
	}
	ylo, yhi, ok := span(ys...)
	if !ok {
		ylo, yhi = 0, 1
	}
	if ylo == yhi {
		ylo, yhi = ylo-1, yhi+1
	}
	if xlo, xhi, ok := span(xs...); ok && xlo < xhi {
		top.plot.X.Min, top.plot.X.Max = xlo, xhi
	}
	// Room above the curves for the markers' labels.
	top.plot.Y.Min, top.plot.Y.Max = ylo, yhi+0.12*(yhi-ylo)
	var labelXY plotter.XYs
	var labels []string
	for i, m := range r.Markers {
		if !finite(m.X) {
			continue
		}
		colour := bifurcationColour
		line := draw.LineStyle{Color: colour, Width: normalWidth}
		if m.Dashed {
			colour = noteColour
			line = draw.LineStyle{Color: colour, Width: normalWidth, Dashes: unstableDash}
		}
		l := newPolylines(line, []Point{{m.X, ylo}, {m.X, yhi}})
		top.plot.Add(l)
		top.legend.add(1, m.Label, l)
		// Alternate label heights so two markers close together stay readable.
		y := yhi + (0.02+0.05*float64(i%2))*(yhi-ylo)
		labelXY = append(labelXY, plotter.XY{X: m.X, Y: y})
		labels = append(labels, m.Label)
		top.marks = append(top.marks, Point{m.X, y})
	}
	if len(labelXY) > 0 {
		text, err := plotter.NewLabels(plotter.XYLabels{XYs: labelXY, Labels: labels})
		if err != nil {
			panic("figure: " + err.Error()) // non-finite points were skipped
		}
		for i := range text.TextStyle {
			text.TextStyle[i] = textStyle(vg.Points(8), black)
		}
		text.Offset = vg.Point{X: vg.Points(2)}
		top.plot.Add(text)
	}
	panels := []*panel{top}
	if len(r.Examples) > 0 {
		ex := &Trace{TimeLabel: r.TimeLabel, VLabel: r.VLabel, Neurons: r.Examples}
		bottom := &panel{plot: newPanel(r.TimeLabel, r.VLabel), weight: 2}
		var times [][]float64
		for k, n := range ex.Neurons {
			colour := neuronColours[k%len(neuronColours)]
			v := zip(n.T, n.V)
			vl := newPolylines(draw.LineStyle{Color: colour, Width: thinWidth}, v)
			bottom.plot.Add(vl)
			thumbs := []plot.Thumbnailer{vl}
			mark := glyph(colour, vg.Points(3), triangleDown, filled)
			spikes := spikeMarks(v, n.Spikes)
			if s := newScatter(mark, spikes); s != nil {
				bottom.plot.Add(s)
				thumbs = append(thumbs, glyphThumb{mark, 0.5})
				bottom.marks = append(bottom.marks, spikes...)
			}
			bottom.legend.add(0, n.name(k), thumbs...)
			bottom.ink = append(bottom.ink, v)
			times = append(times, n.T)
		}
		if lo, hi, ok := span(times...); ok && lo < hi {
			bottom.plot.X.Min, bottom.plot.X.Max = lo, hi
		}
		panels = append(panels, bottom)
	}
	err := stack(c, panels)
	return panels, err
}
