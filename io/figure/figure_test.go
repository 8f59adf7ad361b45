package figure

import (
	"bytes"
	"errors"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// figure is what the three figure types have in common, for table tests.
type figure interface {
	Save(path string, width, height vg.Length) error
	validate() error
	render(c draw.Canvas) ([]*panel, error)
}

var (
	_ figure = (*Portrait)(nil)
	_ figure = (*Diagram)(nil)
	_ figure = (*Trace)(nil)
)

// savePNG saves f as a PNG of the given size in a fresh directory and decodes it.
func savePNG(t *testing.T, f figure, width, height vg.Length) image.Image {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fig.png")
	if err := f.Save(path, width, height); err != nil {
		t.Fatalf("Save: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the saved PNG does not decode: %v", err)
	}
	return img
}

// saveSVG saves f as an SVG in a fresh directory and returns its text.
func saveSVG(t *testing.T, f figure) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fig.SVG") // the extension is case-insensitive
	if err := f.Save(path, DefaultWidth, DefaultHeight); err != nil {
		t.Fatalf("Save: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<?xml")) || !bytes.Contains(data, []byte("<svg")) {
		t.Fatalf("the saved file is not SVG; it starts %q", data[:min(len(data), 40)])
	}
	return string(data)
}

func wantPixels(width, height vg.Length) (int, int) {
	px := func(l vg.Length) int { return int(math.Round(float64(l / vg.Inch * PNGDotsPerInch))) }
	return px(width), px(height)
}

// inked counts the pixels that are not nearly white.
func inked(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
		}
	}
	return n
}

// near reports whether the pixel colour c is within 3 levels of want in each channel.
func near(c color.Color, want color.NRGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(v uint32, w uint8) bool { return math.Abs(float64(v>>8)-float64(w)) <= 3 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// checkPNG checks the size of a saved PNG and that a fair part of it is drawn on.
func checkPNG(t *testing.T, f figure, width, height vg.Length) image.Image {
	t.Helper()
	img := savePNG(t, f, width, height)
	wantW, wantH := wantPixels(width, height)
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("PNG is %d × %d pixels, want %d × %d", b.Dx(), b.Dy(), wantW, wantH)
	}
	// An empty frame (axes, ticks, labels) inks about 0.6% of the default figure; the
	// samples ink 4% (traces) to 60% (portrait).
	if n, total := inked(img), wantW*wantH; n < total/50 {
		t.Errorf("only %d of %d pixels are drawn on; the figure looks blank", n, total)
	}
	return img
}

// checkSVGText checks that every one of texts appears in the SVG as text.
func checkSVGText(t *testing.T, svg string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(svg, ">"+html.EscapeString(s)+"</text>") {
			t.Errorf("the SVG has no text %q", s)
		}
	}
}

// pixelOf returns the pixel of an image of height imgH (rendered at PNGDotsPerInch)
// where the point (x, y) of pn's data coordinates lands.
func pixelOf(pn *panel, x, y float64, imgH int) image.Point {
	dc := pn.plot.DataCanvas(pn.canvas)
	trX, trY := pn.plot.Transforms(&dc)
	return image.Point{
		X: int(trX(x).Dots(PNGDotsPerInch)),
		Y: imgH - 1 - int(trY(y).Dots(PNGDotsPerInch)),
	}
}

// layout renders f on a throwaway canvas like Save's PNG and returns its panels; the
// layout depends only on the size, so it says where Save put things.
func layout(f figure, width, height vg.Length) []*panel {
	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(PNGDotsPerInch))
	panels, err := f.render(draw.New(c))
	if err != nil {
		panic(err) // the figure saved at this size, so it fits
	}
	return panels
}

func TestPortraitFiles(t *testing.T) {
	p := samplePortrait()
	checkPNG(t, p, DefaultWidth, DefaultHeight)
	checkPNG(t, p, 10*vg.Centimeter, 15*vg.Centimeter)
	svg := saveSVG(t, p)
	checkSVGText(t, svg, p.Title, p.Note, p.XLabel, p.YLabel,
		"v-nullcline", "w-nullcline", "unstable focus", "stable limit cycle",
		"separatrix (stable manifold of the saddle)", "basin of the firing cycle", "trajectory")
}

func TestPortraitBasinShading(t *testing.T) {
	// Only the left half of the window is in the basin, and nothing else is drawn there.
	basin := make([][]bool, 8)
	for iy := range basin {
		basin[iy] = make([]bool, 10)
		for ix := range 5 {
			basin[iy][ix] = true
		}
	}
	p := &Portrait{
		Title: "basin", XLabel: "V (mV)", YLabel: "n",
		XMin: -80, XMax: 40, YMin: 0, YMax: 1,
		Basin: basin, BasinLabel: "basin of the firing cycle",
	}
	img := savePNG(t, p, DefaultWidth, DefaultHeight)
	pn := layout(p, DefaultWidth, DefaultHeight)[0]
	h := img.Bounds().Dy()
	for _, at := range []struct {
		x, y   float64
		shaded bool
	}{
		{-70, 0.1, true}, {-50, 0.5, true}, {-25, 0.7, true},
		{-15, 0.1, false}, {10, 0.5, false}, {35, 0.3, false},
	} {
		// Clear of the top right, where the legend goes when nothing else is drawn.
		px := pixelOf(pn, at.x, at.y, h)
		if got := near(img.At(px.X, px.Y), basinColour); got != at.shaded {
			t.Errorf("at (%g, %g), pixel %v is %v: basin colour %v, want %v",
				at.x, at.y, px, img.At(px.X, px.Y), got, at.shaded)
		}
	}
}

func TestDiagramFiles(t *testing.T) {
	d := sampleDiagram()
	checkPNG(t, d, DefaultWidth, DefaultHeight)
	svg := saveSVG(t, d)
	checkSVGText(t, svg, d.Title, d.CurrentLabel, d.VLabel, d.RateLabel,
		"stable equilibrium", "unstable equilibrium",
		"stable cycle (min and max V)", "unstable cycle (min and max V)",
		"bifurcation", "bistable range", "I stepped up", "I stepped down",
		"Hopf (sub) 9.8", "fold of cycles 6.3")
}

// Every bistable range is shaded, in both panels, and nothing between them: two that
// overlap (rest's with firing, and the high state's with firing, as in Morris-Lecar's
// homoclinic preset) and one apart.
func TestDiagramBistableBand(t *testing.T) {
	// Lines only along the top and bottom of each panel, so the middle is free, and
	// the legends go to the middle of the right side.
	d := &Diagram{
		Title: "band", CurrentLabel: "I", VLabel: "V", RateLabel: "Hz",
		Equilibria: []Branch{{I: []float64{0, 100}, V: []float64{-70, -70}, Stable: true}},
		Cycles:     []CycleBranch{{I: []float64{0, 100}, VMin: []float64{-70, -70}, VMax: []float64{30, 30}, Stable: true}},
		RateUp:     Sweep{I: []float64{0, 100}, Hz: []float64{0, 0}},
		RateDown:   Sweep{I: []float64{0, 100}, Hz: []float64{100, 100}},
		Bistable:   []Interval{{Lo: 30, Hi: 45}, {Lo: 40, Hi: 60}, {Lo: 75, Hi: 85}},
	}
	img := savePNG(t, d, DefaultWidth, DefaultHeight)
	panels := layout(d, DefaultWidth, DefaultHeight)
	if len(panels) != 2 {
		t.Fatalf("the diagram has %d panels, want 2", len(panels))
	}
	h := img.Bounds().Dy()
	for k, pn := range panels {
		// Halfway up each panel, clear of the lines along its bottom.
		mid := pn.plot.Y.Min + (pn.plot.Y.Max-pn.plot.Y.Min)*0.5
		for _, at := range []struct {
			i      float64
			shaded bool
		}{{35, true}, {42, true}, {55, true}, {80, true}, {20, false}, {67, false}, {95, false}} {
			px := pixelOf(pn, at.i, mid, h)
			if got := near(img.At(px.X, px.Y), bistableColour); got != at.shaded {
				t.Errorf("panel %d at I = %g, pixel %v is %v: band colour %v, want %v",
					k, at.i, px, img.At(px.X, px.Y), got, at.shaded)
			}
		}
	}
}

func TestDiagramWithoutRatesHasOnePanel(t *testing.T) {
	d := sampleDiagram()
	d.RateUp, d.RateDown = Sweep{}, Sweep{I: []float64{1, 2}, Hz: []float64{math.NaN(), math.NaN()}}
	if n := len(layout(d, DefaultWidth, DefaultHeight)); n != 1 {
		t.Errorf("a diagram without rates has %d panels, want 1", n)
	}
	svg := saveSVG(t, d)
	checkSVGText(t, svg, d.CurrentLabel, d.VLabel)
	if strings.Contains(svg, d.RateLabel) {
		t.Errorf("a diagram without rates still shows %q", d.RateLabel)
	}
}

func TestTraceFiles(t *testing.T) {
	tr := sampleTrace()
	checkPNG(t, tr, DefaultWidth, DefaultHeight)
	svg := saveSVG(t, tr)
	checkSVGText(t, svg, tr.Title, tr.TimeLabel, tr.VLabel, tr.ILabel, "regular spiking", "fast spiking")

	one := &Trace{Title: "one", TimeLabel: "t (s)", VLabel: "V (mV)", ILabel: "I (pA)",
		Neurons: tr.Neurons[:1]}
	checkPNG(t, one, DefaultWidth, DefaultHeight)
	checkSVGText(t, saveSVG(t, one), "one", "t (s)", "regular spiking")
}

func TestTraceWithoutCurrentHasOnePanel(t *testing.T) {
	tr := sampleTrace()
	for k := range tr.Neurons {
		tr.Neurons[k].I = nil
	}
	if n := len(layout(tr, DefaultWidth, DefaultHeight)); n != 1 {
		t.Errorf("a trace without current has %d panels, want 1", n)
	}
	svg := saveSVG(t, tr)
	checkSVGText(t, svg, tr.TimeLabel, tr.VLabel)
	if strings.Contains(svg, tr.ILabel) {
		t.Errorf("a trace without current still shows %q", tr.ILabel)
	}
}

// TestNonFiniteInput checks that NaN and infinities are dropped, not drawn or fatal.
func TestNonFiniteInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)

	p := samplePortrait()
	p.Nullclines[0].Pieces[0][50] = Point{nan, 1}
	p.Nullclines[1].Pieces[0][0] = Point{inf, -inf}
	p.Equilibria = append(p.Equilibria, Equilibrium{X: nan, Y: 0, Stable: true})
	p.Cycles[0].Points[10].Y = inf
	p.Trajectory = append([]Point{{nan, nan}}, p.Trajectory...)
	// Finite but far off the page: must be clipped, not overflow the page transform.
	p.Nullclines = append(p.Nullclines, Nullcline{Label: "far", Pieces: [][]Point{{{-1e308, -1e308}, {0, 0}, {1e308, 1e300}}}})
	p.Separatrices = append(p.Separatrices, []Point{{nan, nan}}, nil)
	p.Field = func(x, y float64) (float64, float64) {
		if x > 1 {
			return nan, inf
		}
		if x < -2 {
			return inf, 0 // infinitely fast: no direction on the page
		}
		return fhnField(x, y)
	}

	d := sampleDiagram()
	d.Equilibria[0].V[3] = nan
	d.Cycles[0].VMax[5] = inf
	d.Cycles[1].I[0] = -inf
	d.Bifurcations = append(d.Bifurcations, Bifurcation{I: nan, V: 0, Label: "lost"})
	d.RateUp.Hz[10] = nan

	tr := sampleTrace()
	tr.Neurons[0].V[100] = nan
	tr.Neurons[0].T[200] = nan
	tr.Neurons[1].I[5] = inf
	tr.Neurons[1].Spikes = append(tr.Neurons[1].Spikes, nan, -inf, 1e9)
	tr.Neurons[1].V[300] = -1e308

	for name, f := range map[string]figure{"portrait": p, "diagram": d, "trace": tr} {
		t.Run(name, func(t *testing.T) {
			checkPNG(t, f, DefaultWidth, DefaultHeight)
			if svg := saveSVG(t, f); strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
				t.Error("the SVG contains a non-finite coordinate")
			}
		})
	}
}

// TestEmptyFigures checks that figures with nothing but their frame still draw.
func TestEmptyFigures(t *testing.T) {
	for name, f := range map[string]figure{
		"portrait":              &Portrait{XMin: 0, XMax: 1, YMin: 0, YMax: 1},
		"diagram":               &Diagram{},
		"trace":                 &Trace{},
		"trace with one sample": &Trace{Neurons: []TraceNeuron{{T: []float64{0}, V: []float64{-70}}}},
	} {
		t.Run(name, func(t *testing.T) {
			img := savePNG(t, f, DefaultWidth, DefaultHeight)
			if inked(img) == 0 {
				t.Error("not even the axes were drawn")
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	good := func() *Portrait { return &Portrait{XMin: 0, XMax: 1, YMin: 0, YMax: 1} }
	ragged := good()
	ragged.Basin = [][]bool{{true, false}, {true}}
	for _, tc := range []struct {
		name string
		fig  figure
		file string
		size vg.Length
		want string
	}{
		{"pdf", good(), "out.pdf", DefaultWidth, "out.pdf: want a .png or .svg file"},
		{"no extension", good(), "out", DefaultWidth, "want a .png or .svg file"},
		{"tiny", good(), "out.png", vg.Centimeter, "width 1 cm is outside [8 cm, 100 cm]"},
		{"no room under the title", &Trace{Title: strings.Repeat("a line of title\n", 25)}, "out.png", MinSide,
			"the figure is too small: panel 1 has no room for a data area"},
		{"huge", good(), "out.svg", 10 * vg.Inch * 100, "width 2.54e+03 cm is outside"},
		{"NaN size", good(), "out.svg", vg.Length(math.NaN()), "width NaN cm is outside"},
		{"x window", &Portrait{XMin: 3, XMax: 1, YMin: 0, YMax: 1}, "out.png", DefaultWidth,
			"out.png: the window is empty: XMin (3) must be below XMax (1)"},
		{"y window", &Portrait{XMin: 0, XMax: 1, YMin: 1, YMax: 1}, "out.png", DefaultWidth,
			"YMin (1) must be below YMax (1)"},
		{"infinite window", &Portrait{XMin: 0, XMax: math.Inf(1), YMin: 0, YMax: 1}, "out.png", DefaultWidth,
			"the window [0, +Inf] × [0, 1] is not finite"},
		{"window span overflows", &Portrait{XMin: 0, XMax: 1, YMin: -1e308, YMax: 1e308}, "out.png", DefaultWidth,
			"is not finite"},
		{"ragged basin", ragged, "out.png", DefaultWidth, "Basin row 1 has 1 cells but row 0 has 2"},
		{"empty basin row", &Portrait{XMin: 0, XMax: 1, YMin: 0, YMax: 1, Basin: [][]bool{{}}}, "out.png", DefaultWidth,
			"Basin row 0 has no cells"},
		{"stable saddle", &Portrait{XMin: 0, XMax: 1, YMin: 0, YMax: 1,
			Equilibria: []Equilibrium{{X: 0.5, Y: 0.5, Stable: true, Saddle: true}}}, "out.png", DefaultWidth,
			"Equilibria[0] at (0.5, 0.5) is marked both Stable and Saddle"},
		{"branch lengths", &Diagram{Equilibria: []Branch{{}, {I: []float64{1, 2}, V: []float64{1}}}}, "out.png", DefaultWidth,
			"Equilibria[1]: I has 2 values but V has 1"},
		{"cycle lengths", &Diagram{Cycles: []CycleBranch{{I: []float64{1}, VMin: []float64{1}, VMax: nil}}}, "out.png", DefaultWidth,
			"Cycles[0]: I has 1 values but VMax has 0"},
		{"sweep lengths", &Diagram{RateDown: Sweep{I: []float64{1, 2, 3}, Hz: []float64{1, 2}}}, "out.png", DefaultWidth,
			"RateDown: I has 3 values but Hz has 2"},
		{"bistable backwards", &Diagram{Bistable: []Interval{{Lo: 1, Hi: 2}, {Lo: 5, Hi: 4}}}, "out.png", DefaultWidth,
			"Bistable[1] is [5, 4]; want finite Lo < Hi"},
		{"trace lengths", &Trace{Neurons: []TraceNeuron{{Name: "RS", T: []float64{0, 1}, V: []float64{0}}}}, "out.png", DefaultWidth,
			"Neurons[0] (RS): T has 2 values but V has 1"},
		{"current lengths", &Trace{Neurons: []TraceNeuron{{T: []float64{0, 1}, V: []float64{0, 1}, I: []float64{1}}}}, "out.png", DefaultWidth,
			"Neurons[0] (neuron 1): T has 2 values but I has 1"},
		{"time backwards", &Trace{Neurons: []TraceNeuron{{}, {T: []float64{0, 2, math.NaN(), 1}, V: []float64{0, 0, 0, 0}}}}, "out.png", DefaultWidth,
			"Neurons[1] (neuron 2): time runs backwards: T[3] = 1 comes after T[1] = 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := tc.fig.Save(filepath.Join(dir, tc.file), tc.size, DefaultHeight)
			if err == nil {
				t.Fatalf("Save succeeded, want an error mentioning %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "figure: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a failed Save left %d files behind", len(entries))
			}
		})
	}
}

func TestFailedSaveKeepsEarlierFile(t *testing.T) {
	earlier := []byte("an earlier figure")
	panicky := samplePortrait()
	panicky.Field = func(x, y float64) (float64, float64) { panic("the model blew up") }

	for _, tc := range []struct {
		name string
		file string
		fig  figure
		want string
	}{
		{"bad extension", "fig.pdf", samplePortrait(), "want a .png or .svg file"},
		{"bad data", "fig.png", &Portrait{XMin: 1, XMax: 0, YMin: 0, YMax: 1}, "XMin (1) must be below XMax (0)"},
		{"panic while drawing", "fig.svg", panicky, "drawing failed: the model blew up"},
		{"target is a directory", "fig.png", samplePortrait(), "fig.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if tc.name == "target is a directory" {
				if err := os.Mkdir(path, 0o755); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, earlier, 0o640); err != nil {
				t.Fatal(err)
			}
			err := tc.fig.Save(path, DefaultWidth, DefaultHeight)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Save returned %v, want an error mentioning %q", err, tc.want)
			}
			if tc.name != "target is a directory" {
				if got, _ := os.ReadFile(path); !bytes.Equal(got, earlier) {
					t.Errorf("the earlier file now holds %q", got)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("the directory holds %d entries after a failed Save, want just the earlier one", len(entries))
			}
		})
	}

	t.Run("missing directory", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "missing", "fig.png")
		err := samplePortrait().Save(path, DefaultWidth, DefaultHeight)
		if err == nil || !strings.Contains(err.Error(), "figure: cannot write "+path) {
			t.Fatalf("Save returned %v, want an error naming %s", err, path)
		}
	})
}

func TestSaveReplacesFileKeepingItsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fig.png")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := sampleTrace().Save(path, DefaultWidth, DefaultHeight); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("the new file has mode %v, want the earlier file's 0640", info.Mode().Perm())
	}
	if info.Size() < 1000 {
		t.Errorf("the new file is only %d bytes", info.Size())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want 1: a temporary file was left behind", len(entries))
	}
}

func TestFiniteRuns(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		in   []Point
		want []int // lengths of the runs
	}{
		{"nil", nil, nil},
		{"one point", []Point{{0, 0}}, nil},
		{"all finite", []Point{{0, 0}, {1, 1}, {2, 2}}, []int{3}},
		{"split in the middle", []Point{{0, 0}, {1, 1}, {nan, 0}, {2, 2}, {3, 3}}, []int{2, 2}},
		{"lone point between gaps", []Point{{0, 0}, {1, 1}, {nan, 0}, {2, 2}, {0, math.Inf(-1)}, {4, 4}, {5, 5}}, []int{2, 2}},
		{"leading and trailing gaps", []Point{{nan, nan}, {0, 0}, {1, 1}, {2, 2}, {math.Inf(1), 0}}, []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := finiteRuns(tc.in)
			var got []int
			for _, r := range runs {
				got = append(got, len(r))
				for _, p := range r {
					if !finitePoint(p) {
						t.Errorf("run %v holds a non-finite point", r)
					}
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("run lengths %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("run lengths %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestSpikeMarks(t *testing.T) {
	v := []Point{{0, -70}, {1, -50}, {2, math.NaN()}, {3, 30}, {4, -70}}
	got := spikeMarks(v, []float64{0, 0.5, 2, 3, -1, 5, math.NaN()})
	// Time 2 has no sample, so it interpolates between times 1 and 3.
	want := []Point{{0, -70}, {0.5, -60}, {2, -10}, {3, 30}}
	if len(got) != len(want) {
		t.Fatalf("marks %v, want %v", got, want)
	}
	for i := range want {
		if math.Abs(got[i].X-want[i].X) > 1e-12 || math.Abs(got[i].Y-want[i].Y) > 1e-12 {
			t.Errorf("mark %d is %v, want %v", i, got[i], want[i])
		}
	}
}

func TestQuietestSpot(t *testing.T) {
	area := vg.Rectangle{Max: vg.Point{X: 100, Y: 100}}
	size := vg.Point{X: 30, Y: 20}
	corners := map[string]vg.Point{
		"top right": {X: 70, Y: 80}, "top left": {X: 0, Y: 80},
		"bottom right": {X: 70, Y: 0}, "bottom left": {X: 0, Y: 0},
		"middle right": {X: 70, Y: 40},
	}
	for _, tc := range []struct {
		name  string
		ink   [][]vg.Point
		marks []vg.Point
		want  string
	}{
		{"nothing prefers the top right", nil, nil, "top right"},
		{"a line through the top", [][]vg.Point{{{X: 0, Y: 90}, {X: 100, Y: 90}}}, nil, "bottom right"},
		// A diagonal from bottom left to top right leaves the other diagonal free.
		{"a rising diagonal", [][]vg.Point{{{X: 0, Y: 0}, {X: 100, Y: 100}}}, nil, "top left"},
		{"a marker outweighs a short line",
			[][]vg.Point{{{X: 5, Y: 95}, {X: 10, Y: 95}}},
			[]vg.Point{
				{X: 90, Y: 90}, {X: 90, Y: 10}, {X: 10, Y: 10}, // the other corners
				{X: 50, Y: 90}, {X: 50, Y: 10}, {X: 85, Y: 50}, {X: 15, Y: 50}, {X: 50, Y: 50}, // middles
			}, "top left"},
		{"the middle of a side before the centre",
			[][]vg.Point{{{X: 0, Y: 90}, {X: 100, Y: 90}}, {{X: 0, Y: 10}, {X: 100, Y: 10}}}, nil, "middle right"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := quietestSpot(area, size, 2, tc.ink, tc.marks)
			if want := corners[tc.want]; got.Min != want || got.Max != want.Add(size) {
				t.Errorf("spot %v, want the %s corner at %v", got, tc.want, want)
			}
		})
	}
}

// failingWriter writes part of a figure and then fails, as a full disk would.
type failingWriter struct{}

func (failingWriter) WriteTo(w io.Writer) (int64, error) {
	n, _ := w.Write(bytes.Repeat([]byte("x"), 100000))
	return int64(n), errors.New("disk full")
}

func TestWriteAtomicallyFailingMidwayKeepsEarlierFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fig.png")
	earlier := []byte("an earlier figure")
	if err := os.WriteFile(path, earlier, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomically(path, failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("writeAtomically returned %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, earlier) {
		t.Errorf("the earlier file now holds %d bytes starting %q", len(got), got[:min(len(got), 20)])
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want 1: a temporary file was left behind", len(entries))
	}
}

func TestClipToBox(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Point
		want [][]Point
	}{
		{"inside", []Point{{0, 0}, {0.5, 0.5}, {1, 0}}, [][]Point{{{0, 0}, {0.5, 0.5}, {1, 0}}}},
		{"out and back", []Point{{0, 0}, {4, 0}, {0, 1}},
			[][]Point{{{0, 0}, {2, 0}}, {{2, 0.5}, {0, 1}}}},
		{"crossing from far away", []Point{{-1e300, 0.5}, {1e300, 0.5}}, [][]Point{{{-2, 0.5}, {2, 0.5}}}},
		{"entirely outside", []Point{{3, 3}, {4, 4}}, nil},
		{"overflowing length", []Point{{0, 0}, {-1.5e308, 0}, {1.5e308, 0}, {1, 1}},
			[][]Point{{{0, 0}, {-2, 0}}, {{2, 1}, {1, 1}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := clipToBox(tc.in, -2, 2)
			if len(got) != len(tc.want) {
				t.Fatalf("pieces %v, want %v", got, tc.want)
			}
			for i := range got {
				if len(got[i]) != len(tc.want[i]) {
					t.Fatalf("pieces %v, want %v", got, tc.want)
				}
				for j := range got[i] {
					if math.Abs(got[i][j].X-tc.want[i][j].X) > 1e-9 || math.Abs(got[i][j].Y-tc.want[i][j].Y) > 1e-9 {
						t.Fatalf("pieces %v, want %v", got, tc.want)
					}
				}
			}
		})
	}
}
