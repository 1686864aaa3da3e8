// Devices, stimuli, circuits and simulations built in code. Every quantity may be given as a
// number (SI) or a string with its unit ("2 MOhm"); traces come back as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace py = pybind11;
using namespace memlab;

namespace {

// A number (SI) or a string with a unit.
double q(const py::handle& x, const char* unit, const char* key) {
    if (py::isinstance<py::str>(x)) return units::parse(x.cast<std::string>(), unit, key);
    return units::finite(x.cast<double>(), key);
}

std::vector<double> qs(const py::handle& x, const char* unit, const char* key) {
    std::vector<double> out;
    if (py::isinstance<py::str>(x) || !py::isinstance<py::sequence>(x)) return {q(x, unit, key)};
    for (const auto& item : x.cast<py::sequence>()) out.push_back(q(item, unit, key));
    return out;
}

struct device_handle {
    std::shared_ptr<device::model> model;
};

}  // namespace

void memlab::python::register_circuits(py::module_& m) {
    py::class_<device_handle>(m, "Device", "A device model with its parameters (by the names of the docs and TOML).")
        .def(py::init([](const std::string& model, const py::kwargs& params) {
                 device_handle d{device::make_model(model)};
                 std::map<std::string, double> values;
                 for (const auto& [k, v] : params) {
                     const std::string key = k.cast<std::string>();
                     const auto& table = d.model->parameter_table();
                     const auto it = std::find_if(table.begin(), table.end(), [&](const auto& p) { return p.name == key; });
                     if (it == table.end()) d.model->get(key);  // throws: unknown parameter, with the known ones
                     values[key] = q(v, it->unit.c_str(), ("device." + key).c_str());
                 }
                 d.model->set(values);
                 return d;
             }),
             py::arg("model"))
        .def("__getitem__", [](const device_handle& d, const std::string& k) { return d.model->get(k); }, py::arg("key"))
        .def_property_readonly("name", [](const device_handle& d) { return std::string(d.model->name()); })
        .def("__repr__", [](const device_handle& d) { return "memlab.Device(" + d.model->describe().dump() + ")"; });

    auto st = m.def_submodule("stimulus", "Waveforms with exact breakpoints");
    py::class_<stimulus::waveform, std::shared_ptr<stimulus::waveform>>(st, "Waveform")
        .def("__call__", &stimulus::waveform::value, py::arg("t"))
        .def_property_readonly("end_time", &stimulus::waveform::end_time);
    st.def(
        "pulse_train",
        [](const py::object& amplitudes, const py::object& width, const py::object& period, double duty, std::size_t count,
           const py::object& rise, const py::object& fall, const py::object& base, const py::object& delay) {
            stimulus::train_spec s;
            s.levels = qs(amplitudes, "V", "amplitudes");
            s.count = count;
            s.width = q(width, "s", "width");
            s.period = period.is_none() ? 0.0 : q(period, "s", "period");
            s.duty = duty;
            s.rise = q(rise, "s", "rise");
            s.fall = q(fall, "s", "fall");
            s.base = q(base, "V", "base");
            s.delay = q(delay, "s", "delay");
            return std::const_pointer_cast<stimulus::waveform>(stimulus::pulse_train(s));
        },
        py::arg("amplitudes"), py::arg("width"), py::arg("period") = py::none(), py::arg("duty") = 0.5, py::arg("count") = 0,
        py::arg("rise") = 10e-9, py::arg("fall") = 10e-9, py::arg("base") = 0.0, py::arg("delay") = 0.0,
        "Pulses (one amplitude x count, or a list), plateau `width`, start-to-start `period` or `duty`.");
    st.def(
        "packages",
        [](const py::object& amplitude, std::size_t packages, const py::object& width, const py::object& period, const py::object& gap,
           const py::object& rise, const py::object& fall, const py::object& base) {
            stimulus::train_spec s;
            s.levels = {q(amplitude, "V", "amplitude")};
            s.width = q(width, "s", "width");
            s.period = q(period, "s", "period");
            s.rise = q(rise, "s", "rise");
            s.fall = q(fall, "s", "fall");
            s.base = q(base, "V", "base");
            std::vector<std::size_t> counts;
            for (std::size_t k = 1; k <= packages; ++k) counts.push_back(k);
            return std::const_pointer_cast<stimulus::waveform>(stimulus::packages(s, counts, q(gap, "s", "gap")));
        },
        py::arg("amplitude"), py::arg("packages"), py::arg("width"), py::arg("period"), py::arg("gap"), py::arg("rise") = 10e-9,
        py::arg("fall") = 10e-9, py::arg("base") = 0.0, "Packages of 1, 2, ..., `packages` pulses, `gap` apart.");
    st.def(
        "read_after_write",
        [](const py::object& writes, const py::object& write_width, const py::object& read_amplitude, const py::object& read_width,
           const py::object& gap, const py::object& rise, const py::object& fall) {
            stimulus::read_after_write_spec s;
            s.write_levels = qs(writes, "V", "writes");
            s.write_width = q(write_width, "s", "write_width");
            s.read_level = q(read_amplitude, "V", "read_amplitude");
            s.read_width = q(read_width, "s", "read_width");
            s.gap = q(gap, "s", "gap");
            s.rise = q(rise, "s", "rise");
            s.fall = q(fall, "s", "fall");
            return std::const_pointer_cast<stimulus::waveform>(stimulus::read_after_write(s));
        },
        py::arg("writes"), py::arg("write_width"), py::arg("read_amplitude"), py::arg("read_width"), py::arg("gap"),
        py::arg("rise") = 10e-9, py::arg("fall") = 10e-9, "A read pulse after every write pulse (list of write levels).");
    st.def(
        "sweep",
        [](const py::object& vertices, const py::object& rate, std::size_t cycles) {
            return std::const_pointer_cast<stimulus::waveform>(
                stimulus::triangle_sweep(qs(vertices, "V", "vertices"), q(rate, "V/s", "rate"), cycles));
        },
        py::arg("vertices"), py::arg("rate"), py::arg("cycles") = 1, "Triangular sweep through vertices at a rate.");
    st.def(
        "pwl",
        [](const py::object& times, const py::object& values) {
            return std::static_pointer_cast<stimulus::waveform>(
                std::make_shared<stimulus::pwl>(qs(times, "s", "times"), qs(values, "V", "values")));
        },
        py::arg("times"), py::arg("values"), "Piecewise linear: `values` (V) at `times` (s), linear in between, held outside.");

    py::class_<circuit::circuit>(m, "Circuit", "A netlist; node '0' is ground. Element currents flow first -> second terminal.")
        .def(py::init<>())
        .def(
            "resistor",
            [](circuit::circuit& c, const std::string& n, const std::string& a, const std::string& b, const py::object& r) {
                c.add_resistor(n, a, b, q(r, "Ohm", (n + ".resistance").c_str()));
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("resistance"))
        .def(
            "capacitor",
            [](circuit::circuit& c, const std::string& n, const std::string& a, const std::string& b, const py::object& v) {
                c.add_capacitor(n, a, b, q(v, "F", (n + ".capacitance").c_str()));
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
                sp.compliance = q(compliance, "A", (n + ".compliance").c_str());
                sp.settling_time = q(settling, "s", (n + ".settling_time").c_str());
                c.add_smu(n, p, m_, w, sp);
            },
            py::arg("name"), py::arg("p"), py::arg("n"), py::arg("waveform"), py::arg("compliance"), py::arg("settling_time") = 1e-6)
        .def(
            "tia",
            [](circuit::circuit& c, const std::string& n, const std::string& in, const std::string& out, const py::object& gain,
               const py::object& bw) {
                c.add_tia(n, in, out, {q(gain, "V/A", (n + ".gain").c_str()), q(bw, "Hz", (n + ".bandwidth").c_str())});
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
