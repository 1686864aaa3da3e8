"""Device models by name, with their parameters"""
from typing import TypedDict

class _Parameter(TypedDict):
    name: str
    unit: str  # SI unit of default, min and max
    default: float
    min: float
    max: float
    symbol: str
    meaning: str
    source: str

class _State(TypedDict):
    name: str
    unit: str
    abs_tolerance: float  # the integrator's absolute tolerance, in unit
    meaning: str  # what the state is ("filament (tip) height above the Pt; ...")

def names() -> list[str]:
    """Registered device models."""

def parameters(model: str) -> list[_Parameter]:
    """The parameter table of a model: name, unit, default (SI), range, symbol, meaning, source."""

def states(model: str) -> list[_State]:
    """The state variables of a model: name, unit, absolute tolerance of the integrator (SI), meaning."""
