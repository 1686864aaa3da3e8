#!/usr/bin/env python3
"""Mapped inference on the sklearn digits in device mode (experiments/snn_digits_device.toml,
docs/networks.md): `memlab run` on the 597 test digits with the synapses written by write-verify,
and again with the file's conductances exactly (network.program.enabled = false), beside the
softmax on the same images (numpy, from the same conductance files).

    /usr/bin/python3 bench/snn_device_digits.py [--memlab build/release/bin/memlab] [--images N]

writes bench/results/snn_device_digits.json with the machine, date and load.

    /usr/bin/python3 bench/snn_device_digits.py --select [--images N]

chooses the presentation on the training set (exact conductances, the first N training images,
default 400): the TIA's gain and the number of 2 us slots per image, and writes
bench/results/snn_device_digits_select.json.

    /usr/bin/python3 bench/snn_device_digits.py --nonideal

runs the non-idealities on the 597 test digits with the exact conductances (each beside the
same run without it, in bench/results/snn_device_digits.json): the synapses' retention (every
synapse at rest 10 ms and 100 ms before the run), the neurons' E_Ag spread (0.14 eV, untrained
neurons), and writes bench/results/snn_device_digits_nonideal.json.

    /usr/bin/python3 bench/snn_device_digits.py --trained

trained neurons (the state training.toml leaves: h = h_c = 3.35 nm, h_s = 3 nm, as
bench/snn_device_neuron_digits.py --trained): the gain chosen on the training images
(25 and 50 kV/A on the first 100), then the 597 test digits at it without and with the 0.14 eV E_Ag spread;
writes bench/results/snn_device_digits_trained.json.

    /usr/bin/python3 bench/snn_device_digits.py --synapse-d2d

the synapses' device-to-device spread ([network.synapse.d2d], the model's stated E_Ag spread of
0.14 eV, experiments/five_devices.toml, one draw per cell): every synapse written by write-verify
on its own drawn device, then the 597 test digits; writes bench/results/snn_device_digits_synapse_d2d.json.

    /usr/bin/python3 bench/snn_device_digits.py --disturb

measures the read disturb the held reads leave out (bench/experiments/snn_read_disturb.toml: cells
of 1, 10, 50 and 100 uS read by a 0.2 V pulse in every 2 us slot, every cell on the engine) after
32 pulses (one image), 1000 and 10000, and writes bench/results/snn_device_read_disturb.json."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

import bench_info  # bench/, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import digits_softmax  # noqa: E402

FILE = ROOT / "experiments" / "snn_digits_device.toml"


def run(memlab, sets, file=FILE):
    out = Path(tempfile.mkdtemp(prefix="snn_device_digits_")) / "run"
    args = [memlab, "run", str(file), "--out", str(out), "--no-figure"]
    for s in sets:
        args += ["--set", s]
    t0 = time.monotonic()
    res = subprocess.run(args, check=True, capture_output=True, text=True)
    wall = time.monotonic() - t0
    sim = float(re.search(r"simulation ([0-9.]+) s", res.stdout).group(1))
    m = json.loads((out / "metrics.json").read_text())
    with h5py.File(out / "traces.h5", "r") as f:
        w = {k: np.asarray(f["weights"][k]) for k in f["weights"]}
        if "images" not in f:
            return m, w, None, None, None, wall, sim
        index = np.asarray(f["images/index"][:]).ravel().astype(int)
        label = np.asarray(f["images/label"][:]).ravel().astype(int)
        predicted = np.asarray(f["images/predicted"][:]).ravel().astype(int)
    return m, w, index, label, predicted, wall, sim


def softmax_on(index, label):
    """The mapped softmax (argmax of x (G+ - G-) plus the bias pair) on the images `index`."""
    gp = np.loadtxt(ROOT / "experiments" / "data" / "snn_digits_g_plus.csv", delimiter=",")
    gm = np.loadtxt(ROOT / "experiments" / "data" / "snn_digits_g_minus.csv", delimiter=",")
    x, _ = digits_softmax.load()
    z = np.hstack([x[index], np.ones((len(index), 1))]) @ (gp - gm)
    return np.argmax(z, axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memlab", default=str(ROOT / "build" / "release" / "bin" / "memlab"))
    ap.add_argument("--images", type=int, default=None)
    ap.add_argument("--select", action="store_true")
    ap.add_argument("--disturb", action="store_true")
    ap.add_argument("--nonideal", action="store_true")
    ap.add_argument("--trained", action="store_true")
    ap.add_argument("--synapse-d2d", action="store_true")
    a = ap.parse_args()
    load = os.getloadavg()[0]
    base = {"machine": bench_info.machine(), "date": bench_info.utc(), "load_average_at_start": load}
    if a.trained:
        trained = ['network.neuron.initial_state.h="3.35 nm"', 'network.neuron.initial_state.h_c="3.35 nm"',
                   'network.neuron.initial_state.h_s="3 nm"', "network.program.enabled=false"]
        grid = []
        for gain in ["25 kV/A", "50 kV/A"]:
            m, _, _, _, _, wall, _ = run(a.memlab, trained + ['network.input.set="train"', "network.input.images=100",
                                                              f'network.gain.gain="{gain}"'])
            grid.append({"gain": gain, "accuracy": m["accuracy"], "accuracy_first_spike": m["accuracy_first_spike"],
                         "silent": m["silent"], "spikes": m["spikes"], "wall_seconds": wall})
            print(json.dumps(grid[-1]), flush=True)
        best = max(grid, key=lambda g: g["accuracy"])["gain"]
        rows = []
        for name, sets in [("trained neurons", []), ("trained neurons, E_Ag spread 0.14 eV", ['network.neuron.d2d.e_ag="0.14 eV"'])]:
            m, _, _, label, _, wall, _ = run(a.memlab, trained + [f'network.gain.gain="{best}"'] + sets)
            rows.append({"variant": name, "gain": best, "images": len(label), "accuracy": m["accuracy"],
                         "accuracy_first_spike": m["accuracy_first_spike"], "silent": m["silent"], "wall_seconds": wall})
            print(json.dumps(rows[-1]), flush=True)
        r = dict(base, benchmark="device-mode digits, trained neurons (exact conductances)", selection_train_100=grid, runs=rows)
        out = ROOT / "bench" / "results" / "snn_device_digits_trained.json"
    elif a.nonideal:
        rows = []
        for name, sets in [("synapses at rest 10 ms before the run", ['network.synapse.rest="10 ms"']),
                           ("synapses at rest 100 ms before the run", ['network.synapse.rest="100 ms"']),
                           ("neurons' E_Ag spread 0.14 eV (untrained)", ['network.neuron.d2d.e_ag="0.14 eV"'])]:
            m, w, index, label, predicted, wall, _ = run(a.memlab, ["network.program.enabled=false"] + sets)
            rows.append({"variant": name, "sets": sets, "images": len(label), "accuracy": m["accuracy"],
                         "accuracy_first_spike": m["accuracy_first_spike"], "silent": m["silent"],
                         "largest_conductance_S": float(w["epoch0"].max()), "wall_seconds": wall})
            print(json.dumps(rows[-1]), flush=True)
        r = dict(base, benchmark="device-mode digits, non-idealities (exact conductances, 597 test digits)", runs=rows)
        out = ROOT / "bench" / "results" / "snn_device_digits_nonideal.json"
    elif a.synapse_d2d:
        sets = ['network.synapse.d2d.e_ag="0.14 eV"'] + ([f"network.input.images={a.images}"] if a.images else [])
        m, w, index, label, predicted, wall, sim = run(a.memlab, sets)
        err = w["programmed"] / w["target"] - 1
        r = dict(base, benchmark="device-mode digits, synapses drawn device by device (E_Ag 0.14 eV), write-verified",
                 sets=sets, images=len(label), accuracy=m["accuracy"], accuracy_first_spike=m["accuracy_first_spike"],
                 silent=m["silent"], agreement_with_softmax=float(np.mean(predicted == softmax_on(index, label))),
                 program=m["program"], programmed_error_rms=float(np.sqrt(np.mean(err ** 2))),
                 programmed_error_worst=float(np.max(np.abs(err))), spikes=m["spikes"],
                 wall_seconds=wall, simulation_seconds=sim)
        out = ROOT / "bench" / "results" / "snn_device_digits_synapse_d2d.json"
    elif a.disturb:
        rows = []
        for pulses in [32, 1000, 10000]:
            m, w, _, _, _, wall, _ = run(a.memlab, [f'network.duration="{2 * pulses} us"'],
                                         ROOT / "bench" / "experiments" / "snn_read_disturb.toml")
            change = (w["end"] / w["epoch0"] - 1).ravel()
            rows.append({"pulses": pulses, "read_time": f"{pulses} us", "dropped": m["dropped_input_spikes"],
                         "g_start_S": w["epoch0"].ravel().tolist(), "relative_change": change.tolist(), "wall_seconds": wall})
            print(json.dumps(rows[-1]), flush=True)
        r = dict(base, benchmark="read disturb of 1T1R agsn synapses under 0.2 V, 1 us reads every 2 us (transient fast level)",
                 runs=rows)
        out = ROOT / "bench" / "results" / "snn_device_read_disturb.json"
    elif a.select:
        n = a.images or 400
        rows = []
        for gain in ["100 kV/A", "125 kV/A", "150 kV/A"]:
            for slots in [16, 32, 64]:
                m, _, index, label, predicted, wall, _ = run(a.memlab, [
                    "network.program.enabled=false", 'network.input.set="train"', f"network.input.images={n}",
                    f'network.gain.gain="{gain}"', f'network.input.presentation="{2 * slots} us"'])
                soft = softmax_on(index, label)
                rows.append({"gain": gain, "slots": slots, "presentation": f"{2 * slots} us", "accuracy": m["accuracy"],
                             "accuracy_first_spike": m["accuracy_first_spike"], "silent": m["silent"],
                             "agreement_with_softmax": float(np.mean(predicted == soft)), "wall_seconds": wall})
                print(json.dumps(rows[-1]), flush=True)
        r = dict(base, benchmark="device-mode digits: presentation chosen on the training set (exact conductances)",
                 images=n, set="train", softmax_accuracy_same_images=float(np.mean(soft == label)), grid=rows)
        out = ROOT / "bench" / "results" / "snn_device_digits_select.json"
    else:
        sets = [f"network.input.images={a.images}"] if a.images else []
        m, w, index, label, predicted, wall, sim = run(a.memlab, sets)
        me, _, _, _, pe, wall_e, sim_e = run(a.memlab, sets + ["network.program.enabled=false"])
        soft = softmax_on(index, label)
        err = w["programmed"] / w["target"] - 1
        r = dict(base, benchmark="device-mode digits: write-verified 1T1R agsn pairs, agsn neurons, spike counts (memlab run)",
                 images=len(label),
                 accuracy_programmed=m["accuracy"], accuracy_programmed_first_spike=m["accuracy_first_spike"],
                 silent_programmed=m["silent"],
                 accuracy_exact=me["accuracy"], accuracy_exact_first_spike=me["accuracy_first_spike"], silent_exact=me["silent"],
                 accuracy_softmax_same_images=float(np.mean(soft == label)),
                 agreement_programmed_with_softmax=float(np.mean(predicted == soft)),
                 agreement_exact_with_softmax=float(np.mean(pe == soft)),
                 program=m["program"], programmed_error_rms=float(np.sqrt(np.mean(err ** 2))),
                 programmed_error_worst=float(np.max(np.abs(err))),
                 read_energy_per_image=m["read_energy_per_image"], spikes=m["spikes"],
                 wall_seconds_programmed=wall, simulation_seconds_programmed=sim,
                 wall_seconds_exact=wall_e, simulation_seconds_exact=sim_e,
                 note="wall: the whole memlab run; simulation: programming and inference as memlab reports it")
        out = ROOT / "bench" / "results" / "snn_device_digits.json"
    out.write_text(json.dumps(r, indent=2) + "\n")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
