"""memlab for the notebook: experiments from TOML files (or built with --set style overrides),
results as numpy arrays with their units, figures with memlab.plot.

    import memlab
    r = memlab.run("experiments/all_or_none.toml", seed=1)
    r.traces["i(DUT)"], r.units["i(DUT)"]   # numpy array, "A"
    md = memlab.run_md("experiments/md_diffusion.toml", jobs=2)   # LAMMPS; md.D("Ag"), md.runs

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
    Device = _memlab.Device
    Circuit = _memlab.Circuit
    Simulation = _memlab.Simulation
    stimulus = _memlab.stimulus


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


def simulate(device, stimulus, series_resistance=None, t_end=None, probes=None, sample_interval=None,
             parasitic_capacitance=None, seed=1, rtol=1e-6):
    """The common case in one call: a waveform through an optional series resistor into a device
    (and an optional capacitance from the device node to ground). Quantities as numbers (SI) or
    strings with units. Returns a Result; t_end defaults to the end of the waveform."""
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
    r = sim.run(stimulus.end_time if t_end is None else t_end, probes, sample_interval)
    return Result("simulate", dict(r["traces"]), dict(r["units"]))


@dataclass
class MdResult:
    """An MD diffusion run: one entry per ion and sample in `runs` (dicts with "ion", "sample",
    numpy arrays "time" (s), "x", "y", "z" (m, relative to the glass), "msd_Si", "msd_O" (m^2),
    "lag" (s), "msd" (m^2), and "D" (m^2/s), "D_fit_r2", "network_D"); `folder` holds the LAMMPS
    inputs, logs and trajectories."""
    name: str
    runs: list
    metrics: dict
    config: dict
    folder: str

    def D(self, ion):
        """The diffusion coefficients of `ion` (m^2/s), one per sample, as a numpy array."""
        import numpy as np
        return np.array([r["D"] for r in self.runs if r["ion"] == ion])


def run_md(file, seed=None, set=(), folder=None, jobs=2):
    """Runs an MD diffusion file (an [md] table, e.g. experiments/md_diffusion.toml) in LAMMPS,
    `jobs` processes at a time, in `folder` (a new temporary folder if None); returns an MdResult."""
    _need()
    import tempfile
    overrides = list(set)
    if seed is not None:
        overrides.append(f"experiment.seed={int(seed)}")
    folder = tempfile.mkdtemp(prefix="memlab_md_") if folder is None else str(folder)
    r = _memlab._run_md(str(file), overrides, folder, int(jobs))
    return MdResult(r["name"], list(r["runs"]), r["metrics"], r["config"], folder)


def run(file, seed=None, set=(), device=0, engine="memlab"):
    """Runs one experiment file, like `memlab run FILE --seed N --set k=v [--engine ngspice]`;
    returns a Result. engine="ngspice" runs the circuit in ngspice (the device's deterministic
    form); set=["device.model=memdiode"] swaps the device. An MD file goes to run_md."""
    _need()
    if _memlab._is_md_file(str(file)):
        if engine != "memlab":
            raise InputError(f"{file}: engine={engine!r}: an MD experiment runs in LAMMPS only")
        return run_md(file, seed=seed, set=set)
    overrides = list(set)
    if seed is not None:
        overrides.append(f"experiment.seed={int(seed)}")
    r = _memlab._run(str(file), overrides, device, engine)
    return Result(r["name"], dict(r["traces"]), dict(r["units"]), r["metrics"], r["config"])
