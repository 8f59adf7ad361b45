#!/usr/bin/python3
# Reference currents at which the stable firing cycle disappears on a down sweep and, where
# a depolarised state regains stability below it, on an up sweep; and the Hopf points where
# that state regains stability. For folds_test.go, computed independently of the Go code
# with scipy's adaptive DOP853 at tight tolerances (Debian's python3-scipy; about a minute):
#   /usr/bin/python3 emu/analysis/testdata/folds.py > emu/analysis/testdata/folds.txt
# Each line: model preset what current kind, where what is
#   down: the firing cycle ends going down (kind: fold or homoclinic),
#   up:   the firing cycle ends going up (kind: fold or homoclinic),
#   high: a high (depolarised) equilibrium regains stability going up (kind: hopf).
# Diagnostics (the brackets, periods and distances to the saddle behind each verdict) go
# to stderr.
#
# Method: from a state on the firing cycle well away from its end, the current is moved
# towards it (lowered; raised for "up") in steps, each run continuing from the last
# cycle's state on a Poincare section (an upward crossing of a voltage inside the spike,
# far from rest, saddle and the depolarised state). A run is "on the cycle" when
# successive returns to the section agree to 1e-8 (scaled), "off it" when the section is
# not crossed for a long stretch. The last bracket is then bisected, again continuing
# from the cycle at the end of the bracket where it exists. The kind: "homoclinic" when,
# approaching the end, the period grows like log(1/distance) and the cycle runs into a
# saddle equilibrium; "fold" when the period stays finite and the cycle keeps away from
# every saddle. For the two planar homoclinic cases the end printed comes from a second
# method that needs no continuation: bisection on the fate of the saddle's unstable
# manifold (onto the cycle above the homoclinic current, to rest below it). Near a
# homoclinic orbit the cycle's basin thins to a sliver, so a continuation run can fall
# off a cycle that still exists and put the end slightly high (by up to 2e-3 for
# morris-lecar homoclinic, depending on the step sequence); the manifold's fate has no
# such bias. Both values go to stderr; with the steps used here the manifold value lies
# inside the continuation's final bracket.
import math
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

RTOL, ATOL = 1e-10, 1e-12


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---- models (emu/inapk.go, hh.go, morrislecar.go, fhn.go) -----------------------------

def inapk(**kw):
    p = dict(C=1, gL=8, EL=-80, gNa=20, ENa=60, gK=10, EK=-90, Vm=-20, km=15, Vn=-25, kn=5, tau=1)
    p.update(kw)
    C, gL, EL, gNa, ENa, gK, EK = p['C'], p['gL'], p['EL'], p['gNa'], p['ENa'], p['gK'], p['EK']
    Vm, km, Vn, kn, tau = p['Vm'], p['km'], p['Vn'], p['kn'], p['tau']

    def f(t, x, I):
        v, n = x
        minf = 1/(1+math.exp((Vm-v)/km))
        ninf = 1/(1+math.exp((Vn-v)/kn))
        return [(I - gL*(v-EL) - gNa*minf*(v-ENa) - gK*n*(v-EK))/C, (ninf-n)/tau]

    def clamp(v):
        return [v, 1/(1+math.exp((Vn-v)/kn))]
    return f, clamp


def exp_ratio(x, k):
    # x / (1 - exp(-x/k)), continuous through x = 0 (limit k), as emu/hh.go's expRatio.
    u = x/k
    if -1e-4 < u < 1e-4:
        return k*(1 + u/2 + u*u/12)
    return x/(1-math.exp(-u))


def hh_rates(v):
    am = 0.1*exp_ratio(v+40, 10)
    bm = 4*math.exp(-(v+65)/18)
    ah = 0.07*math.exp(-(v+65)/20)
    bh = 1/(1+math.exp(-(v+35)/10))
    an = 0.01*exp_ratio(v+55, 10)
    bn = 0.125*math.exp(-(v+65)/80)
    return am, bm, ah, bh, an, bn


def hh():
    C, gNa, ENa, gK, EK, gL, EL = 1, 120, 50, 36, -77, 0.3, -54.387

    def f(t, x, I):
        v, m, h, n = x
        am, bm, ah, bh, an, bn = hh_rates(v)
        return [(I - gNa*m**3*h*(v-ENa) - gK*n**4*(v-EK) - gL*(v-EL))/C,
                am*(1-m) - bm*m, ah*(1-h) - bh*h, an*(1-n) - bn*n]

    def clamp(v):
        am, bm, ah, bh, an, bn = hh_rates(v)
        return [v, am/(am+bm), ah/(ah+bh), an/(an+bn)]
    return f, clamp


def morris_lecar(**kw):
    p = dict(C=20, gL=2, EL=-60, gCa=4.4, ECa=120, gK=8, EK=-84, V1=-1.2, V2=18, V3=2, V4=30, phi=0.04)
    p.update(kw)
    C, gL, EL, gCa, ECa, gK, EK = p['C'], p['gL'], p['EL'], p['gCa'], p['ECa'], p['gK'], p['EK']
    V1, V2, V3, V4, phi = p['V1'], p['V2'], p['V3'], p['V4'], p['phi']

    def f(t, x, I):
        v, w = x
        minf = 0.5*(1+math.tanh((v-V1)/V2))
        winf = 0.5*(1+math.tanh((v-V3)/V4))
        return [(I - gL*(v-EL) - gCa*minf*(v-ECa) - gK*w*(v-EK))/C,
                phi*(winf-w)*math.cosh((v-V3)/(2*V4))]

    def clamp(v):
        return [v, 0.5*(1+math.tanh((v-V3)/V4))]
    return f, clamp


def fitzhugh_nagumo(a=0.7, b=0.8, eps=0.08):
    def f(t, x, I):
        v, w = x
        return [v - v**3/3 - w + I, eps*(v + a - b*w)]

    def clamp(v):
        return [v, (v+a)/b]
    return f, clamp


class Preset:
    def __init__(self, model, name, fc, vrange, sweep, start_I, start_x, section, steady_scale=0.1):
        self.model, self.name = model, name
        self.f, self.clamp = fc
        self.vrange, self.sweep = vrange, sweep
        self.start_I, self.start_x = start_I, start_x
        self.section = section  # upward crossings of V = section count the spikes
        d = len(start_x)
        # Scales to compare states across units, as the analysis does: a tenth of the
        # voltage range for V, 0.1 for the others.
        self.scale = np.array([(vrange[1]-vrange[0])/10] + [steady_scale]*(d-1))

    def iss(self, v):
        # The steady-state current: I_ss(V) such that the clamped state is an equilibrium.
        x = self.clamp(v)
        return -self.f(0, x, 0.0)[0]*1.0 / (self.f(0, x, 1.0)[0] - self.f(0, x, 0.0)[0])

    def equilibria(self, I):
        vs = np.linspace(self.vrange[0]-50, self.vrange[1]+50, 4001)
        g = np.array([self.iss(v) - I for v in vs])
        out = []
        for i in range(len(vs)-1):
            if g[i] == 0 or g[i]*g[i+1] < 0:
                v = brentq(lambda v: self.iss(v) - I, vs[i], vs[i+1], xtol=1e-13)
                x = np.array(self.clamp(v))
                ev = np.linalg.eigvals(self.jacobian(x, I))
                out.append((x, ev))
        return out

    def jacobian(self, x, I):
        d = len(x)
        J = np.zeros((d, d))
        for j in range(d):
            h = 1e-6*self.scale[j]
            xp, xm = x.copy(), x.copy()
            xp[j] += h
            xm[j] -= h
            J[:, j] = (np.array(self.f(0, xp, I)) - np.array(self.f(0, xm, I)))/(2*h)
        return J

    def saddles(self, I):
        return [x for x, ev in self.equilibria(I) if (ev.real > 0).any() and (ev.real < 0).any()]


# ---- one run: on the cycle, or at rest ------------------------------------------------

def section_event(p):
    def ev(t, x, I):
        return x[0] - p.section
    ev.direction = 1
    return ev


def run(p, I, x0, T0, tmax=None, tol=1e-8):
    """Integrates from x0 at current I. Returns (True, state on the section, period) once
    successive returns to the section agree to tol (scaled), (False, ...) once the
    section goes uncrossed for 40 periods (and at least 200 ms of model time)."""
    ev = section_event(p)
    t, x = 0.0, np.array(x0, float)
    ts, xs = [], []
    T = T0
    tmax = tmax or 20000*T0
    while t < tmax:
        s = solve_ivp(p.f, [t, t+10*T], x, args=(I,), method='DOP853', rtol=RTOL, atol=ATOL,
                      events=ev)
        t, x = s.t[-1], s.y[:, -1]
        for te, ye in zip(s.t_events[0], s.y_events[0]):
            ts.append(te)
            xs.append(ye)
            if len(xs) >= 4:
                d = [np.max(np.abs((xs[-k]-xs[-k-1])/p.scale)) for k in (1, 2, 3)]
                if max(d) < tol:
                    return True, xs[-1], ts[-1]-ts[-2]
        if len(ts) >= 2:
            T = ts[-1] - ts[-2]
        if t - (ts[-1] if ts else 0.0) > max(40*T, 200.0):
            return False, x, None
    log('  %s/%s: undecided at I=%.8g after %.0f ms (%d returns); counted as cycling'
        % (p.model, p.name, I, t, len(ts)))
    return True, xs[-1], ts[-1]-ts[-2]


def orbit(p, I, x0, T):
    s = solve_ivp(p.f, [0, T], x0, args=(I,), method='DOP853', rtol=RTOL, atol=ATOL,
                  dense_output=True)
    tt = np.linspace(0, T, 20001)
    return s.sol(tt).T


def saddle_distance(p, I, x0, T):
    """The smallest scaled distance between the cycle through x0 and a saddle at I."""
    sad = p.saddles(I)
    if not sad:
        return math.inf
    o = orbit(p, I, x0, T)
    return min(np.min(np.max(np.abs((o - s)/p.scale), axis=1)) for s in sad)


# ---- the end of the firing cycle ------------------------------------------------------

def cycle_end(p, rel, sign=-1):
    """Follows the firing cycle from p.start_I in the direction of sign (-1: down in
    current, +1: up) to where it disappears."""
    W = p.sweep[1] - p.sweep[0]
    ok, x, T = run(p, p.start_I, p.start_x, 10.0)
    assert ok, 'no firing cycle at the start'
    # Step by 1% of the range, continuing from the cycle.
    on, xon, Ton = p.start_I, x, T
    history = [(on, Ton)]
    step = 0.01*W
    while True:
        I = on + sign*step
        ok, x, T = run(p, I, xon, Ton)
        if not ok:
            off = I
            break
        on, xon, Ton = I, x, T
        history.append((on, Ton))
    log('%s/%s %s: cycle at %.6g (period %.5g ms), lost at %.6g'
        % (p.model, p.name, 'up' if sign > 0 else 'down', on, Ton, off))
    # Bisect, each run continuing from the cycle at the bracket's end where it exists.
    while abs(on - off) > rel(on):
        I = (on + off)/2
        ok, x, T = run(p, I, xon, Ton)
        if ok:
            on, xon, Ton = I, x, T
            history.append((on, Ton))
        else:
            off = I
    end = (on + off)/2
    log('  bracket [%.8g, %.8g], end %.7g' % (min(on, off), max(on, off), end))
    return end, on, xon, Ton, history


def kind_of_end(p, end, hi, xhi, Thi, history):
    W = p.sweep[1] - p.sweep[0]
    # Period against the distance to the end: log-like growth means a homoclinic orbit,
    # a bounded period a fold (where it levels off like a square root).
    far = [h for h in history if abs(h[0] - end) >= 0.01*W]
    Tfar = far[-1][1] if far else history[0][1]
    dfar = abs((far[-1][0] if far else history[0][0]) - end)
    dist = saddle_distance(p, hi, xhi, Thi)
    dhi = abs(hi - end)
    log('  period %.5g ms at end+%.3g, %.5g ms at end+%.3g; cycle-saddle distance %.3g (scaled)'
        % (Tfar, dfar, Thi, dhi, dist))
    grows = Thi > 1.5*Tfar
    near = dist < 0.05
    if grows != near:
        log('  WARNING: period growth (%s) and saddle proximity (%s) disagree' % (grows, near))
    return 'homoclinic' if grows and near else 'fold'


def manifold_end(p, lo, hi, rel, T):
    """The homoclinic current of a planar model, from the fate of the branch of the
    saddle's unstable manifold that leaves towards higher voltage: around the cycle (it
    crosses the section again and again) above it, to the rest state below it."""
    def fires(I):
        eqs = p.equilibria(I)
        sad = [(x, ev) for x, ev in eqs if (ev.real > 0).any() and (ev.real < 0).any()]
        x, _ = sad[0]
        w, vec = np.linalg.eig(p.jacobian(x, I))
        u = np.real(vec[:, np.argmax(w.real)])
        u = u/np.max(np.abs(u/p.scale))
        if u[0] < 0:
            u = -u
        return run(p, I, x + 1e-7*u, T)[0]
    assert fires(hi) and not fires(lo), 'manifold bracket'
    while hi - lo > rel(hi)/10:
        I = (hi + lo)/2
        if fires(I):
            hi = I
        else:
            lo = I
    return (hi + lo)/2


def regains_stability(p):
    """The currents in p's sweep where an equilibrium becomes stable as the current rises
    in a Hopf bifurcation: along the curve of equilibria, followed up in voltage, the
    largest real part of the Jacobian's eigenvalues (numpy) crosses zero from above on a
    complex pair (brentq)."""
    def lead(v):
        x = np.array(p.clamp(v))
        ev = np.linalg.eigvals(p.jacobian(x, p.iss(v)))
        k = np.argmax(ev.real)
        return ev[k].real, abs(ev[k].imag) > 1e-9
    vs = np.linspace(p.vrange[0], p.vrange[1], 4001)
    out = []
    prev = lead(vs[0])
    for a, b in zip(vs[:-1], vs[1:]):
        cur = lead(b)
        if prev[0] > 0 > cur[0] and prev[1] and cur[1]:
            v = brentq(lambda v: lead(v)[0], a, b, xtol=1e-13)
            I = p.iss(v)
            if p.sweep[0] <= I <= p.sweep[1]:
                out.append(I)
        prev = cur
    return out


def main():
    t0 = time.time()
    ml_homoclinic = morris_lecar(gCa=4, V3=12, V4=17.4, phi=0.23)
    down = [
        # model, preset, system, voltage range, sweep, start current and state, section
        Preset('inapk', 'saddle-node', inapk(tau=0.152), (-100, 60), (-2, 8), 2.0, [-30, 0.3], -30),
        Preset('inapk', 'hopf-sub', inapk(gL=1, gNa=4, gK=4, EL=-78, Vm=-30, km=7, Vn=-45, kn=5),
               (-100, 60), (30, 60), 50.0, [-20, 0.3], -20),
        Preset('hh', 'classic', hh(), (-100, 60), (0, 15), 12.0, [-64.996, 0.05296, 0.59599, 0.31773], -20),
        Preset('morris-lecar', 'hopf', morris_lecar(), (-90, 80), (60, 110), 100.0, [-60.855, 0.01491], 0),
        Preset('morris-lecar', 'homoclinic', ml_homoclinic, (-90, 80), (20, 60), 38.0, [10, 0.1], 5),
        Preset('fitzhugh-nagumo', 'classic', fitzhugh_nagumo(), (-3, 3), (0, 1.6), 0.5, [-1.19941, -0.62426], 1),
    ]
    # Firing that ends going up, above where a high (depolarised) equilibrium regained
    # stability: the section lies far from that equilibrium, so that a trajectory
    # spiralling into it stops crossing the section.
    up = [
        Preset('morris-lecar', 'homoclinic', ml_homoclinic, (-90, 80), (20, 60), 38.0, [10, 0.1], 0),
        Preset('fitzhugh-nagumo', 'classic', fitzhugh_nagumo(), (-3, 3), (0, 1.6), 1.0, [-1, 0], -1),
    ]

    # 1e-4 relative, or absolute where the end is near zero current.
    def rel(I):
        return 1e-4*max(abs(I), 1)
    for sign, presets in ((-1, down), (1, up)):
        for p in presets:
            t1 = time.time()
            end, on, xon, Ton, history = cycle_end(p, rel, sign)
            kind = kind_of_end(p, end, on, xon, Ton, history)
            if kind == 'homoclinic' and len(p.start_x) == 2 and sign < 0:
                W = p.sweep[1] - p.sweep[0]
                m = manifold_end(p, end - 0.005*W, end + 0.005*W, rel, Ton)
                log('  unstable manifold: homoclinic at %.7g (continuation %.7g, difference %.2g)'
                    % (m, end, m - end))
                end = m
            print('%s %s %s %.6g %s' % (p.model, p.name, 'up' if sign > 0 else 'down', end, kind), flush=True)
            log('  %.1f s' % (time.time() - t1))
    for p in up:
        for I in regains_stability(p):
            print('%s %s high %.8g hopf' % (p.model, p.name, I), flush=True)
    log('total %.1f s' % (time.time() - t0))


if __name__ == '__main__':
    main()
