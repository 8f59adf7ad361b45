package view

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/separatrix-audio/separatrix/emu"
	"github.com/separatrix-audio/separatrix/emu/analysis"
)

// Geometry limits. A portrait of the hysteresis patch encodes to 8 to 13 kB, its diagram
// to 2 kB (see BenchmarkAtlasPortrait), so the cache holds about keepNeurons × cells ×
// 13 kB at most: 17 MB at 161 cells.
const (
	// maxLine is the most points one polyline is sent with: a nullcline piece, a cycle,
	// a separatrix, a branch of the diagram: a smooth curve on a projector, 4 kB at
	// most.
	maxLine = 500
	// keepNeurons is how many neurons keep their portraits: the ones wanted last.
	keepNeurons = 8
	// watchFor is how long a neuron stays watched after its last Want: pages ask every
	// display frame, so a neuron nobody has asked about for this long has no page.
	watchFor = 10 * time.Second
	// windowCurrents is how many currents across a neuron's range frame its window.
	windowCurrents = 5
	// The basin's grid: coarser than the portrait command's 80 x 60 (the page smooths
	// it), for 1.6 times less work: the basin is most of a complete portrait's cost, a
	// few seconds on one thread for Hodgkin-Huxley's.
	basinCols, basinRows = 64, 48
)

// Atlas computes and caches, for every neuron of every patch, what the page draws behind
// the live state: portraits (PORTRAIT messages, see the package doc) at a grid of
// currents across NeuronInfo.CurrentRange, and the bifurcation diagram (DIAGRAM). One
// worker thread computes everything, at the lowest priority, so that it never competes
// with the audio.
//
// Only neurons a page watches are computed, the most recently wanted first: its window
// (fixed once, so the picture does not jump as the current moves), then the equilibria
// and nullclines at the wanted current (milliseconds), the complete portrait there
// (cycles, separatrices, basin), the diagram, and then every other current, outward from
// the wanted one, first the fast part and then the complete one. Between two steps the
// worker looks again at what is wanted, so a knob moved is served next.
//
// Want, Portrait, Diagram and Cell may be called from any goroutine at display rate:
// they hold a mutex for a lookup at most and never wait for the worker. The byte
// slices they return are never modified afterwards.
type Atlas struct {
	// Log receives one line when a neuron's geometry cannot be computed (a model the
	// analysis cannot study): its page then shows an empty phase plane and diagram. Set
	// it before Run; nil discards.
	Log io.Writer

	neurons [][]*neuronAtlas // [patch][neuron]
	all     []*neuronAtlas

	mu    sync.Mutex
	clock uint64 // counts the Wants that changed which neuron was wanted last
	wake  chan struct{}

	running atomic.Bool
	tid     atomic.Int64 // the worker's thread id (Linux), for the tests
	// finished, if set (tests), is called on the worker after each step is stored.
	finished func(kind stepKind, patch, neuron, cell int)
}

// neuronAtlas is the geometry of one neuron.
type neuronAtlas struct {
	patch, neuron int
	name          string // "patch hysteresis, neuron a", for the log
	spec          emu.NeuronSpec
	lo, hi        float64 // the range of current; cells spaced evenly over it
	cells         int

	// Guarded by Atlas.mu.
	order     uint64    // Atlas.clock when it was last wanted; 0: never
	wantedAt  time.Time // the last Want
	want      int       // the cell wanted last
	portraits []cached  // nil unless kept (among the keepNeurons wanted last)
	diagram   []byte

	// The worker's alone.
	prepared bool
	sys      *analysis.System // nil when the model cannot be analysed
	init     []float64        // the patch's initial state, if usable
	x, y     [2]float64       // the window
}

// cached is one cell's portrait: the encoded message and whether it is complete.
type cached struct {
	msg      []byte
	complete bool
}

// stepKind is one kind of work the worker does.
type stepKind uint8

const (
	stepPrepare  stepKind = iota // the system and the window
	stepFast                     // equilibria and nullclines at a cell
	stepComplete                 // the whole portrait at a cell
	stepDiagram                  // the bifurcation diagram
)

func (k stepKind) String() string {
	return [...]string{"prepare", "fast", "complete", "diagram"}[k]
}

type step struct {
	kind stepKind
	n    *neuronAtlas
	cell int
}

// NewAtlas returns the atlas of the patches' neurons with cells currents per neuron
// (at least 2; 161 puts one every 0.05 µA/cm² across the hysteresis patch's knob).
// Nothing is computed until Run.
func NewAtlas(patches []PatchInfo, cells int) *Atlas {
	cells = max(cells, 2)
	a := &Atlas{wake: make(chan struct{}, 1)}
	a.neurons = make([][]*neuronAtlas, len(patches))
	for p, pi := range patches {
		for k, ni := range pi.Neurons {
			n := &neuronAtlas{patch: p, neuron: k, spec: ni.Spec, cells: cells,
				name: fmt.Sprintf("patch %s, neuron %s", pi.Name, ni.Spec.Name)}
			n.lo, n.hi = currentRange(ni)
			if n.hi == n.lo {
				n.cells = 1
			}
			a.neurons[p] = append(a.neurons[p], n)
			a.all = append(a.all, n)
		}
	}
	return a
}

// currentRange is the neuron's range of current, in order; a range that is not one
// (NaN, infinite) shrinks to the neuron's starting current.
func currentRange(ni NeuronInfo) (lo, hi float64) {
	lo, hi = ni.CurrentRange[0], ni.CurrentRange[1]
	if lo > hi {
		lo, hi = hi, lo
	}
	if !finite64(lo) || !finite64(hi) {
		lo = ni.Spec.Current
		if !finite64(lo) {
			lo = 0
		}
		hi = lo
	}
	return lo, hi
}

func (a *Atlas) lookup(patch, neuron int) *neuronAtlas {
	if patch < 0 || patch >= len(a.neurons) || neuron < 0 || neuron >= len(a.neurons[patch]) {
		return nil
	}
	return a.neurons[patch][neuron]
}

// Cell returns the grid cell nearest current I (clamped to the range; NaN gives 0), or 0
// for a neuron that does not exist.
func (a *Atlas) Cell(patch, neuron int, I float64) int {
	n := a.lookup(patch, neuron)
	if n == nil {
		return 0
	}
	return n.cell(I)
}

func (n *neuronAtlas) cell(I float64) int {
	switch {
	case n.cells == 1 || !(I > n.lo):
		return 0
	case I >= n.hi:
		return n.cells - 1
	}
	return int(math.Round((I - n.lo) / (n.hi - n.lo) * float64(n.cells-1)))
}

// current is the current of a cell.
func (n *neuronAtlas) current(cell int) float64 {
	if n.cells == 1 {
		return n.lo
	}
	return n.lo + (n.hi-n.lo)*float64(cell)/float64(n.cells-1)
}

// Want says a page watches this neuron at current I: this neuron and this cell are
// computed first. It returns the cell. It never waits for the worker.
func (a *Atlas) Want(patch, neuron int, I float64) (cell int) {
	n := a.lookup(patch, neuron)
	if n == nil {
		return 0
	}
	cell = n.cell(I)
	now := time.Now()
	a.mu.Lock()
	changed := n.want != cell || n.order == 0 || n.order != a.clock || now.Sub(n.wantedAt) > watchFor
	if n.order == 0 || n.order != a.clock {
		a.clock++
		n.order = a.clock
	}
	n.wantedAt, n.want = now, cell
	if n.portraits == nil {
		n.portraits = make([]cached, n.cells)
		a.evictLocked()
	}
	a.mu.Unlock()
	if changed {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
	return cell
}

// evictLocked drops the portraits and diagrams of the neurons wanted longest ago beyond
// the keepNeurons wanted last.
func (a *Atlas) evictLocked() {
	for {
		var kept int
		var oldest *neuronAtlas
		for _, n := range a.all {
			if n.portraits != nil {
				kept++
				if oldest == nil || n.order < oldest.order {
					oldest = n
				}
			}
		}
		if kept <= keepNeurons {
			return
		}
		oldest.portraits, oldest.diagram = nil, nil
	}
}

// Portrait returns the encoded PORTRAIT message of a cell, nil if nothing is computed
// there yet; complete is false while it holds only the nullclines and equilibria.
func (a *Atlas) Portrait(patch, neuron, cell int) (msg []byte, complete bool) {
	n := a.lookup(patch, neuron)
	if n == nil || cell < 0 || cell >= n.cells {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if n.portraits == nil {
		return nil, false
	}
	c := n.portraits[cell]
	return c.msg, c.complete
}

// Diagram returns the encoded DIAGRAM message of a neuron, nil until it is computed.
func (a *Atlas) Diagram(patch, neuron int) []byte {
	n := a.lookup(patch, neuron)
	if n == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return n.diagram
}

// Run computes, on a thread of its own at the lowest priority, until ctx ends. It
// returns when ctx ends, without waiting for the step in progress (a diagram takes about
// a second): the thread ends after it. Call it once.
func (a *Atlas) Run(ctx context.Context) {
	if !a.running.CompareAndSwap(false, true) {
		panic("view: Atlas.Run called twice")
	}
	// While it computes, the worker holds one of the Go scheduler's slots (Ps), which
	// the operating system's priority knows nothing of: with no slot to spare beyond the
	// cores, the audio's goroutines and the pages would share what is left. One more
	// slot than cores lets the operating system, which does know the worker's low
	// priority, share the cores instead. (play already runs with more.)
	if runtime.GOMAXPROCS(0) <= runtime.NumCPU() {
		runtime.GOMAXPROCS(runtime.NumCPU() + 1)
	}
	go a.work(ctx)
	<-ctx.Done()
}

func (a *Atlas) work(ctx context.Context) {
	// Never unlocked: the thread ends with this goroutine instead of going back to the
	// scheduler with its low priority. (Threads the runtime starts while this one is
	// locked are cloned from a thread of normal priority.)
	runtime.LockOSThread()
	tid, err := lowerPriority()
	if err != nil {
		a.logf("view: the geometry thread keeps its priority (%v): it may compete with the sound on a busy machine", err)
	}
	a.tid.Store(int64(tid))
	for ctx.Err() == nil {
		st, ok := a.next()
		if !ok {
			select {
			case <-ctx.Done():
			case <-a.wake:
			}
			continue
		}
		a.do(st)
	}
}

// next picks the next step: over the watched neurons, most recently wanted first, the
// window, then the wanted cell's fast and complete parts, then the diagram, then the
// fill outward from the wanted cell, fast parts before complete ones.
func (a *Atlas) next() (step, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var watched []*neuronAtlas
	now := time.Now()
	for _, n := range a.all {
		if n.portraits != nil && (n.order == a.clock || now.Sub(n.wantedAt) < watchFor) {
			watched = append(watched, n)
		}
	}
	sort.Slice(watched, func(i, j int) bool { return watched[i].order > watched[j].order })
	for _, n := range watched {
		if !n.prepared {
			return step{stepPrepare, n, 0}, true
		}
	}
	for _, n := range watched {
		if n.portraits[n.want].msg == nil {
			return step{stepFast, n, n.want}, true
		}
	}
	for _, n := range watched {
		if !n.portraits[n.want].complete {
			return step{stepComplete, n, n.want}, true
		}
	}
	for _, n := range watched {
		if n.diagram == nil {
			return step{stepDiagram, n, 0}, true
		}
	}
	for _, kind := range []stepKind{stepFast, stepComplete} {
		for _, n := range watched {
			if c, ok := n.nearestLocked(kind); ok {
				return step{kind, n, c}, true
			}
		}
	}
	return step{}, false
}

// nearestLocked returns the cell nearest the wanted one that lacks a portrait (fast) or
// a complete one (complete).
func (n *neuronAtlas) nearestLocked(kind stepKind) (int, bool) {
	missing := func(c int) bool {
		if kind == stepFast {
			return n.portraits[c].msg == nil
		}
		return !n.portraits[c].complete
	}
	for d := 0; d < n.cells; d++ {
		if c := n.want + d; c < n.cells && missing(c) {
			return c, true
		}
		if c := n.want - d; c >= 0 && missing(c) {
			return c, true
		}
	}
	return 0, false
}

// do computes a step and stores what it made.
func (a *Atlas) do(st step) {
	n := st.n
	var msg []byte
	complete := true
	func() {
		defer func() {
			// A live performance must not end for a picture: the neuron's geometry
			// stays empty from here on, and the log says why.
			if v := recover(); v != nil {
				a.logf("view: %s: computing its geometry failed (%v); its phase plane and diagram stay empty", n.name, v)
				n.sys, n.prepared = nil, true
				msg = nil
			}
		}()
		switch st.kind {
		case stepPrepare:
			a.prepare(n)
		case stepFast, stepComplete:
			msg, complete = a.portrait(n, st.cell, st.kind == stepComplete)
		case stepDiagram:
			msg = a.diagram(n)
		}
	}()
	if st.kind != stepPrepare && msg == nil {
		msg, complete = n.empty(st.kind, st.cell), true
	}
	a.mu.Lock()
	switch {
	case n.portraits == nil: // evicted meanwhile
	case st.kind == stepDiagram:
		n.diagram = msg
	case st.kind == stepFast || st.kind == stepComplete:
		if !n.portraits[st.cell].complete {
			n.portraits[st.cell] = cached{msg, complete}
		}
	}
	a.mu.Unlock()
	if a.finished != nil {
		a.finished(st.kind, n.patch, n.neuron, st.cell)
	}
}

// empty is the message of a neuron whose geometry cannot be computed: a window and no
// content.
func (n *neuronAtlas) empty(kind stepKind, cell int) []byte {
	if kind == stepDiagram {
		return encodeDiagram(nil, n.patch, n.neuron, n.diagramRange(), nil)
	}
	if !n.prepared || !finite64(n.x[0]) {
		n.x, n.y = n.fallbackWindow()
	}
	p := &analysis.Portrait{Current: n.current(cell), XRange: n.x, YRange: n.y}
	return encodePortrait(nil, n.patch, n.neuron, cell, p, true)
}

func (n *neuronAtlas) fallbackWindow() (x, y [2]float64) {
	x, y = [2]float64{0, 1}, [2]float64{0, 1}
	if m := n.spec.Model; m != nil && finite64(m.VoltageRange[0]) && finite64(m.VoltageRange[1]) && m.VoltageRange[1] > m.VoltageRange[0] {
		x = m.VoltageRange
	}
	return x, y
}

func (n *neuronAtlas) diagramRange() [2]float64 {
	if n.hi > n.lo {
		return [2]float64{n.lo, n.hi}
	}
	return [2]float64{n.lo - 1, n.lo + 1}
}

// prepare makes the neuron's system and its window: the union of the windows the
// portrait command would frame at a few currents across the range.
func (a *Atlas) prepare(n *neuronAtlas) {
	n.prepared = true
	n.x, n.y = n.fallbackWindow()
	if n.spec.Model == nil {
		a.logf("view: %s has no model: its phase plane and diagram stay empty", n.name)
		return
	}
	sys, err := analysis.NewSystem(n.spec.Model, n.spec.Params)
	if err != nil {
		a.logf("view: %s: its phase plane and diagram stay empty: %v", n.name, err)
		return
	}
	sys.Workers = 1 // every search stays on this low-priority thread
	if len(n.spec.Init) == sys.Dim() && allFinite(n.spec.Init) {
		n.init = n.spec.Init
	}
	x, y := [2]float64{math.Inf(1), math.Inf(-1)}, [2]float64{math.Inf(1), math.Inf(-1)}
	for k := range windowCurrents {
		I := n.lo + (n.hi-n.lo)*float64(k)/float64(windowCurrents-1)
		p := sys.Portrait(I, n.init, analysis.PortraitOptions{NoBasin: true, Workers: 1})
		if allFinite(p.XRange[:]) && allFinite(p.YRange[:]) {
			x = [2]float64{math.Min(x[0], p.XRange[0]), math.Max(x[1], p.XRange[1])}
			y = [2]float64{math.Min(y[0], p.YRange[0]), math.Max(y[1], p.YRange[1])}
		}
	}
	if x[1] > x[0] && y[1] > y[0] && finite32(x[0]) && finite32(x[1]) && finite32(y[0]) && finite32(y[1]) {
		n.x, n.y = x, y
	}
	n.sys = sys
}

// portrait computes the portrait at a cell: the equilibria and nullclines alone, or
// everything. Nil if the neuron cannot be analysed.
func (a *Atlas) portrait(n *neuronAtlas, cell int, complete bool) ([]byte, bool) {
	if n.sys == nil {
		return nil, true
	}
	p := n.sys.Portrait(n.current(cell), n.init, analysis.PortraitOptions{
		XRange: n.x, YRange: n.y, NullclinesOnly: !complete, BasinCols: basinCols, BasinRows: basinRows,
		// One goroutine: this low-priority thread. No trajectory: the page draws the
		// live state's trail instead.
		Workers: 1, TrajectoryTime: n.sys.Model.MaxStep,
	})
	return encodePortrait(nil, n.patch, n.neuron, cell, p, complete), complete
}

// diagram computes the bifurcation diagram over the neuron's range, as the bifurcation
// command does. Nil if the neuron cannot be analysed.
func (a *Atlas) diagram(n *neuronAtlas) []byte {
	if n.sys == nil {
		return nil
	}
	rng := n.diagramRange()
	var extra [][]float64
	if n.init != nil {
		extra = append(extra, n.init)
	}
	I := math.Min(math.Max(n.spec.Current, rng[0]), rng[1])
	if !finite64(I) {
		I = rng[0]
	}
	r, err := n.sys.Analyze(I, rng[0], rng[1], extra...)
	if err != nil {
		a.logf("view: %s: no bifurcation diagram: %v", n.name, err)
		return nil
	}
	d := n.sys.Diagram(r, analysis.DiagramOptions{})
	return encodeDiagram(nil, n.patch, n.neuron, rng, d)
}

func (a *Atlas) logf(format string, args ...any) {
	if a.Log != nil {
		fmt.Fprintf(a.Log, format+"\n", args...)
	}
}

// Equilibrium kinds of the PORTRAIT message.
const (
	kindStableNode = iota
	kindStableFocus
	kindUnstableNode
	kindUnstableFocus
	kindSaddle
)

func equilibriumKind(e *analysis.Equilibrium) byte {
	switch {
	case e.Type == "saddle":
		return kindSaddle
	case e.Stable() && e.Type == "focus":
		return kindStableFocus
	case e.Stable():
		return kindStableNode
	case e.Type == "focus":
		return kindUnstableFocus
	}
	return kindUnstableNode
}

// encodePortrait appends the PORTRAIT message of p (see the package doc) to b. Points
// that are not finite in float32 are left out; polylines are thinned to maxLine points.
func encodePortrait(b []byte, patch, neuron, cell int, p *analysis.Portrait, complete bool) []byte {
	le := binary.LittleEndian
	b = append(b, 2, byte(patch))
	b = le.AppendUint16(b, uint16(neuron))
	b = le.AppendUint32(b, uint32(cell))
	b = le.AppendUint64(b, math.Float64bits(p.Current))
	b = appendF32(b, p.XRange[0], p.XRange[1], p.YRange[0], p.YRange[1])
	var flags byte
	if complete {
		flags |= 1
	}
	if p.Projected {
		flags |= 2
	}
	b = append(b, flags)
	sx, sy := p.XRange[1]-p.XRange[0], p.YRange[1]-p.YRange[0]
	b = appendLines(b, p.VNullcline, sx, sy)
	b = appendLines(b, p.YNullcline, sx, sy)

	at, count := len(b), 0
	b = le.AppendUint16(b, 0)
	for i := range p.Equilibria {
		e := &p.Equilibria[i]
		if count < math.MaxUint16 && e.State != nil && p.Y < len(e.State) && finite32(e.State[0]) && finite32(e.State[p.Y]) {
			b = appendF32(b, e.State[0], e.State[p.Y])
			b = append(b, equilibriumKind(e))
			count++
		}
	}
	le.PutUint16(b[at:], uint16(count))

	at, count = len(b), 0
	b = le.AppendUint16(b, 0)
	var orbit [][2]float64
	for _, c := range p.Cycles {
		orbit = orbit[:0]
		for _, x := range c.Orbit {
			if p.Y < len(x) {
				orbit = append(orbit, [2]float64{x[0], x[p.Y]})
			}
		}
		pts := thin(orbit, sx, sy)
		if len(pts) < 2 || count == math.MaxUint16 {
			continue
		}
		b = append(b, bool8(c.Stable))
		period := c.Period
		if !finite32(period) {
			period = 0
		}
		b = appendF32(b, period)
		b = appendPoints(b, pts)
		count++
	}
	le.PutUint16(b[at:], uint16(count))

	b = appendLines(b, p.Separatrices, sx, sy)

	rows := len(p.Basin)
	cols := 0
	if rows > 0 {
		cols = len(p.Basin[0])
	}
	if rows > math.MaxUint16 || cols > math.MaxUint16 || cols == 0 {
		rows, cols = 0, 0
	}
	b = le.AppendUint16(b, uint16(cols))
	b = le.AppendUint16(b, uint16(rows))
	bits := len(b)
	b = append(b, make([]byte, (cols*rows+7)/8)...)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols && c < len(p.Basin[r]); c++ {
			if p.Basin[r][c] {
				i := r*cols + c
				b[bits+i/8] |= 1 << (i % 8)
			}
		}
	}
	return b
}

// Bifurcation kinds of the DIAGRAM message.
var bifurcationKinds = map[string]byte{"saddle-node": 0, "snic": 1, "supercritical": 2, "subcritical": 3}

// Where a branch of firing cycles ends (DIAGRAM kinds 4 and 5).
const (
	bifurcationCycleFold  = 4
	bifurcationHomoclinic = 5
)

// encodeDiagram appends the DIAGRAM message of d over the range of currents rng (see
// the package doc) to b; d nil gives the axes alone.
func encodeDiagram(b []byte, patch, neuron int, rng [2]float64, d *analysis.Diagram) []byte {
	le := binary.LittleEndian
	// The voltage axis spans what is drawn, with a margin, as a plot would.
	v0, v1 := math.Inf(1), math.Inf(-1)
	span := func(vs []float64) {
		for _, v := range vs {
			if finite32(v) {
				v0, v1 = math.Min(v0, v), math.Max(v1, v)
			}
		}
	}
	if d != nil {
		for _, br := range d.Equilibria {
			span(br.V)
		}
		for _, c := range d.Cycles {
			span(c.VMin)
			span(c.VMax)
		}
	}
	if !(v1 > v0) {
		v0, v1 = 0, 1
		if d != nil && d.Report != nil && len(d.Report.Equilibria) > 0 {
			v0, v1 = d.Report.Equilibria[0].State[0]-1, d.Report.Equilibria[0].State[0]+1
		}
	} else {
		m := 0.05 * (v1 - v0)
		v0, v1 = v0-m, v1+m
	}
	b = append(b, 3, byte(patch))
	b = le.AppendUint16(b, uint16(neuron))
	b = appendF32(b, rng[0], rng[1], v0, v1)
	if d == nil {
		return le.AppendUint16(le.AppendUint16(le.AppendUint16(le.AppendUint16(b, 0), 0), 0), 0)
	}
	sx, sy := rng[1]-rng[0], v1-v0

	at, count := len(b), 0
	b = le.AppendUint16(b, 0)
	var pts [][2]float64
	for _, br := range d.Equilibria {
		pts = pts[:0]
		for i := range min(len(br.I), len(br.V)) {
			pts = append(pts, [2]float64{br.I[i], br.V[i]})
		}
		thinned := thin(pts, sx, sy)
		if len(thinned) < 2 || count == math.MaxUint16 {
			continue
		}
		typ := map[string]byte{"node": 0, "focus": 1, "saddle": 2}[br.Type]
		b = append(b, bool8(br.Stable), typ)
		b = appendPoints(b, thinned)
		count++
	}
	le.PutUint16(b[at:], uint16(count))

	at, count = len(b), 0
	b = le.AppendUint16(b, 0)
	for _, c := range d.Cycles {
		var keep []int
		for i := range min(len(c.I), len(c.VMin), len(c.VMax)) {
			if finite32(c.I[i]) && finite32(c.VMin[i]) && finite32(c.VMax[i]) {
				keep = append(keep, i)
			}
		}
		if len(keep) == 0 || count == math.MaxUint16 {
			continue
		}
		// Cycle branches hold one point per current of the sweep (about 130): thinned
		// evenly if ever longer.
		stride := (len(keep) + maxLine - 1) / maxLine
		b = append(b, bool8(c.Stable))
		nAt := len(b)
		b = le.AppendUint32(b, 0)
		n := 0
		for k := 0; k < len(keep); k += stride {
			i := keep[k]
			b = appendF32(b, c.I[i], c.VMin[i], c.VMax[i])
			n++
		}
		le.PutUint32(b[nAt:], uint32(n))
		count++
	}
	le.PutUint16(b[at:], uint16(count))

	at, count = len(b), 0
	b = le.AppendUint16(b, 0)
	if r := d.Report; r != nil {
		for _, bf := range r.Bifurcations {
			key := bf.Kind
			if bf.Kind == "hopf" {
				key = bf.Criticality
			}
			kind, ok := bifurcationKinds[key]
			if !ok || len(bf.State) == 0 || !finite32(bf.Current) || !finite32(bf.State[0]) {
				continue
			}
			b = append(b, kind)
			b = appendF32(b, bf.Current, bf.State[0])
			count++
		}
		// Where firing stops, as bifurcation marks it: a fold at the top of the firing
		// cycle, a homoclinic orbit at its bottom (where it touches the saddle); and the
		// folds that end a bistable range above a high state.
		mark := func(kind byte, I, V float64) {
			if finite32(I) && finite32(V) {
				b = append(b, kind)
				b = appendF32(b, I, V)
				count++
			}
		}
		if r.CycleFold != nil {
			for _, c := range d.Cycles {
				if c.Stable && len(c.I) > 0 {
					if r.CycleEndKind == "homoclinic" {
						mark(bifurcationHomoclinic, *r.CycleFold, c.VMin[0])
					} else {
						mark(bifurcationCycleFold, *r.CycleFold, c.VMax[0])
					}
					break
				}
			}
		}
		for _, br := range r.BistableRanges {
			if e := br.To; e.Kind == "fold" && e.Cycle != nil && (r.CycleFold == nil || e.Current != *r.CycleFold) {
				mark(bifurcationCycleFold, e.Current, e.Cycle.VMax)
			}
		}
	}
	le.PutUint16(b[at:], uint16(count))

	at, count = len(b), 0
	b = le.AppendUint16(b, 0)
	if r := d.Report; r != nil {
		for _, br := range r.BistableRanges {
			if finite32(br.From.Current) && finite32(br.To.Current) {
				b = appendF32(b, br.From.Current, br.To.Current)
				count++
			}
		}
	}
	le.PutUint16(b[at:], uint16(count))
	return b
}

// appendLines appends a u16 count and the LINEs of the pieces that keep two points.
func appendLines(b []byte, pieces [][][2]float64, sx, sy float64) []byte {
	at, count := len(b), 0
	b = binary.LittleEndian.AppendUint16(b, 0)
	for _, pc := range pieces {
		if pts := thin(pc, sx, sy); len(pts) >= 2 && count < math.MaxUint16 {
			b = appendPoints(b, pts)
			count++
		}
	}
	binary.LittleEndian.PutUint16(b[at:], uint16(count))
	return b
}

// appendPoints appends a LINE: u32 n, n × (f32, f32).
func appendPoints(b []byte, pts [][2]float64) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(pts)))
	for _, q := range pts {
		b = appendF32(b, q[0], q[1])
	}
	return b
}

// thin returns the points of pts that are finite in float32, at most maxLine of them:
// if there are more, points evenly spaced along the curve, measured in units of the
// window (sx by sy), so that a spike, crossed in a few fast steps, keeps its shape as
// well as a slow creep that took hundreds.
func thin(pts [][2]float64, sx, sy float64) [][2]float64 {
	fin := make([][2]float64, 0, len(pts))
	for _, q := range pts {
		if finite32(q[0]) && finite32(q[1]) {
			fin = append(fin, q)
		}
	}
	if len(fin) <= maxLine {
		return fin
	}
	if !(sx > 0) || !(sy > 0) {
		sx, sy = 1, 1
	}
	dist := func(i int) float64 {
		return math.Hypot((fin[i][0]-fin[i-1][0])/sx, (fin[i][1]-fin[i-1][1])/sy)
	}
	total := 0.0
	for i := 1; i < len(fin); i++ {
		total += dist(i)
	}
	// Each point kept inside the curve stands for at least one step of length: at most
	// maxLine-2 of them, and the two ends.
	stepLen := total / float64(maxLine-2)
	out := [][2]float64{fin[0]}
	acc := 0.0
	for i := 1; i < len(fin)-1 && stepLen > 0; i++ {
		if acc += dist(i); acc >= stepLen {
			out, acc = append(out, fin[i]), acc-stepLen
		}
	}
	out = append(out, fin[len(fin)-1])
	if len(out) > maxLine {
		// Round-off, or a curve of no length: every k-th point.
		k := (len(fin) + maxLine - 2) / (maxLine - 1)
		out = out[:0]
		for i := 0; i < len(fin)-1; i += k {
			out = append(out, fin[i])
		}
		out = append(out, fin[len(fin)-1])
	}
	return out
}

func appendF32(b []byte, vs ...float64) []byte {
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	}
	return b
}

func bool8(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func finite64(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// finite32 reports whether v is finite as a float32 too.
func finite32(v float64) bool { return finite64(v) && !math.IsInf(float64(float32(v)), 0) }

func allFinite(vs []float64) bool {
	for _, v := range vs {
		if !finite64(v) {
			return false
		}
	}
	return true
}
