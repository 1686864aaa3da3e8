"""memlab run and show-config on an array file (an [array] table): the maps in traces.h5, the
write-verify numbers in metrics.json, the heat-map figure, and mistakes as one line."""
import json

import h5py
import numpy as np

import outputs

WRITE_VERIFY = outputs.EXPERIMENTS / "array_write_verify.toml"
# The shipped file at 2 x 2 (seconds), recording what exists there.
SMALL = ["--set", "array.rows=2", "--set", "array.cols=2", "--set", 'recording.probes=["i(TIA1)", "X1_1.g"]']


def test_run_array_writes_maps_metrics_and_figure(memlab):
    res = memlab("run", WRITE_VERIFY, "--out", "wv", "--csv", *SMALL)
    assert "2 x 2 1T1R array" in res.stdout and "wrote wv" in res.stdout
    out = memlab.folder / "wv"
    outputs.assert_run_folder(out, figure=True, csv=True)
    config = outputs.load(out / "config.json")
    assert config == json.loads(memlab("show-config", WRITE_VERIFY, *SMALL).stdout)
    assert config["array"]["cell"] == "1T1R" and config["array"]["rows"] == 2
    tr = outputs.traces(out / "traces.h5", "array_write_verify")
    assert sorted(tr) == sorted(["time", "i(TIA1)", "X1_1.g"])
    assert np.all(np.diff(tr["time"][0]) >= 0)
    assert tr["X1_1.g"][0][-1] < tr["X1_1.g"][0][0], "programming closed the last cell's gap"
    with h5py.File(out / "traces.h5", "r") as f:
        maps = f["maps"]
        names = set(maps.keys())
        assert {"read1", "read1_cell", "read1_error", "program1_target", "program1_achieved", "program1_cell", "program1_pulses",
                "program1_energy", "read2"} <= names, names
        for k in names:
            assert maps[k].shape == (2, 2), k
        unit = lambda k: maps[k].attrs["unit"].decode() if isinstance(maps[k].attrs["unit"], bytes) else maps[k].attrs["unit"]
        assert unit("read1") == "S" and unit("program1_energy") == "J" and unit("program1_pulses") == "1"
        target, achieved, final = (np.asarray(maps[k]) for k in ("program1_target", "program1_achieved", "read2"))
        assert maps["read2"].attrs["time"] > maps["read1"].attrs["time"]
    m = outputs.load(out / "metrics.json")
    tol = m["program1.tolerance"]["value"]
    assert m["program1.converged"]["value"] == 4
    assert np.all(np.abs(achieved / target - 1) <= tol)
    assert np.isclose(m["program1.worst_error"]["value"], np.max(np.abs(achieved / target - 1)), rtol=1e-12, atol=0)
    assert np.allclose(final, achieved, rtol=0.01), "the final read gives the programmed map"
    assert m["program1.pulses_mean"]["value"] >= 1 and m["program1.energy_mean"]["unit"] == "J"
    assert m["solver.linear_solver"] == "klu"


def test_array_mistakes_are_one_line(memlab):
    memlab.fails("run", WRITE_VERIFY, "--set", "array.cell=2T2R", names=[WRITE_VERIFY.name, "array.cell", "2T2R"], leaves=["out"])
    memlab.fails("run", WRITE_VERIFY, "--set", "array.rowz=3", names=["array.rowz", "unknown key"], leaves=["out"])
    memlab.fails("run", WRITE_VERIFY, "--engine", "ngspice", names=[WRITE_VERIFY.name, "--engine ngspice"], leaves=["out"])
    memlab.fails("run", WRITE_VERIFY, "--set", 'recording.probes=["X9_9.g"]', "--out", "bad", names=[WRITE_VERIFY.name, "X9_9"],
                 leaves=["bad"])
