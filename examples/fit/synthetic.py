"""Synthetic measured data from a memlab run: the programmed voltage of an SMU sweep (what the
instrument was told) and the device current with Gaussian noise, in a CSV with units, as a probe
station writes it.

    /usr/bin/python3 synthetic.py RUN/traces.csv OUT.csv --vertices 0,1.2,-1.2,0 --rate 2e4 \\
        --noise 0.5e-6 --seed 7

--vertices in V, --rate in V/s, --noise in A (1 sigma); times in us, currents in uA."""
import argparse

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("traces")
p.add_argument("out")
p.add_argument("--vertices", required=True, help="sweep vertices in V, e.g. 0,1.2,-1.2,0")
p.add_argument("--rate", type=float, required=True, help="sweep rate in V/s")
p.add_argument("--noise", type=float, required=True, help="current noise in A (1 sigma)")
p.add_argument("--seed", type=int, default=1)
p.add_argument("--current", default="i(DUT)")
a = p.parse_args()

with open(a.traces) as f:
    header = [h.strip() for h in f.readline().split(",")]
d = np.loadtxt(a.traces, delimiter=",", skiprows=1)
t = d[:, header.index("time [s]")]
i = d[:, header.index(f"{a.current} [A]")]
vertices = np.array([float(v) for v in a.vertices.split(",")])
tv = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(vertices)) / a.rate)])
programmed = np.interp(t % tv[-1], tv, vertices)
measured = i + np.random.default_rng(a.seed).normal(0.0, a.noise, i.size)
with open(a.out, "w") as f:
    f.write("time [us],V_set [V],I [uA]\n")
    for x, v, y in zip(t, programmed, measured):
        f.write(f"{x * 1e6:.6f},{v:.7f},{y * 1e6:.7f}\n")
