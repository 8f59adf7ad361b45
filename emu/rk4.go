package emu

// StepRK4 advances the state x in place by one classical fourth-order Runge-Kutta step of
// size h. f writes dx/dt at a state into its first argument. scratch is caller-owned
// working memory of at least 5*len(x) values; StepRK4 neither allocates nor keeps it.
//
// It is the reference integrator, used by analysis and by the tests that hold the
// engine's inline batch kernels to it. The engine steps with it where no inline kernel
// applies: a model built outside this package (the generic kernel) and a network
// coupled by gap junctions, stepped as one system.
func StepRK4(x []float64, h float64, f func(dx, x []float64), scratch []float64) {
	n := len(x)
	if len(scratch) < 5*n {
		panic("emu: StepRK4 scratch shorter than 5*len(x)")
	}
	k1, k2, k3, k4, y := scratch[:n], scratch[n:2*n], scratch[2*n:3*n], scratch[3*n:4*n], scratch[4*n:5*n]
	f(k1, x)
	for i := range x {
		y[i] = x[i] + h/2*k1[i]
	}
	f(k2, y)
	for i := range x {
		y[i] = x[i] + h/2*k2[i]
	}
	f(k3, y)
	for i := range x {
		y[i] = x[i] + h*k3[i]
	}
	f(k4, y)
	for i := range x {
		x[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
	}
}

// SubSteps returns how many RK4 steps of equal size cover one audio sample of dt ms of
// model time without any step exceeding maxStep.
func SubSteps(dt, maxStep float64) int {
	n := int(dt / maxStep)
	if float64(n)*maxStep < dt {
		n++
	}
	if n < 1 {
		n = 1
	}
	return n
}
