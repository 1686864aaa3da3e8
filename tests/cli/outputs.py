"""Reading what memlab writes, for the command-line tests: the device registry as `memlab list`
and `memlab describe` print it, traces.h5, the JSON files and PNG figures of an output folder."""
import functools
import json
import re
import subprocess
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments"
EXE = None  # set by conftest.py

PREFIXES = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def quantity(text, unit):
    """SI value of a quantity as memlab prints it ("10 fm", "1e-06", "0.1 K")."""
    number, _, rest = text.strip().partition(" ")
    if unit in ("1", "") or rest == unit:
        return float(number)
    assert rest.endswith(unit) and rest[: len(rest) - len(unit)] in PREFIXES, f"{text!r} is not a quantity in {unit}"
    return float(number) * PREFIXES[rest[: len(rest) - len(unit)]]


@functools.cache
def model_names():
    """The device models `memlab list` names (the registry), in its order."""
    out = subprocess.run([EXE, "list"], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "Device models:", out[:2]
    names = []
    for line in out[1:]:
        if not line.startswith("  "):
            break
        names.append(line.split()[0])
    assert names, "memlab list names no device model"
    return tuple(names)


@functools.cache
def states(model):
    """A model's states as `memlab describe MODEL` prints them: {name: (unit, absolute tolerance in SI)}."""
    text = subprocess.run([EXE, "describe", model, "--markdown"], capture_output=True, text=True, check=True).stdout
    table = text[text.index("| state | unit | absolute tolerance | meaning |"):]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \| [^|]+ \|$", table, re.M)
    assert rows, f"memlab describe {model} lists no state"
    return {name: (unit.strip(), quantity(tol, unit.strip())) for name, unit, tol in rows}


def traces(path, group=None):
    """The datasets of traces.h5 (one group per run: the experiment's name) as {name: (numpy array, unit)}."""
    with h5py.File(path, "r") as f:
        if group is None:
            assert len(f.keys()) == 1, f"{path}: groups {list(f.keys())}"
            group = next(iter(f.keys()))
        g = f[group]
        return {k: (g[k][()], g[k].attrs["unit"].decode() if isinstance(g[k].attrs["unit"], bytes) else g[k].attrs["unit"]) for k in g}


def same_traces(a, b):
    """Names of the datasets that differ (bit for bit) between two traces.h5 files, or are in one only."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        names = set()
        fa.visit(names.add)
        other = set()
        fb.visit(other.add)
        diff = sorted(names ^ other)
        for n in sorted(names & other):
            if not isinstance(fa[n], h5py.Dataset):
                continue
            x, y = np.asarray(fa[n][()]), np.asarray(fb[n][()])
            # Bit for bit: a NaN (a map's "not defined" entry) equals the same NaN.
            if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                diff.append(n)
        return diff


def load(path):
    with open(path) as f:
        return json.load(f)


def assert_png(path):
    p = Path(path)
    assert p.is_file(), f"no figure {p}"
    head = p.read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 1000, f"{p} is not a drawn PNG"


def assert_no_partial(folder):
    left = sorted(str(p) for p in Path(folder).rglob("*.partial"))
    assert not left, f"left behind: {left}"


def assert_run_folder(folder, figure=True, csv=False):
    """The files of one experiment's run: traces.h5, metrics.json and config.json, the figure when
    asked, traces.csv when asked, no figure.log (drawing did not fail), nothing staged."""
    folder = Path(folder)
    for name in ("traces.h5", "metrics.json", "config.json"):
        assert (folder / name).is_file() and (folder / name).stat().st_size > 0, f"{folder}: no {name}"
    if figure:
        assert_png(folder / "figure.png")
        assert not (folder / "figure.log").exists(), (folder / "figure.log").read_text()
    else:
        assert not (folder / "figure.png").exists()
    assert (folder / "traces.csv").exists() == csv
    assert_no_partial(folder)


def shipped_experiments():
    """Names of the shipped experiment files (experiments/*.toml)."""
    return sorted(p.stem for p in EXPERIMENTS.glob("*.toml"))


def shipped_studies():
    """Names of the shipped studies (experiments/*.toml with a [study] table: run by memlab sweep,
    left out of reproduce)."""
    import tomllib
    return sorted(p.stem for p in EXPERIMENTS.glob("*.toml") if "study" in tomllib.loads(p.read_text()))
