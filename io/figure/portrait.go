package figure

import (
	"errors"
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Portrait is a phase plane of a two-dimensional system, or a two-dimensional
// projection of a larger one, drawn in the window [XMin, XMax] × [YMin, YMax]. Every
// part except the window is optional; nil parts are left out of the picture and the
// legend.
type Portrait struct {
	Title string // top line, e.g. "snic at I = 4.6 µA/cm²"
	Note  string // optional smaller line under the title, e.g. "(V, n) projection of the 4-D Hodgkin–Huxley model"

	XLabel, YLabel string // axis labels with units, e.g. "V (mV)" and "n"

	// The window; XMin < XMax and YMin < YMax, all finite. Anything outside is clipped.
	XMin, XMax, YMin, YMax float64

	// Field, if not nil, is the vector field: (dx/dt, dy/dt) at (x, y). It is drawn as
	// grey arrows on a grid about 6 mm apart, so it is called a few hundred times per
	// Save. An arrow points the way the flow moves on the page (each component scaled
	// by the page length of its axis, as the axes have unrelated units); its length
	// grows with the logarithm of the speed over the three decades below the fastest
	// arrow, because speeds near equilibria and on jumps differ by orders of magnitude.
	// Where Field returns a zero or non-finite vector no arrow is drawn.
	Field func(x, y float64) (dx, dy float64)

	// Nullclines are drawn as thin solid lines, each in its own colour.

	Nullclines []Nullcline

	// Equilibria are drawn as black circles on top of everything else: filled if stable,
	// open if unstable, half filled if a saddle. Each distinct Kind gets one legend entry.
	Equilibria []Equilibrium

	// Cycles are closed orbits: stable ones thick and solid, unstable ones dashed.
	Cycles []Cycle

	// Separatrices are curves that separate basins, typically the stable manifolds of
	// saddles, each a polyline; they share one legend entry, SeparatrixLabel.
	Separatrices    [][]Point
	SeparatrixLabel string // default "separatrix (stable manifold of the saddle)"

	// Basin, if not empty, shades the basin of attraction of a cycle. Basin[iy][ix] is
	// true for the cell in row iy counted from YMin upwards and column ix counted from
	// XMin rightwards; the cells are equal and together cover the window, so every row
	// must have the same, non-zero, number of cells.
	Basin      [][]bool
	BasinLabel string // default "basin of attraction"

	// Trajectory is one solution from an initial state, drawn thin with a square at its
	// first finite point.
	Trajectory      []Point
	TrajectoryLabel string // default "trajectory"
}

// Nullcline is a curve on which one component of the vector field vanishes. It may come
// in several pieces (where it leaves the window, or has separate branches); each piece
// is a polyline.
type Nullcline struct {
	Label  string // e.g. "V-nullcline"; default "nullcline k" for the k-th, from 1
	Pieces [][]Point
}

// Equilibrium is a fixed point of the vector field. A saddle is unstable by definition,
// so Stable and Saddle cannot both be true.
type Equilibrium struct {
	X, Y   float64
	Stable bool
	Saddle bool
	// Kind names the equilibrium in the legend, e.g. "stable node", "unstable focus",
	// "saddle". The default is "saddle", "stable equilibrium" or "unstable equilibrium".
	Kind string
}

// Cycle is a closed orbit given as a polyline; the last point is joined to the first.
type Cycle struct {
	Points []Point
	Stable bool
}

// Save draws the portrait to path, a .png or .svg file, width by height (each between
// MinSide and MaxSide). It returns an error, and leaves any existing file at path as it
// was, if the path, size or portrait is unusable or the file cannot be written.
func (p *Portrait) Save(path string, width, height vg.Length) error {
	return save(path, width, height, p.validate, func(c draw.Canvas) error {
		_, err := p.render(c)
		return err
	})
}

func (p *Portrait) validate() error {
	// The spans must be finite too: the page transform divides by them.
	for _, v := range []float64{p.XMin, p.XMax, p.YMin, p.YMax, p.XMax - p.XMin, p.YMax - p.YMin} {
		if !finite(v) {
			return fmt.Errorf("the window [%g, %g] × [%g, %g] is not finite", p.XMin, p.XMax, p.YMin, p.YMax)
		}
	}
	if p.XMin >= p.XMax {
		return fmt.Errorf("the window is empty: XMin (%g) must be below XMax (%g)", p.XMin, p.XMax)
	}
	if p.YMin >= p.YMax {
		return fmt.Errorf("the window is empty: YMin (%g) must be below YMax (%g)", p.YMin, p.YMax)
	}
	if len(p.Basin) > 0 {
		cols := len(p.Basin[0])
		if cols == 0 {
			return errors.New("Basin row 0 has no cells")
		}
		for iy, row := range p.Basin {
			if len(row) != cols {
				return fmt.Errorf("Basin row %d has %d cells but row 0 has %d; the grid must be rectangular", iy, len(row), cols)
			}
		}
	}
	for i, e := range p.Equilibria {
		if e.Stable && e.Saddle {
			return fmt.Errorf("Equilibria[%d] at (%g, %g) is marked both Stable and Saddle; a saddle is unstable", i, e.X, e.Y)
		}
	}
	return nil
}

// The order of the portrait's legend: the geometry first, then the background.
const (
	rankNullcline = iota
	rankEquilibrium
	rankCycle
	rankSeparatrix
	rankBasin
	rankTrajectory
	rankField
)

// render draws the portrait on c and returns its one panel, or an error if it does
// not fit.
func (p *Portrait) render(c draw.Canvas) ([]*panel, error) {
	c = drawHeader(c, p.Title, p.Note)
	pn := &panel{plot: newPanel(p.XLabel, p.YLabel), weight: 1}
	plt, lg := pn.plot, &pn.legend
	// The window is exact: no margin between the data and the axes, so the basin and
	// the arrows reach the frame.
	plt.X.Padding, plt.Y.Padding = 0, 0

	if len(p.Basin) > 0 {
		b := &basinShade{cells: p.Basin, xmin: p.XMin, xmax: p.XMax, ymin: p.YMin, ymax: p.YMax, fill: basinColour}
		plt.Add(b)
		lg.add(rankBasin, orDefault(p.BasinLabel, "basin of attraction"), b)
	}
	if p.Field != nil {
		f := &arrowField{f: p.Field, xmin: p.XMin, xmax: p.XMax, ymin: p.YMin, ymax: p.YMax,
			style: draw.LineStyle{Color: fieldColour, Width: vg.Points(0.6)}}
		plt.Add(f)
		lg.add(rankField, "vector field (length grows with log speed)", f)
	}
	if len(p.Separatrices) > 0 {
		s := newPolylines(draw.LineStyle{Color: separatrixColour, Width: normalWidth}, p.Separatrices...)
		if !s.empty() {
			plt.Add(s)
			lg.add(rankSeparatrix, orDefault(p.SeparatrixLabel, "separatrix (stable manifold of the saddle)"), s)
			pn.ink = append(pn.ink, p.Separatrices...)
		}
	}
	for k, n := range p.Nullclines {
		colour := nullclineColours[k%len(nullclineColours)]
		l := newPolylines(draw.LineStyle{Color: colour, Width: normalWidth}, n.Pieces...)
		if l.empty() {
			continue
		}
		plt.Add(l)
		lg.add(rankNullcline, orDefault(n.Label, fmt.Sprintf("nullcline %d", k+1)), l)
		pn.ink = append(pn.ink, n.Pieces...)
	}
	// The trajectory goes under the cycles: it ends on one and would hide it.
	if t := newPolylines(draw.LineStyle{Color: trajectoryColour, Width: thinWidth}, p.Trajectory); !t.empty() {
		start := glyph(trajectoryColour, vg.Points(3), square, filled)
		plt.Add(t)
		if s := newScatter(start, t.runs[0][:1]); s != nil {
			plt.Add(s)
			pn.marks = append(pn.marks, t.runs[0][0])
		}
		lg.add(rankTrajectory, orDefault(p.TrajectoryLabel, "trajectory"), t, glyphThumb{start, 0.15})
		pn.ink = append(pn.ink, p.Trajectory)
	}
	for _, stable := range []bool{true, false} {
		var closed [][]Point
		for _, cy := range p.Cycles {
			if cy.Stable == stable {
				closed = append(closed, closeLoop(cy.Points))
			}
		}
		l := newPolylines(stabilityLine(cycleColour, stable), closed...)
		if l.empty() {
			continue
		}
		plt.Add(l)
		lg.add(rankCycle, stability(stable)+" limit cycle", l)
		pn.ink = append(pn.ink, closed...)
	}
	p.addEquilibria(pn)

	// Add widens the axes to fit the data; the window is what was asked for.
	plt.X.Min, plt.X.Max = p.XMin, p.XMax
	plt.Y.Min, plt.Y.Max = p.YMin, p.YMax
	panels := []*panel{pn}
	err := stack(c, panels)
	return panels, err
}

// addEquilibria adds one scatter per kind of equilibrium, in order of first appearance,
// drawn last so the markers sit on top of the curves through them.
func (p *Portrait) addEquilibria(pn *panel) {
	type kind struct {
		label          string
		stable, saddle bool
	}
	var order []kind
	groups := map[kind][]Point{}
	for _, e := range p.Equilibria {
		k := kind{e.Kind, e.Stable, e.Saddle}
		if k.label == "" {
			switch {
			case e.Saddle:
				k.label = "saddle"
			case e.Stable:
				k.label = "stable equilibrium"
			default:
				k.label = "unstable equilibrium"
			}
		}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], Point{e.X, e.Y})
	}
	for _, k := range order {
		s := newScatter(equilibriumGlyph(k.stable, k.saddle), groups[k])
		if s == nil {
			continue
		}
		pn.plot.Add(s)
		pn.legend.add(rankEquilibrium, k.label, s)
		pn.marks = append(pn.marks, groups[k]...)
	}
}

// closeLoop returns pts with its first point appended, unless it is already closed.
func closeLoop(pts []Point) []Point {
	if len(pts) < 3 || pts[0] == pts[len(pts)-1] {
		return pts
	}
	return append(pts[:len(pts):len(pts)], pts[0])
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
