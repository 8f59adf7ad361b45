#!/usr/bin/python3
# Reference limit cycles for analysis_test.go, computed independently of the Go code
# with scipy's adaptive DOP853 at tight tolerances (Debian's python3-scipy):
#   /usr/bin/python3 emu/analysis/testdata/reference.py > emu/analysis/testdata/reference.txt
# Each line: preset current direction period_ms v_min v_max
import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

def inapk(p):
    def f(t, x, I, sign):
        V, n = x
        mi = 1/(1+np.exp((p['Vm']-V)/p['km'])); ni = 1/(1+np.exp((p['Vn']-V)/p['kn']))
        dV = (I - p['gL']*(V-p['EL']) - p['gNa']*mi*(V-p['ENa']) - p['gK']*n*(V-p['EK']))/p['C']
        return [sign*dV, sign*(ni-n)/p['tau']]
    return f

base = dict(C=1, gL=8, EL=-80, gNa=20, ENa=60, gK=10, EK=-90, Vm=-20, km=15, Vn=-25, kn=5, tau=1)
presets = {
    'snic': dict(base),
    'saddle-node': dict(base, tau=0.152),
    'hopf-sub': dict(base, gL=1, gNa=4, gK=4, EL=-78, Vm=-30, km=7, Vn=-45, kn=5),
}

def cycle(name, I, x0, sign):
    f = inapk(presets[name])
    s = solve_ivp(f, [0, 3000], x0, args=(I, sign), method='DOP853', rtol=1e-11, atol=1e-12, dense_output=True)
    x = s.y[:, -1]
    # Period from successive upward crossings of the mean voltage, over the last 1000 ms.
    s = solve_ivp(f, [0, 1000], x, args=(I, sign), method='DOP853', rtol=1e-11, atol=1e-12, max_step=0.01)
    V, t = s.y[0], s.t
    level = (V.max()+V.min())/2
    up = [t[i] + (level-V[i])/(V[i+1]-V[i])*(t[i+1]-t[i]) for i in range(len(V)-1) if V[i] < level <= V[i+1]]
    d = 'backward' if sign < 0 else 'forward'
    print('%s %g %s %.5f %.4f %.4f' % (name, I, d, np.mean(np.diff(up)), V.min(), V.max()))

cycle('snic', 10, [-20, 0.2], 1)
cycle('saddle-node', 2, [-30, 0.3], 1)
cycle('hopf-sub', 45, [-20, 0.3], 1)
# The unstable cycle around the rest state: backward in time from just off the rest.
p = presets['hopf-sub']
ninf = lambda V: 1/(1+np.exp((p['Vn']-V)/p['kn']))
Iss = lambda V: p['gL']*(V-p['EL']) + p['gNa']/(1+np.exp((p['Vm']-V)/p['km']))*(V-p['ENa']) + p['gK']*ninf(V)*(V-p['EK'])
Vr = brentq(lambda V: Iss(V)-45, -80, -45)
cycle('hopf-sub', 45, [Vr+0.1, ninf(Vr)], -1)
