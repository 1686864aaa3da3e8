"""Waveforms with exact breakpoints"""
from collections.abc import Sequence

_Quantity = float | str

class Waveform:
    """A voltage against time; made by the functions below (no constructor)."""
    def __call__(self, t: float) -> float: ...
    @property
    def end_time(self) -> float: ...

def pulse_train(amplitudes: _Quantity | Sequence[_Quantity], width: _Quantity, period: _Quantity | None = ..., duty: float = ...,
                count: int = ..., rise: _Quantity = ..., fall: _Quantity = ..., base: _Quantity = ..., delay: _Quantity = ...) -> Waveform:
    """Pulses (one amplitude x count, or a list), plateau `width`, start-to-start `period` or `duty`."""

def packages(amplitude: _Quantity, packages: int, width: _Quantity, period: _Quantity, gap: _Quantity, rise: _Quantity = ...,
             fall: _Quantity = ..., base: _Quantity = ...) -> Waveform:
    """Packages of 1, 2, ..., `packages` pulses, `gap` apart."""

def read_after_write(writes: _Quantity | Sequence[_Quantity], write_width: _Quantity, read_amplitude: _Quantity, read_width: _Quantity,
                     gap: _Quantity, rise: _Quantity = ..., fall: _Quantity = ...) -> Waveform:
    """A read pulse after every write pulse (list of write levels)."""

def sweep(vertices: _Quantity | Sequence[_Quantity], rate: _Quantity, cycles: int = ...) -> Waveform:
    """Triangular sweep through vertices at a rate."""

def pwl(times: _Quantity | Sequence[_Quantity], values: _Quantity | Sequence[_Quantity]) -> Waveform:
    """Piecewise linear: `values` (V) at `times` (s), linear in between."""
