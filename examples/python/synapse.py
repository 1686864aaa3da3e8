"""Synapse (paper Fig. 3): potentiation and depression read at 0.1 V after every pulse, 5 cycles."""
import numpy as np
import memlab
from memlab import plot
from _common import experiment, out

import matplotlib.pyplot as plt

r = memlab.run(experiment("synapse"), seed=1)
t, v, vt, i = (r.traces[k] for k in ("time", "v(in)", "v(top)", "i(DUT)"))
# One conductance per read pulse: mean i/v over the samples of each run of v = 0.1 V.
reading = np.isclose(v, 0.1)
edges = np.flatnonzero(np.diff(reading.astype(int)) == 1) + 1
g = [np.mean(i[a:b][reading[a:b]] / vt[a:b][reading[a:b]]) for a, b in zip(edges, list(edges[1:]) + [len(v)])]
print(f"{len(g)} reads; conductance from {min(g):.3e} to {max(g):.3e} S")
fig, ax = plt.subplots(figsize=(6, 3.5))
plot.read_conductance(ax, g, per_cycle=200)
fig.tight_layout()
fig.savefig(out("synapse.png"), dpi=100)
