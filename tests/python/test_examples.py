"""Every example script runs (and writes its figure, where it draws one)."""
import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(p for p in glob.glob(os.path.join(ROOT, "examples", "python", "*.py")) if not os.path.basename(p).startswith("_"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[os.path.basename(p) for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    res = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True, env=os.environ)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip(), "an example prints what it measured"


def test_there_is_an_example_per_paper_experiment():
    names = {os.path.basename(p)[:-3] for p in EXAMPLES}
    for need in ("all_or_none", "integrate", "integrate_and_fire", "synapse", "retention", "training",
                 "regime_switching", "five_devices", "set_delay", "custom_circuit"):
        assert need in names
