"""Synapse (paper Fig. 3): potentiation and depression read at 0.1 V after every pulse, 5 cycles."""
import memlab
from memlab import plot
from _common import out

import matplotlib.pyplot as plt

r = memlab.run("synapse", seed=1)
# One conductance per read pulse: mean i/v(top) over the samples of each run of v(in) = 0.1 V.
g = memlab.analysis.read_conductance(r.traces["v(in)"], r.traces["v(top)"], r.traces["i(DUT)"], 0.1)
print(f"{len(g)} reads; conductance from {min(g):.3e} to {max(g):.3e} S")
fig, ax = plt.subplots(figsize=(6, 3.5))
plot.read_conductance(ax, g, per_cycle=200)
fig.tight_layout()
fig.savefig(out("synapse.png"), dpi=100)
