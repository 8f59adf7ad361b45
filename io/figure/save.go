package figure

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/separatrix-audio/separatrix/io/outfile"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Point is a point in the data coordinates of a figure's axes.
type Point struct{ X, Y float64 }

const (
	// DefaultWidth and DefaultHeight are a figure size that reads well on a screen and
	// on a printed page: 800 × 600 pixels as a PNG.
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 12 * vg.Centimeter

	// PNGDotsPerInch is the resolution of PNG files: 5 pixels per millimetre, so a
	// figure w wide is round(w / vg.Inch * PNGDotsPerInch) pixels wide.
	PNGDotsPerInch = 127

	// MinSide and MaxSide bound a figure's width and height. Below MinSide the axes and
	// labels leave too little room for data; above MaxSide a PNG would take hundreds of
	// megabytes. A figure within the bounds can still be too small for a long title or
	// note, which Save reports as an error.
	MinSide = 8 * vg.Centimeter
	MaxSide = 100 * vg.Centimeter
)

// fileFormat is what Save writes, chosen by the file's extension.
type fileFormat int

const (
	formatPNG fileFormat = iota
	formatSVG
)

func formatOf(path string) (fileFormat, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return formatPNG, nil
	case ".svg":
		return formatSVG, nil
	}
	return 0, fmt.Errorf("figure: cannot write %s: want a .png or .svg file", path)
}

func checkSize(path string, width, height vg.Length) error {
	for _, side := range []struct {
		name string
		l    vg.Length
	}{{"width", width}, {"height", height}} {
		if !(side.l >= MinSide && side.l <= MaxSide) { // also rejects NaN
			return fmt.Errorf("figure: cannot write %s: %s %.3g cm is outside [%g cm, %g cm]",
				path, side.name, float64(side.l/vg.Centimeter), float64(MinSide/vg.Centimeter), float64(MaxSide/vg.Centimeter))
		}
	}
	return nil
}

// newCanvas returns an empty white canvas that writes itself in format f.
func newCanvas(f fileFormat, width, height vg.Length) vg.CanvasWriterTo {
	var c vg.CanvasWriterTo
	switch f {
	case formatPNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(
			vgimg.UseWH(width, height),
			vgimg.UseDPI(PNGDotsPerInch),
			vgimg.UseBackgroundColor(color.White),
		)}
	default:
		c = vgsvg.New(width, height)
		// An SVG starts transparent; paint it so it looks the same as the PNG in any viewer.
		dc := draw.New(c)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
	}
	return c
}

// save is the body of every figure's Save: check the path and size, check the data,
// draw, then write the file atomically.
func save(path string, width, height vg.Length, validate func() error, render func(draw.Canvas) error) error {
	f, err := formatOf(path)
	if err != nil {
		return err
	}
	if err := checkSize(path, width, height); err != nil {
		return err
	}
	if err := validate(); err != nil {
		return fmt.Errorf("figure: cannot draw %s: %w", path, err)
	}
	c := newCanvas(f, width, height)
	if err := renderSafely(render, draw.New(c)); err != nil {
		return fmt.Errorf("figure: cannot draw %s: %w", path, err)
	}
	if err := writeAtomically(path, c); err != nil {
		return fmt.Errorf("figure: cannot write %s: %w", path, err)
	}
	return nil
}

// renderSafely turns a panic while drawing into an error. Validation rules out the
// input we know to be bad, but gonum/plot panics on some degenerate layouts and the
// caller's vector field may panic too; neither should take the program down for a
// picture.
func renderSafely(render func(draw.Canvas) error, c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing failed: %v", r)
		}
	}()
	return render(c)
}

// writeAtomically writes w through package outfile: to a temporary file beside the
// target, renamed over it once complete, so readers see either the old file or the
// complete new one. A symbolic link is followed (it stays a link), a device or FIFO is
// written in place, and the new file keeps the mode of the one it replaces.
func writeAtomically(path string, w io.WriterTo) error {
	return outfile.WriteFile(path, func(out io.Writer) error {
		_, err := w.WriteTo(out)
		return err
	})
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func finitePoint(p Point) bool { return finite(p.X) && finite(p.Y) }

// finiteRuns splits a polyline where it has a non-finite point and returns the pieces
// of two or more points; a lone point between gaps cannot be drawn as a line.
func finiteRuns(pts []Point) [][]Point {
	var runs [][]Point
	start := -1
	for i, p := range pts {
		switch {
		case finitePoint(p) && start < 0:
			start = i
		case !finitePoint(p) && start >= 0:
			if i-start >= 2 {
				runs = append(runs, pts[start:i:i])
			}
			start = -1
		}
	}
	if start >= 0 && len(pts)-start >= 2 {
		runs = append(runs, pts[start:])
	}
	return runs
}

// zip pairs x[i] with y[i]; the caller has checked that the lengths match.
func zip(x, y []float64) []Point {
	pts := make([]Point, len(x))
	for i := range x {
		pts[i] = Point{x[i], y[i]}
	}
	return pts
}

// sameLength returns an error naming the fields unless every slice has len(first).
func sameLength(what string, names []string, slices ...[]float64) error {
	for i := 1; i < len(slices); i++ {
		if len(slices[i]) != len(slices[0]) {
			return fmt.Errorf("%s: %s has %d values but %s has %d",
				what, names[0], len(slices[0]), names[i], len(slices[i]))
		}
	}
	return nil
}
