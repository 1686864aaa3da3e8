#!/usr/bin/env python3
"""Line resistance and the mapped digits (docs/networks.md, Mapped inference): how the IR drop of
the bit and source lines changes what the columns of experiments/snn_digits_device.toml carry to
their neurons, and so the classification of an ideal integrating readout of them.

A study beside the device mode, not the device mode: the device network's line resistance lives at
its circuit level only (network.line_resistance), which is too slow for 597 images. Here the 65 x
20 crossbar of the file (the pairs of scripts/digits_softmax.py, G+ on column 2k and G- on 2k+1,
the bias row last) is solved as a linear network, which it is at a read: the agsn cell conducts
linearly in its voltage (docs/models/agsn_sio2_pt.md, Conduction) and the access transistor at
V_GS = 3.3 V and a few mV of V_DS is its on-resistance, 1 / (KP W/L (V_GS - V_T0)) = 286 Ohm
(memlab's nmos_ekv parameters: KP 134.29 uA/V^2, W/L 10, V_T0 0.7 V). The topology is
array::build's: row r's driver at the bit line's column-0 end and one segment ahead of every cell;
column k's source line from row 0 down, one segment after every cell, to its TIA (virtual ground)
past the last row.

Each row is driven alone at 1 V to get the 20 x 65 transfer matrix M (column currents per row
volt); by superposition a slot's column currents are M v_slot. An image's expected charge per
column is 0.2 V x 64 slots x 1 us x M (p / 16) (the rate code: pixel p pulses with probability p / 16 per
slot, the bias row every slot), and the readout answers argmax_k (Q_2k - Q_2k+1). The same with
R = 0 is the mapped softmax exactly (the cells' transistors aside).

    /usr/bin/python3 bench/snn_line_resistance.py [--ohms 0,1,2,5,10,20]

writes bench/results/snn_line_resistance.json with the machine and date."""
import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import bench_info  # bench/, beside this script
import snn_device_digits  # bench/: the mapped softmax's answers (softmax_on)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import digits_softmax  # noqa: E402

R_ON = 1.0 / (134.29e-6 * 10 * (3.3 - 0.7))  # Ohm, the access transistor on at V_GS = 3.3 V


def transfer(g_cell, r_seg):
    """Column currents (A) per volt on each row: rows x cols cells g_cell (S), r_seg Ohm per segment
    of every bit and source line. Returns M, cols x rows."""
    rows, cols = g_cell.shape
    if r_seg == 0:
        return g_cell.T.copy()
    gs = 1.0 / r_seg
    n = 2 * rows * cols  # bl(r, k) then sl(r, k)
    bl = lambda r, k: r * cols + k  # noqa: E731
    sl = lambda r, k: rows * cols + r * cols + k  # noqa: E731
    A = sp.lil_matrix((n, n))

    def link(a, b, g):
        A[a, a] += g
        A[b, b] += g
        A[a, b] -= g
        A[b, a] -= g

    for r in range(rows):
        for k in range(cols):
            link(bl(r, k), sl(r, k), g_cell[r, k])
            if k > 0:
                link(bl(r, k - 1), bl(r, k), gs)
            if r > 0:
                link(sl(r - 1, k), sl(r, k), gs)
        A[bl(r, 0), bl(r, 0)] += gs  # the segment to the row's driver
    for k in range(cols):
        A[sl(rows - 1, k), sl(rows - 1, k)] += gs  # the segment to the column's TIA at 0 V
    lu = spla.splu(A.tocsc())
    M = np.zeros((cols, rows))
    for r in range(rows):
        b = np.zeros(n)
        b[bl(r, 0)] = gs * 1.0
        v = lu.solve(b)
        M[:, r] = [gs * v[sl(rows - 1, k)] for k in range(cols)]
    return M


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ohms", default="0,1,2,5,10,20")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "snn_line_resistance.json"))
    a = ap.parse_args()
    load = os.getloadavg()[0]
    # The solve against closed forms: one cell behind a segment on each line, 1 / (1/g + 2 R); two
    # rows on one column, the second row's current through three segments and its cell.
    g, R = 50e-6, 10.0
    assert abs(transfer(np.array([[g]]), R)[0, 0] - 1 / (1 / g + 2 * R)) < 1e-12 * g
    two = transfer(np.array([[g], [g]]), R)
    # Row 1 alone at 1 V: its cell feeds sl(1) (to the TIA through one segment); row 0's cell hangs
    # from sl(0) (one more segment up) with its driver at 0 V: a divider solved by hand.
    z_up = R + 1 / g + R  # sl(1) -> sl(0) -> row 0's cell -> its driver at 0 V
    z_down = R            # sl(1) -> TIA
    z_par = 1 / (1 / z_up + 1 / z_down)
    i_in = 1.0 / (R + 1 / g + z_par)
    assert abs(two[0, 1] - i_in * z_par / z_down) < 1e-9 * i_in
    gp = np.loadtxt(ROOT / "experiments" / "data" / "snn_digits_g_plus.csv", delimiter=",")
    gm = np.loadtxt(ROOT / "experiments" / "data" / "snn_digits_g_minus.csv", delimiter=",")
    rows, neurons = gp.shape
    g_dev = np.zeros((rows, 2 * neurons))
    g_dev[:, 0::2], g_dev[:, 1::2] = gp, gm
    g_cell = 1.0 / (1.0 / g_dev + R_ON)
    x, y = digits_softmax.load()
    _, test = digits_softmax.split(len(y), 1200, 1)
    p = np.hstack([x[test], np.ones((len(test), 1))])  # pulse probability per slot (load() gives p / 16), bias row last
    softmax = snn_device_digits.softmax_on(test, y[test])
    runs = []
    base = None
    for ohm in (float(s) for s in a.ohms.split(",")):
        M = transfer(g_cell, ohm)
        q = 0.2 * 64 * 1e-6 * (p @ M.T)  # C: 0.2 V read pulses of 1 us, 64 slots, expected pulses per row
        diff = q[:, 0::2] - q[:, 1::2]
        answer = np.argmax(diff, axis=1)
        if base is None:
            base = diff
        # The columns' loss to the lines: the strongest column's current against R = 0.
        row = {"ohm_per_segment": ohm, "accuracy": float(np.mean(answer == y[test])),
               "agreement_with_softmax": float(np.mean(answer == softmax)),
               "worst_column_sum_loss": float(np.max(1 - M.sum(axis=1) / g_cell.sum(axis=0))),
               "median_relative_change_of_the_winning_difference": float(np.median(
                   np.abs(diff[np.arange(len(test)), answer] / base[np.arange(len(test)), answer] - 1)))}
        runs.append(row)
        print(json.dumps(row), flush=True)
    r = {"benchmark": "mapped digits: line resistance of the 65 x 20 1T1R crossbar, linear solve, ideal integrating readout",
         "machine": bench_info.machine(), "date": bench_info.utc(), "load_average_at_start": load,
         "images": len(test), "transistor_on_resistance_ohm": R_ON,
         "softmax_accuracy": float(np.mean(softmax == y[test])), "runs": runs}
    Path(a.out).write_text(json.dumps(r, indent=2) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
