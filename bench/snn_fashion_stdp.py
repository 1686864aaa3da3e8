#!/usr/bin/env python3
"""Unsupervised on-device learning on Fashion-MNIST (bench/experiments/snn_fashion_stdp.toml): 784 x
400 1T1R agsn synapses and 400 agsn neurons learn the first 1000 training images by STDP pulses
(one epoch), are labelled on them and tested on the first 1000 test images; the accuracy, the cost
and the wall time of `memlab run`.

    /usr/bin/python3 bench/snn_fashion_stdp.py [--memlab build/release/bin/memlab] [--set KEY=VALUE ...]

writes bench/results/snn_fashion_stdp.json with the machine, date and load."""
import argparse
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import bench_info  # bench/, beside this script

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "bench" / "experiments" / "snn_fashion_stdp.toml"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memlab", default=str(ROOT / "build" / "release" / "bin" / "memlab"))
    ap.add_argument("--set", action="append", default=[])
    a = ap.parse_args()
    base = {"machine": bench_info.machine(), "date": bench_info.utc(), "load_average_at_start": os.getloadavg()[0]}
    out = Path(tempfile.mkdtemp(prefix="snn_fashion_stdp_")) / "run"
    args = ["/usr/bin/time", "-f", "peak %M KiB", a.memlab, "run", str(FILE), "--out", str(out), "--no-figure"]
    for s in a.set:
        args += ["--set", s]
    t0 = time.monotonic()
    res = subprocess.run(args, check=True, capture_output=True, text=True)
    wall = time.monotonic() - t0
    sim = float(re.search(r"simulation ([0-9.]+) s", res.stdout).group(1))
    peak = int(re.search(r"peak ([0-9]+) KiB", res.stderr).group(1))
    m = json.loads((out / "metrics.json").read_text())
    l = m["learning"]
    row = {"benchmark": "unsupervised Fashion-MNIST, 784 x 400, one epoch", "file": str(FILE.relative_to(ROOT)), "set": a.set,
           "training_images": l["training_images"], "test_images": m["images"], "accuracy": m["accuracy"], "correct": m["correct"],
           "silent": m["silent"], "neurons_labelled": l["neurons_labelled"], "neurons_that_won_in_training": l["neurons_that_won_in_training"],
           "post_pulses": l["post_pulses"], "cell_runs": l["cell_runs"], "solver_steps": l["solver_steps"],
           "synaptic_events": l["synaptic_events"], "learning_energy_per_training_image": l["learning_energy_per_image"],
           "read_energy_per_image": m["read_energy_per_image"], "wall_seconds": wall, "simulation_seconds": sim,
           "peak_memory_kib": peak}
    print(json.dumps(row, indent=2))
    (ROOT / "bench" / "results" / "snn_fashion_stdp.json").write_text(json.dumps(dict(base, **row), indent=2) + "\n")


if __name__ == "__main__":
    main()
