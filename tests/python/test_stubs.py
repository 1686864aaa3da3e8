"""The extension's type stubs (python/memlab/_memlab/*.pyi, written by hand) against the extension
itself: the same names in the module and each submodule, the same members and bases of each class,
and for every function and method the same parameters in the same order with defaults in the same
places (read from the signature line pybind11 puts in each docstring). And the build: py.typed and
the stubs beside the package, as in the source tree; if mypy is installed, a short program checks
against the stubs and a wrong call does not."""
import ast
import filecmp
import importlib.util
import os
import subprocess
import sys
import textwrap
import types

import pytest

import memlab
from memlab import _memlab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = os.path.dirname(os.path.abspath(memlab.__file__))  # the build's package (PYTHONPATH)
STUBS = os.path.join(PACKAGE, "_memlab")
SOURCE_STUBS = os.path.join(ROOT, "python", "memlab", "_memlab")

# Dunder names every module and class has (or pybind11 adds) that say nothing about the API.
IGNORED = {"__doc__", "__module__", "__dict__", "__weakref__", "__name__", "__file__", "__loader__", "__package__",
           "__spec__", "__builtins__", "__cached__", "__repr__", "__path__"}


def runtime_names(obj):
    """Public API of a module or class: its own names, dunders only where they give behaviour. A
    slot wrapper (a class without py::init gets one that raises "No constructor defined") is no API."""
    return {n for n, v in vars(obj).items()
            if n not in IGNORED and not n.startswith("_pybind11") and type(v).__name__ != "wrapper_descriptor"}


def stub_tree(module_name):
    with open(os.path.join(STUBS, module_name + ".pyi")) as f:
        return ast.parse(f.read())


def stub_names(body):
    """Names a stub body defines: functions, classes, annotated or assigned names, and re-exports
    (`from . import x as x`; a plain import is not an export in a stub)."""
    out = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign):
            out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                out[t.id] = node
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.asname == a.name:
                    out[a.name] = node
    return out


def split_top(text, sep=","):
    """Splits at `sep` outside brackets and quotes."""
    parts, depth, quote, cur = [], 0, None, ""
    for c in text:
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += c
    if cur.strip():
        parts.append(cur)
    return parts


def runtime_parameters(fn):
    """(name, has_default, kind) per parameter from pybind11's first docstring line,
    'name(a: int, b: str = 'x', **kwargs) -> T'."""
    line = fn.__doc__.splitlines()[0]
    start = line.index("(")
    depth, end = 0, None
    for k in range(start, len(line)):
        depth += {"(": 1, ")": -1}.get(line[k], 0)
        if depth == 0:
            end = k
            break
    out = []
    for p in split_top(line[start + 1:end]):
        p = p.strip()
        kind = "**" if p.startswith("**") else "*" if p.startswith("*") else ""
        name = split_top(p.lstrip("*"), ":")[0].strip()
        out.append((name, len(split_top(p, "=")) > 1, kind))
    return out


def stub_parameters(node):
    a = node.args
    positional = a.posonlyargs + a.args
    defaults = [False] * (len(positional) - len(a.defaults)) + [True] * len(a.defaults)
    out = [(p.arg, d, "") for p, d in zip(positional, defaults)]
    if a.vararg:
        out.append((a.vararg.arg, False, "*"))
    out += [(p.arg, d is not None, "") for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.kwarg:
        out.append((a.kwarg.arg, False, "**"))
    return out


def is_property(node):
    return any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def check_class(path, cls, node):
    problems = []
    rt = runtime_names(cls)
    st = {k: v for k, v in stub_names(node.body).items()}
    problems += [f"{path}.{n}: in the module, not in the stub" for n in sorted(rt - st.keys())]
    problems += [f"{path}.{n}: in the stub, not in the module" for n in sorted(st.keys() - rt)]
    bases = [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]
    rt_bases = [b.__name__ for b in cls.__bases__ if b.__name__ not in ("object", "pybind11_object")]
    if bases != rt_bases:
        problems.append(f"{path}: bases {bases} in the stub, {rt_bases} in the module")
    for n in sorted(rt & st.keys()):
        problems += check_member(f"{path}.{n}", vars(cls)[n], st[n])
    return problems


def check_member(path, obj, node):
    if isinstance(obj, property):
        if not (isinstance(node, ast.FunctionDef) and is_property(node)):
            return [f"{path}: a property in the module, not in the stub"]
        return []
    if isinstance(obj, types.ModuleType):
        return [] if isinstance(node, ast.ImportFrom) else [f"{path}: a submodule in the module, not in the stub"]
    if isinstance(obj, type):
        if not isinstance(node, ast.ClassDef):
            return [f"{path}: a class in the module, not in the stub"]
        return check_class(path, obj, node)
    if callable(obj):
        if not isinstance(node, ast.FunctionDef) or is_property(node):
            return [f"{path}: a function in the module, not in the stub"]
        rt, st = runtime_parameters(obj), stub_parameters(node)
        if [(n, k) for n, _, k in rt] != [(n, k) for n, _, k in st]:
            return [f"{path}: parameters {[n for n, _, _ in st]} in the stub, {[n for n, _, _ in rt]} in the module"]
        if [d for _, d, _ in rt] != [d for _, d, _ in st]:
            return [f"{path}: defaults at {[n for n, d, _ in st if d]} in the stub, at {[n for n, d, _ in rt if d]} in the module"]
        return []
    return []  # a value (__version__): its name is enough


def check_module(path, module, tree):
    problems = []
    rt = runtime_names(module)
    st = stub_names(tree.body)
    # Names only the stub has are its type helpers (_Quantity, _Traces, ...): private, never functions.
    helpers = {n for n, node in st.items() if n not in rt}
    problems += [f"{path}.{n}: in the module, not in the stub" for n in sorted(rt - st.keys())]
    problems += [f"{path}.{n}: in the stub, not in the module" for n in sorted(helpers)
                 if not n.startswith("_") or isinstance(st[n], ast.FunctionDef)]
    for n in sorted(rt & st.keys()):
        problems += check_member(f"{path}.{n}", vars(module)[n], st[n])
    return problems


def test_the_stubs_name_what_the_module_exports():
    problems = check_module("_memlab", _memlab, stub_tree("__init__"))
    # Every submodule of the extension has its stub file, and no stub file is left over.
    subs = {n for n, v in vars(_memlab).items() if isinstance(v, types.ModuleType)}
    files = {f[:-4] for f in os.listdir(STUBS) if f.endswith(".pyi")} - {"__init__"}
    assert subs == files, f"submodules {sorted(subs)}, stub files {sorted(files)}"
    for sub in sorted(subs):
        problems += check_module(f"_memlab.{sub}", getattr(_memlab, sub), stub_tree(sub))
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_stub_out_of_step():
    # The checker itself: a renamed parameter, a missing function and a stray one are caught.
    tree = ast.parse(textwrap.dedent("""
        def parse(text: str, units: str, key: str = ...) -> float: ...
        def scale(value: float) -> float: ...
    """))
    problems = check_module("_memlab.units", _memlab.units, tree)
    assert any("parse: parameters" in p for p in problems), problems
    assert any("format: in the module, not in the stub" in p for p in problems), problems
    assert any("scale: in the stub, not in the module" in p for p in problems), problems
    tree = ast.parse("def parse(text: str, unit: str, key: str) -> float: ...\n")
    assert any("parse: defaults" in p for p in check_module("_memlab.units", _memlab.units, tree))


def test_py_typed_and_the_stubs_are_beside_the_package():
    assert os.path.isfile(os.path.join(PACKAGE, "py.typed"))
    assert os.path.isfile(os.path.join(PACKAGE, "__init__.py"))
    extension = os.path.dirname(os.path.abspath(_memlab.__file__))
    assert extension == PACKAGE
    for f in sorted(os.listdir(SOURCE_STUBS)):
        if f.endswith(".pyi"):
            assert filecmp.cmp(os.path.join(SOURCE_STUBS, f), os.path.join(STUBS, f), shallow=False), f"stale build copy of {f}"
    # The stub folder beside the extension does not hide it: import finds the compiled module.
    assert _memlab.__spec__.origin.endswith(".so")


def test_the_package_functions_are_annotated():
    # memlab/__init__.py carries its own annotations (no stub): every public function and method.
    with open(os.path.join(PACKAGE, "__init__.py")) as f:
        tree = ast.parse(f.read())
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            params = [p for p in node.args.posonlyargs + node.args.args + node.args.kwonlyargs if p.arg != "self"]
            missing += [f"{node.name}({p.arg})" for p in params if p.annotation is None]
            if node.returns is None:
                missing.append(f"{node.name} -> ?")
    assert not missing, missing


EXAMPLE = """
from typing import Any

import numpy as np
from numpy.typing import NDArray

import memlab

dev = memlab.Device("agsn_sio2_pt", e_ag="0.85 eV", L="5 nm")
dev.set(e_ag="0.86 eV")
now: dict[str, str] = dev.parameters
g: float = dev["e_ag"]
w = memlab.stimulus.pulse_train(amplitude="2 V", count=20, width="4 us", period="5 us", base="-1 V")
c = memlab.Circuit()
c.source("AWG", "in", "0", w)
c.resistor("Rs", "in", "top", "2 MOhm")
c.memristor("M1", "top", "0", dev)
c.tia("TIA", "top", "out", gain="1e6 V/A", bandwidth="1 MHz")
sim = memlab.Simulation(c, seed=1)
tr = sim.run(w.duration, ["i(M1)", "M1.w"], sample_interval="10 ns")
i: NDArray[np.float64] = tr["traces"]["i(M1)"]
unit: str = tr["units"]["i(M1)"]
t_now: float = sim.time
s = memlab.simulate(dev, w, series_resistance="2 MOhm")
v: NDArray[np.float64] = s.traces["v(in)"]
r = memlab.run("all_or_none", seed=1, set="circuit.series_resistance=2 MOhm")
time: NDArray[np.float64] = r.traces["time"]
md = memlab.run_md("md_diffusion", jobs=2)
d_ag: NDArray[np.float64] = md.D("Ag")
msd: NDArray[np.float64] = md.runs[0]["msd"]
rep: dict[str, Any] = memlab.reproduce(out="out", skip=["md_diffusion"], seeds="1..3")
sens: dict[str, Any] = memlab.sensitivity(vary=["device.e_ag=0.83 eV,0.87 eV"], only="all_or_none")
seconds: float = memlab.units.parse("10 us", "s")
text: str = memlab.units.format(2e6, "Ohm")
first_unit: str = memlab.devices.parameters("vteam")[0]["unit"]
vset: float = memlab.analysis.vset(r.traces["v(DUT)"], [0.0, 1e-6], compliance=1e-5)
per_cycle: NDArray[np.float64] = memlab.analysis.vset_per_cycle(time, v, i, 1e-5, period=1e-3)
n_finite: int = memlab.analysis.statistics(per_cycle)["n"]
resolved: dict[str, Any] = memlab.show_config("synapse", set="device.e_ag=0.86 eV")
try:
    memlab.units.parse("2 MV", "Ohm")
except memlab.InputError as e:
    message: str = str(e)
"""

WRONG = """
import memlab
memlab.units.parse(2.0, "s")
memlab.Circuit().resistor("R", "a", "b")
"""


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (Debian: python3-mypy)")
def test_mypy_checks_a_program_against_the_stubs(tmp_path):
    env = dict(os.environ, MYPYPATH=os.path.dirname(PACKAGE))

    def mypy(text):
        f = tmp_path / "example.py"
        f.write_text(text)
        return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(f)],
                              capture_output=True, text=True, env=env, cwd=tmp_path)

    ok = mypy(EXAMPLE)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = mypy(WRONG)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert '"parse" has incompatible type "float"' in bad.stdout, bad.stdout
    assert 'Missing positional argument "resistance"' in bad.stdout, bad.stdout
