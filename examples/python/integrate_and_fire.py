"""Integrate and fire (paper Fig. 1b, 2g-i): packages of 1..16 pulses of +2 V on -1 V through 2 MOhm."""
import numpy as np
import memlab
from memlab import plot
from _common import experiment, out

r = memlab.run(experiment("integrate_and_fire"), seed=1)
t, i = r.traces["time"], r.traces["i(DUT)"]
start = 0.0
for k in range(1, 17):
    fired = [p + 1 for p in range(k) if i[(t >= start + 5e-6 * p) & (t < start + 5e-6 * p + 4e-6)].max() > 0.75e-6]
    print(f"package {k:2d}: spikes on pulses {fired}")
    start += 5e-6 * k + 100e-6
plot.result_figure(r, out("integrate_and_fire.png"))
