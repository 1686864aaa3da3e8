#!/usr/bin/env python3
"""A study towards the device mode (docs/networks.md): first-to-fire inference of the sklearn test
digits by agsn_sio2_pt device neurons, each neuron an integrate-and-fire cell (2 MOhm in series,
0.1 pF at its node, as experiments/integrate_and_fire.toml) on the engine, driven by its column's
voltage. What is ideal here, and stated: the synapses are the mapped conductance pairs of
scripts/digits_softmax.py (G in [1, 100] uS, exact, not programmed by write-verify), the column is
an ideal passive crossbar (rows at +x V_row on G+ and -x V_row on G-, every row loading its column,
no line resistance, the neuron's load left out), and V_row (the row drive) is a free gain. Every
neuron is a fresh nominal device for every image (seeded per image and neuron); the first neuron
whose current passes half of V_col / R_s answers; within `t_max` none: no answer.

    /usr/bin/python3 bench/snn_device_neuron_digits.py [--set train|test --images N --v-row 10 --t-max 0.1]

(with the build's python folder on PYTHONPATH). A test run writes bench/results/snn_device_neuron_digits.json.
Choose --v-row on the training set."""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import bench_info  # bench/, beside this script

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "scripts"))
import digits_softmax  # noqa: E402
import memlab  # noqa: E402

R_S = 2e6


# A trained neuron: the history of experiments/training.toml written as its state, as
# regime_switching.toml and synapse.toml write it (a 3 nm Sn-rich stub, the relaxed front at 3.35 nm).
TRAINED = """[experiment]
name = "trained_neuron"
[device]
model = "agsn_sio2_pt"
[device.initial_state]
h = "3.35 nm"
h_c = "3.35 nm"
h_s = "3.0 nm"
[circuit]
source = "awg"
series_resistance = "2 MOhm"
parasitic_capacitance = "0.1 pF"
[stimulus]
kind = "pulse"
amplitude = "1 V"
width = "1 s"
rise = "20 ns"
fall = "20 ns"
[recording]
probes = ["i(DUT)"]
"""
TRAINED_FILE = None


def first_spike(v_col, t_end, seed, e_ag=None, trained=False):
    """The time the neuron's current first passes half of v_col / R_s, or None before t_end; e_ag
    (eV): the neuron's own Ag barrier (device-to-device spread), None: nominal; trained: the
    neuron starts from the trained state (TRAINED)."""
    if trained:
        global TRAINED_FILE
        if TRAINED_FILE is None:
            import tempfile
            TRAINED_FILE = os.path.join(tempfile.mkdtemp(prefix="trained_neuron_"), "trained_neuron.toml")
            Path(TRAINED_FILE).write_text(TRAINED)
        sets = [f"stimulus.amplitude={v_col!r} V", f"stimulus.width={t_end!r} s", f"experiment.duration={t_end!r} s"]
        if e_ag is not None:
            sets.append(f"device.e_ag={e_ag!r} eV")
        r = memlab.run(TRAINED_FILE, seed=seed, set=sets)
    else:
        dev = memlab.Device("agsn_sio2_pt") if e_ag is None else memlab.Device("agsn_sio2_pt", e_ag=f"{e_ag!r} eV")
        stim = memlab.stimulus.pulse(amplitude=f"{v_col!r} V", width=f"{t_end!r} s", rise="20 ns", fall="20 ns")
        r = memlab.simulate(dev, stim, series_resistance="2 MOhm", parasitic_capacitance="0.1 pF", t_end=f"{t_end!r} s",
                            probes=["i(DUT)"], seed=seed)
    t, i = r.traces["time"], r.traces["i(DUT)"]
    hit = np.nonzero(i > 0.5 * v_col / R_S)[0]
    return (float(t[hit[0]]) if hit.size else None), np.asarray(t), np.asarray(i)


def charge_until(t, i, t_end):
    """The integral of i over [0, t_end] (trapezoid over the solver's steps, the last one cut)."""
    keep = t <= t_end
    tt, ii = t[keep], i[keep]
    if tt.size and tt[-1] < t_end and keep.size > tt.size:
        k = tt.size
        ii = np.append(ii, i[k - 1] + (i[k] - i[k - 1]) * (t_end - t[k - 1]) / (t[k] - t[k - 1]))
        tt = np.append(tt, t_end)
    return float(np.trapz(ii, tt)) if tt.size > 1 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=597, help="how many of the set, from its start")
    ap.add_argument("--set", choices=["train", "test"], default="test", help="train: for choosing --v-row")
    ap.add_argument("--v-row", type=float, default=10.0, help="V, the row drive at pixel 16")
    ap.add_argument("--t-max", type=float, default=0.1, help="s")
    ap.add_argument("--trained", action="store_true", help="neurons in the trained state (TRAINED)")
    ap.add_argument("--e-ag-d2d", type=float, default=0.0,
                    help="eV, device-to-device spread of the neurons' E_Ag (five_devices.toml: 0.14), drawn once per neuron (seed 1)")
    a = ap.parse_args()
    x, y = digits_softmax.load()
    tr, te = digits_softmax.split(len(y), 1200, 1)
    w = digits_softmax.train_softmax(x[tr], y[tr])
    scale = 99e-6 / np.abs(w).max()
    dg = w * scale
    gp, gm = np.where(dg > 0, 1e-6 + dg, 1e-6), np.where(dg < 0, 1e-6 - dg, 1e-6)
    idx = (tr if a.set == "train" else te)[:a.images]
    X = np.hstack([x[idx], np.ones((len(idx), 1))])
    vcol = a.v_row * (X @ (gp - gm)) / (gp + gm).sum(axis=0)
    e_ag = None
    if a.e_ag_d2d > 0:
        nominal = 0.85  # eV, agsn_sio2_pt's e_ag
        e_ag = nominal + a.e_ag_d2d * np.random.default_rng(1).standard_normal(10)
    t0 = time.perf_counter()
    answers, times, runs, e_neurons, e_crossbar = [], [], 0, [], []
    for n in range(len(idx)):
        best, who, traces = a.t_max, -1, {}
        for j in np.argsort(-vcol[n]):
            if vcol[n, j] <= 0:
                break
            runs += 1
            t, tt, ii = first_spike(vcol[n, j], best, seed=1000 * int(idx[n]) + int(j) + 1, e_ag=None if e_ag is None else e_ag[j],
                            trained=a.trained)
            traces[int(j)] = (tt, ii)
            if t is not None and t < best:
                best, who = t, int(j)
        if who >= 0:
            # Energy of the inference, to the first spike: what the columns deliver to the neurons
            # (V_col times the neuron's charge) and what the crossbar dissipates meanwhile, every
            # cell at (its row's voltage - its column's)^2 G (rows at +x V_row on G+, -x V_row on G-).
            e_neurons.append(sum(vcol[n, j] * charge_until(tt, ii, best) for j, (tt, ii) in traces.items()))
            vr = a.v_row * X[n][:, None]
            e_crossbar.append(best * float(np.sum(gp * (vr - vcol[n]) ** 2 + gm * (-vr - vcol[n]) ** 2)))
        answers.append(who)
        times.append(best if who >= 0 else None)
        print(f"image {n + 1}/{len(idx)}: label {y[idx[n]]}, answer {who}, "
              f"{'%.3g s' % best if who >= 0 else 'none'}, V_col max {vcol[n].max():.3f} V", flush=True)
    wall = time.perf_counter() - t0
    answers = np.array(answers)
    r = {
        "study": "first-to-fire digits by agsn device neurons on ideal mapped columns (bench/snn_device_neuron_digits.py)",
        "machine": bench_info.machine(),
        "date": bench_info.utc(),
        "load_average_at_start": os.getloadavg()[0],
        "set": a.set, "images": len(idx), "v_row_V": a.v_row, "t_max_s": a.t_max, "e_ag_d2d_eV": a.e_ag_d2d, "trained": a.trained,
        "e_ag_of_neurons_eV": None if e_ag is None else [float(v) for v in e_ag],
        "accuracy_device_first_to_fire": float(np.mean(answers == y[idx])),
        "accuracy_column_voltage_argmax_same_images": float(np.mean(np.argmax(vcol, axis=1) == y[idx])),
        "no_answer": int(np.sum(answers < 0)),
        "median_first_spike_s": float(np.median([t for t in times if t is not None])) if any(t is not None for t in times) else None,
        "median_energy_neurons_J": float(np.median(e_neurons)) if e_neurons else None,
        "median_energy_crossbar_J": float(np.median(e_crossbar)) if e_crossbar else None,
        "energy_note": "per answered image, to the first spike; crossbar: ideal lines, drivers and the neurons' 0.1 pF left out",
        "neuron_runs": runs, "wall_seconds": wall, "seconds_per_image": wall / len(idx),
    }
    if a.set == "test":
        (root / "bench" / "results" / f"snn_device_neuron_digits{'_trained' if a.trained else ''}{'_d2d' if e_ag is not None else ''}.json").write_text(json.dumps(r, indent=2) + "\n")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
