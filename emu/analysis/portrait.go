package analysis

import (
	"math"
	"runtime"
	"sync"
)

// Portrait is what a phase portrait shows at one current, in the plane of V and the
// recovery variable Y (the model's last variable: n or w). For models with more than
// two variables (Hodgkin-Huxley) the plane is a projection: trajectories, equilibria and
// cycles are the full model's, projected, while the vector field, the nullclines and the
// basin are those of the reduction that holds the other variables at their steady state
// for V (Projected says so).
type Portrait struct {
	Current        float64
	Y              int // index of the recovery variable
	XRange, YRange [2]float64
	Projected      bool
	// Field is the (reduced) vector field (dV/dt, dY/dt) at (V, Y).
	Field func(V, y float64) (dV, dY float64)
	// Nullclines as polylines of (V, Y), split where they leave the window.
	VNullcline, YNullcline [][][2]float64
	Equilibria             []Equilibrium
	Cycles                 []Cycle
	// Separatrices are the stable manifolds of the saddles (two-variable models): the
	// threshold between rest and a spike, or between rest and repetitive firing.
	Separatrices [][][2]float64
	// Basin marks the cells of a grid over the window whose trajectories end on the
	// stable cycle, Basin[row][col] with row 0 at the bottom; nil unless a stable cycle
	// and a stable equilibrium coexist (only then is there a basin boundary to show).
	Basin [][]bool
	// Trajectory is the path from the initial state given to Portrait.
	Trajectory [][2]float64
}

// PortraitOptions sets the resolution; zero values pick the defaults.
type PortraitOptions struct {
	BasinCols, BasinRows int     // default 80 x 60
	TrajectoryTime       float64 // ms of model time; default: enough for a few cycles
	// XRange and YRange fix the window (a live view keeps one window while the current
	// moves); zero ranges frame what the portrait holds.
	XRange, YRange [2]float64
	// NoBasin skips the basin, the slowest part, when only the window is wanted.
	NoBasin bool
	// Workers is how many goroutines share the basin (default: one per CPU); 1 keeps
	// the work on the calling goroutine (a live view computes on a low-priority thread).
	Workers int
	// NullclinesOnly computes the equilibria and the nullclines alone, in milliseconds:
	// no cycles, trajectory, separatrices or basin (a live view's first answer when the
	// current moves).
	NullclinesOnly bool
}

// Portrait computes the phase portrait at current I; init (nil: the rest state) is
// where the trajectory starts.
func (s *System) Portrait(I float64, init []float64, opt PortraitOptions) *Portrait {
	if opt.BasinCols <= 0 {
		opt.BasinCols = 80
	}
	if opt.BasinRows <= 0 {
		opt.BasinRows = 60
	}
	d := s.Dim()
	p := &Portrait{Current: I, Y: d - 1, Projected: d > 2}
	p.Equilibria = s.Equilibria(I)
	if !opt.NullclinesOnly {
		if init == nil {
			if st := stableEquilibria(p.Equilibria); len(st) > 0 {
				init = st[0].State
			} else {
				init = s.Clamp(nil, s.Model.VoltageRange[0]+0.3*(s.Model.VoltageRange[1]-s.Model.VoltageRange[0]))
			}
		}
		p.Cycles = s.Cycles(I, init)

		// The trajectory: long enough for several turns of the slowest cycle.
		T := opt.TrajectoryTime
		if T <= 0 {
			T = 100
			for _, c := range p.Cycles {
				T = math.Max(T, 4*c.Period)
			}
			T = math.Min(T, 2000)
		}
		p.Trajectory = s.path(init, I, T, false, false, nil)
	}

	p.window(s)
	if opt.XRange[1] > opt.XRange[0] && opt.YRange[1] > opt.YRange[0] {
		p.XRange, p.YRange = opt.XRange, opt.YRange
	}
	p.Field = func(V, y float64) (float64, float64) {
		x := s.Clamp(nil, V)
		x[p.Y] = y
		dx := make([]float64, d)
		s.Deriv(dx, x, I)
		return dx[0], dx[p.Y]
	}
	p.nullclines(s)
	if opt.NullclinesOnly {
		return p
	}
	if d == 2 {
		for _, e := range p.Equilibria {
			if e.Type == "saddle" {
				p.separatrices(s, e)
			}
		}
	}
	var stableCycle *Cycle
	for i := range p.Cycles {
		if p.Cycles[i].Stable {
			stableCycle = &p.Cycles[i]
			break
		}
	}
	if stableCycle != nil && len(stableEquilibria(p.Equilibria)) > 0 && !opt.NoBasin {
		p.basin(s, stableCycle, opt.BasinCols, opt.BasinRows, opt.Workers)
	}
	return p
}

// path integrates from x0 for T ms (backward if asked), returning (V, Y) points every
// few steps (every step if fine: a separatrix can cross the window in a few steps
// backward in time), and stops early if stop says so.
func (s *System) path(x0 []float64, I, T float64, backward, fine bool, stop func(x []float64) bool) [][2]float64 {
	fl := s.newFlow(I, backward)
	x := append([]float64(nil), x0...)
	Y := s.Dim() - 1
	n := int(T / fl.h)
	every := max(1, n/4000)
	if fine {
		every = 1
	}
	out := [][2]float64{{x[0], x[Y]}}
	for i := 1; i <= n; i++ {
		fl.step(x, fl.h)
		if !fl.inBox(x) {
			break
		}
		if i%every == 0 {
			out = append(out, [2]float64{x[0], x[Y]})
			if stop != nil && stop(x) {
				break
			}
		}
	}
	return out
}

// window frames the equilibria, cycles and trajectory with a margin.
func (p *Portrait) window(s *System) {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	add := func(V, y float64) {
		if math.IsNaN(V) || math.IsNaN(y) {
			return
		}
		xlo, xhi, ylo, yhi = math.Min(xlo, V), math.Max(xhi, V), math.Min(ylo, y), math.Max(yhi, y)
	}
	for _, e := range p.Equilibria {
		add(e.State[0], e.State[p.Y])
	}
	for _, c := range p.Cycles {
		for _, x := range c.Orbit {
			add(x[0], x[p.Y])
		}
	}
	for _, q := range p.Trajectory {
		add(q[0], q[1])
	}
	vr := s.Model.VoltageRange
	minW := 0.15 * (vr[1] - vr[0])
	if xhi-xlo < minW {
		c := (xlo + xhi) / 2
		xlo, xhi = c-minW/2, c+minW/2
	}
	if yhi-ylo < 0.05 {
		c := (ylo + yhi) / 2
		ylo, yhi = c-0.025, c+0.025
	}
	mx, my := 0.12*(xhi-xlo), 0.12*(yhi-ylo)
	p.XRange = [2]float64{math.Max(xlo-mx, vr[0]), math.Min(xhi+mx, vr[1])}
	p.YRange = [2]float64{ylo - my, yhi + my}
	if p.Y > 0 && s.scale[p.Y] == 0.1 && ylo >= 0 && yhi <= 1 {
		// Gating variables: keep the window inside what they can be, unless the
		// content is right at the edge.
		p.YRange = [2]float64{math.Max(ylo-my, -0.02), math.Min(yhi+my, 1.02)}
	}
}

// nullclines traces the V-nullcline (roots in Y of dV/dt for each V, several per V
// possible) and the Y-nullcline (the steady state of Y for each V) across the window.
func (p *Portrait) nullclines(s *System) {
	const cols, rows = 600, 300
	x0, x1, y0, y1 := p.XRange[0], p.XRange[1], p.YRange[0], p.YRange[1]
	var xb, dxb [8]float64
	// Y-nullcline: explicit.
	var piece [][2]float64
	for i := 0; i <= cols; i++ {
		V := x0 + (x1-x0)*float64(i)/cols
		y := s.Clamp(xb[:0], V)[p.Y]
		if y >= y0 && y <= y1 {
			piece = append(piece, [2]float64{V, y})
		} else if len(piece) > 0 {
			p.YNullcline, piece = append(p.YNullcline, piece), nil
		}
	}
	if len(piece) > 1 {
		p.YNullcline = append(p.YNullcline, piece)
	}
	// V-nullcline: roots of dV/dt along each column, linked into pieces while the
	// number of roots stays the same from column to column.
	var open [][][2]float64
	for i := 0; i <= cols; i++ {
		V := x0 + (x1-x0)*float64(i)/cols
		// The field of the reduction (p.Field) at this V, without its allocations:
		// the clamped state depends on V alone.
		x := s.Clamp(xb[:0], V)
		f := func(y float64) float64 {
			x[p.Y] = y
			s.Deriv(dxb[:len(x)], x, p.Current)
			return dxb[0]
		}
		var roots []float64
		prev := f(y0)
		for j := 1; j <= rows; j++ {
			ya, yb := y0+(y1-y0)*float64(j-1)/rows, y0+(y1-y0)*float64(j)/rows
			cur := f(yb)
			if prev*cur < 0 {
				roots = append(roots, bisect(f, ya, yb, prev))
			}
			prev = cur
		}
		if len(roots) != len(open) {
			for _, pc := range open {
				if len(pc) > 1 {
					p.VNullcline = append(p.VNullcline, pc)
				}
			}
			open = make([][][2]float64, len(roots))
		}
		for k, y := range roots {
			open[k] = append(open[k], [2]float64{V, y})
		}
	}
	for _, pc := range open {
		if len(pc) > 1 {
			p.VNullcline = append(p.VNullcline, pc)
		}
	}
}

// separatrices integrates the saddle's stable manifold backward in time from both
// sides of the saddle until it leaves the window (widened by half) or 2 s pass.
func (p *Portrait) separatrices(s *System, saddle Equilibrium) {
	u := s.realDirection(saddle.State, p.Current, false)
	if u == nil {
		return
	}
	wx, wy := p.XRange[1]-p.XRange[0], p.YRange[1]-p.YRange[0]
	outside := func(x []float64) bool {
		return x[0] < p.XRange[0]-wx/2 || x[0] > p.XRange[1]+wx/2 || x[p.Y] < p.YRange[0]-wy/2 || x[p.Y] > p.YRange[1]+wy/2
	}
	eqs := p.Equilibria
	for _, sign := range []float64{1, -1} {
		x := append([]float64(nil), saddle.State...)
		for j := range x {
			x[j] += sign * 1e-5 * s.scale[j] * u[j]
		}
		path := s.path(x, p.Current, 2000, true, true, func(x []float64) bool {
			if outside(x) {
				return true
			}
			// Backward, the manifold may wind into an unstable equilibrium or cycle.
			for _, e := range eqs {
				if !e.Stable() && e.Type != "saddle" && s.distance(x, e.State) < 1e-3 {
					return true
				}
			}
			return false
		})
		p.Separatrices = append(p.Separatrices, append([][2]float64{{saddle.State[0], saddle.State[p.Y]}}, path...))
	}
}

// basin classifies a grid of starting states: a cell is in the cycle's basin if its
// trajectory settles on the cycle (two successive peaks and troughs at the cycle's
// highest and lowest voltage) rather than near a stable equilibrium; a cell still
// undecided when time runs out is left unshaded. The time allowed covers 40 periods
// and ten time constants of the slowest stable equilibrium. Rows are shared out among
// the CPUs.
func (p *Portrait) basin(s *System, c *Cycle, cols, rows, workers int) {
	rest := stableEquilibria(p.Equilibria)
	T := math.Max(40*c.Period, 200)
	for _, e := range rest {
		T = math.Max(T, 10/math.Abs(real(e.Eigenvalues[0])))
	}
	T = math.Min(T, s.settleTime())
	// Peaks and troughs are taken from steps, not refined: on a fast cycle they land
	// 0.1 mV off from one turn to the next. 1% of the cycle's height tells them.
	tol := math.Max(2e-3*s.scale[0], 0.01*(c.VMax-c.VMin))
	p.Basin = make([][]bool, rows)
	next := make(chan int, rows)
	for r := 0; r < rows; r++ {
		p.Basin[r] = make([]bool, cols)
		next <- r
	}
	close(next)
	if workers <= 0 {
		workers = s.Workers
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	work := func() {
		fl := s.newFlow(p.Current, false)
		n := int(T / fl.h)
		x := make([]float64, s.Dim())
		for r := range next {
			y := p.YRange[0] + (p.YRange[1]-p.YRange[0])*(float64(r)+0.5)/float64(rows)
			for k := 0; k < cols; k++ {
				V := p.XRange[0] + (p.XRange[1]-p.XRange[0])*(float64(k)+0.5)/float64(cols)
				s.Clamp(x, V)
				x[p.Y] = y
				p.Basin[r][k] = onCycle(s, fl, x, n, c, rest, tol)
			}
		}
	}
	if workers == 1 {
		work()
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() { defer wg.Done(); work() }()
	}
	wg.Wait()
}

// onCycle integrates from x for at most n steps and reports whether it settles on c
// rather than near one of the rest states.
func onCycle(s *System, fl *flow, x []float64, n int, c *Cycle, rest []Equilibrium, tol float64) bool {
	prevV, rising := x[0], false
	trough := math.Inf(1)
	matches := 0
	for i := 0; i < n; i++ {
		fl.step(x, fl.h)
		V := x[0]
		switch {
		case V > prevV:
			if !rising {
				trough = prevV
			}
			rising = true
		case V < prevV && rising:
			rising = false
			if math.Abs(prevV-c.VMax) < tol && math.Abs(trough-c.VMin) < tol {
				if matches++; matches == 2 {
					return true
				}
			} else {
				matches = 0
			}
		}
		prevV = V
		if i%16 != 0 {
			continue
		}
		if !fl.inBox(x) {
			return false
		}
		for _, e := range rest {
			if s.distance(x, e.State) < 0.01 {
				return false
			}
		}
	}
	return false
}
