"""Integrate (paper Fig. 2d-f): 9 pulses of 3 V, 5 ms; does the conductance grow pulse to pulse?"""
import numpy as np
import memlab
from memlab import plot
from _common import out

r = memlab.run("integrate", seed=1)
t, vt, i = r.traces["time"], r.traces["v(top)"], r.traces["i(DUT)"]
for k in range(9):  # 10 ms period; the late half of each 5 ms plateau
    m = (t >= 0.01 * k + 0.0025) & (t <= 0.01 * k + 0.005)
    print(f"pulse {k + 1}: G = {np.median(i[m] / vt[m]):.3e} S")
plot.result_figure(r, out("integrate.png"))
