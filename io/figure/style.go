package figure

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008): eight colours
// that people with the common colour-vision deficiencies can still tell apart.
var (
	black         = color.NRGBA{0x00, 0x00, 0x00, 0xff}
	orange        = color.NRGBA{0xe6, 0x9f, 0x00, 0xff}
	skyBlue       = color.NRGBA{0x56, 0xb4, 0xe9, 0xff}
	bluishGreen   = color.NRGBA{0x00, 0x9e, 0x73, 0xff}
	yellow        = color.NRGBA{0xf0, 0xe4, 0x42, 0xff}
	blue          = color.NRGBA{0x00, 0x72, 0xb2, 0xff}
	vermillion    = color.NRGBA{0xd5, 0x5e, 0x00, 0xff}
	reddishPurple = color.NRGBA{0xcc, 0x79, 0xa7, 0xff}
	white         = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// What each colour means, the same in every figure.
var (
	equilibriumColour = black
	cycleColour       = bluishGreen
	separatrixColour  = vermillion
	trajectoryColour  = blue
	bifurcationColour = vermillion
	sweepUpColour     = blue
	sweepDownColour   = orange
	fieldColour       = color.NRGBA{0x8c, 0x8c, 0x8c, 0xff}
	noteColour        = color.NRGBA{0x44, 0x44, 0x44, 0xff}

	// Areas are opaque tints drawn beneath everything else, so lines on top keep their
	// true colour.
	basinColour    = tint(skyBlue, 0.3)
	bistableColour = tint(yellow, 0.35)

	nullclineColours = []color.NRGBA{orange, reddishPurple, skyBlue, bluishGreen}
	// neuronColours leaves out yellow, too faint for a line on white.
	neuronColours = []color.NRGBA{blue, vermillion, bluishGreen, reddishPurple, orange, skyBlue, black}
)

// tint mixes c with white, keeping the fraction amount of c.
func tint(c color.NRGBA, amount float64) color.NRGBA {
	mix := func(v uint8) uint8 { return uint8(math.Round(amount*float64(v) + (1-amount)*255)) }
	return color.NRGBA{mix(c.R), mix(c.G), mix(c.B), 0xff}
}

// Sizes used throughout, and the dash pattern that marks an unstable object.
var (
	thinWidth     = vg.Points(0.9)
	normalWidth   = vg.Points(1.4)
	thickWidth    = vg.Points(2.2)
	unstableDash  = []vg.Length{vg.Points(5), vg.Points(3)}
	markerRadius  = vg.Points(4)
	smallMarker   = vg.Points(2.5)
	legendMargin  = vg.Points(3)
	legendInset   = vg.Points(5)
	figureMargin  = vg.Points(6)
	minDataSide   = vg.Centimeter
	panelSpacing  = vg.Points(8)
	sansSerifFace = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

// stabilityLine is the style of a curve that is stable (solid, thick) or unstable
// (dashed, thinner).
func stabilityLine(c color.Color, stable bool) draw.LineStyle {
	if stable {
		return draw.LineStyle{Color: c, Width: thickWidth}
	}
	return draw.LineStyle{Color: c, Width: normalWidth, Dashes: unstableDash}
}

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(sansSerifFace, size), Handler: plot.DefaultTextHandler}
}

// newPanel returns an empty plot with the package's fonts and the given axis labels.
func newPanel(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sansSerifFace, vg.Points(10))
		ax.Tick.Label.Font = font.From(sansSerifFace, vg.Points(8.5))
		ax.Tick.Length = vg.Points(5)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	return p
}

// hideTickLabels keeps the tick marks of an axis but drops their numbers, for the upper
// panel of a stack whose lower panel labels the shared axis.
func hideTickLabels(ax *plot.Axis) {
	ax.Label.Text = ""
	ax.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		ticks := plot.DefaultTicks{}.Ticks(min, max)
		for i := range ticks {
			ticks[i].Label = ""
		}
		return ticks
	})
}

// drawHeader writes the title and note centred at the top of c and returns what is left
// below them.
func drawHeader(c draw.Canvas, title, note string) draw.Canvas {
	top := c.Max.Y - figureMargin
	for _, line := range []struct {
		text string
		sty  text.Style
	}{
		{title, textStyle(vg.Points(13), black)},
		{note, textStyle(vg.Points(9), noteColour)},
	} {
		if line.text == "" {
			continue
		}
		line.sty.XAlign = text.XCenter
		line.sty.YAlign = text.YTop
		c.FillText(line.sty, vg.Point{X: c.Center().X, Y: top}, line.text)
		top -= line.sty.Height(line.text) + vg.Points(3)
	}
	c.Max.Y = top
	return c
}

// panel is a plot to stack: the plot, its legend, what the legend should avoid covering,
// and its share of the height. After stack it also holds the canvas it was drawn on,
// which tests use to find where data lands.
type panel struct {
	plot   *plot.Plot
	legend legend
	ink    [][]Point // curves
	marks  []Point   // markers and their labels, worse to cover than a curve
	weight int

	canvas draw.Canvas
}

// stack draws panels one above the other on c, aligned so their data areas share left
// and right edges, each taking a share of the height proportional to its weight. It
// draws nothing and returns an error if a data area would be smaller than
// minDataSide: the figure is too small for its labels.
//
// It does what plot.Align does for one column, but with unequal heights. (Giving a
// panel several of Align's equal rows does not work: Align measures each plot's axes
// and glyph padding in a one-row tile, which is wrong for the taller canvas.)
func stack(c draw.Canvas, panels []*panel) error {
	c = draw.Crop(c, figureMargin, -2*figureMargin, figureMargin, -vg.Points(2)) // the right margin leaves room for the last tick label
	total := 0
	for _, pn := range panels {
		total += pn.weight
	}
	room := c.Max.Y - c.Min.Y - vg.Length(len(panels)-1)*panelSpacing
	heights := make([]vg.Length, len(panels))
	for k, pn := range panels {
		heights[k] = room * vg.Length(pn.weight) / vg.Length(total)
	}
	place := func() {
		top := c.Max.Y
		for k, pn := range panels {
			pn.canvas = c
			pn.canvas.Min.Y, pn.canvas.Max.Y = top-heights[k], top
			top -= heights[k] + panelSpacing
		}
	}
	// The weights share out the height of the data areas, not of the panels: the lowest
	// panel carries the axis label and tick numbers, and should not lose data height for
	// them. What a panel needs besides its data area hardly depends on its height, so it
	// is measured at a first guess and the heights are set from that, twice to settle.
	for range 2 {
		place()
		dataRoom := room
		overheads := make([]vg.Length, len(panels))
		for k, pn := range panels {
			data := pn.plot.DataCanvas(pn.canvas)
			overheads[k] = heights[k] - (data.Max.Y - data.Min.Y)
			dataRoom -= overheads[k]
		}
		for k, pn := range panels {
			heights[k] = overheads[k] + max(0, dataRoom)*vg.Length(pn.weight)/vg.Length(total)
		}
	}
	place()
	// Line up the data areas: every panel's starts as far right as the one with the
	// widest axis labels and ends as far left as the one that needs the most room on the
	// right. The room a plot needs hardly depends on its width, so a second pass settles
	// any change the first one caused.
	for range 2 {
		left, right := c.Min.X, c.Max.X
		for _, pn := range panels {
			data := pn.plot.DataCanvas(pn.canvas)
			left, right = max(left, data.Min.X), min(right, data.Max.X)
		}
		for _, pn := range panels {
			data := pn.plot.DataCanvas(pn.canvas)
			pn.canvas.Min.X += left - data.Min.X
			pn.canvas.Max.X -= data.Max.X - right
		}
	}
	for k, pn := range panels {
		data := pn.plot.DataCanvas(pn.canvas)
		inside := data.Min.X >= c.Min.X && data.Max.X <= c.Max.X && data.Min.Y >= c.Min.Y && data.Max.Y <= c.Max.Y
		if size := data.Size(); !inside || size.X < minDataSide || size.Y < minDataSide {
			return fmt.Errorf("the figure is too small: panel %d has no room for a data area %g cm a side beside its labels",
				k+1, minDataSide/vg.Centimeter)
		}
	}
	for _, pn := range panels {
		pn.plot.Draw(pn.canvas)
		pn.legend.draw(pn.plot.DataCanvas(pn.canvas), pn.plot, pn.ink, pn.marks)
	}
	return nil
}

// markerShape and markerFill describe the glyphs of this package; gonum's own open
// glyphs have hairline outlines and show the lines beneath them.
type markerShape int

const (
	disc markerShape = iota
	diamond
	square
	triangleUp
	triangleDown
)

type markerFill int

const (
	filled markerFill = iota
	open
	halfFilled // left half filled; only discs have halves
)

// marker is a draw.GlyphDrawer. Open and half-filled markers have a white inside, so an
// unstable equilibrium on a line is still visibly open.
type marker struct {
	shape markerShape
	fill  markerFill
}

func (m marker) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	outline := m.outline(pt, sty.Radius)
	switch m.fill {
	case filled:
		c.SetColor(sty.Color)
		c.Fill(outline)
	case open:
		c.SetColor(white)
		c.Fill(outline)
	case halfFilled:
		c.SetColor(white)
		c.Fill(outline)
		var half vg.Path
		half.Move(vg.Point{X: pt.X, Y: pt.Y + sty.Radius})
		half.Arc(pt, sty.Radius, math.Pi/2, math.Pi)
		half.Close()
		c.SetColor(sty.Color)
		c.Fill(half)
	}
	width := max(vg.Points(0.9), sty.Radius/4)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: width})
	c.Stroke(outline)
}

func (m marker) outline(pt vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	poly := func(corners ...vg.Point) {
		p.Move(pt.Add(corners[0]))
		for _, q := range corners[1:] {
			p.Line(pt.Add(q))
		}
		p.Close()
	}
	switch m.shape {
	case diamond:
		poly(vg.Point{X: 0, Y: r}, vg.Point{X: r, Y: 0}, vg.Point{X: 0, Y: -r}, vg.Point{X: -r, Y: 0})
	case square:
		s := r * 0.85
		poly(vg.Point{X: -s, Y: -s}, vg.Point{X: s, Y: -s}, vg.Point{X: s, Y: s}, vg.Point{X: -s, Y: s})
	case triangleUp:
		poly(vg.Point{X: 0, Y: r}, vg.Point{X: r * 0.87, Y: -r / 2}, vg.Point{X: -r * 0.87, Y: -r / 2})
	case triangleDown:
		poly(vg.Point{X: 0, Y: -r}, vg.Point{X: r * 0.87, Y: r / 2}, vg.Point{X: -r * 0.87, Y: r / 2})
	default:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
	}
	return p
}

func glyph(c color.Color, r vg.Length, shape markerShape, fill markerFill) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: r, Shape: marker{shape: shape, fill: fill}}
}

// equilibriumGlyph is filled for a stable equilibrium, open for an unstable one and
// half filled for a saddle.
func equilibriumGlyph(stable, saddle bool) draw.GlyphStyle {
	switch {
	case saddle:
		return glyph(equilibriumColour, markerRadius, disc, halfFilled)
	case stable:
		return glyph(equilibriumColour, markerRadius, disc, filled)
	}
	return glyph(equilibriumColour, markerRadius, disc, open)
}

// legend collects entries and draws them where they hide the least data. It is drawn
// by this package rather than by the plot, because only once the data area is laid out
// can we tell where that is.
type legend struct {
	entries []legendEntry
}

type legendEntry struct {
	rank   int
	text   string
	thumbs []plot.Thumbnailer
}

// add adds an entry; entries are listed by rank, then in the order they were added, so
// the legend can read in order of importance while the plotters are added in the order
// they must be drawn.
func (l *legend) add(rank int, text string, thumbs ...plot.Thumbnailer) {
	l.entries = append(l.entries, legendEntry{rank, text, thumbs})
}

// draw draws the legend inside the data area dc of p, at the spot where the curves ink
// and the markers marks (in p's data coordinates) are covered least, on a translucent
// white backdrop so the legend stays readable and the data still shows through.
func (l *legend) draw(dc draw.Canvas, p *plot.Plot, ink [][]Point, marks []Point) {
	if len(l.entries) == 0 {
		return
	}
	sort.SliceStable(l.entries, func(i, j int) bool { return l.entries[i].rank < l.entries[j].rank })
	lg := plot.NewLegend()
	lg.TextStyle = textStyle(vg.Points(8), black)
	lg.ThumbnailWidth = vg.Points(20)
	lg.Padding = vg.Points(1)
	lg.Top, lg.Left = true, true
	var textWidth, entryHeight vg.Length
	for _, e := range l.entries {
		lg.Add(e.text, e.thumbs...)
		textWidth = max(textWidth, lg.TextStyle.Width(e.text))
		entryHeight = max(entryHeight, lg.TextStyle.Rectangle(e.text).Max.Y)
	}
	// The size plot.Legend.Draw takes when given Top and Left.
	n := vg.Length(len(l.entries))
	size := vg.Point{
		X: lg.ThumbnailWidth + lg.TextStyle.Width(" ") + textWidth,
		Y: n*entryHeight + (n-1)*lg.Padding + lg.TextStyle.FontExtents().Descent,
	}

	trX, trY := p.Transforms(&dc)
	toPage := func(pt Point) vg.Point { return vg.Point{X: trX(pt.X), Y: trY(pt.Y)} }
	var inkPage [][]vg.Point
	for _, line := range ink {
		for _, run := range finiteRuns(line) {
			page := make([]vg.Point, len(run))
			for i, pt := range run {
				page[i] = toPage(pt)
			}
			inkPage = append(inkPage, page)
		}
		if len(line) == 1 && finitePoint(line[0]) {
			inkPage = append(inkPage, []vg.Point{toPage(line[0])})
		}
	}
	var marksPage []vg.Point
	for _, m := range marks {
		if finitePoint(m) {
			marksPage = append(marksPage, toPage(m))
		}
	}

	room := dc.Rectangle
	inset := legendInset + legendMargin
	room.Min = room.Min.Add(vg.Point{X: inset, Y: inset})
	room.Max = room.Max.Sub(vg.Point{X: inset, Y: inset})
	box := quietestSpot(room, size, legendMargin, inkPage, marksPage)

	m := legendMargin
	dc.FillPolygon(color.NRGBA{0xff, 0xff, 0xff, 0xd8}, []vg.Point{
		{X: box.Min.X - m, Y: box.Min.Y - m}, {X: box.Max.X + m, Y: box.Min.Y - m},
		{X: box.Max.X + m, Y: box.Max.Y + m}, {X: box.Min.X - m, Y: box.Max.Y + m},
	})
	lg.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: box})
}

// quietestSpot returns where, inside area, to put a box of the given size (grown by
// margin on every side) so it covers the fewest samples of the polylines ink and of
// the points marks, each mark counting as much as markWeight curve samples. The
// candidates are the four corners, then the middles of the four sides, then the
// centre; ties go to the earlier. If the box does not fit, it goes in the top right.
func quietestSpot(area vg.Rectangle, size vg.Point, margin vg.Length, ink [][]vg.Point, marks []vg.Point) vg.Rectangle {
	const markWeight = 25
	const sampleStep = vg.Length(2) // points between samples along a curve
	free := area.Size().Sub(size)
	left, right := area.Min.X, area.Max.X-size.X
	bottom, top := area.Min.Y, area.Max.Y-size.Y
	midX, midY := left+free.X/2, bottom+free.Y/2
	candidates := []vg.Point{
		{X: right, Y: top}, {X: left, Y: top}, {X: right, Y: bottom}, {X: left, Y: bottom},
		{X: midX, Y: top}, {X: midX, Y: bottom}, {X: right, Y: midY}, {X: left, Y: midY},
		{X: midX, Y: midY},
	}
	if free.X < 0 || free.Y < 0 {
		candidates = candidates[:1]
	}
	scores := make([]int, len(candidates))
	visit := func(pt vg.Point, weight int) {
		for i, at := range candidates {
			if pt.X >= at.X-margin && pt.X <= at.X+size.X+margin &&
				pt.Y >= at.Y-margin && pt.Y <= at.Y+size.Y+margin {
				scores[i] += weight
			}
		}
	}
	for _, line := range ink {
		for i, pt := range line {
			visit(pt, 1)
			if i == 0 {
				continue
			}
			// Sample long segments too, so a straight line through a spot counts.
			d := pt.Sub(line[i-1])
			steps := int(min(float64(vg.Length(math.Hypot(float64(d.X), float64(d.Y)))/sampleStep), 1000))
			for s := 1; s < steps; s++ {
				visit(line[i-1].Add(d.Scale(vg.Length(s)/vg.Length(steps))), 1)
			}
		}
	}
	for _, pt := range marks {
		visit(pt, markWeight)
	}
	best := 0
	for i := range scores {
		if scores[i] < scores[best] {
			best = i
		}
	}
	at := candidates[best]
	return vg.Rectangle{Min: at, Max: at.Add(size)}
}

// span returns the smallest and largest finite value among vals, and ok false if there
// is none.
func span(vals ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range vals {
		for _, v := range vs {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
				ok = true
			}
		}
	}
	return lo, hi, ok
}
