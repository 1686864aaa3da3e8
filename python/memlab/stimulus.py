"""Waveforms with exact breakpoints, built from the same keys as an experiment file's [stimulus]
table and read by the same code: the same names (`repeat`, `count`, `write_amplitudes`), the
same defaults and the same checks. Every quantity is a string with its unit ("4 us", "-1 V"), or a
pair (numbers, unit) for a list or numpy array: `times=(np.linspace(0, 1, 11), "ms")`. A bare
number is refused (memlab.InputError), as in a file: `width=4` would be 4 seconds.

    pulse_train(amplitude="2 V", count=20, width="4 us", period="5 us", base="-1 V")
    pulse_train(amplitudes=["1 V", "-1 V"], repeat=3, width="1 us", duty=0.5)
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Union

from . import _memlab

Waveform = _memlab.stimulus.Waveform

# A quantity: "4 us"; a list of them: ["1 V", "2 V"] or (numbers, "V").
Quantity = str
Quantities = Union[str, Iterable[str], tuple[Iterable[float], str]]


def _value(v: Any) -> Any:
    """A Python value as the TOML value it stands for; (numbers, unit) pairs become strings."""
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], str) and not isinstance(v[0], str):
        numbers, unit = v
        try:
            items = [float(x) for x in numbers]
        except TypeError:  # one number with its unit
            return f"{float(numbers)!r} {unit}"
        return [f"{x!r} {unit}" for x in items]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items() if x is not None}
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if hasattr(v, "tolist"):  # a numpy array or scalar without unit: refused by the reader, with the key
        return _value(v.tolist())
    return v


def _make(kind: str, **keys: Any) -> Waveform:
    table = {"kind": kind, **{k: _value(v) for k, v in keys.items() if v is not None}}
    return _memlab.stimulus._make(json.dumps(table), f"{kind}()")


def pulse(amplitude: Quantity, width: Quantity, rise: Quantity | None = None, fall: Quantity | None = None,
          base: Quantity | None = None, delay: Quantity | None = None) -> Waveform:
    """One pulse: `amplitude` held for `width` (plateau), after `delay`, from and back to `base`."""
    return _make("pulse", amplitude=amplitude, width=width, rise=rise, fall=fall, base=base, delay=delay)


def pulse_train(amplitude: Quantity | None = None, count: int | None = None, amplitudes: Quantities | None = None,
                repeat: int | None = None, width: Quantity | None = None, period: Quantity | None = None,
                duty: float | None = None, rise: Quantity | None = None, fall: Quantity | None = None,
                base: Quantity | None = None, delay: Quantity | None = None) -> Waveform:
    """Pulses: `count` pulses of one `amplitude`, or the list `amplitudes` applied `repeat` times;
    plateau `width`; start-to-start `period`, or `duty` (plateau over period, default 0.5)."""
    return _make("pulse_train", amplitude=amplitude, count=count, amplitudes=amplitudes, repeat=repeat, width=width,
                 period=period, duty=duty, rise=rise, fall=fall, base=base, delay=delay)


def packages(amplitude: Quantity, packages: int, width: Quantity, gap: Quantity, period: Quantity | None = None,
             duty: float | None = None, rise: Quantity | None = None, fall: Quantity | None = None,
             base: Quantity | None = None, delay: Quantity | None = None) -> Waveform:
    """Packages of 1, 2, ..., `packages` pulses (Fig. 2g of the paper), `gap` between packages."""
    return _make("packages", amplitude=amplitude, packages=packages, width=width, gap=gap, period=period, duty=duty,
                 rise=rise, fall=fall, base=base, delay=delay)


def read_after_write(write_amplitudes: Quantities, write_width: Quantity, read_amplitude: Quantity, read_width: Quantity,
                     gap: Quantity, write_counts: Iterable[int] | None = None, cycles: int | None = None,
                     rise: Quantity | None = None, fall: Quantity | None = None, base: Quantity | None = None,
                     delay: Quantity | None = None) -> Waveform:
    """A read pulse after every write pulse: `write_counts[k]` writes of `write_amplitudes[k]`
    (default one each), the whole list `cycles` times."""
    return _make("read_after_write", write_amplitudes=write_amplitudes, write_counts=None if write_counts is None else list(write_counts),
                 cycles=cycles, write_width=write_width, read_amplitude=read_amplitude, read_width=read_width, gap=gap,
                 rise=rise, fall=fall, base=base, delay=delay)


def sweep(vertices: Quantities, rate: Quantity, cycles: int | None = None, delay: Quantity | None = None) -> Waveform:
    """Triangular sweep through `vertices` at `rate` (e.g. "1 V/s"), `cycles` times."""
    return _make("sweep", vertices=vertices, rate=rate, cycles=cycles, delay=delay)


def pulse_list(pulses: Iterable[dict[str, Any]], base: Quantity | None = None, rise: Quantity | None = None,
               fall: Quantity | None = None) -> Waveform:
    """Explicit pulses, each a dict with start, amplitude and width."""
    return _make("pulse_list", pulse=[dict(p) for p in pulses], base=base, rise=rise, fall=fall)


def pwl(times: Quantities, values: Quantities) -> Waveform:
    """Piecewise linear: `values` at `times`, linear in between, held outside."""
    return _make("pwl", times=times, values=values)
