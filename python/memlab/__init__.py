"""memlab for the notebook: experiments from TOML files (or built with --set style overrides),
results as numpy arrays with their units, figures with memlab.plot (no separate import; it leaves
matplotlib's backend alone: memlab.plot.figure(r) shows inline in Jupyter).

    import memlab
    r = memlab.run("all_or_none", seed=1)   # a shipped experiment by name, or a file's path
    r.traces["i(DUT)"], r.units["i(DUT)"]   # numpy array, "A"
    a = memlab.run("array_write_verify")    # an array file: an ArrayResult
    a.reads[-1], a.maps["program1_achieved"]   # rows x cols numpy conductance maps (S)
    memlab.plot.maps(a)                      # heat maps of them
    md = memlab.run_md("experiments/md_diffusion.toml", jobs=2)   # LAMMPS; md.D("Ag"), md.runs
    rep = memlab.reproduce(out="reproduce-out", skip=["md_diffusion"])  # report.json as a dict
    sens = memlab.sensitivity(vary=["device.e_ag=0.83 eV,0.87 eV"], only=["all_or_none"])
    t = memlab.sweep("set_delay", vary="device.e_ag=0.83 eV,0.87 eV", seeds="1..5")  # columns as numpy arrays
    f = memlab.fit("examples/fit/vteam_iv.toml", data="measured.csv")  # values, intervals, curves

The C++ core is the _memlab extension; its one-line errors arrive as memlab.InputError
(a ValueError) and memlab.SolverError.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors only (py.typed; the extension's stubs in _memlab/)
    import os

    import numpy as np
    from numpy.typing import NDArray

    from . import plot
    from ._memlab import _MdRun

try:
    from . import _memlab
except ImportError as e:  # the pure-Python parts (plot) stay usable without the extension
    _memlab = None  # type: ignore[assignment]
    _import_error = e

if _memlab is not None:
    __version__ = _memlab.__version__
    InputError = _memlab.InputError
    SolverError = _memlab.SolverError
    units = _memlab.units
    devices = _memlab.devices
    Device = _memlab.Device
    Circuit = _memlab.Circuit
    Simulation = _memlab.Simulation
    analysis = _memlab.analysis
    from . import stimulus



def __getattr__(name: str) -> Any:
    # memlab.plot without a separate import; matplotlib and h5py load on its first use only.
    if name == "plot":
        import importlib
        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'memlab' has no attribute {name!r}")


@dataclass
class Result:
    name: str
    traces: dict[str, NDArray[np.float64]]  # probe -> numpy array (SI); "time" included
    units: dict[str, str]                   # probe -> unit
    metrics: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class ArrayResult:
    """An array run (an [array] file): its maps as rows x cols numpy arrays in the order the run
    took them (`maps`, name -> array; `map_units`, `map_times` in s): per read "readN" (the
    apparent conductance, S), "readN_cell" (each cell alone), "readN_error"; per programming
    "programN_target", "_achieved", "_cell", "_pulses", "_energy"; per drive "driveN_responses",
    "_limit", ... (docs/arrays.md). `traces` holds the recorded probes at every solver step (the
    TIA currents "i(TIA<c>)" by default), `units` their units."""
    name: str
    maps: dict[str, NDArray[np.float64]]
    map_units: dict[str, str]
    map_times: dict[str, float]
    traces: dict[str, NDArray[np.float64]]
    units: dict[str, str]
    metrics: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def reads(self) -> list[NDArray[np.float64]]:
        """The conductance map of every read (S, rows x cols), in order."""
        return [m for k, m in self.maps.items() if k.startswith("read") and k[4:].isdigit()]

    @property
    def currents(self) -> dict[str, NDArray[np.float64]]:
        """The recorded currents (A): every probe "i(...)", with "time"."""
        return {k: v for k, v in self.traces.items() if k == "time" or k.startswith("i(")}


def _need() -> None:
    if _memlab is None:
        raise ImportError(f"memlab's C++ extension is not built: {_import_error}")


def simulate(device: Device, stimulus: _memlab.stimulus.Waveform, series_resistance: str | None = None,
             t_end: str | None = None, probes: Sequence[str] | None = None, sample_interval: str | None = None,
             parasitic_capacitance: str | None = None, seed: int = 1, rtol: float = 1e-6) -> Result:
    """The common case in one call: a waveform through an optional series resistor into a device
    (and an optional capacitance from the device node to ground). Quantities are strings with
    their units ("2 MOhm"), as in an experiment file; a bare number is refused. Returns a Result;
    t_end defaults to the end of the waveform."""
    _need()
    c = Circuit()
    c.source("SRC", "in", "0", stimulus)
    top = "in"
    if series_resistance is not None:
        c.resistor("Rs", "in", "top", series_resistance)
        top = "top"
    if parasitic_capacitance is not None:
        c.capacitor("Cp", top, "0", parasitic_capacitance)
    c.memristor("DUT", top, "0", device)
    if probes is None:
        probes = ["v(in)", f"v({top})", "i(DUT)"] + [f"DUT.{s['name']}" for s in devices.states(device.name)]
    sim = Simulation(c, seed=seed, rtol=rtol)
    r = sim.run(f"{stimulus.end_time!r} s" if t_end is None else t_end, probes, sample_interval)
    return Result("simulate", dict(r["traces"]), dict(r["units"]))


@dataclass
class MdResult:
    """An MD diffusion run: one entry per ion and sample in `runs` (dicts with "ion", "sample",
    numpy arrays "time" (s), "x", "y", "z" (m, relative to the glass), "msd_Si", "msd_O" (m^2),
    "lag" (s), "msd" (m^2), and "D" (m^2/s), "D_fit_r2", "network_D"); `folder` holds the LAMMPS
    inputs, logs and trajectories."""
    name: str
    runs: list[_MdRun]
    metrics: dict[str, Any]
    config: dict[str, Any]
    folder: str

    def D(self, ion: str) -> NDArray[np.float64]:
        """The diffusion coefficients of `ion` (m^2/s), one per sample, as a numpy array."""
        import numpy as np
        return np.array([r["D"] for r in self.runs if r["ion"] == ion])


def run_md(file: str | os.PathLike[str], seed: int | None = None, set: str | Iterable[str] = (), folder: str | os.PathLike[str] | None = None,
           jobs: int = 2) -> MdResult:
    """Runs an MD diffusion file (an [md] table, e.g. experiments/md_diffusion.toml) in LAMMPS,
    `jobs` processes at a time, in `folder` (a new temporary folder if None); returns an MdResult."""
    _need()
    import tempfile
    overrides = _names(set)
    if seed is not None:
        overrides.append(f"experiment.seed={int(seed)}")
    folder = tempfile.mkdtemp(prefix="memlab_md_") if folder is None else str(folder)
    r = _memlab._run_md(_memlab._experiment_file(str(file)), overrides, folder, int(jobs))
    return MdResult(r["name"], list(r["runs"]), r["metrics"], r["config"], folder)


@dataclass
class NetworkResult:
    """A network run ([network] file, docs/networks.md), as numpy arrays in SI: `spikes` ("time" (s),
    "neuron"), `input_spikes` ("time", "row"), `weights` (one inputs x neurons array per epoch,
    "epoch0" the initial one, in `weights_unit`), `images` when images were presented ("start" (s),
    "label", "predicted" (-1: no answer), "index" in the data set, "counts": images x neurons), and
    for a learning network `learning` ("labels" per neuron (-1: silent in the labelling pass and
    never a training winner), "train_winner" per
    training image (-1: none), "train_index", "train_spike_time", "train_spike_neuron"); the test
    images are in `images`, the initial and trained conductances are weights "epoch0" and "epoch1"."""
    name: str
    spikes: dict[str, NDArray[np.float64]]
    input_spikes: dict[str, NDArray[np.float64]]
    weights: dict[str, NDArray[np.float64]]
    weights_unit: str
    images: dict[str, NDArray[np.float64]]
    metrics: dict[str, Any]
    config: dict[str, Any]
    learning: dict[str, NDArray[np.float64]] = field(default_factory=dict)


def run(file: str | os.PathLike[str], seed: int | None = None, set: str | Iterable[str] = (), device: int = 0,
        engine: str = "memlab") -> Result | Any:
    """Runs one experiment, like `memlab run FILE --seed N --set k=v [--engine ngspice]`: a file's
    path, or a shipped experiment by name ("synapse", from any folder); returns a Result (an
    ArrayResult for an array file: its conductance maps as numpy arrays).
    engine="ngspice" runs the circuit in ngspice (the device's deterministic form);
    set="device.model=memdiode" (or a list of overrides) swaps the device, and what the file no
    longer says arrives as a warning. An MD file goes to run_md (an MdResult; hence `| Any` for
    type checkers: a circuit file's Result needs no isinstance); a network file gives a NetworkResult
    (spikes and weights as numpy arrays)."""
    _need()
    import warnings
    path = _memlab._experiment_file(str(file))
    if _memlab._is_md_file(path):
        if engine != "memlab":
            raise InputError(f"{file}: engine={engine!r}: an MD experiment runs in LAMMPS only")
        return run_md(path, seed=seed, set=set)
    overrides = _names(set)
    if seed is not None:
        overrides.append(f"experiment.seed={int(seed)}")
    if _memlab._is_array_file(path):
        if engine != "memlab":
            raise InputError(f"{file}: engine={engine!r}: an array file runs on memlab's engine only")
        a = _memlab._run_array(path, overrides)
        return ArrayResult(a["name"], {n: m for n, m, _, _ in a["maps"]}, {n: u for n, _, u, _ in a["maps"]},
                           {n: t for n, _, _, t in a["maps"]}, dict(a["traces"]), dict(a["units"]), a["metrics"], a["config"])
    if _memlab._is_network_file(path):
        if engine != "memlab":
            raise InputError(f"{file}: engine={engine!r}: a network runs on memlab only")
        n = _memlab._run_network(path, overrides)
        return NetworkResult(n["name"], dict(n["spikes"]), dict(n["input_spikes"]), dict(n["weights"]), n["weights_unit"],
                             dict(n["images"]), n["metrics"], n["config"], dict(n["learning"]))
    r = _memlab._run(path, overrides, device, engine)
    for n in r["notes"]:
        warnings.warn(n, stacklevel=2)
    return Result(r["name"], dict(r["traces"]), dict(r["units"]), r["metrics"], r["config"])


def show_config(file: str | os.PathLike[str], set: str | Iterable[str] = ()) -> dict[str, Any]:
    """The resolved experiment (defaults filled in) as a dict with units, like `memlab show-config`;
    `file` is a path or a shipped experiment's name."""
    _need()
    config: dict[str, Any] = _memlab.show_config(str(file), _names(set))
    return config


def _seeds(seeds: str | int | Iterable[int] | None) -> list[int]:
    if seeds is None:
        return []
    if isinstance(seeds, str):
        return list(_memlab._parse_seeds(seeds))
    if isinstance(seeds, int):
        return [int(seeds)]
    return [int(s) for s in seeds]


def _names(x: str | Iterable[str]) -> list[str]:
    return [x] if isinstance(x, str) else [str(v) for v in x]


def _load_json(path: str) -> dict[str, Any]:
    import json
    with open(path) as f:
        data: dict[str, Any] = json.load(f)
    return data


def reproduce(out: str | os.PathLike[str] = "reproduce-out", only: str | Iterable[str] = (), skip: str | Iterable[str] = (),
              set: str | Iterable[str] = (), jobs: int = 2, seeds: str | int | Iterable[int] | None = None, csv: bool = False,
              figures: bool = True, experiments: str | os.PathLike[str] | None = None, progress: bool = False) -> dict[str, Any]:
    """Runs the paper's experiments like `memlab reproduce` and writes the same folder `out`
    (report.json, report.md, one folder per experiment; figures and report.html with figures=True).
    Returns report.json as a dict. seeds: None (each file's own seed), a list of ints, or "1..5" /
    "1,2,5": one full reproduce per seed in out/seedN/; the return value is then seeds.json (every
    target over the seeds: passes, the value at each seed, whether it varies with the seed) and
    out/report.json is the first seed's report. Notes of the loader arrive as warnings; progress=True
    prints a line per finished experiment."""
    _need()
    import os
    import warnings
    s = _seeds(seeds)
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = _memlab._reproduce(str(out), _names(only), _names(skip), _names(set), int(jobs), s, bool(csv), bool(figures),
                           "" if experiments is None else str(experiments), package_dir, bool(progress))
    for n in r["notes"]:
        warnings.warn(n, stacklevel=2)
    return _load_json(os.path.join(str(out), "seeds.json" if s else "report.json"))


def sensitivity(vary: str | Iterable[str], out: str | os.PathLike[str] = "sensitivity-out", set: str | Iterable[str] = (),
                only: str | Iterable[str] = (), skip: str | Iterable[str] = (), jobs: int = 2,
                experiments: str | os.PathLike[str] | None = None, progress: bool = False) -> dict[str, Any]:
    """Like `memlab sensitivity`: the reproduce with the shipped parameters (or with `set`) and once per
    value of each `vary` entry ("KEY=V1,V2,..."), into `out` (baseline/, 01/, ..., sensitivity.md,
    sensitivity.json). Returns sensitivity.json as a dict (per variant: passes, lost, gained, moved)."""
    _need()
    import os
    import warnings
    r = _memlab._sensitivity(str(out), _names(vary), _names(set), _names(only), _names(skip), int(jobs),
                             "" if experiments is None else str(experiments), bool(progress))
    for n in r["notes"]:
        warnings.warn(n, stacklevel=2)
    return _load_json(os.path.join(str(out), "sensitivity.json"))


def _read_table_csv(path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A memlab CSV (header "name [unit]"; text columns have no unit) as {name: numpy array} (numbers
    as float64, text as an array of str) and {name: unit}."""
    import csv

    import numpy as np
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    columns: dict[str, Any] = {}
    units: dict[str, str] = {}
    for k, head in enumerate(rows[0]):
        name, bracket, unit = head.partition(" [")
        values = [r[k] for r in rows[1:]]
        if bracket:
            units[name] = unit[:-1]
            columns[name] = np.array([float(v) for v in values], dtype=np.float64)
        else:
            units[name] = ""
            columns[name] = np.array(values, dtype=str)
    return columns, units


@dataclass
class SweepResult:
    """A memlab sweep: `table` maps each column of table.csv to a numpy array (one entry per task;
    numbers in SI as float64, NaN where a task has no value; text columns (folder, varied values,
    error) as arrays of str), `units` each column's unit, `distributions` distributions.json, `folder`
    the output folder (tasks/, table.h5, distributions.png)."""
    table: dict[str, Any]
    units: dict[str, str]
    distributions: dict[str, Any]
    folder: str
    computed: int = 0
    cached: int = 0
    failed: int = 0


def sweep(file: str | os.PathLike[str], vary: str | Iterable[str] = (), seeds: str | int | Iterable[int] | None = None, devices: int = 0,
          set: str | Iterable[str] = (), out: str | os.PathLike[str] = "sweep-out", jobs: int = 2, figure: bool = True,
          cache: str | os.PathLike[str] | None = None, use_cache: bool = True, progress: bool = False) -> SweepResult:
    """Like `memlab sweep FILE --vary KEY=V1,V2 --seeds 1..N --devices N`: every task of the product
    into `out`, results cached (cache: the folder, default as the command line's; use_cache=False
    keeps nothing). Returns a SweepResult whose `table` holds the columns as numpy arrays."""
    _need()
    import os
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = _memlab._sweep(str(file), str(out), _names(vary), _names(set), _seeds(seeds), int(devices), int(jobs), bool(figure),
                       "" if cache is None else str(cache), bool(use_cache), package_dir, bool(progress))
    table, units = _read_table_csv(os.path.join(str(out), "table.csv"))
    return SweepResult(table, units, _load_json(os.path.join(str(out), "distributions.json")), str(out), r["computed"], r["cached"], r["failed"])


@dataclass
class FitResult:
    """A memlab fit: `values`, `low`, `high` map each fitted key ("device.r_off") to its value and the
    ends of its interval (SI floats; `units` their units; `confidence` the interval's level), `curves`
    the measured and model traces of curves.csv as numpy arrays ("time", "voltage" when known,
    "measured", "model", "start", "residual"), `vsets` (a Vset fit) the Vset per cycle, measured and
    per model seed, `summary` fit.json, `snippet` fitted.toml, `folder` the output folder."""
    values: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    units: dict[str, str]
    confidence: float
    curves: dict[str, Any]
    vsets: dict[str, Any]
    summary: dict[str, Any]
    snippet: str
    folder: str


def fit(file: str | os.PathLike[str], data: str | os.PathLike[str] | None = None, set: str | Iterable[str] = (),
        out: str | os.PathLike[str] = "fit-out", jobs: int = 2, max_evaluations: int = 0, figure: bool = True,
        progress: bool = False) -> FitResult:
    """Like `memlab fit FILE --data DATA --set k=v`: fits the fit file's free parameters to the
    measurement (docs/fitting.md) into `out`; returns a FitResult (values, intervals, curves as numpy
    arrays). max_evaluations > 0 replaces optimizer.max_evaluations."""
    _need()
    import os
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _memlab._fit(str(file), str(out), _names(set), "" if data is None else str(data), int(jobs), int(max_evaluations), bool(figure),
                 package_dir, bool(progress))
    js = _load_json(os.path.join(str(out), "fit.json"))
    curves, _ = _read_table_csv(os.path.join(str(out), "curves.csv"))
    vsets: dict[str, Any] = {}
    if os.path.exists(os.path.join(str(out), "vsets.csv")):
        vsets, _ = _read_table_csv(os.path.join(str(out), "vsets.csv"))
    with open(os.path.join(str(out), "fitted.toml")) as f:
        snippet = f.read()
    ps = js["parameters"]
    return FitResult({p["key"]: p["value"] for p in ps}, {p["key"]: p["low"] for p in ps}, {p["key"]: p["high"] for p in ps},
                     {p["key"]: p["unit"] for p in ps}, js["confidence"], curves, vsets, js, snippet, str(out))
