"""Five devices (paper Supp. Fig. 8): the training protocol on devices drawn with d2d spread."""
import numpy as np
import memlab

for d in range(5):
    r = memlab.run("five_devices", seed=1, device=d)
    t, v, i = r.traces["time"], r.traces["v(in)"], r.traces["i(DUT)"]
    vs = []
    for c in range(40):  # the first (untrained, 10 nA) block: 4 s cycles
        m = (t >= 4 * c) & (t < 4 * c + 4) & (i >= 9e-9)
        vs.append(v[m][0] if m.any() else np.nan)
    print(f"device {d + 1}: untrained Vset {np.nanmean(vs):.3f} +- {np.nanstd(vs):.3f} V")
