#!/usr/bin/python3
# Reference numbers for probe_test.go (TestMatchesScipy), computed independently of the
# Go code: the I_Na,p+I_K equations written out again from Izhikevich (2007), eqs.
# 4.1-4.2, integrated with scipy's adaptive DOP853 at tight tolerances, the pulses'
# edges integrated exactly (the solver restarts at each), a spike being V reaching the
# preset's SpikeHigh (-20 mV, -30 for saddle-node: from rest the engine's detector is
# armed, and the trough is further below that than its depth, SpikeHigh - SpikeLow, so
# reaching SpikeHigh is what it counts). Regenerate with Debian's python3-scipy:
#   /usr/bin/python3 emu/probe/testdata/reference.py > emu/probe/testdata/reference.txt
# Each line: experiment preset current ... (the fields are named in the line).
import math

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

base = dict(C=1, gL=8, EL=-80, gNa=20, ENa=60, gK=10, EK=-90, Vm=-20, km=15, Vn=-25, kn=5, tau=1)
presets = {
    'snic': dict(base),
    'saddle-node': dict(base, tau=0.152),
    'hopf-super': dict(base, EL=-78, Vn=-45),
}
spike_high = {'snic': -20.0, 'saddle-node': -30.0, 'hopf-super': -20.0}
TOL = dict(method='DOP853', rtol=1e-10, atol=1e-12)


def field(p):
    C, gL, EL, gNa, ENa, gK, EK = p['C'], p['gL'], p['EL'], p['gNa'], p['ENa'], p['gK'], p['EK']
    Vm, km, Vn, kn, tau = p['Vm'], p['km'], p['Vn'], p['kn'], p['tau']

    def f(t, x, I):
        V, n = x
        m = 1 / (1 + math.exp((Vm - V) / km))
        ninf = 1 / (1 + math.exp((Vn - V) / kn))
        return [(I - gL * (V - EL) - gNa * m * (V - ENa) - gK * n * (V - EK)) / C, (ninf - n) / tau]
    return f


def rest(name, I):
    """The lowest equilibrium at I: the root of the steady-state I-V curve."""
    p = presets[name]
    ninf = lambda V: 1 / (1 + np.exp((p['Vn'] - V) / p['kn']))
    Iss = lambda V: (p['gL'] * (V - p['EL']) + p['gNa'] / (1 + np.exp((p['Vm'] - V) / p['km'])) * (V - p['ENa'])
                     + p['gK'] * ninf(V) * (V - p['EK']))
    grid = np.linspace(-100, 0, 2001)
    for a, b in zip(grid[:-1], grid[1:]):
        if (Iss(a) - I) * (Iss(b) - I) < 0:
            V = brentq(lambda V: Iss(V) - I, a, b, xtol=1e-13)
            return [V, ninf(V)]
    raise ValueError('no rest state')


def run(name, I, pieces, after):
    """Integrates from rest through pieces [(duration, added current)] and then `after` ms
    at the holding current. Returns the time at which V first reaches the preset's
    SpikeHigh (None if never), the highest V after the last piece, and the lowest V
    overall. V reaches it at an upward crossing, or at a maximum that only touches it:
    both are events, located on the solver's dense output, so no peak between two steps
    is missed."""
    f = field(presets[name])
    HIGH = spike_high[name]
    x, t0 = rest(name, I), 0.0
    cross = lambda t, x, I: x[0] - HIGH
    cross.direction = 1
    top = lambda t, x, I: f(t, x, I)[0]
    top.direction = -1
    first, vmin = None, x[0]
    segs = list(pieces) + [(after, 0.0)]
    for k, (dur, dI) in enumerate(segs):
        s = solve_ivp(f, [t0, t0 + dur], x, args=(I + dI,), events=[cross, top], max_step=0.05, **TOL)
        reach = list(s.t_events[0]) + [t for t, y in zip(s.t_events[1], s.y_events[1]) if y[0] >= HIGH]
        if first is None and reach:
            first = min(reach)
        vmin = min(vmin, s.y[0].min())
        if k == len(segs) - 1:
            peak = max([s.y[0].max()] + [y[0] for y in s.y_events[1]])
        x, t0 = s.y[:, -1], t0 + dur
    return first, peak, vmin


def fires(name, I, pieces, after=60):
    return run(name, I, pieces, after)[0] is not None


def bisect(test, lo, hi, rel=1e-7):
    while hi - lo > rel * hi:
        m = (lo + hi) / 2
        if test(m):
            hi = m
        else:
            lo = m
    return hi


def lowest(test, start, step):
    """The smallest amplitude that fires: up from start (which must fail) in steps, then
    bisected. (A resonator's pair can fire over a range of amplitudes, fail above it and
    fire again from one pulse's threshold on: one wide bisection could find the upper
    threshold.)"""
    assert not test(start)
    a = start
    while not test(a + step):
        a += step
    return bisect(test, a, a + step)


W = 0.5  # the default pulse width, ms

# Doublets: the smallest amplitude of two 0.5 ms pulses that fires, at two intervals.
for name, I, iv in [('hopf-super', 10, 3.4), ('hopf-super', 10, 1.75), ('snic', 0, 0.5), ('snic', 0, 2.0)]:
    def pair(a):
        if iv <= W:
            return fires(name, I, [(W, a), (W, a)])
        return fires(name, I, [(W, a), (iv - W, 0), (W, a)])
    one = bisect(lambda a: fires(name, I, [(W, a)]), 1, 60)
    print('doublet %s %g width %g interval %g threshold %.7f' % (name, I, W, iv, lowest(pair, 0.4 * one, 0.01 * one)))

# One pulse: the threshold amplitude, and for snic the latency from the pulse's onset at
# 1.01 times its threshold.
for name, I in [('saddle-node', 0), ('hopf-super', 0), ('snic', 0)]:
    th = bisect(lambda a: fires(name, I, [(W, a)]), 1, 60)
    lat = run(name, I, [(W, 1.01 * th)], 150)[0]
    print('threshold %s %g width %g threshold %.7f latency_1.01 %.5f' % (name, I, W, th, lat))

# Rebound: an inhibitory pulse, then release; the latency of a spike after release, the
# highest V after release, the lowest V.
for name, I, a, w in [('hopf-super', 13, -30, 3.0), ('hopf-super', 13, -30, 1.5), ('snic', 0, -80, 20)]:
    first, peak, vmin = run(name, I, [(w, a)], 150)
    lat = -1 if first is None else first - w
    print('rebound %s %g amplitude %g width %g latency %.5f peak %.5f min %.5f' % (name, I, a, w, lat, peak, vmin))

# Chirp: A sin(2π φ(t)), φ the phase of an exponential sweep from f0 to f1 over T;
# the response (half the peak-to-peak V) in each whole cycle of the input.
for name, I, A, F0, F1, S in [('hopf-super', 10, 0.9, 30, 900, 2)]:
    f0, f1, T = F0 / 1000, F1 / 1000, S * 1000
    k = np.log(f1 / f0)
    phase = lambda t: f0 * T / k * np.expm1(k * t / T)
    fv = field(presets[name])
    s = solve_ivp(lambda t, x: fv(t, x, I + A * np.sin(2 * np.pi * phase(t))), [0, T], rest(name, I),
                  dense_output=True, max_step=0.05, **TOL)
    cycles = []
    c = 0
    while True:
        ta, tb = T / k * np.log1p(c * k / (f0 * T)), T / k * np.log1p((c + 1) * k / (f0 * T))
        if tb > T:
            break
        V = s.sol(np.linspace(ta, tb, 400))[0]
        cycles.append((1000 / (tb - ta), (V.max() - V.min()) / 2))
        c += 1
    best = max(range(len(cycles)), key=lambda i: cycles[i][1])
    print('chirp %s %g amplitude %g from %g to %g seconds %g cycles %d first %.6f peak_cycle %d peak_hz %.4f peak %.6f' %
          (name, I, A, F0, F1, S, len(cycles), cycles[0][1], best, cycles[best][0], cycles[best][1]))
