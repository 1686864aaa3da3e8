"""How often memlab fit's 95 % intervals hold the hidden cycle-to-cycle and device-to-device
spreads: the fit of examples/fit/agsn_d2d.toml (e_ag, sigma_e and the device-to-device spread of
e_ag free; intervals by the bootstrap over cycles, the curvature ones beside them) repeated over
draws of the measured population: 8 AgSn devices of 10 volatile cycles, hidden e_ag = 0.87 eV,
sigma_e = 40 meV, d2d e_ag = 50 meV, each draw a different device seed (memlab run --seed) and
noise seed. With calibrated intervals each parameter is inside in about 95 % of the draws, for
either method. Writes bench/results/fit_d2d_coverage.json (machine and date included). About a
minute of CPU a draw.

    /usr/bin/python3 bench/fit_d2d_coverage.py build/release/bin/memlab 20 [SEEDS]

SEEDS (e.g. 101,201,301,401) replaces the fit file's fit.seeds (a larger model population); the
result is then bench/results/fit_d2d_coverage_seedsN.json."""
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
HIDDEN = {"device.e_ag": ("0.87 eV", 0.87), "device.sigma_e": ("40 meV", 0.040), "device.d2d.e_ag": ("50 meV", 0.050)}
DEVICES, CYCLES = 8, 10

memlab, n = os.path.abspath(sys.argv[1]), int(sys.argv[2])
seeds = sys.argv[3].split(",") if len(sys.argv) > 3 else None
result = os.path.join(ROOT, "bench", "results", "fit_d2d_coverage" + (f"_seeds{len(seeds)}" if seeds else "") + ".json")
rows, t0 = [], time.time()
with tempfile.TemporaryDirectory() as d:
    fit_file = os.path.join(FIT, "agsn_d2d.toml")
    if seeds:  # the same fit file with other model seeds, its experiment path made absolute
        text = open(fit_file).read().replace("seeds = [101, 201]", f"seeds = [{', '.join(seeds)}]")
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
        row = {"draw": draw, "seed": seed, "chi_square": js["loss"]["chi_square"], "evaluations": js["evaluations"]}
        for p in js["parameters"]:
            h = HIDDEN[p["key"]][1]
            row[p["key"]] = {"value": p["value"], "at_bound": p["at_bound"],
                             **{m: {"low": p[m]["low"], "high": p[m]["high"], "inside": p[m]["low"] <= h <= p[m]["high"]}
                                for m in ("bootstrap", "curvature")}}
        rows.append(row)
        print(draw, {k: (round(v["value"], 5), v["bootstrap"]["inside"], v["curvature"]["inside"]) for k, v in row.items() if isinstance(v, dict)},
              round(row["chi_square"], 2), flush=True)
ok = [r for r in rows if "error" not in r]
summary = {m: {k: sum(r[k][m]["inside"] for r in ok) for k in HIDDEN} for m in ("bootstrap", "curvature")}
out = {"what": "memlab fit examples/fit/agsn_d2d.toml" + (f" with fit.seeds = [{', '.join(seeds)}]" if seeds else "") + " over draws of 8 devices x 10 cycles: hidden values inside the 95 % intervals",
       "date": datetime.date.today().isoformat(), "machine": f"{platform.node()} ({os.cpu_count()} cores, load average "
       f"{os.getloadavg()[0]:.1f} at the end)", "draws": n, "fits": len(ok), "inside": summary, "seconds": round(time.time() - t0, 1),
       "rows": rows}
json.dump(out, open(result, "w"), indent=2)
print("inside the 95 % intervals:", summary, "of", len(ok), "fits")
