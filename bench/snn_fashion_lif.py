#!/usr/bin/env python3
"""Fashion-MNIST mapped inference with ideal LIF neurons (bench/experiments/snn_fashion_lif.toml):
the accuracy and wall time of `memlab run` on the first N test images (default all 10000), beside
the accuracy of the softmax it maps on the same images (numpy, from the same weights file).

    /usr/bin/python3 bench/snn_fashion_lif.py [--memlab build/release/bin/memlab] [--images N]

writes bench/results/snn_fashion_lif.json with the machine, date and load."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import bench_info  # bench/, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import digits_softmax  # noqa: E402

FILE = ROOT / "bench" / "experiments" / "snn_fashion_lif.toml"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memlab", default=str(ROOT / "build" / "release" / "bin" / "memlab"))
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "snn_fashion_lif.json"))
    a = ap.parse_args()
    load = os.getloadavg()[0]
    tmp = tempfile.TemporaryDirectory(prefix="snn_fashion_")
    out = Path(tmp.name) / "run"
    t0 = time.monotonic()
    res = subprocess.run(["/usr/bin/time", "-f", "%M", a.memlab, "run", str(FILE), "--set", f"network.input.images={a.images}",
                          "--out", str(out)], check=True, capture_output=True, text=True)
    wall = time.monotonic() - t0
    sim = float(re.search(r"simulation ([0-9.]+) s", res.stdout).group(1))
    peak_kib = int(res.stderr.strip().splitlines()[-1])
    m = json.loads((out / "metrics.json").read_text())
    traces_mib = (out / "traces.h5").stat().st_size / 2**20
    tmp.cleanup()
    # The softmax on the same images: argmax of x w + b (the LIF weights are the softmax's, scaled).
    w = np.loadtxt(FILE.parent / "data" / "snn_fashion_lif_weights.csv", delimiter=",")
    x, y = digits_softmax.load_fashion(False)
    x, y = x[:a.images], y[:a.images]
    softmax = float(np.mean(np.argmax(np.hstack([x, np.ones((len(x), 1))]) @ w, axis=1) == y))
    r = {
        "benchmark": "Fashion-MNIST, mapped 784 -> 10 softmax, ideal LIF neurons, spike counts (memlab run, LIF mode)",
        "machine": bench_info.machine(),
        "date": bench_info.utc(),
        "load_average_at_start": load,
        "images": a.images,
        "accuracy_lif": m["accuracy"],
        "accuracy_softmax_same_images": softmax,
        "silent_images": m["silent"],
        "synaptic_events": m["synaptic_events"],
        "wall_seconds": wall,
        "simulation_seconds": sim,
        "synaptic_events_per_second": m["synaptic_events"] / sim,
        "peak_memory_MiB": peak_kib / 1024,
        "traces_h5_MiB": traces_mib,
        "note": "wall: the whole run (reading the data, simulation, writing traces.h5 with every input spike, the figure); "
                "simulation: the LIF loop with the encoding of each image's input spikes as it is presented, as memlab "
                "reports it (writing the input spikes to traces.h5 as they come is left out of it)",
    }
    Path(a.out).write_text(json.dumps(r, indent=2) + "\n")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
