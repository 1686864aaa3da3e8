"""Regime switching (paper Fig. 4d): 7 switches between 10 nA and 1 mA, 40 cycles each."""
import numpy as np
import memlab

r = memlab.run("regime_switching", seed=1)
t, v, i = r.traces["time"], r.traces["v(in)"], r.traces["i(DUT)"]
t0 = 0.0
for b in range(8):
    icc, period = (1e-8, 4.0) if b % 2 == 0 else (1e-3, 7.0)
    # The negative branch: negative current (in compliance the output voltage itself stays small).
    m = (t >= t0) & (t < t0 + 40 * period) & (i < 0)
    worst = np.abs(i[m]).max() / icc if m.any() else 0.0
    print(f"block {b + 1} ({icc:g} A): largest |I| on the negative branch {worst:.2g} x I_cc")
    t0 += 40 * period
