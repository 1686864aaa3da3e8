#!/usr/bin/env python3
"""Device mode (docs/networks.md): the circuit level against the fast level on networks of growing
size, side by side in one run: wall time of the simulation, solver steps, spikes per neuron, and
the cost per neuron-step and per synaptic event.

Each network is experiments/snn_device_8x4.toml scaled: `inputs` x `neurons`, neuron k holding
80 uS on its own block of inputs / neurons rows and 4 uS elsewhere, Poisson pulses of 0.2 V, 1 us
on every row (one draw per 2 us at 200 kHz), the same seed for both levels.

    /usr/bin/python3 bench/snn_device_levels.py [--memlab build/release/bin/memlab] [--sizes 8x4,16x8,32x8]
        [--rtol R] [--out FILE]

writes bench/results/snn_device_levels.json with the machine and date. --rtol sets the engine's
relative tolerance of both levels (the file's [solver] table; default 1e-6): the 32 x 8 circuit
level needs 1e-7 (bench/results/snn_device_levels_32x8.json)."""
import argparse
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

import bench_info  # bench/, beside this script

root = Path(__file__).resolve().parents[1]


def network_file(inputs, neurons, duration_us):
    base = (root / "experiments" / "snn_device_8x4.toml").read_text()
    block = inputs // neurons
    rows = []
    for i in range(inputs):
        rows.append("  [" + ", ".join('"80 uS"' if i // block == k else '"4 uS"' for k in range(neurons)) + "],")
    start = base.index("conductance = [")
    end = base.index("]\n", base.index("],\n]", start)) + 2
    text = base[:start] + "conductance = [\n" + "\n".join(rows) + "\n]\n" + base[end:]
    text = text.replace("inputs = 8", f"inputs = {inputs}").replace("neurons = 4", f"neurons = {neurons}")
    text = text.replace('duration = "120 us"', f'duration = "{duration_us} us"')
    text = text.replace('name = "snn_device_8x4"', f'name = "snn_device_{inputs}x{neurons}"')
    # Two strong inputs fire a neuron whatever the block size: the gain is the 8 x 4 file's.
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--memlab", default=str(root / "build" / "release" / "bin" / "memlab"))
    ap.add_argument("--sizes", default="8x4,16x8,32x8")
    ap.add_argument("--duration-us", type=float, default=120)
    ap.add_argument("--rtol", type=float, default=None)
    ap.add_argument("--out", default=str(root / "bench" / "results" / "snn_device_levels.json"))
    a = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in a.sizes.split(","):
            inputs, neurons = (int(x) for x in size.split("x"))
            toml = tmp / f"net_{size}.toml"
            toml.write_text(network_file(inputs, neurons, a.duration_us))
            row = {"inputs": inputs, "neurons": neurons, "duration_s": a.duration_us * 1e-6}
            for level in ("fast", "circuit"):
                out = tmp / f"out_{size}_{level}"
                tol = ["--set", f"solver.rtol={a.rtol}"] if a.rtol else []
                res = subprocess.run([a.memlab, "run", str(toml), "--set", f"network.level={level}", *tol, "--out", str(out), "--no-figure"],
                                     capture_output=True, text=True)
                if res.returncode != 0:
                    row[level] = {"error": res.stderr.strip()[:400]}
                    continue
                m = re.search(r"simulation ([0-9.]+) s; (\d+) output spikes, (\d+) solver steps in (\d+) simulations", res.stdout)
                metrics = json.loads((out / "metrics.json").read_text())
                rates = [float(r.split()[0]) * {"Hz": 1, "kHz": 1e3, "MHz": 1e6}[r.split()[1]] for r in metrics["rate"]]
                seconds, steps = float(m.group(1)), int(m.group(3))
                pulses = metrics["input_spikes"]
                row[level] = {
                    "seconds": seconds,
                    "solver_steps": steps,
                    "simulations": int(m.group(4)),
                    "spikes": int(m.group(2)),
                    "spikes_per_neuron": [round(r * row["duration_s"]) for r in rates],
                    "input_pulses": pulses,
                    "synaptic_events": pulses * neurons,  # each pulse read by every synapse of its row
                    "seconds_per_synaptic_event": seconds / (pulses * neurons),
                    "seconds_per_solver_step": seconds / steps,
                }
            f, c = row["fast"], row["circuit"]
            if "error" not in f and "error" not in c:
                row["spike_count_difference"] = [x - y for x, y in zip(f["spikes_per_neuron"], c["spikes_per_neuron"])]
                row["circuit_over_fast_seconds"] = c["seconds"] / f["seconds"]
            runs.append(row)
            print(json.dumps(row))
    r = {
        "benchmark": "device mode: circuit level against fast level, one seed, simulation wall time as memlab run prints it",
        "machine": bench_info.machine(),
        "date": bench_info.utc(),
        "load_average_at_start": load_at_start,
        "rtol": a.rtol or 1e-6,
        "runs": runs,
    }
    Path(a.out).write_text(json.dumps(r, indent=2) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
