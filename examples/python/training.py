"""Training (paper Fig. 4a-c): Vset before, during and after 40 cycles at 1 mA."""
import matplotlib.pyplot as plt
import numpy as np
import memlab
from memlab import plot
from _common import experiment, out

r = memlab.run(experiment("training"), seed=1)
t, v, i = r.traces["time"], r.traces["v(in)"], r.traces["i(DUT)"]
fig, axes = plt.subplots(2, 3, figsize=(8, 4), gridspec_kw={"height_ratios": [2, 1]})
for col, (t0, period, icc) in enumerate([(0, 4, 1e-8), (160, 7, 1e-3), (440, 4, 1e-8)]):
    vs = plot.iv_cycles(axes[0][col], axes[1][col], t, v, i, t0, period, 40, icc)
    print(f"block {col + 1} ({icc:g} A): Vset {np.nanmean(vs):.3f} +- {np.nanstd(vs):.3f} V")
fig.tight_layout()
fig.savefig(out("training.png"), dpi=100)
