package figure

import "math"

// The fixtures are the FitzHugh–Nagumo model, v' = v − v³/3 − w + I, w' = ε(v + a − bw),
// which at I = 0.5 has an unstable focus inside a stable limit cycle: small enough to
// compute here, and it exercises every part of a portrait.
const (
	fhnI   = 0.5
	fhnEps = 0.08
	fhnA   = 0.7
	fhnB   = 0.8
)

func fhnField(v, w float64) (dv, dw float64) {
	return v - v*v*v/3 - w + fhnI, fhnEps * (v + fhnA - fhnB*w)
}

// fhnOrbit integrates from (v, w) for n steps of dt with RK4.
func fhnOrbit(v, w, dt float64, n int) []Point {
	pts := make([]Point, 0, n+1)
	pts = append(pts, Point{v, w})
	for range n {
		k1v, k1w := fhnField(v, w)
		k2v, k2w := fhnField(v+dt/2*k1v, w+dt/2*k1w)
		k3v, k3w := fhnField(v+dt/2*k2v, w+dt/2*k2w)
		k4v, k4w := fhnField(v+dt*k3v, w+dt*k3w)
		v += dt / 6 * (k1v + 2*k2v + 2*k3v + k4v)
		w += dt / 6 * (k1w + 2*k2w + 2*k3w + k4w)
		pts = append(pts, Point{v, w})
	}
	return pts
}

// fhnEquilibrium solves v − v³/3 + I = (v + a)/b by bisection on [−3, 3], where the
// difference is monotone for these parameters.
func fhnEquilibrium() Point {
	g := func(v float64) float64 { return v - v*v*v/3 + fhnI - (v+fhnA)/fhnB }
	lo, hi := -3.0, 3.0
	for range 60 {
		mid := (lo + hi) / 2
		if g(lo)*g(mid) <= 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	v := (lo + hi) / 2
	return Point{v, (v + fhnA) / fhnB}
}

func samplePortrait() *Portrait {
	var cubic, line []Point
	for i := 0; i <= 200; i++ {
		v := -2.5 + 5*float64(i)/200
		cubic = append(cubic, Point{v, v - v*v*v/3 + fhnI})
		line = append(line, Point{v, (v + fhnA) / fhnB})
	}
	eq := fhnEquilibrium()
	// Run onto the cycle, then keep one period's worth (about 37 time units).
	settle := fhnOrbit(2, 0, 0.05, 2000)
	end := settle[len(settle)-1]
	cycle := fhnOrbit(end.X, end.Y, 0.05, 760)

	const rows, cols = 30, 40
	basin := make([][]bool, rows)
	for iy := range basin {
		basin[iy] = make([]bool, cols)
		for ix := range basin[iy] {
			// Everything but a small disc round the focus; the numbers are illustrative.
			v := -2.5 + 5*(float64(ix)+0.5)/cols
			w := -1 + 3.5*(float64(iy)+0.5)/rows
			basin[iy][ix] = math.Hypot(v-eq.X, (w-eq.Y)*2) > 0.3
		}
	}
	return &Portrait{
		Title:  "FitzHugh–Nagumo at I = 0.5",
		Note:   "(v, w) phase plane; ε = 0.08, a = 0.7, b = 0.8",
		XLabel: "v (dimensionless)",
		YLabel: "w",
		XMin:   -2.5, XMax: 2.5, YMin: -1, YMax: 2.5,
		Field: fhnField,
		Nullclines: []Nullcline{
			{Label: "v-nullcline", Pieces: [][]Point{cubic}},
			{Label: "w-nullcline", Pieces: [][]Point{line}},
		},
		Equilibria: []Equilibrium{{X: eq.X, Y: eq.Y, Kind: "unstable focus"}},
		Cycles:     []Cycle{{Points: cycle, Stable: true}},
		Separatrices: [][]Point{
			{{-2.5, 2.2}, {-1, 1.2}, {0, 0.9}},
		},
		Basin:      basin,
		BasinLabel: "basin of the firing cycle",
		Trajectory: fhnOrbit(eq.X+0.05, eq.Y, 0.05, 600),
	}
}

func sampleDiagram() *Diagram {
	// A subcritical-Hopf picture in the shape of Hodgkin–Huxley's, from plain formulas.
	var rest, restU, cycI, cycMin, cycMax, ucI, ucMin, ucMax []float64
	for i := 0; i <= 100; i++ {
		I := 60 * float64(i) / 100
		v := -65 + 0.2*I
		if I < 9.8 {
			rest = append(rest, I, v)
		} else {
			restU = append(restU, I, v)
		}
		if I >= 6.3 {
			cycI = append(cycI, I)
			cycMin = append(cycMin, -75+0.1*I)
			cycMax = append(cycMax, 40-0.3*I)
		}
		if I >= 6.3 && I <= 9.8 {
			f := (I - 6.3) / 3.5
			ucI = append(ucI, I)
			ucMin = append(ucMin, -75+0.1*I+f*(v-(-75+0.1*I)))
			ucMax = append(ucMax, 40-0.3*I+f*(v-(40-0.3*I)))
		}
	}
	split := func(xy []float64) (x, y []float64) {
		for i := 0; i < len(xy); i += 2 {
			x, y = append(x, xy[i]), append(y, xy[i+1])
		}
		return x, y
	}
	ri, rv := split(rest)
	ui, uv := split(restU)
	var upI, upHz, downI, downHz []float64
	for i := 0; i <= 60; i++ {
		I := float64(i)
		upI = append(upI, I)
		downI = append(downI, 60-I)
		up, down := 0.0, 0.0
		if I >= 9.8 {
			up = 50 + 1.5*I
		}
		if 60-I >= 6.3 {
			down = 50 + 1.5*(60-I)
		}
		upHz, downHz = append(upHz, up), append(downHz, down)
	}
	return &Diagram{
		Title:        "subcritical Hopf with a fold of cycles",
		CurrentLabel: "I (µA/cm²)",
		VLabel:       "V (mV)",
		RateLabel:    "firing rate (Hz)",
		Equilibria: []Branch{
			{I: ri, V: rv, Stable: true},
			{I: ui, V: uv, Stable: false},
		},
		Cycles: []CycleBranch{
			{I: cycI, VMin: cycMin, VMax: cycMax, Stable: true},
			{I: ucI, VMin: ucMin, VMax: ucMax, Stable: false},
		},
		Bifurcations: []Bifurcation{
			{I: 9.8, V: -65 + 0.2*9.8, Label: "Hopf (sub) 9.8"},
			{I: 6.3, V: -75 + 0.1*6.3, Label: "fold of cycles 6.3"},
		},
		RateUp:   Sweep{I: upI, Hz: upHz},
		RateDown: Sweep{I: downI, Hz: downHz},
		Bistable: []Interval{{Lo: 6.3, Hi: 9.8}},
	}
}

func sampleTrace() *Trace {
	neuron := func(name string, rate, phase float64) TraceNeuron {
		var n TraceNeuron
		n.Name = name
		for i := 0; i <= 2000; i++ {
			t := 0.1 * float64(i)
			I := 0.0
			if t >= 20 && t < 170 {
				I = 10
			}
			// A sawtooth of spikes while the current is on: plain shapes, not a model.
			v := -70.0
			if I > 0 {
				x := math.Mod((t-20)*rate+phase, 1)
				v = -70 + 20*x
				if x > 0.95 {
					v = 30
				}
			}
			n.T, n.V, n.I = append(n.T, t), append(n.V, v), append(n.I, I)
		}
		for i := 1; i < len(n.V); i++ {
			if n.V[i] >= 0 && n.V[i-1] < 0 {
				n.Spikes = append(n.Spikes, n.T[i])
			}
		}
		return n
	}
	return &Trace{
		Title:     "two neurons, one 150 ms step",
		TimeLabel: "t (ms)",
		VLabel:    "V (mV)",
		ILabel:    "I (µA/cm²)",
		Neurons:   []TraceNeuron{neuron("regular spiking", 0.05, 0), neuron("fast spiking", 0.12, 0.3)},
	}
}
