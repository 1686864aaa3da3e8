"""check_report.py, the gate of validation.paper_targets, on small synthetic reports: a skipped
experiment is accepted only when it holds no required target; --set and --only are never."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHECK = HERE / "check_report.py"


def report(tmp_path, skip=(), only=(), overrides=(), failing=()):
    """34 targets: two required ones of experiment "a", one of "net" (not required), 31 fillers."""
    targets = [{"id": "a.one", "experiment": "a"}, {"id": "a.two", "experiment": "a"},
               {"id": "net.digits", "experiment": "net"}]
    targets += [{"id": f"fill.{k}", "experiment": "fill"} for k in range(31)]
    for t in targets:
        skipped = t["experiment"] in skip
        t.update(paper=1, tolerance="any", seed=1, simulated=None if skipped else 1.0,
                 **{"pass": not skipped and t["id"] not in failing})
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"targets": targets, "skip": list(skip), "only": list(only),
                                "overrides": list(overrides), "summary": {"targets": len(targets)}}))
    required = tmp_path / "required.txt"
    required.write_text("# comment\na.one\na.two\n")
    return path, required


def check(paths):
    return subprocess.run([sys.executable, str(CHECK), *map(str, paths)], capture_output=True, text=True)


def test_a_full_passing_report_passes(tmp_path):
    r = check(report(tmp_path))
    assert r.returncode == 0, r.stdout


def test_skipping_an_experiment_without_required_targets_passes(tmp_path):
    r = check(report(tmp_path, skip=["net"]))
    assert r.returncode == 0, r.stdout


def test_skipping_an_experiment_with_required_targets_fails(tmp_path):
    r = check(report(tmp_path, skip=["a"]))
    assert r.returncode == 1
    assert "skipped experiment a holds required targets a.one, a.two" in r.stdout


@pytest.mark.parametrize("kw", [{"only": ["a"]}, {"overrides": ["device.e_ag=0.9 eV"]}])
def test_only_and_overrides_are_never_the_shipped_calibration(tmp_path, kw):
    r = check(report(tmp_path, **kw))
    assert r.returncode == 1
    assert "not the shipped calibration" in r.stdout


def test_a_failing_required_target_fails(tmp_path):
    r = check(report(tmp_path, failing=["a.two"]))
    assert r.returncode == 1
    assert "required target a.two fails" in r.stdout
