"""Synthetic measured data from a memlab run: the programmed voltage of an SMU sweep (what the
instrument was told) and the device current with Gaussian noise, in a CSV with units, as a probe
station writes it.

    /usr/bin/python3 synthetic.py RUN/traces.csv OUT.csv --vertices 0,1.2,-1.2,0 --rate 2e4 \\
        --noise 0.5e-6 --seed 7

--vertices in V, --rate in V/s, --noise in A (1 sigma); times in us, currents in uA. A run of several
devices (experiment.devices) keeps them in traces.h5, one group each: --group NAME_deviceN reads one
of them (h5py), and --device N writes a first column "device [1]" numbering it. --reads LEVEL (with
--group NAME of traces.h5, the probes v(in), v(top), i(DUT)) writes the read conductance at each read
pulse instead, with relative noise --noise."""
import argparse

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("traces")
p.add_argument("out")
p.add_argument("--vertices", help="sweep vertices in V, e.g. 0,1.2,-1.2,0")
p.add_argument("--rate", type=float, help="sweep rate in V/s")
p.add_argument("--noise", type=float, required=True, help="current noise in A (1 sigma); with --reads, relative noise of G (1 sigma)")
p.add_argument("--reads", type=float, help="read level in V: write the read conductance at each read pulse instead (read [1], G [uS])")
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
if a.reads is not None:
    # The read conductance as a probe station's script computes it: every run of samples where the
    # generator is at the read level, the mean of I / V(device) over the central half of the run.
    with h5py.File(a.traces, "r") as f:
        g = f[a.group]
        v_src, v_dev = g["v(in)"][:], g["v(top)"][:]
    at = np.abs(v_src - a.reads) < 1e-9 + 1e-6 * abs(a.reads)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], at.astype(int), [0]])))
    G = []
    for start, end in zip(edges[::2], edges[1::2]):
        q = (end - start) // 4
        G.append(np.mean(i[start + q:end - q] / v_dev[start + q:end - q]))
    G = np.array(G) * (1 + np.random.default_rng(a.seed).normal(0.0, a.noise, len(G)))
    with open(a.out, "w") as f:
        f.write("read [1],G [uS]\n")
        for k, x in enumerate(G):
            f.write(f"{k + 1},{x * 1e6:.7f}\n")
    raise SystemExit(0)
if a.vertices is None or a.rate is None:
    p.error("--vertices and --rate are needed (the sweep that was programmed), or --reads")
vertices = np.array([float(v) for v in a.vertices.split(",")])
tv = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(vertices)) / a.rate)])
programmed = np.interp(t % tv[-1], tv, vertices)
measured = i + np.random.default_rng(a.seed).normal(0.0, a.noise, i.size)
device = "" if a.device is None else f"{a.device},"
with open(a.out, "w") as f:
    f.write(("device [1]," if device else "") + "time [us],V_set [V],I [uA]\n")
    for x, v, y in zip(t, programmed, measured):
        f.write(f"{device}{x * 1e6:.6f},{v:.7f},{y * 1e6:.7f}\n")
