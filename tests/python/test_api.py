"""The Python layer: API, numpy conversion, error translation, and equality with the CLI."""
import csv
import os
import subprocess
import tempfile

import numpy as np
import pytest

import memlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MEMLAB_CLI", os.path.join(ROOT, "build", "release", "bin", "memlab"))
EXP = os.path.join(ROOT, "experiments")


def test_units_round_trip_and_errors():
    assert memlab.units.parse("2 MOhm", "Ohm") == 2e6
    assert memlab.units.parse("10 us", "s") == pytest.approx(1e-5)
    assert memlab.units.format(1e-8, "A") == "10 nA"
    with pytest.raises(memlab.InputError, match="circuit.series_resistance: unit 'MV'"):
        memlab.units.parse("2 MV", "Ohm", "circuit.series_resistance")
    with pytest.raises(ValueError):  # InputError is a ValueError
        memlab.units.parse("inf V", "V")


def test_devices_have_parameter_tables_with_units():
    assert "agsn_sio2_pt" in memlab.devices.names()
    params = {p["name"]: p for p in memlab.devices.parameters("agsn_sio2_pt")}
    assert params["L"]["unit"] == "m" and params["L"]["default"] == pytest.approx(5e-9)
    assert all(p["source"] for p in params.values())
    assert [s["name"] for s in memlab.devices.states("vteam")] == ["w"]
    with pytest.raises(memlab.InputError, match="unknown model 'nope'"):
        memlab.devices.parameters("nope")


def test_run_returns_numpy_arrays_with_units():
    r = memlab.run(os.path.join(EXP, "all_or_none.toml"), seed=1)
    assert r.name == "all_or_none"
    t, i = r.traces["time"], r.traces["i(DUT)"]
    assert isinstance(i, np.ndarray) and i.dtype == np.float64 and i.shape == t.shape
    assert r.units["i(DUT)"] == "A" and r.units["time"] == "s"
    assert np.all(np.diff(t) > 0)
    assert r.config["circuit"]["series_resistance"] == "10 MOhm"


def test_overrides_and_errors_reach_python():
    r = memlab.run(os.path.join(EXP, "all_or_none.toml"), set=["circuit.series_resistance=2 MOhm"])
    assert r.config["circuit"]["series_resistance"] == "2 MOhm"
    with pytest.raises(memlab.InputError, match="circuit.seires_resistance: unknown key"):
        memlab.run(os.path.join(EXP, "all_or_none.toml"), set=["circuit.seires_resistance=1 kOhm"])
    with pytest.raises(memlab.InputError, match="no such file"):
        memlab.run("/nonexistent.toml")


def test_python_run_equals_cli_run():
    f = os.path.join(EXP, "integrate.toml")
    py = memlab.run(f, seed=3)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "run")
        subprocess.run([CLI, "run", f, "--out", out, "--seed", "3", "--csv"], check=True, capture_output=True)
        rows = list(csv.reader(open(os.path.join(out, "traces.csv"))))
    names = [h.rsplit(" [", 1)[0] for h in rows[0]]
    data = np.array(rows[1:], dtype=float)
    assert set(names) == set(py.traces)
    for k, name in enumerate(names):
        np.testing.assert_array_equal(data[:, k], py.traces[name])  # bit for bit (17 digits in the CSV)
