package view

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
	"github.com/separatrix-audio/separatrix/patches"
)

// The decoder below reads the PORTRAIT and DIAGRAM layouts of doc.go independently of
// the encoder, to the last byte, and refuses any float that is not finite.

type geoReader struct {
	b   []byte
	at  int
	err error
}

func (r *geoReader) take(n int) []byte {
	if r.err != nil {
		return make([]byte, n)
	}
	if r.at+n > len(r.b) {
		r.err = fmt.Errorf("message ends at byte %d, reading %d more at %d", len(r.b), n, r.at)
		return make([]byte, n)
	}
	s := r.b[r.at : r.at+n]
	r.at += n
	return s
}

func (r *geoReader) u8() int      { return int(r.take(1)[0]) }
func (r *geoReader) u16() int     { return int(binary.LittleEndian.Uint16(r.take(2))) }
func (r *geoReader) u32() int     { return int(binary.LittleEndian.Uint32(r.take(4))) }
func (r *geoReader) f64() float64 { return math.Float64frombits(binary.LittleEndian.Uint64(r.take(8))) }
func (r *geoReader) f32() float64 {
	v := float64(math.Float32frombits(binary.LittleEndian.Uint32(r.take(4))))
	if (math.IsNaN(v) || math.IsInf(v, 0)) && r.err == nil {
		r.err = fmt.Errorf("a float at byte %d is %v", r.at-4, v)
	}
	return v
}

func (r *geoReader) line() [][2]float64 {
	n := r.u32()
	if n > maxLine && r.err == nil {
		r.err = fmt.Errorf("a line of %d points, more than %d", n, maxLine)
	}
	if r.err != nil {
		return nil
	}
	pts := make([][2]float64, n)
	for i := range pts {
		pts[i] = [2]float64{r.f32(), r.f32()}
	}
	return pts
}

func (r *geoReader) lines() [][][2]float64 {
	out := make([][][2]float64, r.u16())
	for i := range out {
		out[i] = r.line()
	}
	return out
}

func (r *geoReader) end() error {
	if r.err == nil && r.at != len(r.b) {
		r.err = fmt.Errorf("%d bytes left after the message", len(r.b)-r.at)
	}
	return r.err
}

type geoEquilibrium struct {
	V, Y float64
	Kind int
}

type geoCycle struct {
	Stable bool
	Period float64
	Points [][2]float64
}

type geoPortrait struct {
	Patch, Neuron, Cell    int
	Current                float64
	X0, X1, Y0, Y1         float64
	Complete, Projected    bool
	VNullcline, YNullcline [][][2]float64
	Equilibria             []geoEquilibrium
	Cycles                 []geoCycle
	Separatrices           [][][2]float64
	Cols, Rows             int
	Basin                  []byte
}

func (p *geoPortrait) basinBit(row, col int) bool {
	i := row*p.Cols + col
	return p.Basin[i/8]&(1<<(i%8)) != 0
}

func decodeGeoPortrait(b []byte) (*geoPortrait, error) {
	r := &geoReader{b: b}
	if t := r.u8(); t != 2 {
		return nil, fmt.Errorf("type %d, want 2", t)
	}
	p := &geoPortrait{Patch: r.u8(), Neuron: r.u16(), Cell: r.u32(), Current: r.f64()}
	p.X0, p.X1, p.Y0, p.Y1 = r.f32(), r.f32(), r.f32(), r.f32()
	flags := r.u8()
	p.Complete, p.Projected = flags&1 != 0, flags&2 != 0
	if flags&^3 != 0 && r.err == nil {
		r.err = fmt.Errorf("unknown flags %#x", flags)
	}
	p.VNullcline, p.YNullcline = r.lines(), r.lines()
	p.Equilibria = make([]geoEquilibrium, r.u16())
	for i := range p.Equilibria {
		p.Equilibria[i] = geoEquilibrium{V: r.f32(), Y: r.f32(), Kind: r.u8()}
	}
	p.Cycles = make([]geoCycle, r.u16())
	for i := range p.Cycles {
		p.Cycles[i] = geoCycle{Stable: r.u8() == 1, Period: r.f32(), Points: r.line()}
	}
	p.Separatrices = r.lines()
	p.Cols, p.Rows = r.u16(), r.u16()
	p.Basin = r.take((p.Cols*p.Rows + 7) / 8)
	return p, r.end()
}

type geoBranch struct {
	Stable bool
	Type   int
	Points [][2]float64
}

type geoCycleBranch struct {
	Stable bool
	Points [][3]float64 // I, Vmin, Vmax
}

type geoBifurcation struct {
	Kind int
	I, V float64
}

type geoDiagram struct {
	Patch, Neuron  int
	I0, I1, V0, V1 float64
	Equilibria     []geoBranch
	Cycles         []geoCycleBranch
	Bifurcations   []geoBifurcation
	Bistable       [][2]float64
}

func decodeGeoDiagram(b []byte) (*geoDiagram, error) {
	r := &geoReader{b: b}
	if t := r.u8(); t != 3 {
		return nil, fmt.Errorf("type %d, want 3", t)
	}
	d := &geoDiagram{Patch: r.u8(), Neuron: r.u16()}
	d.I0, d.I1, d.V0, d.V1 = r.f32(), r.f32(), r.f32(), r.f32()
	d.Equilibria = make([]geoBranch, r.u16())
	for i := range d.Equilibria {
		d.Equilibria[i] = geoBranch{Stable: r.u8() == 1, Type: r.u8(), Points: r.line()}
	}
	d.Cycles = make([]geoCycleBranch, r.u16())
	for i := range d.Cycles {
		c := geoCycleBranch{Stable: r.u8() == 1}
		n := r.u32()
		if n > maxLine && r.err == nil {
			r.err = fmt.Errorf("a cycle branch of %d points", n)
		}
		for k := 0; k < n && r.err == nil; k++ {
			c.Points = append(c.Points, [3]float64{r.f32(), r.f32(), r.f32()})
		}
		d.Cycles[i] = c
	}
	d.Bifurcations = make([]geoBifurcation, r.u16())
	for i := range d.Bifurcations {
		d.Bifurcations[i] = geoBifurcation{Kind: r.u8(), I: r.f32(), V: r.f32()}
	}
	d.Bistable = make([][2]float64, r.u16())
	for i := range d.Bistable {
		d.Bistable[i] = [2]float64{r.f32(), r.f32()}
	}
	return d, r.end()
}

// geoPatch is a built-in patch as the view sees it, its neurons' geometry over rng.
func geoPatch(t testing.TB, name string, rng [2]float64) PatchInfo {
	t.Helper()
	p, err := patches.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	info := PatchInfo{Name: p.Name}
	for _, spec := range p.Engine.Neurons {
		info.Neurons = append(info.Neurons, NeuronInfo{Spec: spec, CurrentRange: rng})
	}
	return info
}

// geoRun runs the atlas until the test ends.
func geoRun(t *testing.T, a *Atlas) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// geoWait polls until cond holds; the deadline only keeps a broken worker from hanging
// the test run.
func geoWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// geoComplete waits for the complete portrait of a cell, wanting it all along as a page
// does, and decodes it.
func geoComplete(t *testing.T, a *Atlas, patch, neuron int, I float64) *geoPortrait {
	t.Helper()
	var msg []byte
	geoWait(t, fmt.Sprintf("the complete portrait at I = %g", I), func() bool {
		var complete bool
		msg, complete = a.Portrait(patch, neuron, a.Want(patch, neuron, I))
		return complete
	})
	p, err := decodeGeoPortrait(msg)
	if err != nil {
		t.Fatalf("portrait at I = %g: %v", I, err)
	}
	return p
}

type geoEvent struct {
	kind stepKind
	cell int
	// For portraits, what Portrait returned right after the step was stored.
	complete bool
	msg      []byte
}

func (e geoEvent) String() string { return fmt.Sprintf("%v %d", e.kind, e.cell) }

// TestAtlasHysteresis follows the worker through the hysteresis patch's neuron: the
// order of its steps, a far cell wanted in the middle of the fill, the portraits on both
// sides of the loop and inside it, one window for all, and the diagram.
func TestAtlasHysteresis(t *testing.T) {
	cells := 17 // every 0.5 µA/cm² from -2 to 6
	if testing.Short() {
		cells = 9
	}
	a := NewAtlas([]PatchInfo{geoPatch(t, "hysteresis", [2]float64{-2, 6})}, cells)
	var mu sync.Mutex
	var events []geoEvent
	a.finished = func(kind stepKind, patch, neuron, cell int) {
		e := geoEvent{kind: kind, cell: cell}
		if kind == stepFast || kind == stepComplete {
			e.msg, e.complete = a.Portrait(patch, neuron, cell)
		}
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	snapshot := func() []geoEvent {
		mu.Lock()
		defer mu.Unlock()
		return append([]geoEvent(nil), events...)
	}
	if c := a.Want(0, 0, -2); c != 0 {
		t.Fatalf("I = -2 is cell %d, want 0", c)
	}
	geoRun(t, a)

	// The fill has begun: some cell other than the first is complete.
	geoWait(t, "the fill", func() bool {
		for _, e := range snapshot() {
			if e.kind == stepComplete && e.cell != 0 {
				return true
			}
		}
		return false
	})
	// Every step chosen after Want is for the far cell: after this snapshot, only the
	// step that ends before Want and the one in progress may be another's.
	far := cells - 1
	wantedAt := len(snapshot())
	if c := a.Want(0, 0, 6); c != far {
		t.Fatalf("I = 6 is cell %d, want %d", c, far)
	}
	geoWait(t, "the far cell", func() bool { _, complete := a.Portrait(0, 0, far); return complete })

	t.Run("order", func(t *testing.T) {
		ev := snapshot()
		var head []string
		for _, e := range ev[:min(4, len(ev))] {
			head = append(head, e.String())
		}
		if got, want := strings.Join(head, ", "), "prepare 0, fast 0, complete 0, diagram 0"; got != want {
			t.Errorf("first steps %s, want %s", got, want)
		}
		// Every cell's fast part comes before its complete one, and holds only that.
		fast := map[int]bool{}
		for _, e := range ev {
			switch e.kind {
			case stepFast:
				fast[e.cell] = true
				if e.msg == nil || e.complete {
					t.Errorf("after the fast step at cell %d, Portrait gives %d bytes, complete %v", e.cell, len(e.msg), e.complete)
				} else if p, err := decodeGeoPortrait(e.msg); err != nil || p.Complete || len(p.Cycles)+len(p.Separatrices)+p.Cols > 0 {
					t.Errorf("fast part at cell %d: %v, or more than nullclines and equilibria", e.cell, err)
				}
			case stepComplete:
				if !fast[e.cell] {
					t.Errorf("cell %d complete before its fast part", e.cell)
				}
			}
		}
		// Wanted in the middle of the fill, the far cell is next.
		after := ev[wantedAt:]
		served, others := false, 0
		for _, e := range after {
			if e.cell == far && e.kind == stepComplete {
				served = true
				break
			}
			if e.cell != far {
				others++
			}
		}
		if others > 2 {
			t.Errorf("after the far cell %d was wanted, %d steps for other cells came before it: %v", far, others, after)
		}
		if !served {
			t.Errorf("the far cell is complete but no step made it: %v", after)
		}
		done := map[int]bool{}
		for _, e := range ev {
			if e.kind == stepComplete && e.cell == far {
				break
			}
			if e.kind == stepComplete {
				done[e.cell] = true
			}
		}
		if len(done) > cells-4 {
			t.Errorf("%d of the other %d cells were complete when the far one was served: the test shows little", len(done), cells-1)
		}
	})

	t.Run("portraits", func(t *testing.T) {
		for _, c := range []struct {
			I                           float64
			equilibria, saddles, stable int  // equilibria, saddles among them, stable cycles
			basin                       bool // rest and firing coexist
			separatrices                int
		}{
			{I: -2, equilibria: 3, saddles: 1, stable: 0, separatrices: 2},
			{I: 2, equilibria: 3, saddles: 1, stable: 1, basin: true, separatrices: 2},
			{I: 5, equilibria: 1, saddles: 0, stable: 1},
		} {
			p := geoComplete(t, a, 0, 0, c.I)
			if want := a.Cell(0, 0, c.I); p.Cell != want || math.Abs(p.Current-c.I) > 1e-12 {
				t.Errorf("I = %g: message of cell %d at %g, want cell %d at %g", c.I, p.Cell, p.Current, want, c.I)
			}
			saddles, stable := 0, 0
			for _, e := range p.Equilibria {
				if e.Kind == kindSaddle {
					saddles++
				}
			}
			for _, cy := range p.Cycles {
				if cy.Stable {
					stable++
					if !(cy.Period > 0) || len(cy.Points) < 50 {
						t.Errorf("I = %g: stable cycle of period %g ms with %d points", c.I, cy.Period, len(cy.Points))
					}
				}
			}
			if len(p.Equilibria) != c.equilibria || saddles != c.saddles || stable != c.stable || len(p.Separatrices) != c.separatrices {
				t.Errorf("I = %g: %d equilibria (%d saddles), %d stable cycles, %d separatrices; want %d (%d), %d, %d",
					c.I, len(p.Equilibria), saddles, stable, len(p.Separatrices), c.equilibria, c.saddles, c.stable, c.separatrices)
			}
			if len(p.VNullcline) == 0 || len(p.YNullcline) == 0 {
				t.Errorf("I = %g: nullclines of %d and %d pieces", c.I, len(p.VNullcline), len(p.YNullcline))
			}
			if p.Projected {
				t.Errorf("I = %g: a two-variable model flagged projected", c.I)
			}
			set := 0
			for r := range p.Rows {
				for k := range p.Cols {
					if p.basinBit(r, k) {
						set++
					}
				}
			}
			if c.basin != (p.Cols*p.Rows > 0) || (c.basin && (set == 0 || set == p.Cols*p.Rows)) {
				t.Errorf("I = %g: basin %d x %d with %d cells set; want a basin %v with both kinds of cells", c.I, p.Cols, p.Rows, set, c.basin)
			}
		}
	})

	t.Run("window", func(t *testing.T) {
		var first *geoPortrait
		sizes := map[bool][]int{}
		for c := range cells {
			var msg []byte
			geoWait(t, fmt.Sprintf("cell %d", c), func() bool {
				var complete bool
				msg, complete = a.Portrait(0, 0, a.Want(0, 0, -2+8*float64(c)/float64(cells-1)))
				return complete
			})
			p, err := decodeGeoPortrait(msg)
			if err != nil {
				t.Fatalf("cell %d: %v", c, err)
			}
			sizes[p.Cols > 0] = append(sizes[p.Cols > 0], len(msg))
			if len(msg) >= 50<<10 {
				t.Errorf("cell %d: %d bytes, want well under 50 kB", c, len(msg))
			}
			if first == nil {
				first = p
				if !(first.X1 > first.X0 && first.Y1 > first.Y0) {
					t.Fatalf("window %g..%g x %g..%g", first.X0, first.X1, first.Y0, first.Y1)
				}
				continue
			}
			if p.X0 != first.X0 || p.X1 != first.X1 || p.Y0 != first.Y0 || p.Y1 != first.Y1 {
				t.Errorf("cell %d: window %g..%g x %g..%g, cell 0's %g..%g x %g..%g", c, p.X0, p.X1, p.Y0, p.Y1, first.X0, first.X1, first.Y0, first.Y1)
			}
		}
		t.Logf("complete portraits: %v bytes with a basin, %v without", sizes[true], sizes[false])
	})

	t.Run("diagram", func(t *testing.T) {
		msg := a.Diagram(0, 0)
		d, err := decodeGeoDiagram(msg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("diagram: %d bytes", len(msg))
		if d.I0 != -2 || d.I1 != 6 || !(d.V1 > d.V0) {
			t.Errorf("axes %g..%g x %g..%g, want -2..6 and a voltage range", d.I0, d.I1, d.V0, d.V1)
		}
		// The patch's own measurements (a sweep in steps of 0.001): firing starts at the
		// saddle-node at 4.51 and stops at -0.30 on the way down.
		sn := false
		for _, b := range d.Bifurcations {
			sn = sn || (b.Kind == 0 && math.Abs(b.I-4.51) < 0.01)
		}
		if !sn {
			t.Errorf("bifurcations %v: want a saddle-node (kind 0) at 4.51", d.Bifurcations)
		}
		// Going down, the firing cycle ends on the saddle (a homoclinic orbit, kind 5).
		homoclinic := false
		for _, b := range d.Bifurcations {
			homoclinic = homoclinic || (b.Kind == 5 && math.Abs(b.I+0.30) < 0.02)
		}
		if !homoclinic {
			t.Errorf("bifurcations %v: want where firing stops, a homoclinic orbit (kind 5) at -0.30", d.Bifurcations)
		}
		loop := false
		for _, r := range d.Bistable {
			loop = loop || (math.Abs(r[0]+0.30) < 0.02 && math.Abs(r[1]-4.51) < 0.01)
		}
		if !loop {
			t.Errorf("bistable ranges %v: want -0.30..4.51", d.Bistable)
		}
		var stableEq, unstableEq, stableCycles bool
		for _, b := range d.Equilibria {
			stableEq, unstableEq = stableEq || b.Stable, unstableEq || !b.Stable
		}
		for _, c := range d.Cycles {
			stableCycles = stableCycles || (c.Stable && len(c.Points) > 10)
		}
		if !stableEq || !unstableEq || !stableCycles {
			t.Errorf("branches: stable equilibria %v, unstable %v, stable cycles %v; want all", stableEq, unstableEq, stableCycles)
		}
	})
}

// Hodgkin-Huxley's plane is the (V, n) projection of four variables: the page says so.
func TestAtlasProjected(t *testing.T) {
	a := NewAtlas([]PatchInfo{geoPatch(t, "hh", [2]float64{0, 15}), geoPatch(t, "snic", [2]float64{0, 10})}, 16)
	geoRun(t, a)
	for _, c := range []struct {
		patch     int
		projected bool
	}{{0, true}, {1, false}} {
		var msg []byte
		geoWait(t, "a portrait", func() bool { msg, _ = a.Portrait(c.patch, 0, a.Want(c.patch, 0, 3)); return msg != nil })
		p, err := decodeGeoPortrait(msg)
		if err != nil {
			t.Fatal(err)
		}
		if p.Projected != c.projected || len(p.VNullcline) == 0 {
			t.Errorf("patch %d: projected %v with %d V-nullcline pieces, want %v", c.patch, p.Projected, len(p.VNullcline), c.projected)
		}
	}
}

// Eight pages ask at display rate, all at once, while the worker computes: nothing they
// get is torn, and nobody waits (go test -race checks the sharing).
func TestAtlasConcurrentPages(t *testing.T) {
	infos := []PatchInfo{geoPatch(t, "snic", [2]float64{0, 10}), geoPatch(t, "hysteresis", [2]float64{-2, 6})}
	a := NewAtlas(infos, 41)
	geoRun(t, a)
	// The pages ask for a second and until they have had portraits of several cells
	// (the worker, at nice 19, may be slow to start on a busy machine).
	var got atomic.Int64
	var stop atomic.Bool
	go func() {
		start := time.Now()
		for time.Since(start) < time.Second || (got.Load() < 50 && time.Since(start) < 3*time.Minute) {
			time.Sleep(10 * time.Millisecond)
		}
		stop.Store(true)
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 8))
			for !stop.Load() {
				patch := rng.IntN(2)
				I := -3 + 14*rng.Float64()
				cell := a.Want(patch, 0, I)
				if c := a.Cell(patch, 0, I); c != cell || c < 0 || c >= 41 {
					errs <- fmt.Errorf("Want gives cell %d, Cell %d", cell, c)
					return
				}
				if msg, _ := a.Portrait(patch, 0, cell); msg != nil {
					p, err := decodeGeoPortrait(msg)
					if err != nil || p.Patch != patch || p.Neuron != 0 || p.Cell != cell {
						errs <- fmt.Errorf("portrait of patch %d cell %d: %+v, %v", patch, cell, p, err)
						return
					}
					got.Add(1)
				}
				if msg := a.Diagram(patch, 0); msg != nil {
					if d, err := decodeGeoDiagram(msg); err != nil || d.Patch != patch {
						errs <- fmt.Errorf("diagram of patch %d: %v", patch, err)
						return
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got.Load() < 50 {
		t.Errorf("the pages got %d portraits in 3 minutes", got.Load())
	}
}

// The worker's thread runs at nice 19, the lowest priority, and the rest of the process
// does not.
func TestAtlasWorkerPriority(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread priorities are Linux's")
	}
	a := NewAtlas([]PatchInfo{geoPatch(t, "snic", [2]float64{0, 10})}, 5)
	geoRun(t, a)
	geoWait(t, "the worker", func() bool { return a.tid.Load() != 0 })
	nice := func(path string) int {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Fields after the command name in parentheses: state is the 3rd field, nice
		// the 19th.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		n, err := strconv.Atoi(f[19-3])
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return n
	}
	if n := nice(fmt.Sprintf("/proc/self/task/%d/stat", a.tid.Load())); n != 19 {
		t.Errorf("the geometry thread runs at nice %d, want 19", n)
	}
	// Per thread: this one is not lowered.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if n := nice("/proc/thread-self/stat"); n == 19 {
		t.Errorf("the test's thread runs at nice 19 too")
	}
}

// A model the analysis cannot study gives empty geometry, a line in the log and no panic;
// so does a neuron with no model or no range of current.
func TestAtlasBadInput(t *testing.T) {
	snic := geoPatch(t, "snic", [2]float64{0, 10})
	wrong := snic.Neurons[0]
	wrong.Spec.Name = "wrong"
	wrong.Spec.Params = []float64{1}
	none := NeuronInfo{Spec: emu.NeuronSpec{Name: "none"}, CurrentRange: [2]float64{0, 1}}
	nan := snic.Neurons[0]
	nan.Spec.Name = "nan"
	nan.CurrentRange = [2]float64{math.NaN(), 3}
	a := NewAtlas([]PatchInfo{{Name: "bad", Neurons: []NeuronInfo{wrong, none, nan}}}, 11)
	var log syncBuffer
	a.Log = &log
	geoRun(t, a)
	for k := range 2 {
		var msg []byte
		geoWait(t, "the empty portrait", func() bool {
			var complete bool
			msg, complete = a.Portrait(0, k, a.Want(0, k, 0.5))
			return complete && a.Diagram(0, k) != nil
		})
		p, err := decodeGeoPortrait(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !(p.X1 > p.X0 && p.Y1 > p.Y0) || len(p.VNullcline)+len(p.YNullcline)+len(p.Equilibria)+len(p.Cycles)+len(p.Separatrices)+p.Cols != 0 {
			t.Errorf("neuron %d: portrait %+v, want a window and nothing in it", k, p)
		}
		d, err := decodeGeoDiagram(a.Diagram(0, k))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Equilibria)+len(d.Cycles)+len(d.Bifurcations)+len(d.Bistable) != 0 || !(d.I1 > d.I0) {
			t.Errorf("neuron %d: diagram %+v, want axes and nothing on them", k, d)
		}
	}
	for _, want := range []string{"neuron wrong: its phase plane and diagram stay empty: analysis: inapk takes", "neuron none has no model"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log %q: want %q", log.String(), want)
		}
	}
	// A range that is not one shrinks to the neuron's starting current: one cell, and
	// its portrait is computed there.
	if c := a.Cell(0, 2, 5); c != 0 || a.neurons[0][2].cells != 1 {
		t.Errorf("NaN range: cell %d of %d", c, a.neurons[0][2].cells)
	}
	p := geoComplete(t, a, 0, 2, 5)
	if p.Current != nan.Spec.Current || len(p.Equilibria) == 0 {
		t.Errorf("NaN range: portrait at %g with %d equilibria, want at the start current %g", p.Current, len(p.Equilibria), nan.Spec.Current)
	}
	// Out of range: nothing, and no panic.
	if c := a.Want(3, 0, 1); c != 0 {
		t.Errorf("Want of patch 3: cell %d", c)
	}
	if msg, _ := a.Portrait(0, 9, 0); msg != nil {
		t.Errorf("a portrait of neuron 9 of a patch of 3")
	}
	if msg, _ := a.Portrait(0, 0, 11); msg != nil || a.Diagram(-1, 0) != nil || a.Cell(0, 0, math.NaN()) != 0 {
		t.Errorf("cell 11 of 11, patch -1 or a NaN current gave something")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// NaN and infinite values (and finite ones too large for a float32) never reach the
// page; long lines are thinned to maxLine points, ends kept.
func TestEncodeSkipsNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	long := make([][2]float64, 4*maxLine)
	for i := range long {
		a := 2 * math.Pi * float64(i) / float64(len(long))
		long[i] = [2]float64{-40 + 30*math.Cos(a), 0.4 + 0.3*math.Sin(a)}
	}
	long[7] = [2]float64{nan, 0.5}
	orbit := make([][]float64, 3*maxLine)
	for i := range orbit {
		orbit[i] = []float64{-60 + float64(i)/30, 0.3}
	}
	orbit[3] = []float64{inf, 0.3}
	p := &analysis.Portrait{
		Current: 1, Y: 1, XRange: [2]float64{-80, 10}, YRange: [2]float64{0, 1},
		VNullcline: [][][2]float64{{{-70, 0.1}, {nan, 0.2}, {-60, 0.3}}, {{1e300, 0}, {-50, 0.1}}},
		YNullcline: [][][2]float64{long},
		Equilibria: []analysis.Equilibrium{
			{State: []float64{-65, 0.1}, Stability: "stable", Type: "node"},
			{State: []float64{nan, 0.2}, Stability: "unstable", Type: "saddle"},
			{State: []float64{-30, -inf}, Stability: "unstable", Type: "focus"},
			{State: []float64{-40, 0.5}, Stability: "unstable", Type: "focus"},
		},
		Cycles:       []analysis.Cycle{{Stable: true, Period: nan, Orbit: orbit}},
		Separatrices: [][][2]float64{{{nan, nan}, {inf, 0}}},
	}
	msg := encodePortrait(nil, 1, 2, 3, p, true)
	got, err := decodeGeoPortrait(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.VNullcline) != 1 || len(got.VNullcline[0]) != 2 {
		t.Errorf("V-nullcline %v: want one piece of the two finite points (the other piece has one left)", got.VNullcline)
	}
	if n := len(got.YNullcline[0]); n > maxLine || n < maxLine*9/10 {
		t.Errorf("a line of %d points thinned to %d, want at most %d and near it", len(long), n, maxLine)
	}
	if first, last := got.YNullcline[0][0], got.YNullcline[0][len(got.YNullcline[0])-1]; first != f32pair(long[0]) || last != f32pair(long[len(long)-1]) {
		t.Errorf("thinned line runs %v to %v, want %v to %v", first, last, long[0], long[len(long)-1])
	}
	if len(got.Equilibria) != 2 || got.Equilibria[0].Kind != kindStableNode || got.Equilibria[1].Kind != kindUnstableFocus {
		t.Errorf("equilibria %+v: want the stable node and the unstable focus", got.Equilibria)
	}
	if len(got.Cycles) != 1 || got.Cycles[0].Period != 0 || len(got.Cycles[0].Points) > maxLine {
		t.Errorf("cycles %+v: want one with period 0 (it was NaN), thinned", got.Cycles)
	}
	if len(got.Separatrices) != 0 {
		t.Errorf("separatrices %v: want none (no finite point)", got.Separatrices)
	}

	d := &analysis.Diagram{
		Range: [2]float64{0, 10},
		Equilibria: []analysis.Branch{
			{Stable: true, Type: "node", I: []float64{0, 1, nan, 3}, V: []float64{-70, -69, -68, -67}},
			{Stable: false, Type: "saddle", I: []float64{3, 4}, V: []float64{-50, inf}},
		},
		Cycles: []analysis.CycleBranch{{Stable: true, I: []float64{5, 6, 7}, VMin: []float64{-70, nan, -70}, VMax: []float64{20, 20, 20}}},
		Report: &analysis.Report{
			Bifurcations: []analysis.Bifurcation{
				{Kind: "hopf", Criticality: "subcritical", Current: 4.5, State: []float64{-50, 0.3}},
				{Kind: "saddle-node", Current: nan, State: []float64{-50, 0.3}},
			},
			BistableRanges: []analysis.BistableRange{{From: analysis.Bound{Current: 2}, To: analysis.Bound{Current: inf}}},
		},
	}
	dm, err := decodeGeoDiagram(encodeDiagram(nil, 0, 0, d.Range, d))
	if err != nil {
		t.Fatal(err)
	}
	if len(dm.Equilibria) != 1 || len(dm.Equilibria[0].Points) != 3 || len(dm.Cycles) != 1 || len(dm.Cycles[0].Points) != 2 {
		t.Errorf("diagram branches %+v and %+v: want the finite points alone", dm.Equilibria, dm.Cycles)
	}
	if len(dm.Bifurcations) != 1 || dm.Bifurcations[0].Kind != 3 || len(dm.Bistable) != 0 {
		t.Errorf("bifurcations %+v, bistable %v: want the subcritical Hopf (kind 3) alone", dm.Bifurcations, dm.Bistable)
	}
	if dm.V0 >= -70 || dm.V1 <= 20 {
		t.Errorf("voltage axis %g..%g does not span -70..20", dm.V0, dm.V1)
	}
}

func f32pair(q [2]float64) [2]float64 {
	return [2]float64{float64(float32(q[0])), float64(float32(q[1]))}
}

// Memory stays bounded: only the neurons wanted last keep their portraits.
func TestAtlasKeepsTheNeuronsWantedLast(t *testing.T) {
	snic := geoPatch(t, "snic", [2]float64{0, 10})
	var many PatchInfo
	for range keepNeurons + 4 {
		many.Neurons = append(many.Neurons, snic.Neurons[0])
	}
	a := NewAtlas([]PatchInfo{many}, 161)
	for k := range many.Neurons {
		a.Want(0, k, 1)
	}
	a.Want(0, 0, 1) // wanted again: now the last
	for k := range many.Neurons {
		kept := a.neurons[0][k].portraits != nil
		if want := k == 0 || k >= 5; kept != want {
			t.Errorf("neuron %d keeps its portraits: %v, want %v", k, kept, want)
		}
	}
}

// What one cell costs the worker, and its size: the fast part, the complete portrait of
// the hysteresis neuron inside its loop (the basin is most of it) and outside, and the
// diagram.
func BenchmarkAtlasPortrait(b *testing.B) {
	a := NewAtlas([]PatchInfo{geoPatch(b, "hysteresis", [2]float64{-2, 6})}, 161)
	n := a.neurons[0][0]
	a.prepare(n)
	if n.sys == nil {
		b.Fatal("no system")
	}
	for _, c := range []struct {
		name     string
		I        float64
		complete bool
	}{{"fast/I=2", 2, false}, {"complete/I=2", 2, true}, {"complete/I=5", 5, true}} {
		b.Run(c.name, func(b *testing.B) {
			var msg []byte
			for b.Loop() {
				msg, _ = a.portrait(n, n.cell(c.I), c.complete)
			}
			b.ReportMetric(float64(len(msg)), "bytes/msg")
		})
	}
	b.Run("diagram", func(b *testing.B) {
		var msg []byte
		for b.Loop() {
			msg = a.diagram(n)
		}
		b.ReportMetric(float64(len(msg)), "bytes/msg")
	})
}

// A page watching the snic patch's neuron at I = 6 (it fires) gets the fast part of
// that cell first, then the complete portrait.
func ExampleAtlas() {
	p, err := patches.Load("snic")
	if err != nil {
		panic(err)
	}
	info := PatchInfo{Name: p.Name, Neurons: []NeuronInfo{{Spec: p.Engine.Neurons[0], CurrentRange: [2]float64{0, 10}}}}
	a := NewAtlas([]PatchInfo{info}, 101)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Run(ctx)
	for {
		cell := a.Want(0, 0, 6) // as a page does every display frame
		if msg, complete := a.Portrait(0, 0, cell); complete {
			fmt.Printf("cell %d: a complete PORTRAIT (type %d)\n", cell, msg[0])
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Output:
	// cell 60: a complete PORTRAIT (type 2)
}
