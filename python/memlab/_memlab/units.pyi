"""Quantities with units: '2 MOhm' <-> 2e6"""

def parse(text: str, unit: str, key: str = ...) -> float:
    """Parse a quantity ('10 us') in `unit` ('s'); returns SI. InputError names `key`."""

def format(value: float, unit: str, digits: int = ...) -> str:
    """Format an SI value with an engineering prefix: format(2e6, 'Ohm') == '2 MOhm'."""
