// memlab.analysis: the trace measurements the report uses, for measured or simulated numpy arrays
// (SI units: s, V, A, S). Missing results are NaN, as in C++.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "memlab/analysis/analysis.hpp"

namespace py = pybind11;
namespace an = memlab::analysis;

namespace {
using array = py::array_t<double, py::array::c_style | py::array::forcecast>;
std::span<const double> view(const array& a) {
    if (a.ndim() != 1) throw py::value_error("memlab.analysis: expected a one-dimensional array");
    return {a.data(), static_cast<std::size_t>(a.size())};
}
py::array_t<double> numpy(const std::vector<double>& x) { return py::array_t<double>(static_cast<py::ssize_t>(x.size()), x.data()); }
}  // namespace

namespace memlab::python {

void register_analysis(py::module_& m) {
    auto a = m.def_submodule("analysis", "Trace measurements (the report's): Vset, read conductance, reset width, statistics");
    a.def("vset", [](const array& v, const array& i, double compliance, double fraction) { return an::vset(view(v), view(i), compliance, fraction); },
          py::arg("v"), py::arg("i"), py::arg("compliance"), py::arg("fraction") = 0.9,
          "Voltage at the first sample where i reaches fraction x compliance (NaN if never)");
    a.def("vset_per_cycle",
          [](const array& t, const array& v, const array& i, double compliance, double period, double t0, double fraction) {
              return numpy(an::vset_per_cycle(view(t), view(v), view(i), compliance, period, t0, fraction));
          },
          py::arg("t"), py::arg("v"), py::arg("i"), py::arg("compliance"), py::arg("period"), py::arg("t0") = 0.0, py::arg("fraction") = 0.9,
          "Vset of each cycle of length period from t0 (numpy array, NaN where a cycle never sets)");
    a.def("read_conductance",
          [](const array& v_source, const array& v, const array& i, double read_level) {
              return numpy(an::read_conductance(view(v_source), view(v), view(i), read_level));
          },
          py::arg("v_source"), py::arg("v"), py::arg("i"), py::arg("read_level"),
          "One conductance per read: the mean of i/v over each run of samples with v_source at read_level");
    a.def("median", [](const array& x) { return an::median(view(x)); }, py::arg("values"), "Median of the non-NaN values");
    a.def("statistics",
          [](const array& x) {
              const auto s = an::statistics(view(x));
              return py::dict(py::arg("mean") = s.mean, py::arg("std") = s.std, py::arg("n") = s.n, py::arg("missing") = s.missing);
          },
          py::arg("values"), "Mean, population std, finite count and NaN count");
    a.def("response_threshold", &an::response_threshold, py::arg("amplitude"), py::arg("series_resistance"),
          "Current at which a pulse counts as a response: |amplitude| / (2 R_s)");
    a.def("reset_width",
          [](const array& v, const array& i, double high, double low) {
              const auto r = an::reset_width(view(v), view(i), high, low);
              return py::dict(py::arg("v_start") = r.v_start, py::arg("i_start") = r.i_start, py::arg("v_from") = r.v_from,
                              py::arg("v_to") = r.v_to);
          },
          py::arg("v"), py::arg("i"), py::arg("high") = 0.9, py::arg("low") = 0.1,
          "Where a reset starts (|i| peak at v < 0) and the voltages where |i| falls below high and low of it");
    a.def("exponential_delay_fit",
          [](const array& voltage, const array& delay) {
              const auto f = an::exponential_delay_fit(view(voltage), view(delay));
              return py::dict(py::arg("intercept") = f.intercept, py::arg("slope") = f.slope, py::arg("r2") = f.r2,
                              py::arg("decades") = f.decades, py::arg("n") = f.n);
          },
          py::arg("voltage"), py::arg("delay"), "Least-squares log10(delay) = intercept + slope V, with R^2 and the decades spanned");
}

}  // namespace memlab::python
