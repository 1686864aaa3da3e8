// Devices, stimuli, circuits and simulations built in code. Every quantity is a string with its
// unit ("2 MOhm"), as in an experiment file; a bare number is refused unless the quantity is a
// pure number. Traces come back as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/error.hpp"
#include "memlab/protocol/experiment.hpp"
#include <fmt/format.h>
#include "memlab/units/units.hpp"

namespace py = pybind11;
using namespace memlab;

namespace {

// A string with a unit ("2 MOhm"); a bare number only for a pure number (unit "1").
double q(const py::handle& x, const std::string& unit, const std::string& key) {
    if (py::isinstance<py::str>(x)) return units::parse(x.cast<std::string>(), unit, key);
    if (py::isinstance<py::bool_>(x) || !(py::isinstance<py::int_>(x) || py::isinstance<py::float_>(x)))
        throw input_error(fmt::format("{}: expected a quantity in {} (a string such as \"1 {}\")", key, unit, unit));
    return units::bare_number(x.cast<double>(), unit, key);
}

// A device model: a handle whose parameters are set once, checked, then shared with the circuits
// built from it. set() makes a new model with the changed values (circuits built before keep
// theirs), as a model's parameters are a transaction: all checked together, or none changed.
struct device_handle {
    std::shared_ptr<device::model> model;

    void set(const py::kwargs& params) {
        auto next = device::make_model(model->name());
        std::map<std::string, double> values;
        for (const auto& p : model->parameter_table()) values[p.name] = model->get(p.name);
        for (const auto& [k, v] : params) {
            const std::string key = k.cast<std::string>();
            const auto& table = model->parameter_table();
            const auto it = std::find_if(table.begin(), table.end(), [&](const auto& p) { return p.name == key; });
            if (it == table.end()) model->get(key);  // throws: unknown parameter, with the closest and the known ones
            values[key] = q(v, it->unit, "device." + key);
        }
        next->set(values);
        model = std::move(next);
    }
};

}  // namespace

void memlab::python::register_circuits(py::module_& m) {
    py::class_<device_handle>(m, "Device", "A device model with its parameters (by the names of the docs and TOML).")
        .def(py::init([](const std::string& model, const py::kwargs& params) {
                 device_handle d{device::make_model(model)};
                 d.set(params);
                 return d;
             }),
             py::arg("model"))
        .def(
            "set",
            [](device_handle& d, const py::kwargs& params) -> device_handle& {
                d.set(params);
                return d;
            },
            py::return_value_policy::reference_internal,
            "Changes parameters (strings with units: dev.set(e_ag=\"0.86 eV\")); all checked together. Circuits built "
            "before keep the old values. Returns the device.")
        .def_property_readonly(
            "parameters",
            [](const device_handle& d) {
                py::dict out;
                for (const auto& p : d.model->parameter_table()) out[py::str(p.name)] = units::format(d.model->get(p.name), p.unit, 12);
                return out;
            },
            "Every parameter's present value, as a string with its unit.")
        .def("__getitem__", [](const device_handle& d, const std::string& k) { return d.model->get(k); }, py::arg("key"))
        .def_property_readonly("name", [](const device_handle& d) { return std::string(d.model->name()); })
        .def("__repr__", [](const device_handle& d) { return "memlab.Device(" + d.model->describe().dump() + ")"; });

    auto st = m.def_submodule("stimulus", "Waveforms with exact breakpoints");
    py::class_<stimulus::waveform, std::shared_ptr<stimulus::waveform>>(st, "Waveform", "A voltage against time; made by memlab.stimulus (no constructor).")
        .def("__call__", &stimulus::waveform::value, py::arg("t"))
        .def_property_readonly("end_time", &stimulus::waveform::end_time)
        .def_property_readonly(
            "duration", [](const stimulus::waveform& w) { return fmt::format("{} s", w.end_time()); },
            "The end time as a quantity (\"0.000229 s\"), for Simulation.run.");
    st.def(
        "_make",
        [](const std::string& table, const std::string& where) {
            return std::const_pointer_cast<stimulus::waveform>(protocol::make_stimulus(nlohmann::json::parse(table), where));
        },
        py::arg("table"), py::arg("where"), "A waveform from the keys of a [stimulus] table (JSON text), read as a file's are.");

    py::class_<circuit::circuit>(m, "Circuit", "A netlist; node '0' is ground. Element currents flow first -> second terminal.")
        .def(py::init<>())
        .def(
            "resistor",
            [](circuit::circuit& c, const std::string& n, const std::string& a, const std::string& b, const py::object& r) {
                c.add_resistor(n, a, b, q(r, "Ohm", n + ".resistance"));
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("resistance"))
        .def(
            "capacitor",
            [](circuit::circuit& c, const std::string& n, const std::string& a, const std::string& b, const py::object& v) {
                c.add_capacitor(n, a, b, q(v, "F", n + ".capacitance"));
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("capacitance"))
        .def(
            "source",
            [](circuit::circuit& c, const std::string& n, const std::string& p, const std::string& m_, std::shared_ptr<stimulus::waveform> w) {
                c.add_voltage_source(n, p, m_, w);
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("waveform"))
        .def(
            "smu",
            [](circuit::circuit& c, const std::string& n, const std::string& p, const std::string& m_, std::shared_ptr<stimulus::waveform> w,
               const py::object& compliance, const py::object& settling) {
                circuit::smu_params sp;
                sp.compliance = q(compliance, "A", n + ".compliance");
                sp.settling_time = q(settling, "s", n + ".settling_time");
                c.add_smu(n, p, m_, w, sp);
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("waveform"), py::arg("compliance"), py::arg("settling_time") = "1 us")
        .def(
            "tia",
            [](circuit::circuit& c, const std::string& n, const std::string& in, const std::string& out, const py::object& gain,
               const py::object& bw) {
                c.add_tia(n, in, out, {q(gain, "V/A", n + ".gain"), q(bw, "Hz", n + ".bandwidth")});
            },
            py::arg("name"), py::arg("input"), py::arg("output"), py::arg("gain"), py::arg("bandwidth"))
        .def(
            "memristor",
            [](circuit::circuit& c, const std::string& n, const std::string& a, const std::string& b, const device_handle& d) {
                c.add_memristor(n, a, b, d.model);
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("device"));

    py::class_<circuit::simulation>(m, "Simulation", "Integrates a circuit (SUNDIALS IDA); run() may be called again to continue.")
        .def(py::init([](const circuit::circuit& c, std::uint64_t seed, double rtol) {
                 circuit::solver_options o;
                 o.rtol = rtol;
                 return std::make_unique<circuit::simulation>(c, o, seed);
             }),
             py::arg("circuit"), py::arg("seed") = 1, py::arg("rtol") = 1e-6, py::keep_alive<1, 2>())
        .def(
            "run",
            [](circuit::simulation& s, const py::object& t_end, const std::vector<std::string>& probes, const py::object& sample) {
                io::memory_trace tr;
                const double te = q(t_end, "s", "t_end"), dt = sample.is_none() ? 0.0 : q(sample, "s", "sample_interval");
                {
                    py::gil_scoped_release release;
                    s.run(te, {probes, dt}, tr);
                }
                return memlab::python::trace_dict(tr);
            },
            py::arg("t_end"), py::arg("probes"), py::arg("sample_interval") = py::none())
        .def("probe", &circuit::simulation::probe, py::arg("spec"), "The present value of a probe (\"v(out)\", \"i(M1)\", \"M1.w\").")
        .def_property_readonly("time", &circuit::simulation::time);
}
