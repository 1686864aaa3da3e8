#pragma once
#include <pybind11/pybind11.h>

namespace memlab::io {
class memory_trace;
}

namespace memlab::python {
// {"traces": {name: numpy array}, "units": {name: unit}} from a recorded trace.
pybind11::dict trace_dict(const memlab::io::memory_trace& tr);

void register_units(pybind11::module_& m);
void register_devices(pybind11::module_& m);
void register_experiments(pybind11::module_& m);
void register_circuits(pybind11::module_& m);
void register_lab(pybind11::module_& m);
void register_analysis(pybind11::module_& m);
}  // namespace memlab::python
