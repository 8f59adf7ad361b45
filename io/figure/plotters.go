package figure

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// polylines draws curves already split into finite runs, all in one style. One plotter
// per style (not per piece) gives one legend thumbnail and keeps dashes continuous
// along each piece.
type polylines struct {
	runs  [][]Point
	style draw.LineStyle
}

func newPolylines(style draw.LineStyle, curves ...[]Point) *polylines {
	l := &polylines{style: style}
	for _, c := range curves {
		l.runs = append(l.runs, finiteRuns(c)...)
	}
	return l
}

func (l *polylines) empty() bool { return len(l.runs) == 0 }

func (l *polylines) Plot(c draw.Canvas, plt *plot.Plot) {
	for _, run := range l.runs {
		// In window units (the axes span [0, 1]), cut to a generous box first: a point
		// absurdly far off the window would overflow the page coordinates, and the page
		// clipping below would turn the infinities into NaN.
		win := make([]Point, len(run))
		for i, p := range run {
			win[i] = Point{plt.X.Norm(p.X), plt.Y.Norm(p.Y)}
		}
		for _, piece := range clipToBox(win, -farOff, 1+farOff) {
			pts := make([]vg.Point, len(piece))
			for i, p := range piece {
				pts[i] = vg.Point{X: c.X(p.X), Y: c.Y(p.Y)}
			}
			c.StrokeLines(l.style, c.ClipLinesXY(pts)...)
		}
	}
}

// farOff is how far, in window spans, clipToBox lets a line run off the window: far
// enough that nothing visible changes, near enough that page coordinates stay finite.
const farOff = 1e4

// clipToBox returns the parts of the polyline pts inside the square [lo, hi]²
// (Liang–Barsky clipping of each segment), joined into polylines where consecutive
// segments stay inside. A segment whose length overflows is left out.
func clipToBox(pts []Point, lo, hi float64) [][]Point {
	var pieces [][]Point
	var cur []Point
	flush := func() {
		if len(cur) >= 2 {
			pieces = append(pieces, cur)
		}
		cur = nil
	}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		dx, dy := b.X-a.X, b.Y-a.Y
		// Where a segment is cut, the coordinate of the edge that cut it is set exactly:
		// computed as a + t·d it can cancel to nonsense when a is far away.
		start, end := a, b
		t0, t1 := 0.0, 1.0
		ok := finite(dx) && finite(dy) && finitePoint(a)
		for _, e := range [4]struct {
			p, q, edge float64
			isX        bool
		}{{-dx, a.X - lo, lo, true}, {dx, hi - a.X, hi, true}, {-dy, a.Y - lo, lo, false}, {dy, hi - a.Y, hi, false}} {
			switch {
			case !ok:
			case e.p == 0:
				ok = e.q >= 0
			case e.p < 0:
				if r := e.q / e.p; r > t1 {
					ok = false
				} else if r > t0 {
					t0 = r
					start = Point{a.X + r*dx, a.Y + r*dy}
					snap(&start, e.edge, e.isX)
				}
			default:
				if r := e.q / e.p; r < t0 {
					ok = false
				} else if r < t1 {
					t1 = r
					end = Point{a.X + r*dx, a.Y + r*dy}
					snap(&end, e.edge, e.isX)
				}
			}
		}
		if !ok {
			flush()
			continue
		}
		if t0 > 0 || len(cur) == 0 {
			flush()
			cur = []Point{start}
		}
		cur = append(cur, end)
		if t1 < 1 {
			flush()
		}
	}
	flush()
	return pieces
}

// snap sets the X (isX) or Y coordinate of p to edge.
func snap(p *Point, edge float64, isX bool) {
	if isX {
		p.X = edge
	} else {
		p.Y = edge
	}
}

func (l *polylines) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, run := range l.runs {
		for _, p := range run {
			xmin, xmax = min(xmin, p.X), max(xmax, p.X)
			ymin, ymax = min(ymin, p.Y), max(ymax, p.Y)
		}
	}
	return xmin, xmax, ymin, ymax
}

func (l *polylines) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

// newScatter returns a scatter of the finite points among pts, or nil if there are none.
func newScatter(sty draw.GlyphStyle, pts []Point) *plotter.Scatter {
	var xys plotter.XYs
	for _, p := range pts {
		if finitePoint(p) {
			xys = append(xys, plotter.XY{X: p.X, Y: p.Y})
		}
	}
	if len(xys) == 0 {
		return nil
	}
	// NewScatter fails only on non-finite points, which were dropped above.
	s, err := plotter.NewScatter(xys)
	if err != nil {
		panic("figure: " + err.Error())
	}
	s.GlyphStyle = sty
	return s
}

// glyphThumb draws a glyph at fraction at (0 left, 1 right) of a legend thumbnail, for
// entries whose marker is not a plotter of its own or should sit beside a line.
type glyphThumb struct {
	style draw.GlyphStyle
	at    float64
}

func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	x := c.Min.X + vg.Length(g.at)*(c.Max.X-c.Min.X)
	c.DrawGlyphNoClip(g.style, vg.Point{X: x, Y: c.Center().Y})
}

// area fills a legend thumbnail with a colour, for shaded regions.
type area struct{ fill color.Color }

func (a area) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(a.fill, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	})
}

// basinShade fills the true cells of a grid covering the window [xmin, xmax] ×
// [ymin, ymax]; cells[iy][ix] is the cell in row iy from the bottom, column ix from
// the left.
type basinShade struct {
	cells                  [][]bool
	xmin, xmax, ymin, ymax float64
	fill                   color.Color
}

func (b *basinShade) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	rows, cols := len(b.cells), len(b.cells[0])
	x := func(ix int) vg.Length { return trX(b.xmin + (b.xmax-b.xmin)*float64(ix)/float64(cols)) }
	y := func(iy int) vg.Length { return trY(b.ymin + (b.ymax-b.ymin)*float64(iy)/float64(rows)) }
	// One path of run-length rectangles: filled together, neighbouring cells share their
	// edge pixels exactly, where separate fills would leave hairline seams.
	var path vg.Path
	for iy, row := range b.cells {
		for ix := 0; ix < cols; {
			if !row[ix] {
				ix++
				continue
			}
			end := ix
			for end < cols && row[end] {
				end++
			}
			x0, x1, y0, y1 := x(ix), x(end), y(iy), y(iy+1)
			path.Move(vg.Point{X: x0, Y: y0})
			path.Line(vg.Point{X: x1, Y: y0})
			path.Line(vg.Point{X: x1, Y: y1})
			path.Line(vg.Point{X: x0, Y: y1})
			path.Close()
			ix = end
		}
	}
	if len(path) > 0 {
		c.SetColor(b.fill)
		c.Fill(path)
	}
}

func (b *basinShade) Thumbnail(c *draw.Canvas) { area{b.fill}.Thumbnail(c) }

// band shades the vertical strip lo ≤ x ≤ hi across the whole height of a panel.
type band struct {
	lo, hi float64
	fill   color.Color
}

func (b *band) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, _ := plt.Transforms(&c)
	x0 := max(trX(b.lo), c.Min.X)
	x1 := min(trX(b.hi), c.Max.X)
	if x1 <= x0 {
		return
	}
	c.FillPolygon(b.fill, []vg.Point{
		{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
	})
}

func (b *band) Thumbnail(c *draw.Canvas) { area{b.fill}.Thumbnail(c) }

// arrowField draws the direction of the vector field f as arrows on a grid about
// arrowSpacing apart, chosen when drawing so the density suits the figure's size.
//
// Phase-plane axes have unrelated units (mV against a gating variable), so an arrow
// points along the velocity as it appears on the page: each component is scaled by the
// page length of its axis span. Speeds near equilibria and on fast jumps differ by
// orders of magnitude, so the length of an arrow grows with the logarithm of the speed
// over the three decades below the fastest, and every arrow stays long enough to show
// a direction.
type arrowField struct {
	f                      func(x, y float64) (dx, dy float64)
	xmin, xmax, ymin, ymax float64
	style                  draw.LineStyle
}

const (
	arrowSpacing  = 6 * vg.Millimeter
	arrowDecades  = 3
	shortestArrow = 0.3 // fraction of the longest
)

func (a *arrowField) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	x0, x1 := trX(a.xmin), trX(a.xmax)
	y0, y1 := trY(a.ymin), trY(a.ymax)
	width, height := x1-x0, y1-y0
	if width <= 0 || height <= 0 {
		return
	}
	cols := max(2, int(width/arrowSpacing))
	rows := max(2, int(height/arrowSpacing))
	cellW, cellH := width/vg.Length(cols), height/vg.Length(rows)
	longest := 0.8 * min(cellW, cellH)

	type arrow struct {
		at       vg.Point
		ux, uy   float64 // unit direction on the page
		logSpeed float64
	}
	arrows := make([]arrow, 0, rows*cols)
	fastest := math.Inf(-1)
	for iy := range rows {
		for ix := range cols {
			fx := (float64(ix) + 0.5) / float64(cols)
			fy := (float64(iy) + 0.5) / float64(rows)
			dx, dy := a.f(a.xmin+fx*(a.xmax-a.xmin), a.ymin+fy*(a.ymax-a.ymin))
			// Velocity in spans per unit time, then on the page.
			px := dx / (a.xmax - a.xmin) * float64(width)
			py := dy / (a.ymax - a.ymin) * float64(height)
			speed := math.Hypot(px, py)
			if !finite(speed) || speed == 0 {
				continue // no direction to show
			}
			s := math.Log10(speed)
			fastest = max(fastest, s)
			arrows = append(arrows, arrow{
				at:       vg.Point{X: x0 + (vg.Length(ix)+0.5)*cellW, Y: y0 + (vg.Length(iy)+0.5)*cellH},
				ux:       px / speed,
				uy:       py / speed,
				logSpeed: s,
			})
		}
	}
	slowest := fastest - arrowDecades
	for _, ar := range arrows {
		frac := 1.0
		if fastest > slowest {
			frac = shortestArrow + (1-shortestArrow)*max(0, (ar.logSpeed-slowest)/(fastest-slowest))
		}
		drawArrow(&c, a.style, ar.at, ar.ux, ar.uy, vg.Length(frac)*longest)
	}
}

// drawArrow strokes an arrow of length l centred on at, pointing along the unit vector
// (ux, uy).
func drawArrow(c *draw.Canvas, sty draw.LineStyle, at vg.Point, ux, uy float64, l vg.Length) {
	dir := vg.Point{X: vg.Length(ux), Y: vg.Length(uy)}
	tail := at.Sub(dir.Scale(l / 2))
	tip := at.Add(dir.Scale(l / 2))
	head := min(0.4*l, vg.Points(3.5))
	// The barbs are the reversed direction (-ux, -uy) turned by ±25°.
	const cos, sin = 0.906, 0.423
	barb := func(s float64) vg.Point {
		rx, ry := -ux, -uy
		bx := rx*cos - s*ry*sin
		by := s*rx*sin + ry*cos
		return tip.Add(vg.Point{X: vg.Length(bx), Y: vg.Length(by)}.Scale(head))
	}
	c.StrokeLines(sty, []vg.Point{tail, tip}, []vg.Point{barb(1), tip, barb(-1)})
}

func (a *arrowField) Thumbnail(c *draw.Canvas) {
	drawArrow(c, a.style, c.Center(), 1, 0, 0.8*(c.Max.X-c.Min.X))
}
