"""Training (paper Fig. 4a-c): Vset before, during and after 40 cycles at 1 mA."""
import numpy as np
import memlab
from _common import out

r = memlab.run("training", seed=1)
fig = memlab.plot.figure(r, out("training.png"))  # the figure `memlab run` draws: I(V) and Vset per block
t, v, i = r.traces["time"], r.traces["v(in)"], r.traces["i(DUT)"]
for k, (t0, period, cycles, icc) in enumerate(memlab.plot.sweep_cycles(r.config)):
    vs = memlab.analysis.vset_per_cycle(*(x[(t >= t0) & (t <= t0 + cycles * period)] for x in (t - t0, v, i)), icc, period)
    print(f"block {k + 1} ({cycles} cycles at {icc:g} A): Vset {np.nanmean(vs):.3f} +- {np.nanstd(vs):.3f} V")
