"""Synapse (paper Fig. 3): potentiation and depression read at 0.1 V after every pulse, 5 cycles."""
import numpy as np
import memlab
from memlab import plot
from _common import experiment, out

r = memlab.run(experiment("synapse"), seed=1)
t, v, vt, i = (r.traces[k] for k in ("time", "v(in)", "v(top)", "i(DUT)"))
reading = np.isclose(v, 0.1)
g = i[reading] / vt[reading]
print(f"{reading.sum()} read samples; conductance from {g.min():.3e} to {g.max():.3e} S")
plot.result_figure(r, out("synapse.png"))
