package figure

import (
	"math"
	"strings"
	"testing"
)

var _ figure = (*Response)(nil)

func sampleResponse() *Response {
	var x, y, y2 []float64
	for i := 0; i <= 40; i++ {
		iv := 1 + float64(i)*0.5
		x = append(x, iv)
		y = append(y, 5+3*math.Cos(2*math.Pi*(iv-9)/9)*math.Exp(-iv/30)) // best near 9
		y2 = append(y2, 6)
	}
	var t, v1, v2 []float64
	for i := 0; i <= 400; i++ {
		ms := float64(i) * 0.1
		t = append(t, ms)
		v1 = append(v1, -60+80*math.Exp(-math.Pow(ms-20, 2)))
		v2 = append(v2, -60+5*math.Sin(ms))
	}
	return &Response{
		Title: "hopf-super (a) at 0: doublet: resonator", Note: "pulses of 0.5 ms",
		XLabel: "interval (ms)", YLabel: "threshold amplitude",
		Curves:    []ResponseCurve{{Label: "threshold of the pair", X: x, Y: y, Points: true}, {Label: "one pulse", X: x, Y: y2, Dashed: true}},
		Markers:   []Marker{{X: 9, Label: "best 9 ms"}, {X: 9.4, Label: "2π/ω 9.4 ms", Dashed: true}},
		TimeLabel: "t (ms)", VLabel: "V (mV)",
		Examples: []TraceNeuron{{Name: "9 ms: fires", T: t, V: v1, Spikes: []float64{20}}, {Name: "4 ms: rests", T: t, V: v2}},
	}
}

func TestResponseFiles(t *testing.T) {
	r := sampleResponse()
	checkPNG(t, r, DefaultWidth, DefaultHeight)
	svg := saveSVG(t, r)
	checkSVGText(t, svg, r.Title, r.Note, r.XLabel, r.YLabel, r.TimeLabel, r.VLabel,
		"threshold of the pair", "one pulse", "best 9 ms", "2π/ω 9.4 ms", "9 ms: fires", "4 ms: rests")
	if n := len(layout(r, DefaultWidth, DefaultHeight)); n != 2 {
		t.Errorf("a response with examples has %d panels, want 2", n)
	}
	r.Examples = nil
	if n := len(layout(r, DefaultWidth, DefaultHeight)); n != 1 {
		t.Errorf("a response without examples has %d panels, want 1", n)
	}
}

// TestResponseMarkerAtItsX: a marker's line is drawn at its X, across the curves.
func TestResponseMarkerAtItsX(t *testing.T) {
	r := &Response{XLabel: "x", YLabel: "y",
		Curves:  []ResponseCurve{{Label: "flat", X: []float64{0, 10}, Y: []float64{0, 0}}, {Label: "top", X: []float64{0, 10}, Y: []float64{1, 1}}},
		Markers: []Marker{{X: 7, Label: "seven"}}}
	img := savePNG(t, r, DefaultWidth, DefaultHeight)
	pn := layout(r, DefaultWidth, DefaultHeight)[0]
	h := img.Bounds().Dy()
	on, off := pixelOf(pn, 7, 0.5, h), pixelOf(pn, 3, 0.5, h)
	if !near(img.At(on.X, on.Y), bifurcationColour) {
		t.Errorf("at the marker's X the pixel is %v, want the marker's colour", img.At(on.X, on.Y))
	}
	if near(img.At(off.X, off.Y), bifurcationColour) {
		t.Errorf("away from the marker the pixel has its colour")
	}
}

func TestResponseBadInput(t *testing.T) {
	r := sampleResponse()
	r.Curves[0].Y = r.Curves[0].Y[:3]
	if err := r.validate(); err == nil || !strings.Contains(err.Error(), "threshold of the pair") {
		t.Errorf("curves of unequal length: %v", err)
	}
	r = sampleResponse()
	r.Examples[0].T[5] = -1
	if err := r.validate(); err == nil || !strings.Contains(err.Error(), "backwards") {
		t.Errorf("an example whose time runs backwards: %v", err)
	}
	r = sampleResponse()
	r.Curves[0].Y[4] = math.NaN()
	r.Markers = append(r.Markers, Marker{X: math.Inf(1), Label: "nowhere"})
	checkPNG(t, r, DefaultWidth, DefaultHeight) // non-finite values are skipped, not fatal
}
