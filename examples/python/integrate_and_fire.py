"""Integrate and fire (paper Fig. 1b, 2g-i): packages of 1..16 pulses of +2 V on -1 V through 2 MOhm."""
import numpy as np
import memlab
from memlab import plot
from _common import out

r = memlab.run("integrate_and_fire", seed=1)
t, i = r.traces["time"], r.traces["i(DUT)"]
stim = r.config["stimulus"]
period, width, gap = (memlab.units.parse(stim[k], "s") for k in ("period", "width", "gap"))
start = 0.0
for k in range(1, stim["packages"] + 1):
    fired = [p + 1 for p in range(k) if i[(t >= start + period * p) & (t < start + period * p + width)].max() > 0.75e-6]
    print(f"package {k:2d}: spikes on pulses {fired}")
    start += period * k + gap
plot.result_figure(r, out("integrate_and_fire.png"))
