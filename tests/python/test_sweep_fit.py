"""memlab.sweep and memlab.fit: the command line's sweep and fit, their results as numpy arrays."""
import os
import subprocess
import sys

import numpy as np
import pytest

import memlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MEMLAB_CLI", os.path.join(ROOT, "build", "release", "bin", "memlab"))
FIT = os.path.join(ROOT, "examples", "fit")


def test_sweep_columns_as_numpy(tmp_path):
    out, cli = str(tmp_path / "py"), str(tmp_path / "cli")
    r = memlab.sweep("demo_vteam_pulses", vary="device.r_off=80 kOhm,120 kOhm", seeds="1..2", out=out, figure=False,
                     cache=str(tmp_path / "cache"))
    assert r.computed == 4 and r.failed == 0
    t = r.table
    assert isinstance(t["seed"], np.ndarray) and t["seed"].dtype == np.float64
    assert list(t["seed"]) == [1, 2, 1, 2] and list(t["device.r_off"]) == ["80 kOhm", "80 kOhm", "120 kOhm", "120 kOhm"]
    assert r.units["final.i(DUT)"] == "A" and np.all(np.isfinite(t["final.i(DUT)"]))
    # The same values as the command line's table (its folders differ: the cache key holds the build,
    # and the command line and the module are two builds).
    subprocess.run([CLI, "sweep", "demo_vteam_pulses", "--vary", "device.r_off=80 kOhm,120 kOhm", "--seeds", "1..2", "--out", cli,
                    "--no-figure", "--cache", str(tmp_path / "cache")], check=True, capture_output=True)
    c = memlab._read_table_csv(os.path.join(cli, "table.csv"))[0]
    assert set(c) == set(t)
    for name in t:
        if name != "folder":
            assert list(c[name]) == list(t[name]), name
    again = memlab.sweep("demo_vteam_pulses", vary=["device.r_off=80 kOhm,120 kOhm"], seeds=[1, 2], out=str(tmp_path / "again"),
                         figure=False, cache=str(tmp_path / "cache"))
    assert again.cached == 4 and again.computed == 0
    with pytest.raises(memlab.InputError, match="device.r_of"):
        memlab.sweep("demo_vteam_pulses", vary="device.r_of=1 kOhm,2 kOhm", out=str(tmp_path / "bad"), figure=False)
    assert not os.path.exists(tmp_path / "bad")


def test_fit_values_intervals_curves(tmp_path):
    hidden = {"device.r_on": 2e3, "device.r_off": 150e3, "device.v_off": 0.6}
    run = str(tmp_path / "hidden")
    subprocess.run([CLI, "run", os.path.join(FIT, "vteam_iv_setup.toml"), "--out", run, "--csv", "--no-figure", "--set", "device.r_on=2 kOhm",
                    "--set", "device.r_off=150 kOhm", "--set", "device.v_off=0.6 V"], check=True, capture_output=True)
    data = str(tmp_path / "measured.csv")
    subprocess.run([sys.executable, os.path.join(FIT, "synthetic.py"), os.path.join(run, "traces.csv"), data, "--vertices", "0,1.2,-1.2,0",
                    "--rate", "2e4", "--noise", "0.5e-6", "--seed", "3"], check=True)
    f = memlab.fit(os.path.join(FIT, "vteam_iv.toml"), data=data, out=str(tmp_path / "fit"), figure=False)
    assert set(f.values) == set(hidden) and f.confidence == 0.95 and f.units["device.r_off"] == "Ohm"
    for k, v in hidden.items():
        assert f.low[k] <= v <= f.high[k], (k, f.low[k], f.values[k], f.high[k])
    c = f.curves
    assert {"time", "voltage", "measured", "model", "start", "residual"} <= set(c)
    assert c["model"].shape == c["measured"].shape == (601,)
    np.testing.assert_allclose(c["residual"], c["model"] - c["measured"], atol=1e-12)
    # The fitted model follows the data to about its noise (0.5 uA); the start values do not.
    assert np.std(c["model"] - c["measured"]) < 0.6e-6 < np.std(c["start"] - c["measured"])
    assert "[device]" in f.snippet and f.summary["loss"]["kind"] == "current"
    with pytest.raises(memlab.InputError, match="no such data file"):
        memlab.fit(os.path.join(FIT, "vteam_iv.toml"), data=str(tmp_path / "none.csv"), out=str(tmp_path / "bad"))
