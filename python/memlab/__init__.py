"""memlab Python layer. For now: figures (memlab.plot) drawn from memlab's output files; the
pybind11 module comes with the Python issue."""
