"""Synthetic measured data from a memlab run: the programmed voltage of an SMU sweep (what the
instrument was told) and the device current with Gaussian noise, in a CSV with units, as a probe
station writes it.

    /usr/bin/python3 synthetic.py RUN/traces.csv OUT.csv --vertices 0,1.2,-1.2,0 --rate 2e4 \\
        --noise 0.5e-6 --seed 7

--vertices in V, --rate in V/s, --noise in A (1 sigma); times in us, currents in uA. A run of several
devices (experiment.devices) keeps them in traces.h5, one group each: --group NAME_deviceN reads one
of them (h5py), and --device N writes a first column "device [1]" numbering it."""
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
p.add_argument("--group", help="a group of RUN/traces.h5 (one device of several)")
p.add_argument("--device", type=int, help="write a first column 'device [1]' with this number")
a = p.parse_args()

if a.group:
    import h5py
    with h5py.File(a.traces, "r") as f:
        t, i = f[a.group]["time"][:], f[a.group][a.current][:]
else:
    with open(a.traces) as f:
        header = [h.strip() for h in f.readline().split(",")]
    d = np.loadtxt(a.traces, delimiter=",", skiprows=1)
    t = d[:, header.index("time [s]")]
    i = d[:, header.index(f"{a.current} [A]")]
vertices = np.array([float(v) for v in a.vertices.split(",")])
tv = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(vertices)) / a.rate)])
programmed = np.interp(t % tv[-1], tv, vertices)
measured = i + np.random.default_rng(a.seed).normal(0.0, a.noise, i.size)
device = "" if a.device is None else f"{a.device},"
with open(a.out, "w") as f:
    f.write(("device [1]," if device else "") + "time [us],V_set [V],I [uA]\n")
    for x, v, y in zip(t, programmed, measured):
        f.write(f"{device}{x * 1e6:.6f},{v:.7f},{y * 1e6:.7f}\n")
