"""Summarises a run of the shipped study (experiments/study_devices_training.toml, written by
`memlab sweep`): per training target the fraction of devices inside its tolerance and the
distribution of the values, the devices with cycles that never set, and the pooled Vset over all
devices' cycles; draws docs/studies/devices-training.png. Called by bench/study_devices_training.sh.

usage: study_devices_training.py SWEEP_FOLDER SECONDS LOAD_BEFORE LOAD_AFTER JOBS RESULT_JSON FIGURE_PNG
"""
import csv
import json
import os
import re
import sys

import numpy as np

import bench_info  # bench/, beside this script

folder, seconds, load_before, load_after, jobs, result_json, figure_png = sys.argv[1:]

with open(os.path.join(folder, "table.csv"), newline="") as f:
    rows = list(csv.reader(f))
header = [h.split(" [")[0] for h in rows[0]]
table = {name: [r[k] for r in rows[1:]] for k, name in enumerate(header)}
n_devices = len(rows) - 1
errors = [e for e in table["error"] if e]


def numbers(name):
    """A column's values of the devices whose task ran (the rows of `targets`)."""
    return np.array([float(x) if x not in ("", "nan") else np.nan for x, e in zip(table[name], table["error"]) if not e])


# Every task's targets.json: tolerance, paper value, the notes (cycles that never set).
targets = {}  # id -> list per device of result dicts (devices whose task failed have none: see failed_tasks)
for folder_rel, error in zip(table["folder"], table["error"]):
    if error:
        continue
    with open(os.path.join(folder, folder_rel, "targets.json")) as f:
        for t in json.load(f):
            targets.setdefault(t["id"], []).append(t)


def band(tolerance):
    m = re.match(r"\s*([0-9.eE+-]+)\s*\.\.\s*([0-9.eE+-]+)", tolerance)
    return (float(m.group(1)), float(m.group(2))) if m else None


summary = {}
for tid, results in targets.items():
    passed = sum(bool(r["pass"]) for r in results)
    entry = {"tolerance": results[0]["tolerance"], "paper": results[0]["paper"], "unit": results[0]["unit"],
             "devices": len(results), "inside": passed, "fraction_inside": round(passed / len(results), 3)}
    col = "target." + tid
    if col in table:
        x = numbers(col)
        fin = x[np.isfinite(x)]
        entry.update({"n_finite": int(fin.size), "mean": float(np.mean(fin)), "std": float(np.std(fin)),
                      "quantiles_5_25_50_75_95": [float(q) for q in np.quantile(fin, [0.05, 0.25, 0.5, 0.75, 0.95])],
                      "min": float(fin.min()), "max": float(fin.max())})
        lo_hi = band(results[0]["tolerance"])
        if lo_hi:
            entry["below"] = int(np.sum(fin < lo_hi[0]))
            entry["above"] = int(np.sum(fin > lo_hi[1]))
    summary[tid] = entry


def never_set(tid):
    """Devices whose block had cycles that never reached 90 % of the compliance, and those cycles."""
    counts = []
    for r in targets.get(tid, []):
        m = re.search(r"(\d+) cycles never set", r.get("note", ""))
        counts.append(int(m.group(1)) if m else 0)
    counts = np.array(counts)
    return {"devices": int(np.sum(counts > 0)), "cycles": int(counts.sum()), "most_in_one_device": int(counts.max()) if counts.size else 0}


unset = {"initial": never_set("training.initial_vset_mean"), "nonvolatile": never_set("training.nonvolatile_vset_mean"),
         "trained": never_set("training.trained_vset_mean")}

# Pooled over every device's set cycles (as Supp. Fig. 8 pools its five devices): the mean of the
# per-device means weighted by their set cycles, and the total variance (within + between devices).
cycles_per_block = 40


def pooled(block, tid_mean, tid_std):
    m, s = numbers("target." + tid_mean), numbers("target." + tid_std)
    notes = [re.search(r"(\d+) cycles never set", r.get("note", "")) for r in targets[tid_mean]]
    n = np.array([cycles_per_block - (int(x.group(1)) if x else 0) for x in notes], dtype=float)
    ok = np.isfinite(m) & np.isfinite(s) & (n > 0)
    w = n[ok] / n[ok].sum()
    mean = float(np.sum(w * m[ok]))
    var = float(np.sum(w * (s[ok] ** 2 + (m[ok] - mean) ** 2)))
    return {"cycles": int(n[ok].sum()), "mean": mean, "std": float(np.sqrt(var))}


pooled_vset = {"initial": pooled("initial", "training.initial_vset_mean", "training.initial_vset_std"),
               "trained": pooled("trained", "training.trained_vset_mean", "training.trained_vset_std")}

result = {
    "benchmark": "memlab sweep experiments/study_devices_training.toml: 200 devices (e_ag d2d 0.14 eV) through the training protocol, "
                 "empty cache, figure drawn" + (" ; --wide: the first block to 3 V, the ramp and the 1 mA block to 2 V (five_devices.toml's "
                                                "ranges, Supp. Fig. 8)" if "wide" in os.path.basename(figure_png) else ""),
    "machine": bench_info.machine(),
    "date": bench_info.utc(os.path.getmtime(os.path.join(folder, "table.csv"))),
    "load_average_before": load_before, "load_average_after": load_after,
    "jobs": int(jobs), "seconds": round(float(seconds), 1),
    "devices": n_devices, "failed_tasks": len(errors), "failures": errors,
    "targets": summary,
    "cycles_never_set": unset,
    "pooled_vset_over_all_devices": pooled_vset,
}
with open(result_json, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
print(json.dumps(result, indent=2))

# The figure: per-device values of six numeric targets, the tolerance shaded, the paper's value.
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

panels = [("training.initial_vset_mean", "initial Vset, mean of 40 cycles [V]", False),
          ("training.trained_vset_mean", "trained Vset, mean of 40 cycles [V]", False),
          ("training.hrs_drop", "HRS drop, initial / trained [1]", True),
          ("training.initial_vset_std", "initial Vset, std of 40 cycles [V]", False),
          ("training.trained_vset_std", "trained Vset, std of 40 cycles [V]", True),
          ("training.nonvolatile_vset_mean", "nonvolatile Vset, mean of 40 cycles [V]", False)]
fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
for ax, (tid, label, logx) in zip(axes.flat, panels):
    x = numbers("target." + tid)
    x = x[np.isfinite(x)]
    s = summary[tid]
    lo_hi = band(s["tolerance"])
    # Bins over the values and the tolerance together: a narrow distribution shows as narrow.
    lo = min([x.min()] + ([lo_hi[0]] if lo_hi else []))
    hi = max([x.max()] + ([lo_hi[1]] if lo_hi else []))
    if logx:
        x = x[x > 0]
        lo = max(lo, x.min())
        bins = np.logspace(np.log10(lo), np.log10(hi), 50)
        ax.set_xscale("log")
    else:
        bins = np.linspace(lo, hi, 50)
    if lo_hi:
        ax.axvspan(*lo_hi, color="C2", alpha=0.2, lw=0, label=f"tolerance {s['tolerance']}")
    ax.hist(x, bins=bins, color="C0")
    if isinstance(s["paper"], (int, float)):
        ax.axvline(s["paper"], color="C3", lw=1.2, label=f"paper {s['paper']:g}")
    ax.set_xlabel(label)
    ax.set_ylabel("devices")
    ax.set_title(f"{tid}: {s['inside']} of {s['devices']} inside ({x.size} with a value)", fontsize=7)
    ax.legend(fontsize=7)
protocol = "sweeps to 3 V / 2 V / 1.5 V (Supp. Fig. 8's ranges)" if "wide" in os.path.basename(figure_png) else "training protocol of Fig. 4a-c"
fig.suptitle(f"study_devices_training: {n_devices} devices (e_ag drawn from N(e_ag, 0.14 eV)), {protocol}", fontsize=9)
fig.tight_layout()
fig.savefig(figure_png, dpi=110)
