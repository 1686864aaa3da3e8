#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "memlab/units/units.hpp"

namespace py = pybind11;

void memlab::python::register_units(py::module_& m) {
    auto u = m.def_submodule("units", "Quantities with units: '2 MOhm' <-> 2e6");
    u.def("parse", &memlab::units::parse, py::arg("text"), py::arg("unit"), py::arg("key") = "value",
          "Parse a quantity ('10 us') in `unit` ('s'); returns SI. InputError names `key`.");
    u.def("format", &memlab::units::format, py::arg("value"), py::arg("unit"), py::arg("digits") = 6,
          "Format an SI value with an engineering prefix: format(2e6, 'Ohm') == '2 MOhm'.");
}
