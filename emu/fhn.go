package emu

// FitzHughNagumo returns the FitzHugh-Nagumo model (FitzHugh 1961; Nagumo et al. 1962), the
// classic two-variable caricature of excitability, dimensionless:
//
//	v' = v - v³/3 - w + I
//	w' = eps (v + a - b w)
//
// One unit of its time is played as 1 ms of model time. With a=0.7, b=0.8, eps=0.08 the
// rest state loses stability in an Andronov-Hopf bifurcation near I ≈ 0.33.
//
// Each call returns a fresh copy (as LookupModel does): changing it changes no other.
func FitzHughNagumo() *Model { return fitzHughNagumo.clone() }

var fitzHughNagumo = register(&Model{
	Name: "fitzhugh-nagumo",
	Doc:  "FitzHugh-Nagumo model (1961), dimensionless: fast variable v and recovery w",
	Vars: []Var{{"V", ""}, {"w", ""}},
	Params: []Param{
		{"a", "", "recovery offset", 0.7, -5, 5},
		{"b", "", "recovery feedback", 0.8, 0, 5},
		{"eps", "", "recovery rate (time-scale ratio)", 0.08, 0.001, 10},
	},
	Presets: []Preset{{
		Name: "classic",
		Doc: "FitzHugh 1961 values a=0.7, b=0.8, eps=0.08: Andronov-Hopf near I ≈ 0.33 " +
			"(Izhikevich & FitzHugh 2006, Scholarpedia 1(9):1349)",
		Values:    map[string]float64{},
		Init:      []float64{-1.19941, -0.62426},
		SpikeHigh: 1, SpikeLow: 0,
		Centre: 0, Span: 2,
		Sweep: [2]float64{0, 1.6},
	}},
	CurrentUnit: "",
	CurrentMin:  -10, CurrentMax: 10,
	MaxStep:      0.05,
	VoltageRange: [2]float64{-3, 3},
	Deriv:        fhnDeriv,
}, fhnKernel, fhnDerive, fhnDeriveInput, fhnDerived)

func fhnField(v, w, I, a, b, eps float64) (dv, dw float64) {
	return v - v*v*v/3 - w + I, eps * (v + a - b*w)
}

func fhnDeriv(dx, x, p []float64, I float64) {
	dx[0], dx[1] = fhnField(x[0], x[1], I, p[0], p[1], p[2])
}

// Both kernels add a population's input (batch.bias) themselves.
func init() { models["fitzhugh-nagumo"].takesBias = true }

// The constants the kernels derive from each member's parameters and input:
//
//	dv/dt = A + B v - v³/3 - w,  dw/dt = eps v + eps a - eps b w
const (
	fhnEps  = iota // eps
	fhnEpsA        // eps a
	fhnEpsB        // eps b
	fhnA           // I + g E: the input folded in (fhnDeriveInput)
	fhnB           // 1 - g
	fhnDerived
)

func fhnDerive(b *batch, k int) {
	a, bb, eps := b.p[0][k], b.p[1][k], b.p[2][k]
	b.setDerived(fhnEps, k, eps)
	b.setDerived(fhnEpsA, k, eps*a)
	b.setDerived(fhnEpsB, k, eps*bb)
	fhnDeriveInput(b, k)
}

// fhnDeriveInput folds member k's input current and coupling into A and B; the engine
// calls it whenever they change.
func fhnDeriveInput(b *batch, k int) {
	g := b.gc[k]
	b.setDerived(fhnA, k, b.in[k]+g*b.ec[k])
	b.setDerived(fhnB, k, 1-g)
}

// fhnConsts are one member's constants over a sample: its population's input (bias)
// added to A.
type fhnConsts struct{ A, B, eps, epsA, epsB float64 }

func fhnConstsOf(d [][]float64, k int, bias float64) fhnConsts {
	return fhnConsts{A: d[fhnA][k] + bias, B: d[fhnB][k], eps: d[fhnEps][k], epsA: d[fhnEpsA][k], epsB: d[fhnEpsB][k]}
}

// slope is dv/dt and dw/dt at (v, w).
func (c *fhnConsts) slope(v, w float64) (dv, dw float64) {
	return c.A + c.B*v - v*v*v*(1.0/3) - w, c.eps*v + c.epsA - c.epsB*w
}

// fhnKernel is the portable kernel: every build's, and the one for members that do not
// fill a vector where fhn_simd.go has a vector kernel. It advances every neuron of the
// batch by nsub RK4 steps of h in float64, state in locals, two neurons side by side
// (their dependency chains overlap) and an odd last one alone.
func fhnKernel(bt *batch, h float64, nsub int) { fhnPortableFrom(bt, h, nsub, 0) }

// fhnPortableFrom steps members from, from+1, ... as fhnKernel does.
func fhnPortableFrom(bt *batch, h float64, nsub, from int) {
	V, W := bt.x[0], bt.x[1]
	n := len(V)
	W = W[:n]
	// Stage i is evaluated at x + next[i] k_i's predecessor and weighs weight[i] in the step.
	h2, h6 := h/2, h/6
	pairs := from + (n-from)&^1
	for a := from; a < pairs; a += 2 {
		b := a + 1
		ca, cb := fhnConstsOf(bt.derived, a, bt.bias), fhnConstsOf(bt.derived, b, bt.bias)
		va, wa, vb, wb := V[a], W[a], V[b], W[b]
		for s := 0; s < nsub; s++ {
			dva1, dwa1 := ca.slope(va, wa)
			dvb1, dwb1 := cb.slope(vb, wb)
			dva2, dwa2 := ca.slope(va+h2*dva1, wa+h2*dwa1)
			dvb2, dwb2 := cb.slope(vb+h2*dvb1, wb+h2*dwb1)
			dva3, dwa3 := ca.slope(va+h2*dva2, wa+h2*dwa2)
			dvb3, dwb3 := cb.slope(vb+h2*dvb2, wb+h2*dwb2)
			dva4, dwa4 := ca.slope(va+h*dva3, wa+h*dwa3)
			dvb4, dwb4 := cb.slope(vb+h*dvb3, wb+h*dwb3)
			va += h6 * (dva1 + 2*dva2 + 2*dva3 + dva4)
			wa += h6 * (dwa1 + 2*dwa2 + 2*dwa3 + dwa4)
			vb += h6 * (dvb1 + 2*dvb2 + 2*dvb3 + dvb4)
			wb += h6 * (dwb1 + 2*dwb2 + 2*dwb3 + dwb4)
		}
		V[a], W[a] = bt.checked(a, va, wa)
		V[b], W[b] = bt.checked(b, vb, wb)
	}
	if pairs < n { // the odd last member, alone
		a := n - 1
		c, v, w := fhnConstsOf(bt.derived, a, bt.bias), V[a], W[a]
		for s := 0; s < nsub; s++ {
			dv1, dw1 := c.slope(v, w)
			dv2, dw2 := c.slope(v+h2*dv1, w+h2*dw1)
			dv3, dw3 := c.slope(v+h2*dv2, w+h2*dw2)
			dv4, dw4 := c.slope(v+h*dv3, w+h*dw3)
			v += h6 * (dv1 + 2*dv2 + 2*dv3 + dv4)
			w += h6 * (dw1 + 2*dw2 + 2*dw3 + dw4)
		}
		V[a], W[a] = bt.checked(a, v, w)
	}
}
