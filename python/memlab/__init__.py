"""memlab for the notebook: experiments from TOML files (or built with --set style overrides),
results as numpy arrays with their units, figures with memlab.plot.

    import memlab
    r = memlab.run("experiments/all_or_none.toml", seed=1)
    r.traces["i(DUT)"], r.units["i(DUT)"]   # numpy array, "A"

The C++ core is the _memlab extension; its one-line errors arrive as memlab.InputError
(a ValueError) and memlab.SolverError.
"""
from dataclasses import dataclass, field

try:
    from . import _memlab
except ImportError as e:  # the pure-Python parts (plot) stay usable without the extension
    _memlab = None
    _import_error = e

if _memlab is not None:
    __version__ = _memlab.__version__
    InputError = _memlab.InputError
    SolverError = _memlab.SolverError
    units = _memlab.units
    devices = _memlab.devices
    show_config = _memlab.show_config


@dataclass
class Result:
    name: str
    traces: dict          # probe -> numpy array (SI); "time" included
    units: dict           # probe -> unit
    metrics: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)


def _need():
    if _memlab is None:
        raise ImportError(f"memlab's C++ extension is not built: {_import_error}")


def run(file, seed=None, set=(), device=0):
    """Runs one experiment file, like `memlab run FILE --seed N --set k=v`; returns a Result."""
    _need()
    overrides = list(set)
    if seed is not None:
        overrides.append(f"experiment.seed={int(seed)}")
    r = _memlab._run(str(file), overrides, device)
    return Result(r["name"], dict(r["traces"]), dict(r["units"]), r["metrics"], r["config"])
