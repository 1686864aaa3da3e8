"""The memlab command line, end to end. Fixtures for every test in this folder.

The binary comes from --memlab or the environment variable MEMLAB_CLI (ctest sets it); each test
runs the binary in its own empty folder (pytest's tmp_path; ctest gives every file its own
--basetemp, so files running in parallel never share one)."""
import os
import subprocess
from pathlib import Path

import pytest

import outputs


def pytest_addoption(parser):
    parser.addoption("--memlab", default=os.environ.get("MEMLAB_CLI"), help="the memlab binary (default: $MEMLAB_CLI)")


def pytest_configure(config):
    exe = config.getoption("--memlab")
    if not exe or not os.access(exe, os.X_OK):
        raise pytest.UsageError(f"no memlab binary: give --memlab PATH or MEMLAB_CLI (got {exe!r})")
    outputs.EXE = str(Path(exe).resolve())


class Memlab:
    """Runs the binary in one folder and checks how it ended."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.exe = outputs.EXE

    def __call__(self, *args, status=0):
        """Runs `memlab ARGS` in the test's folder; asserts its exit status (0 unless told)."""
        res = subprocess.run([self.exe, *map(str, args)], cwd=self.folder, capture_output=True, text=True)
        assert res.returncode == status, (f"memlab {' '.join(map(str, args))}: exit {res.returncode}, expected {status}\n"
                                          f"stdout: {res.stdout[-3000:]}\nstderr: {res.stderr[-3000:]}")
        return res

    def fails(self, *args, names=(), leaves=()):
        """Runs a command a user got wrong: exit status 2 and one line on stderr, `memlab: error: ...`,
        holding every string of `names` (the file, the key, what is wrong); no folder of `leaves`
        (nor its .partial) is left, nor any .partial anywhere in the test's folder."""
        res = self(*args, status=2)
        lines = res.stderr.splitlines()
        errors = [l for l in lines if l.startswith("memlab: error: ")]
        assert len(errors) == 1 and lines[-1] == errors[0], f"not one error line at the end: {res.stderr!r}"
        for n in names:
            assert str(n) in errors[0], f"the error does not name {n!r}: {errors[0]}"
        for d in leaves:
            assert not (self.folder / d).exists(), f"a failed run left {d}"
            assert not (self.folder / (str(d) + ".partial")).exists(), f"a failed run left {d}.partial"
        outputs.assert_no_partial(self.folder)
        return errors[0]


@pytest.fixture
def memlab(tmp_path):
    """memlab in the test's own empty folder."""
    return Memlab(tmp_path)


@pytest.fixture(scope="module")
def memlab_in():
    """memlab in a given folder (for module fixtures whose output several tests read)."""
    return Memlab
