#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "memlab/device/registry.hpp"

namespace py = pybind11;

void memlab::python::register_devices(py::module_& m) {
    auto d = m.def_submodule("devices", "Device models by name, with their parameters");
    d.def("names", &memlab::device::model_names, "Registered device models.");
    d.def(
        "parameters",
        [](const std::string& name) {
            const auto model = memlab::device::make_model(name);
            py::list out;
            for (const auto& p : model->parameter_table())
                out.append(py::dict(py::arg("name") = p.name, py::arg("unit") = p.unit, py::arg("default") = p.default_value,
                                    py::arg("min") = p.min, py::arg("max") = p.max, py::arg("symbol") = p.symbol,
                                    py::arg("meaning") = p.meaning, py::arg("source") = p.source));
            return out;
        },
        py::arg("model"), "The parameter table of a model: name, unit, default (SI), range, symbol, meaning, source.");
    d.def(
        "states",
        [](const std::string& name) {
            const auto model = memlab::device::make_model(name);
            py::list out;
            for (const auto& s : model->states())
                out.append(py::dict(py::arg("name") = s.name, py::arg("unit") = s.unit, py::arg("abs_tolerance") = s.abs_tolerance,
                                py::arg("meaning") = s.meaning));
            return out;
        },
        py::arg("model"), "The state variables of a model: name, unit, absolute tolerance of the integrator (SI), meaning.");
}
