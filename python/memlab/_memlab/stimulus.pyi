"""Waveforms with exact breakpoints"""

class Waveform:
    """A voltage against time; made by memlab.stimulus (no constructor)."""
    def __call__(self, t: float) -> float: ...
    @property
    def end_time(self) -> float: ...
    @property
    def duration(self) -> str:
        """The end time as a quantity ("0.000229 s"), for Simulation.run."""

def _make(table: str, where: str) -> Waveform:
    """A waveform from the keys of a [stimulus] table (JSON text), read as a file's are."""
