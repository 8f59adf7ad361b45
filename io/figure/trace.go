package figure

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Trace shows membrane potential (upper panel, two thirds of the data height) and
// injected current (lower panel) against time for one or more neurons, each in its own
// colour, with a triangle on the voltage trace at each spike. The current panel is left
// out when no neuron has a current. The time axis spans all the neurons' times.
type Trace struct {
	Title string // top line, e.g. "regular spiking, 10 pA steps"
	Note  string // optional smaller line under the title

	TimeLabel string // label of the shared time axis, e.g. "t (ms)"
	VLabel    string // e.g. "V (mV)"
	ILabel    string // e.g. "I (µA/cm²)"

	Neurons []TraceNeuron
}

// TraceNeuron is one neuron's record. V[i] and, if I is not empty, I[i] are the values at
// time T[i]; T must not decrease (non-finite entries aside).
type TraceNeuron struct {
	Name string // legend text; default "neuron k" for the k-th, from 1

	T, V, I []float64

	// Spikes are the times of spikes, in the units of T. Each is marked on the voltage
	// trace at the potential interpolated there; spikes outside the recorded times are
	// not marked.
	Spikes []float64
}

// Save draws the trace to path, a .png or .svg file, width by height (each between
// MinSide and MaxSide). It returns an error, and leaves any existing file at path as it
// was, if the path, size or trace is unusable or the file cannot be written.
func (t *Trace) Save(path string, width, height vg.Length) error {
	return save(path, width, height, t.validate, func(c draw.Canvas) error {
		_, err := t.render(c)
		return err
	})
}

func (t *Trace) validate() error {
	for k, n := range t.Neurons {
		what := fmt.Sprintf("Neurons[%d] (%s)", k, n.name(k))
		if err := sameLength(what, []string{"T", "V"}, n.T, n.V); err != nil {
			return err
		}
		if len(n.I) > 0 {
			if err := sameLength(what, []string{"T", "I"}, n.T, n.I); err != nil {
				return err
			}
		}
		last, lastAt := 0.0, -1
		for i, v := range n.T {
			if !finite(v) {
				continue
			}
			if lastAt >= 0 && v < last {
				return fmt.Errorf("%s: time runs backwards: T[%d] = %g comes after T[%d] = %g", what, i, v, lastAt, last)
			}
			last, lastAt = v, i
		}
	}
	return nil
}

func (n *TraceNeuron) name(k int) string {
	return orDefault(n.Name, fmt.Sprintf("neuron %d", k+1))
}

// render draws the trace on c and returns its panels, voltage first, or an error if
// they do not fit.
func (t *Trace) render(c draw.Canvas) ([]*panel, error) {
	c = drawHeader(c, t.Title, t.Note)
	vPanel := &panel{plot: newPanel("", t.VLabel), weight: 2}
	iPanel := &panel{plot: newPanel("", t.ILabel), weight: 1}
	var times [][]float64

	for k, n := range t.Neurons {
		colour := neuronColours[k%len(neuronColours)]
		line := draw.LineStyle{Color: colour, Width: thinWidth}
		times = append(times, n.T)

		v := zip(n.T, n.V)
		vl := newPolylines(line, v)
		vPanel.plot.Add(vl)
		thumbs := []plot.Thumbnailer{vl}
		mark := glyph(colour, vg.Points(3), triangleDown, filled)
		spikes := spikeMarks(v, n.Spikes)
		if s := newScatter(mark, spikes); s != nil {
			vPanel.plot.Add(s)
			thumbs = append(thumbs, glyphThumb{mark, 0.5})
			vPanel.marks = append(vPanel.marks, spikes...)
		}
		vPanel.legend.add(0, n.name(k), thumbs...)
		vPanel.ink = append(vPanel.ink, v)

		if len(n.I) > 0 {
			cur := zip(n.T, n.I)
			il := newPolylines(line, cur)
			iPanel.plot.Add(il)
			iPanel.legend.add(0, n.name(k), il)
			iPanel.ink = append(iPanel.ink, cur)
		}
	}

	panels := []*panel{vPanel}
	if len(iPanel.legend.entries) > 0 {
		panels = append(panels, iPanel)
	}
	if lo, hi, ok := span(times...); ok {
		for _, pn := range panels {
			pn.plot.X.Min, pn.plot.X.Max = lo, hi
		}
	}
	shareX(panels, t.TimeLabel)
	err := stack(c, panels)
	return panels, err
}

// spikeMarks returns where to mark each spike time on the trace v (time in X): the
// potential interpolated linearly between the finite samples either side.
func spikeMarks(v []Point, spikes []float64) []Point {
	var samples []Point
	for _, p := range v {
		if finitePoint(p) {
			samples = append(samples, p)
		}
	}
	if len(samples) == 0 {
		return nil
	}
	var marks []Point
	for _, s := range spikes {
		if !finite(s) || s < samples[0].X || s > samples[len(samples)-1].X {
			continue
		}
		// The first sample at or after s; validation made the times non-decreasing.
		j := sort.Search(len(samples), func(i int) bool { return samples[i].X >= s })
		if j == 0 || samples[j].X == s {
			marks = append(marks, Point{s, samples[j].Y})
			continue
		}
		a, b := samples[j-1], samples[j]
		f := (s - a.X) / (b.X - a.X)
		marks = append(marks, Point{s, a.Y + f*(b.Y-a.Y)})
	}
	return marks
}
