"""SET delay vs amplitude (paper Supp. Fig. 4): log10(delay) should be linear in V."""
import numpy as np
import memlab

r = memlab.run("set_delay", seed=1)
t, v, i = r.traces["time"], r.traces["v(in)"], r.traces["i(DUT)"]
amps, delays = [], []
for k, a in enumerate(np.arange(1.0, 2.41, 0.2)):
    m = (t >= 1.5 * k) & (t <= 1.5 * k + 0.5) & (i >= 0.5 * a / 10e6)
    if m.any():
        amps.append(a), delays.append(t[m][0] - 1.5 * k)
slope, intercept = np.polyfit(amps, np.log10(delays), 1)
print("delays:", ", ".join(f"{a:.1f} V: {d:.2e} s" for a, d in zip(amps, delays)))
print(f"fit: {-slope:.2f} decades per volt")
