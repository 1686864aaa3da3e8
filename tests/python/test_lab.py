"""The lab from Python: memlab.reproduce and memlab.sensitivity write what the command line writes."""
import filecmp
import json
import os
import subprocess

import pytest

import memlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("MEMLAB_CLI", os.path.join(ROOT, "build", "release", "bin", "memlab"))


def test_reproduce_equals_the_cli_byte_for_byte(tmp_path):
    cli, py = str(tmp_path / "cli"), str(tmp_path / "py")
    subprocess.run([CLI, "reproduce", "--out", cli, "--only", "retention_volatile", "--jobs", "1"], check=True, capture_output=True)
    rep = memlab.reproduce(out=py, only=["retention_volatile"], jobs=2, figures=False)
    assert filecmp.cmp(os.path.join(cli, "report.json"), os.path.join(py, "report.json"), shallow=False)
    assert filecmp.cmp(os.path.join(cli, "retention_volatile", "metrics.json"), os.path.join(py, "retention_volatile", "metrics.json"),
                       shallow=False)
    assert rep == json.load(open(os.path.join(py, "report.json")))
    t = {x["id"]: x for x in rep["targets"]}
    assert t["retention.volatile"]["simulated"] is not None
    assert "kind" in t["retention.volatile"] and "fit" in t["retention.volatile"]
    assert not os.path.exists(os.path.join(py, "retention_volatile", "figure.png"))  # figures=False


def test_reproduce_over_seeds(tmp_path):
    out = str(tmp_path / "seeds")
    s = memlab.reproduce(out=out, only="retention_volatile", seeds="1..2", figures=False)
    assert s["seeds"] == [1, 2] and [r["folder"] for r in s["runs"]] == ["seed1", "seed2"]
    t = {x["id"]: x for x in s["targets"]}["retention.volatile"]
    assert t["run"] == 2 and 0 <= t["passed"] <= 2 and len(t["simulated"]) == 2
    assert t["varies"] in (True, False)
    for seed in (1, 2):
        r = json.load(open(os.path.join(out, f"seed{seed}", "report.json")))
        assert r["seed"] == seed and {x["id"]: x for x in r["targets"]}["retention.volatile"]["seed"] == seed
    assert filecmp.cmp(os.path.join(out, "report.json"), os.path.join(out, "seed1", "report.json"), shallow=False)
    assert memlab.reproduce(out=str(tmp_path / "list"), only=["retention_volatile"], seeds=[2], figures=False)["seeds"] == [2]


def test_sensitivity_from_python(tmp_path):
    out = str(tmp_path / "sens")
    s = memlab.sensitivity(vary=["device.e_ag=0.8 eV,0.9 eV"], out=out, only=["all_or_none"])
    assert [v["set"] for v in s["variants"]] == ["device.e_ag=0.8 eV", "device.e_ag=0.9 eV"]
    assert s["variants"][0]["moved"], "a 50 meV change of the Ag barrier moved no all-or-none number"
    assert os.path.exists(os.path.join(out, "baseline", "report.json")) and os.path.exists(os.path.join(out, "sensitivity.md"))


def test_bad_input_raises_and_leaves_nothing(tmp_path):
    out = str(tmp_path / "bad")
    with pytest.raises(memlab.InputError, match="no_such_experiment"):
        memlab.reproduce(out=out, only=["no_such_experiment"])
    with pytest.raises(memlab.InputError, match="runs backwards"):
        memlab.reproduce(out=out, only=["retention_volatile"], seeds="3..1")
    with pytest.raises(memlab.InputError, match="empty value"):
        memlab.sensitivity(vary=["device.e_ag=0.8 eV,,0.9 eV"], out=out, only=["all_or_none"])
    assert not os.path.exists(out) and not os.path.exists(out + ".partial")
