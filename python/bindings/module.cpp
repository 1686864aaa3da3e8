// The memlab Python module: one binding file per layer, each exposing register_xxx(), called in
// order here. memlab::input_error becomes memlab.InputError (a ValueError) with the same one-line
// message; solver_error becomes memlab.SolverError (a subclass).
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "memlab/error.hpp"
#include "memlab/version.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_memlab, m) {
    m.doc() = "memlab: a virtual lab for filamentary memristors (C++ core)";
    m.attr("__version__") = std::string(memlab::version());
    static py::exception<memlab::input_error> input_error(m, "InputError", PyExc_ValueError);
    static py::exception<memlab::solver_error> solver_error(m, "SolverError", input_error.ptr());
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const memlab::solver_error& e) {
            solver_error(e.what());
        } catch (const memlab::input_error& e) {
            input_error(e.what());
        }
    });
    memlab::python::register_units(m);
    memlab::python::register_devices(m);
    memlab::python::register_circuits(m);
    memlab::python::register_experiments(m);
    memlab::python::register_lab(m);
    memlab::python::register_analysis(m);
}
