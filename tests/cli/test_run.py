"""memlab --version, show-config and run: one experiment file into one folder."""
import csv
import json
import os
import re

import numpy as np
import pytest

import outputs

DEMO = outputs.EXPERIMENTS / "demo_vteam_pulses.toml"


def test_version(memlab):
    out = memlab("--version").stdout.strip()
    # The project's version, from CMake (MEMLAB_VERSION) when ctest runs this.
    assert re.fullmatch(r"memlab \d+\.\d+\.\d+", out), out
    assert out == f"memlab {os.environ.get('MEMLAB_VERSION', out[7:])}", out


def test_show_config(memlab):
    res = memlab("show-config", DEMO, "--set", "circuit.series_resistance=2 MOhm")
    c = json.loads(res.stdout)
    assert c["circuit"]["series_resistance"] == "2 MOhm"
    assert c["experiment"]["name"] == "demo_vteam_pulses"
    assert c["device"]["model"] == "vteam"
    # Defaults are filled in: every parameter of the model, with its unit.
    assert set(c["device"]["parameters"]) >= {"r_on", "r_off", "v_on", "v_off"}
    assert c["device"]["parameters"]["r_off"].endswith("Ohm")
    plain = json.loads(memlab("show-config", DEMO).stdout)
    assert plain["circuit"]["series_resistance"] != "2 MOhm"
    assert {k: v for k, v in plain.items() if k != "circuit"} == {k: v for k, v in c.items() if k != "circuit"}


def test_run_demo(memlab):
    res = memlab("run", DEMO, "--out", "run-demo", "--csv", "--seed", "3", "--set", "circuit.series_resistance=2 kOhm")
    out = memlab.folder / "run-demo"
    assert "wrote run-demo" in res.stdout
    outputs.assert_run_folder(out, figure=True, csv=True)
    config = outputs.load(out / "config.json")
    assert config["experiment"]["seed"] == 3
    assert config["circuit"]["series_resistance"] == "2 kOhm"
    # config.json is the resolved experiment show-config prints for the same settings.
    shown = json.loads(memlab("show-config", DEMO, "--set", "experiment.seed=3", "--set", "circuit.series_resistance=2 kOhm").stdout)
    assert config == shown
    probes = config["recording"]["probes"]
    tr = outputs.traces(out / "traces.h5", "demo_vteam_pulses")
    assert sorted(tr) == sorted(["time", *probes])
    assert tr["time"][1] == "s" and tr["i(DUT)"][1] == "A" and tr["v(in)"][1] == "V" and tr["DUT.w"][1] == "m"
    t = tr["time"][0]
    assert len(t) > 100 and np.all(np.diff(t) >= 0)
    w = tr["DUT.w"][0]
    assert np.ptp(w) > 1e-10, "the pulses did not move the VTEAM state"
    # The CSV holds the same columns and rows.
    with open(out / "traces.csv") as f:
        rows = list(csv.reader(f))
    head = [h.split(" [")[0].split(" (")[0] for h in rows[0]]
    assert head[0] == "time" and sorted(head[1:]) == sorted(probes), rows[0]
    assert len(rows) - 1 == len(t)
    for j, name in enumerate(head):
        assert float(rows[-1][j]) == pytest.approx(tr[name][0][-1], rel=1e-9, abs=1e-30), name
    metrics = outputs.load(out / "metrics.json")
    assert metrics["experiment"] == "demo_vteam_pulses"
    for p in probes:
        assert metrics[f"final.{p}"]["value"] == pytest.approx(tr[p][0][-1], rel=1e-12, abs=0), p
        assert metrics[f"final.{p}"]["unit"] == tr[p][1]
        assert metrics[f"max_abs.{p}"]["value"] == pytest.approx(np.max(np.abs(tr[p][0])), rel=1e-12, abs=0), p


def test_event_jump_in_compliance(memlab):
    # An event inside an SMU's compliance (the diffusive model's shrink events at 10 nA): the direct
    # consistent-IC solve stalls there; the engine applies the jump in parts (event_homotopies > 0).
    memlab("run", outputs.EXPERIMENTS / "training.toml", "--set", "device.model=diffusive", "--out", "ev", "--no-figure")
    outputs.assert_run_folder(memlab.folder / "ev", figure=False)
    m = outputs.load(memlab.folder / "ev" / "metrics.json")
    assert m["solver.event_homotopies"]["value"] > 0, m["solver.event_homotopies"]
    assert m["solver.events"]["value"] > 100, m["solver.events"]
    tr = outputs.traces(memlab.folder / "ev" / "traces.h5", "training")
    assert {f"DUT.{s}" for s in outputs.states("diffusive")} <= set(tr)
    i = tr["i(DUT)"][0]
    assert np.all(np.isfinite(i)) and np.max(np.abs(i)) <= 1.05 * 1e-3  # within the largest compliance of the file


SHORT_SYNAPSE = ("--set", "stimulus.write_counts=[3, 3]", "--set", "stimulus.cycles=2")


def csv_rows(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return [h.split(" [")[0] for h in rows[0]], np.array(rows[1:], dtype=float)


def test_csv_holds_the_rows_that_give_back_every_step(memlab):
    # Every solver step goes to traces.h5; traces.csv keeps the rows from which linear
    # interpolation gives back every step within csv_tolerance |value| + the solver's absolute
    # tolerance (docs/experiment-files.md), rows of traces.h5 unchanged.
    syn = outputs.EXPERIMENTS / "synapse.toml"
    memlab("run", syn, "--out", "thin", "--csv", "--no-figure", *SHORT_SYNAPSE)
    out = memlab.folder / "thin"
    config = outputs.load(out / "config.json")
    assert outputs.quantity(config["recording"]["csv_tolerance"], "1") == 1e-4
    head, rows = csv_rows(out / "traces.csv")
    tr = outputs.traces(out / "traces.h5", "synapse")
    h5 = np.column_stack([tr[name][0] for name in head])
    assert len(rows) < len(h5) / 5, f"{len(rows)} CSV rows for {len(h5)} steps"
    # Each CSV row is a step, in order: find them in traces.h5.
    at, k = [], 0
    for r in rows:
        while not np.array_equal(h5[k], r):
            k += 1
        at.append(k)
    assert at[0] == 0 and at[-1] == len(h5) - 1
    states = outputs.states("agsn_sio2_pt")
    atol = np.array([0.0] + [{"V": 1e-9, "A": 1e-15}.get(tr[n][1], states[n[4:]][1] if n.startswith("DUT.") else 0.0)
                             for n in head[1:]])
    worst = 0.0
    for a, b in zip(at[:-1], at[1:]):
        if b - a < 2 or h5[b, 0] == h5[a, 0]:
            continue
        mid = h5[a + 1:b]
        f = ((mid[:, 0] - h5[a, 0]) / (h5[b, 0] - h5[a, 0]))[:, None]
        line = h5[a] + f * (h5[b] - h5[a])
        excess = np.abs(line - mid)[:, 1:] / (1e-4 * np.abs(mid[:, 1:]) + atol[1:])
        worst = max(worst, excess.max())
    assert worst <= 1 + 1e-9, f"a skipped step lies {worst:.3g} x its tolerance off the CSV's line"
    # csv_tolerance = 0: every step.
    memlab("run", syn, "--out", "all", "--csv", "--no-figure", *SHORT_SYNAPSE, "--set", "recording.csv_tolerance=0")
    _, every = csv_rows(memlab.folder / "all" / "traces.csv")
    assert np.array_equal(every, h5)
    memlab.fails("run", syn, "--out", "bad", "--csv", "--set", "recording.csv_tolerance=2",
                 names=("synapse.toml", "recording.csv_tolerance"), leaves=("bad",))


def test_smu_run_records_its_set_point(memlab):
    # An SMU's output v(in) drops in compliance; its set-point SRC.u, what was programmed, is
    # recorded by default and the figure draws both.
    memlab("run", outputs.EXPERIMENTS / "demo_vteam_smu_sweep.toml", "--out", "smu")
    tr = outputs.traces(memlab.folder / "smu" / "traces.h5")
    assert tr["SRC.u"][1] == "V"
    assert np.max(np.abs(tr["SRC.u"][0] - tr["v(in)"][0])) > 0.1, "the sweep never reached the compliance"
    outputs.assert_run_folder(memlab.folder / "smu", figure=True)
