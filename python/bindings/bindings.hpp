#pragma once
#include <pybind11/pybind11.h>

namespace memlab::python {
void register_units(pybind11::module_& m);
void register_devices(pybind11::module_& m);
void register_experiments(pybind11::module_& m);
void register_circuits(pybind11::module_& m);
}  // namespace memlab::python
