"""Trace measurements (the report's): Vset, read conductance, reset width, statistics"""
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

class _Statistics(TypedDict):
    mean: float
    std: float  # population
    n: int  # finite values
    missing: int  # NaN values

class _ResetWidth(TypedDict):
    v_start: float  # V
    i_start: float  # A
    v_from: float  # V
    v_to: float  # V

class _DelayFit(TypedDict):
    intercept: float
    slope: float  # decades per V
    r2: float
    decades: float
    n: int

def vset(v: ArrayLike, i: ArrayLike, compliance: float, fraction: float = ...) -> float:
    """Voltage at the first sample where i reaches fraction x compliance (NaN if never)"""

def vset_per_cycle(t: ArrayLike, v: ArrayLike, i: ArrayLike, compliance: float, period: float, t0: float = ...,
                   fraction: float = ...) -> NDArray[np.float64]:
    """Vset of each cycle of length period from t0 (numpy array, NaN where a cycle never sets)"""

def read_conductance(v_source: ArrayLike, v: ArrayLike, i: ArrayLike, read_level: float) -> NDArray[np.float64]:
    """One conductance per read: the mean of i/v over each run of samples with v_source at read_level"""

def median(values: ArrayLike) -> float:
    """Median of the non-NaN values"""

def statistics(values: ArrayLike) -> _Statistics:
    """Mean, population std, finite count and NaN count"""

def response_threshold(amplitude: float, series_resistance: float) -> float:
    """Current at which a pulse counts as a response: |amplitude| / (2 R_s)"""

def reset_width(v: ArrayLike, i: ArrayLike, high: float = ..., low: float = ...) -> _ResetWidth:
    """Where a reset starts (|i| peak at v < 0) and the voltages where |i| falls below high and low of it"""

def exponential_delay_fit(voltage: ArrayLike, delay: ArrayLike) -> _DelayFit:
    """Least-squares log10(delay) = intercept + slope V, with R^2 and the decades spanned"""
