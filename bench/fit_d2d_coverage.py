"""How often memlab fit's 95 % intervals hold the hidden cycle-to-cycle and device-to-device
spreads: the fit of examples/fit/agsn_d2d.toml (e_ag, sigma_e and the device-to-device spread of
e_ag free; intervals by the bootstrap over cycles, bias-corrected, with its plain percentile interval
and the curvature one beside it) repeated over
draws of the measured population: 8 AgSn devices of 10 volatile cycles, hidden e_ag = 0.87 eV,
sigma_e = 40 meV, d2d e_ag = 50 meV, each draw a different device seed (memlab run --seed) and
noise seed. With calibrated intervals each parameter is inside in about 95 % of the draws, for
either method. Writes bench/results/fit_d2d_coverage[_independent][_seedsN].json (machine, date
and load included). About 25 s of CPU a draw.

    /usr/bin/python3 bench/fit_d2d_coverage.py build/release/bin/memlab 20 [--seeds 101,201,301,401] [--draws independent]

--seeds replaces the fit file's fit.seeds (a larger model population); --draws sets fit.device_draws
(matched, the default, or independent: the model's devices drawn as memlab run draws them)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import bench_info  # bench/, beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIT = os.path.join(ROOT, "examples", "fit")
HIDDEN = {"device.e_ag": ("0.87 eV", 0.87), "device.sigma_e": ("40 meV", 0.040), "device.d2d.e_ag": ("50 meV", 0.050)}
DEVICES, CYCLES = 8, 10
METHODS = ("bootstrap", "bootstrap_percentile", "curvature")  # fit.json: bootstrap (bias-corrected percentile), its plain percentile, curvature

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("memlab")
ap.add_argument("draws", type=int)
ap.add_argument("--seeds", help="the model's seeds, e.g. 101,201,301,401 (default: the fit file's)")
ap.add_argument("--draws", dest="device_draws", choices=("matched", "independent"), default="matched", help="fit.device_draws")
args = ap.parse_args()
memlab, n = os.path.abspath(args.memlab), args.draws
seeds = args.seeds.split(",") if args.seeds else None
suffix = ("_independent" if args.device_draws == "independent" else "") + (f"_seeds{len(seeds)}" if seeds else "")
result = os.path.join(ROOT, "bench", "results", f"fit_d2d_coverage{suffix}.json")
load_start = os.getloadavg()[0]
rows, t0 = [], time.time()
with tempfile.TemporaryDirectory() as d:
    fit_file = os.path.join(FIT, "agsn_d2d.toml")
    if seeds or args.device_draws != "matched":  # the same fit file with other model seeds or draws, its experiment path made absolute
        text = open(fit_file).read()
        assert "seeds = [101, 201]" in text and 'experiment = "agsn_cycles_setup.toml"' in text
        if seeds:
            text = text.replace("seeds = [101, 201]", f"seeds = [{', '.join(seeds)}]")
        text = text.replace("seeds = [", f'device_draws = "{args.device_draws}"\nseeds = [', 1)
        text = text.replace('experiment = "agsn_cycles_setup.toml"', f'experiment = "{os.path.join(FIT, "agsn_cycles_setup.toml")}"')
        fit_file = os.path.join(d, "agsn_d2d.toml")
        open(fit_file, "w").write(text)
    sets = [a for k, (v, _) in HIDDEN.items() for a in ("--set", f"{k}={v}")]
    for draw in range(1, n + 1):
        seed = 1000 * draw + 5  # the measured devices' draws: far from the model's seeds 101 and 201
        subprocess.run([memlab, "run", os.path.join(FIT, "agsn_cycles_setup.toml"), "--out", f"hidden{draw}", "--no-figure", "--seed", str(seed),
                        "--set", f"stimulus.cycles={CYCLES}", "--set", f"experiment.devices={DEVICES}", *sets], cwd=d, check=True, capture_output=True)
        lines = []
        for dev in range(1, DEVICES + 1):
            subprocess.run([sys.executable, os.path.join(FIT, "synthetic.py"), f"hidden{draw}/traces.h5", f"d{draw}_{dev}.csv", "--group",
                            f"agsn_volatile_cycles_device{dev}", "--device", str(dev), "--vertices", "0,1.5,-0.5,0", "--rate", "1", "--noise",
                            "0.1e-9", "--seed", str(100 * draw + dev)], cwd=d, check=True)
            text = open(os.path.join(d, f"d{draw}_{dev}.csv")).read().splitlines()
            lines += text if dev == 1 else text[1:]
        open(os.path.join(d, f"m{draw}.csv"), "w").write("\n".join(lines) + "\n")
        res = subprocess.run([memlab, "fit", fit_file, "--data", f"m{draw}.csv", "--out", f"f{draw}", "--no-figure"],
                             cwd=d, capture_output=True, text=True)
        if res.returncode != 0:
            rows.append({"draw": draw, "seed": seed, "error": res.stderr.strip()})
            print(draw, "failed:", res.stderr.strip(), flush=True)
            continue
        js = json.load(open(os.path.join(d, f"f{draw}", "fit.json")))
        drawn = js["model_devices"]["parameters"]["e_ag"]  # the model's 16 (or 32) devices at the minimum
        row = {"draw": draw, "seed": seed, "chi_square": js["loss"]["chi_square"], "evaluations": js["evaluations"],
               "model_e_ag": {"mean": drawn["mean"], "std": drawn["std"]},
               "vset": {w: {k: js["vset"][w][k] for k in ("mean", "std", "between_device_std", "cycles", "cycles_run")} for w in ("measured", "model")}}
        for p in js["parameters"]:
            h = HIDDEN[p["key"]][1]
            p["bootstrap_percentile"] = p["bootstrap"]["percentile"]  # the plain percentile interval, beside the bias-corrected one
            row[p["key"]] = {"value": p["value"], "at_bound": p["at_bound"],
                             **{m: {"low": p[m]["low"], "high": p[m]["high"], "inside": p[m]["low"] <= h <= p[m]["high"]} for m in METHODS}}
        rows.append(row)
        print(draw, {k: (round(v["value"], 5), v["bootstrap"]["inside"], v["curvature"]["inside"]) for k, v in row.items() if k in HIDDEN},
              round(row["chi_square"], 2), "model e_ag std", round(drawn["std"], 5), flush=True)
ok = [r for r in rows if "error" not in r]
summary = {m: {k: sum(r[k][m]["inside"] for r in ok) for k in HIDDEN} for m in METHODS}
out = {"what": "memlab fit examples/fit/agsn_d2d.toml" + (f" with fit.seeds = [{', '.join(seeds)}]" if seeds else "")
       + f" (fit.device_draws = {args.device_draws}) over draws of 8 devices x 10 cycles: hidden values inside the 95 % intervals",
       "date": bench_info.utc(t0), "machine": bench_info.machine(),
       "load_average": f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (1 min)",
       "draws": n, "fits": len(ok), "inside": summary, "seconds": round(time.time() - t0, 1), "rows": rows}
json.dump(out, open(result, "w"), indent=2)
print("inside the 95 % intervals:", summary, "of", len(ok), "fits")
