# Type stubs of memlab's C++ extension (python/bindings/*.cpp), written by hand from the bindings;
# tests/python/test_stubs.py checks that every name, argument and default here matches the module.
# Quantities are strings with a unit ("2 MOhm"), as in an experiment file (a bare number only where
# the quantity is a pure number); traces are numpy float64 arrays.
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from . import analysis as analysis
from . import devices as devices
from . import stimulus as stimulus
from . import units as units
from .stimulus import Waveform

__version__: str

_Quantity = str

class InputError(ValueError):
    """A mistake in the input, with a one-line message naming the file or key."""

class SolverError(InputError):
    """The integrator gave up; the message names the simulated time at which it did."""

class _Traces(TypedDict):
    traces: dict[str, NDArray[np.float64]]  # probe -> values (SI); "time" included
    units: dict[str, str]  # probe -> SI unit

class _RunResult(_Traces):
    name: str
    notes: list[str]
    metrics: dict[str, Any]
    config: dict[str, Any]

class _MdRun(TypedDict):
    ion: str
    sample: int
    temperature: float  # K
    time: NDArray[np.float64]  # s
    x: NDArray[np.float64]  # m, relative to the glass's centre of mass
    y: NDArray[np.float64]
    z: NDArray[np.float64]
    msd_Si: NDArray[np.float64]  # m^2
    msd_O: NDArray[np.float64]
    lag: NDArray[np.float64]  # s
    msd: NDArray[np.float64]  # m^2
    D: float  # m^2/s
    D_fit_r2: float
    network_D: float  # m^2/s

class _ArrayRunResult(_Traces):
    name: str
    maps: list[tuple[str, NDArray[np.float64], str, float]]  # name, rows x cols, unit, time (s)
    metrics: dict[str, Any]
    config: dict[str, Any]

class _MdResult(TypedDict):
    name: str
    runs: list[_MdRun]
    metrics: dict[str, Any]
    config: dict[str, Any]

class _LabResult(TypedDict):
    notes: list[str]
    failed: int

def show_config(file: str, set: Sequence[str] = ...) -> dict[str, Any]:
    """The resolved experiment (defaults filled in) as a dict with units, like `memlab show-config`."""

class Device:
    """A device model with its parameters (by the names of the docs and TOML)."""
    def __init__(self, model: str, **kwargs: str | float) -> None: ...
    def set(self, **kwargs: str | float) -> Device:
        """Changes parameters (strings with units: dev.set(e_ag="0.86 eV")); all checked together. Circuits built before keep the old values. Returns the device."""
    def __getitem__(self, key: str) -> float: ...
    @property
    def name(self) -> str: ...
    @property
    def parameters(self) -> dict[str, str]:
        """Every parameter's present value, as a string with its unit."""

class Circuit:
    """A netlist; node '0' is ground. Element currents flow first -> second terminal."""
    def __init__(self) -> None: ...
    def resistor(self, name: str, p: str, n: str, resistance: _Quantity) -> None: ...
    def capacitor(self, name: str, p: str, n: str, capacitance: _Quantity) -> None: ...
    def source(self, name: str, p: str, n: str, waveform: Waveform) -> None: ...
    def smu(self, name: str, p: str, n: str, waveform: Waveform, compliance: _Quantity, settling_time: _Quantity = ...) -> None: ...
    def tia(self, name: str, input: str, output: str, gain: _Quantity, bandwidth: _Quantity) -> None: ...
    def memristor(self, name: str, p: str, n: str, device: Device) -> None: ...

class Simulation:
    """Integrates a circuit (SUNDIALS IDA); run() may be called again to continue."""
    def __init__(self, circuit: Circuit, seed: int = ..., rtol: float = ...) -> None: ...
    def run(self, t_end: _Quantity, probes: Sequence[str], sample_interval: _Quantity | None = ...) -> _Traces: ...
    def probe(self, spec: str) -> float:
        """The present value of a probe ("v(out)", "i(M1)", "M1.w")."""
    @property
    def time(self) -> float: ...

# Used by the package's own functions (memlab.run, run_md, reproduce, sensitivity).
def _run(file: str, set: Sequence[str] = ..., device: int = ..., engine: str = ...) -> _RunResult: ...
def _is_md_file(file: str) -> bool: ...
def _is_array_file(file: str) -> bool: ...
def _run_array(file: str, set: Sequence[str] = ...) -> _ArrayRunResult: ...
def _is_network_file(file: str) -> bool: ...
def _run_network(file: str, set: Sequence[str] = ...) -> dict[str, Any]: ...
def _experiment_file(name: str) -> str:
    """The path of an experiment file, or of a shipped experiment named without a folder ("synapse")."""
def _run_md(file: str, set: Sequence[str], folder: str, jobs: int = ...) -> _MdResult: ...
def _parse_seeds(text: str) -> list[int]: ...
def _reproduce(out: str, only: Sequence[str], skip: Sequence[str], set: Sequence[str], jobs: int, seeds: Sequence[int], csv: bool,
               figures: bool, experiments: str, python: str, progress: bool) -> _LabResult: ...
def _sensitivity(out: str, vary: Sequence[str], set: Sequence[str], only: Sequence[str], skip: Sequence[str], jobs: int,
                 experiments: str, progress: bool) -> _LabResult: ...
def _sweep(file: str, out: str, vary: Sequence[str], set: Sequence[str], seeds: Sequence[int], devices: int, jobs: int, figure: bool,
           cache: str, use_cache: bool, python: str, progress: bool) -> dict[str, int]: ...
def _fit(file: str, out: str, set: Sequence[str], data: str, jobs: int, max_evaluations: int, figure: bool, python: str,
         progress: bool) -> None: ...
