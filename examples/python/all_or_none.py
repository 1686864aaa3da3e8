"""All-or-none (paper Fig. 2a-c): 10 pulses 0.2..2.0 V through 10 MOhm; which pulse switches first?"""
import numpy as np
import memlab
from memlab import plot
from _common import out

r = memlab.run("all_or_none", seed=1)
t, v, i = r.traces["time"], r.traces["v(in)"], r.traces["i(DUT)"]
for k in range(10):  # pulse k occupies [0.2 k, 0.2 k + 0.1] s
    m = (t >= 0.2 * k) & (t <= 0.2 * k + 0.1)
    print(f"pulse {k + 1}: {v[m].max():.1f} V, peak current {i[m].max():.2e} A")
plot.result_figure(r, out("all_or_none.png"))
