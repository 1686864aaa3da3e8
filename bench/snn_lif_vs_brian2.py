#!/usr/bin/env python3
"""LIF mode against Brian2 cpp_standalone (one thread) on the same network and inputs, side by side
in one run: synaptic events per second of the simulation alone (memlab: the loop of
network::simulate_lif, as `memlab run` prints it; Brian2: device._last_run_time, the compiled
run without code generation and compilation, the best of --repeats runs of one compiled program;
memlab: the best of as many runs). Checks that both made the same spikes, then writes
bench/results/snn_lif_vs_brian2.json with the machine and date.

Run from the repository root after building the release preset:
    /usr/bin/python3 bench/snn_lif_vs_brian2.py [--inputs 1000 --neurons 100 --duration 2]"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import bench_info  # bench/, beside this script

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "tests" / "validation"))
import lif_brian2  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=1000)
    ap.add_argument("--neurons", type=int, default=100)
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--memlab", default=str(root / "build" / "release" / "bin" / "memlab"))
    a = ap.parse_args()
    net = lif_brian2.make_network(inputs=a.inputs, neurons=a.neurons, duration=a.duration, rate=a.rate, w_max=0.1e-3,
                                  inhibition=-0.5e-3, seed=11)
    tmp = Path(tempfile.mkdtemp(prefix="snn_bench_"))
    toml = lif_brian2.write_memlab(net, tmp)
    m_sec = []
    for k in range(a.repeats):
        out = tmp / f"out{k}"
        res = subprocess.run([a.memlab, "run", str(toml), "--out", str(out)], capture_output=True, text=True, check=True)
        m = re.search(r"simulation ([0-9.]+) s; (\d+) output spikes, (\d+) synaptic events", res.stdout)
        m_sec.append(float(m.group(1)))
        events = int(m.group(3))
    mi, ms = lif_brian2.read_memlab_spikes(tmp / "out0" / "traces.h5")
    bi, bs, b_best = lif_brian2.run_brian2(net, "cpp_standalone", folder=tmp / "brian", repeats=a.repeats)
    b_sec = [b_best]
    same = len(mi) == len(bi) and bool(np.all(mi == bi) and np.all(ms == bs))
    import brian2
    r = {
        "benchmark": "LIF mode against Brian2 cpp_standalone (1 thread), same network and inputs; simulation loop only",
        "machine": bench_info.machine(),
        "date": bench_info.utc(),
        "load_average_at_start": os.getloadavg()[0],
        "network": {"inputs": a.inputs, "neurons": a.neurons, "duration_s": a.duration, "input_rate_Hz": a.rate, "dt_s": lif_brian2.DT,
                    "input_spikes": int(len(net["row"])), "output_spikes": int(len(mi)), "synaptic_events": events},
        "same_spikes": same,
        "memlab_seconds": m_sec,
        "repeats": a.repeats,
        "brian2_seconds_best": b_sec[0],
        "brian2_version": brian2.__version__,
        "memlab_events_per_second": events / min(m_sec),
        "brian2_events_per_second": events / min(b_sec),
        "speedup_best_of_repeats": min(b_sec) / min(m_sec),
    }
    (root / "bench" / "results" / "snn_lif_vs_brian2.json").write_text(json.dumps(r, indent=2) + "\n")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
