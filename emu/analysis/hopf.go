package analysis

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"
)

// lyapunovCoefficient returns the first Lyapunov coefficient l1 of the Hopf point at
// equilibrium x and current I, and the frequency omega (rad/ms) of the critical pair.
// Negative l1: supercritical (a small stable cycle is born); positive: subcritical (a
// small unstable cycle dies, and the rest state's loss of stability makes a jump).
//
// It is Kuznetsov's invariant formula (Elements of Applied Bifurcation Theory, 3rd ed.,
// eq. 3.20), as in MatCont, with the second and third derivatives of the vector field
// taken by central differences in scaled coordinates (each variable divided by its
// scale, which leaves the sign of l1 unchanged):
//
//	l1 = Re[<p, C(q,q,q̄)> - 2<p, B(q, A⁻¹B(q,q̄))> + <p, B(q̄, (2iω - A)⁻¹ B(q,q))>] / (2ω)
//
// where Aq = iωq, Aᵀp = -iωp and <p,q> = 1. Its size depends on the coordinates and on
// the length of q; it is given for |q| = 1 in the model's own variables.
func (s *System) lyapunovCoefficient(x []float64, I float64) (l1, omega float64, ok bool) {
	d := s.Dim()
	// g(y) = f(S y) / S: the field in scaled coordinates around y0 = x / S.
	y0 := make([]float64, d)
	for j := range x {
		y0[j] = x[j] / s.scale[j]
	}
	xs, fx := make([]float64, d), make([]float64, d)
	g := func(dst, y []float64) {
		for j := range y {
			xs[j] = y[j] * s.scale[j]
		}
		s.Deriv(fx, xs, I)
		for j := range fx {
			dst[j] = fx[j] / s.scale[j]
		}
	}
	// Jacobian of g.
	A := mat.NewDense(d, d, nil)
	yp, ym := make([]float64, d), make([]float64, d)
	gp, gm := make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		copy(yp, y0)
		copy(ym, y0)
		const h = 1e-6
		yp[j] += h
		ym[j] -= h
		g(gp, yp)
		g(gm, ym)
		for i := 0; i < d; i++ {
			A.Set(i, j, (gp[i]-gm[i])/(2*h))
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(A, mat.EigenRight|mat.EigenLeft) {
		return 0, 0, false
	}
	vals := eig.Values(nil)
	k := -1
	for i, l := range vals {
		if imag(l) > 0 && (k < 0 || math.Abs(real(l)) < math.Abs(real(vals[k]))) {
			k = i
		}
	}
	if k < 0 {
		return 0, 0, false
	}
	omega = imag(vals[k])
	var R, L mat.CDense
	eig.VectorsTo(&R)
	eig.LeftVectorsTo(&L)
	q, p := make([]complex128, d), make([]complex128, d)
	for i := 0; i < d; i++ {
		q[i], p[i] = R.At(i, k), L.At(i, k)
	}
	// LAPACK's left eigenvector u satisfies uᴴA = λuᴴ, so Aᵀu = λ̄u = -iωu: u is p up
	// to scale. Normalise <q,q> = 1 and <p,q> = p̄ᵀq = 1.
	var nq float64
	for _, v := range q {
		nq += real(v)*real(v) + imag(v)*imag(v)
	}
	for i := range q {
		q[i] /= complex(math.Sqrt(nq), 0)
	}
	pq := dotc(p, q)
	if cmplx.Abs(pq) < 1e-12 {
		return 0, 0, false
	}
	for i := range p {
		p[i] /= cmplx.Conj(pq)
	}

	B := func(u, v []complex128) []complex128 { return bilinear(g, y0, u, v) }
	qb := conj(q)
	// A⁻¹ B(q, q̄): real.
	b1 := B(q, qb)
	r1 := solveC(A, 0, b1)
	// (2iω - A)⁻¹ B(q, q).
	b2 := B(q, q)
	r2 := solveC(A, complex(0, 2*omega), b2)
	if r1 == nil || r2 == nil {
		return 0, 0, false
	}
	// (2iω - A)x = b  <=>  (A - 2iω)x = -b: solveC solves (A - z)x = b.
	for i := range r2 {
		r2[i] = -r2[i]
	}
	// A⁻¹: solveC(A, 0, b) solves A x = b.
	c := trilinearQQQbar(g, y0, q)
	t := dotc(p, c) - 2*dotc(p, B(q, r1)) + dotc(p, B(qb, r2))
	// l1 scales with the square of the eigenvector's length: report it for q of unit
	// length in the model's own coordinates (as MatCont does), where q is S q_scaled.
	var k2 float64
	for j, v := range q {
		k2 += s.scale[j] * s.scale[j] * (real(v)*real(v) + imag(v)*imag(v))
	}
	return real(t) / (2 * omega) / k2, omega, true
}

func dotc(p, q []complex128) complex128 {
	var s complex128
	for i := range p {
		s += cmplx.Conj(p[i]) * q[i]
	}
	return s
}

func conj(q []complex128) []complex128 {
	out := make([]complex128, len(q))
	for i, v := range q {
		out[i] = cmplx.Conj(v)
	}
	return out
}

// solveC solves (A - z I) x = b for complex z and b by Gaussian elimination with partial
// pivoting (the systems here are at most 8x8). It returns nil if the matrix is singular.
func solveC(A *mat.Dense, z complex128, b []complex128) []complex128 {
	n := len(b)
	M := make([][]complex128, n)
	for i := range M {
		M[i] = make([]complex128, n+1)
		for j := 0; j < n; j++ {
			M[i][j] = complex(A.At(i, j), 0)
		}
		M[i][i] -= z
		M[i][n] = b[i]
	}
	for c := 0; c < n; c++ {
		piv := c
		for r := c + 1; r < n; r++ {
			if cmplx.Abs(M[r][c]) > cmplx.Abs(M[piv][c]) {
				piv = r
			}
		}
		if cmplx.Abs(M[piv][c]) < 1e-300 {
			return nil
		}
		M[c], M[piv] = M[piv], M[c]
		for r := c + 1; r < n; r++ {
			f := M[r][c] / M[c][c]
			for j := c; j <= n; j++ {
				M[r][j] -= f * M[c][j]
			}
		}
	}
	x := make([]complex128, n)
	for i := n - 1; i >= 0; i-- {
		s := M[i][n]
		for j := i + 1; j < n; j++ {
			s -= M[i][j] * x[j]
		}
		x[i] = s / M[i][i]
	}
	return x
}

// realBilinear is the second derivative of g at y0 applied to real directions u and v,
// by central differences.
func realBilinear(g func(dst, y []float64), y0, u, v []float64) []float64 {
	const h = 1e-4
	d := len(y0)
	out := make([]float64, d)
	y, gy := make([]float64, d), make([]float64, d)
	for _, sgn := range [4][3]float64{{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}} {
		for j := range y {
			y[j] = y0[j] + h*(sgn[0]*u[j]+sgn[1]*v[j])
		}
		g(gy, y)
		for j := range out {
			out[j] += sgn[2] * gy[j]
		}
	}
	for j := range out {
		out[j] /= 4 * h * h
	}
	return out
}

// bilinear extends realBilinear to complex directions by bilinearity.
func bilinear(g func(dst, y []float64), y0 []float64, u, v []complex128) []complex128 {
	ur, ui := parts(u)
	vr, vi := parts(v)
	rr := realBilinear(g, y0, ur, vr)
	ii := realBilinear(g, y0, ui, vi)
	ri := realBilinear(g, y0, ur, vi)
	ir := realBilinear(g, y0, ui, vr)
	out := make([]complex128, len(y0))
	for j := range out {
		out[j] = complex(rr[j]-ii[j], ri[j]+ir[j])
	}
	return out
}

// parts splits a complex vector into its real and imaginary parts.
func parts(u []complex128) (re, im []float64) {
	re, im = make([]float64, len(u)), make([]float64, len(u))
	for i, c := range u {
		re[i], im[i] = real(c), imag(c)
	}
	return re, im
}

// cube is the third directional derivative of g at y0 along u, by central differences.
func cube(g func(dst, y []float64), y0, u []float64) []float64 {
	const h = 1e-3
	d := len(y0)
	out := make([]float64, d)
	y, gy := make([]float64, d), make([]float64, d)
	for _, t := range [4][2]float64{{2, 1}, {1, -2}, {-1, 2}, {-2, -1}} {
		for j := range y {
			y[j] = y0[j] + t[0]*h*u[j]
		}
		g(gy, y)
		for j := range out {
			out[j] += t[1] * gy[j]
		}
	}
	for j := range out {
		out[j] /= 2 * h * h * h
	}
	return out
}

// trilinear is the symmetric third derivative C(u, v, w) by polarization of cube.
func trilinear(g func(dst, y []float64), y0, u, v, w []float64) []float64 {
	add := func(vs ...[]float64) []float64 {
		out := make([]float64, len(y0))
		for _, x := range vs {
			for j := range out {
				out[j] += x[j]
			}
		}
		return out
	}
	T := func(vs ...[]float64) []float64 { return cube(g, y0, add(vs...)) }
	a, b, c, ab, ac, bc, u3 := T(u, v, w), T(u, v), T(u, w), T(v, w), T(u), T(v), T(w)
	out := make([]float64, len(y0))
	for j := range out {
		out[j] = (a[j] - b[j] - c[j] - ab[j] + ac[j] + bc[j] + u3[j]) / 6
	}
	return out
}

// trilinearQQQbar is C(q, q, q̄) for q = a + ib: [C(a,a,a) + C(a,b,b)] + i[C(a,a,b) + C(b,b,b)].
func trilinearQQQbar(g func(dst, y []float64), y0 []float64, q []complex128) []complex128 {
	a, b := parts(q)
	aaa := trilinear(g, y0, a, a, a)
	abb := trilinear(g, y0, a, b, b)
	aab := trilinear(g, y0, a, a, b)
	bbb := trilinear(g, y0, b, b, b)
	out := make([]complex128, len(y0))
	for j := range out {
		out[j] = complex(aaa[j]+abb[j], aab[j]+bbb[j])
	}
	return out
}
