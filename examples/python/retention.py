"""Retention (paper Supp. Fig. 3): a filament set at 10 nA relaxes; one set at mA should not."""
import numpy as np
import memlab

for name in ("retention_volatile", "retention_nonvolatile"):
    r = memlab.run(name, seed=1)
    v, i = r.traces["v(in)"], r.traces["i(DUT)"]
    reads = np.isclose(v, 0.1)
    print(f"{name}: read current from {i[reads].max():.3e} A down to {i[reads][-1]:.3e} A")
