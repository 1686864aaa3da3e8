"""The README's first Python block, verbatim, from a folder that is not the checkout (a user's
notebook folder): shipped experiments by name, quantities with units, notes as warnings."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme_block():
    text = open(os.path.join(ROOT, "README.md")).read()
    python = text[text.index("## Python"):]
    return re.search(r"```python\n(.*?)```", python, re.S).group(1)


def test_readme_python_block_runs_from_any_folder(tmp_path):
    code = readme_block()
    assert "memlab.run(" in code and "experiments/" not in code  # by name, not by a path into the checkout
    # Run it as a script from an empty folder, with the module's folder on PYTHONPATH as the README says.
    script = tmp_path / "notebook.py"
    script.write_text(code + "\nprint('readme block ran')\n")
    env = dict(os.environ)
    assert "PYTHONPATH" in env, "the test runs with the build's python folder on PYTHONPATH"
    env["PYTHONPATH"] = os.path.abspath(env["PYTHONPATH"].split(os.pathsep)[0])
    p = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "readme block ran" in p.stdout
    # The swap of the device model says what it dropped, as a warning on stderr.
    assert "UserWarning" in p.stderr and "memdiode" in p.stderr, p.stderr[-2000:]
    assert sorted(os.listdir(tmp_path)) == ["notebook.py", "pulses.png"]  # the figure the block draws, and nothing else
