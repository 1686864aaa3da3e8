"""How often memlab fit's 95 % intervals hold the hidden values: the VTEAM I(V) fit of
examples/fit/vteam_iv.toml repeated over noise draws (seeds 1..N of examples/fit/synthetic.py),
the same hidden device each time. With calibrated intervals each parameter is inside in about
95 % of the draws. Writes bench/results/fit_coverage.json (machine and date included).

    /usr/bin/python3 bench/fit_coverage.py build/release/bin/memlab 20"""
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIT = os.path.join(ROOT, "examples", "fit")
HIDDEN = {"device.r_on": ("2 kOhm", 2e3), "device.r_off": ("150 kOhm", 150e3), "device.v_off": ("0.6 V", 0.6)}

memlab, n = os.path.abspath(sys.argv[1]), int(sys.argv[2])
rows, t0 = [], time.time()
with tempfile.TemporaryDirectory() as d:
    sets = [a for k, (v, _) in HIDDEN.items() for a in ("--set", f"{k}={v}")]
    subprocess.run([memlab, "run", os.path.join(FIT, "vteam_iv_setup.toml"), "--out", "hidden", "--csv", "--no-figure", *sets],
                   cwd=d, check=True, capture_output=True)
    for seed in range(1, n + 1):
        subprocess.run([sys.executable, os.path.join(FIT, "synthetic.py"), "hidden/traces.csv", f"m{seed}.csv", "--vertices",
                        "0,1.2,-1.2,0", "--rate", "2e4", "--noise", "0.5e-6", "--seed", str(seed)], cwd=d, check=True)
        subprocess.run([memlab, "fit", os.path.join(FIT, "vteam_iv.toml"), "--data", f"m{seed}.csv", "--out", f"f{seed}", "--no-figure"],
                       cwd=d, check=True, capture_output=True)
        js = json.load(open(os.path.join(d, f"f{seed}", "fit.json")))
        row = {"seed": seed, "chi_square": js["loss"]["chi_square"], "residuals": js["loss"]["residuals"]}
        for p in js["parameters"]:
            h = HIDDEN[p["key"]][1]
            row[p["key"]] = {"value": p["value"], "low": p["low"], "high": p["high"], "inside": p["low"] <= h <= p["high"]}
        rows.append(row)
        print(seed, {k: (round(v["value"], 6), v["inside"]) for k, v in row.items() if isinstance(v, dict)}, round(row["chi_square"], 1), flush=True)
summary = {k: sum(r[k]["inside"] for r in rows) for k in HIDDEN}
out = {"what": "memlab fit examples/fit/vteam_iv.toml over noise draws: hidden values inside the 95 % intervals",
       "date": datetime.date.today().isoformat(), "machine": f"{platform.node()} ({os.cpu_count()} cores, load average "
       f"{os.getloadavg()[0]:.1f} at the end)", "draws": n, "inside": summary, "seconds": round(time.time() - t0, 1), "rows": rows}
json.dump(out, open(os.path.join(ROOT, "bench", "results", "fit_coverage.json"), "w"), indent=2)
print("inside the 95 % intervals:", summary, "of", n)
