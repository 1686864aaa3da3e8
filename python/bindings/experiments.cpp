// Experiments from TOML files, run in-process; traces come back as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include "bindings.hpp"
#include "memlab/array/experiment.hpp"
#include "memlab/error.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/lab/reproduce.hpp"
#include "memlab/md/diffusion.hpp"
#include "memlab/protocol/array_file.hpp"
#include "memlab/protocol/md_file.hpp"
#include "memlab/protocol/network_file.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/protocol/ngspice_engine.hpp"

namespace py = pybind11;

namespace {

py::object to_py(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

}  // namespace

py::dict memlab::python::trace_dict(const memlab::io::memory_trace& tr) {
    py::dict arrays, units;
    for (const auto& ch : tr.channels()) {
        const auto& col = tr.column(ch.name);
        arrays[py::str(ch.name)] = py::array_t<double>(static_cast<py::ssize_t>(col.size()), col.data());
        units[py::str(ch.name)] = ch.unit;
    }
    py::dict out;
    out["traces"] = arrays;
    out["units"] = units;
    return out;
}

void memlab::python::register_experiments(py::module_& m) {
    m.def(
        "show_config",
        [](const std::string& name, const std::vector<std::string>& set) {
            const std::string file = memlab::lab::experiment_file(name).string();
            if (memlab::protocol::is_md_file(file)) return to_py(memlab::protocol::load_md(file, set).resolved);
            if (memlab::protocol::is_array_file(file)) return to_py(memlab::protocol::load_array(file, set).resolved);
            if (memlab::protocol::is_network_file(file)) return to_py(memlab::protocol::load_network(file, set).resolved);
            return to_py(memlab::protocol::load(file, set).resolved);
        },
        py::arg("file"), py::arg("set") = std::vector<std::string>{},
        "The resolved experiment (defaults filled in) as a dict with units, like `memlab show-config`.");
    m.def(
        "_run",
        [](const std::string& file, const std::vector<std::string>& set, std::size_t device, const std::string& engine) {
            if (engine != "memlab" && engine != "ngspice")
                throw memlab::input_error(fmt::format("engine: '{}' is not memlab or ngspice", engine));
            const auto e = memlab::protocol::load(file, set);
            memlab::io::memory_trace tr;
            memlab::protocol::run_result r;
            {
                py::gil_scoped_release release;
                r = engine == "ngspice" ? memlab::protocol::run_ngspice(e, tr, device) : memlab::protocol::run(e, tr, device);
            }
            py::dict out = memlab::python::trace_dict(tr);
            out["metrics"] = to_py(r.metrics);
            out["config"] = to_py(e.resolved);
            out["name"] = e.name;
            out["notes"] = e.notes;
            return out;
        },
        py::arg("file"), py::arg("set") = std::vector<std::string>{}, py::arg("device") = 0, py::arg("engine") = "memlab");
    m.def("_experiment_file", [](const std::string& name) { return memlab::lab::experiment_file(name).string(); }, py::arg("name"),
          "The path of an experiment file, or of a shipped experiment named without a folder (\"synapse\").");
    m.def("_is_md_file", [](const std::string& file) { return memlab::protocol::is_md_file(file); }, py::arg("file"));
    m.def("_is_array_file", [](const std::string& file) { return memlab::protocol::is_array_file(file); }, py::arg("file"));
    m.def(
        "_run_array",
        [](const std::string& file, const std::vector<std::string>& set) {
            const auto e = memlab::protocol::load_array(file, set);
            memlab::io::memory_trace tr;
            memlab::array::result r;
            {
                py::gil_scoped_release release;
                r = memlab::array::run(e, tr);
            }
            py::dict out = memlab::python::trace_dict(tr);
            py::list maps;  // in the order the run took them
            for (const auto& m : r.maps) {
                py::array_t<double> a({static_cast<py::ssize_t>(m.values.rows), static_cast<py::ssize_t>(m.values.cols)});
                std::copy(m.values.v.begin(), m.values.v.end(), a.mutable_data());
                maps.append(py::make_tuple(m.name, a, m.unit, m.time));
            }
            out["maps"] = maps;
            out["metrics"] = to_py(r.metrics);
            out["config"] = to_py(e.resolved);
            out["name"] = e.name;
            return out;
        },
        py::arg("file"), py::arg("set") = std::vector<std::string>{});
    m.def("_is_network_file", [](const std::string& file) { return memlab::protocol::is_network_file(file); }, py::arg("file"));
    m.def(
        "_run_network",
        [](const std::string& file, const std::vector<std::string>& set) {
            const auto e = memlab::protocol::load_network(file, set);
            memlab::network::run_result r;
            std::vector<std::size_t> inputs_row;
            std::vector<double> inputs_time;
            {
                py::gil_scoped_release release;
                r = memlab::network::run(e, {}, [&](const memlab::network::input_spikes& in) {
                    inputs_row.insert(inputs_row.end(), in.row.begin(), in.row.end());
                    inputs_time.insert(inputs_time.end(), in.time.begin(), in.time.end());
                });
            }
            auto array = [](const auto& v) {
                std::vector<double> d(v.begin(), v.end());
                return py::array_t<double>(static_cast<py::ssize_t>(d.size()), d.data());
            };
            auto matrix = [](const memlab::network::matrix& w) {
                py::array_t<double> a({static_cast<py::ssize_t>(w.rows), static_cast<py::ssize_t>(w.cols)});
                std::copy(w.v.begin(), w.v.end(), a.mutable_data());
                return a;
            };
            py::dict spikes, inputs, weights, images;
            spikes["time"] = array(r.out.time);
            spikes["neuron"] = array(r.out.neuron);
            inputs["time"] = array(inputs_time);
            inputs["row"] = array(inputs_row);
            for (std::size_t k = 0; k < r.weights.size(); ++k) weights[py::str(r.weight_names[k])] = matrix(r.weights[k]);
            if (!e.image_start.empty()) {
                images["start"] = array(e.image_start);
                images["label"] = array(e.labels);
                images["predicted"] = array(r.images.predicted);
                images["index"] = array(e.image_index);
                images["counts"] = matrix(r.images.counts);
            }
            py::dict learning;
            if (e.learning) {
                const auto& l = r.learning;
                std::vector<double> winner;
                for (std::size_t w : l.train_winner) winner.push_back(w < l.labels.size() ? static_cast<double>(w) : -1.0);
                learning["labels"] = array(l.labels);
                learning["train_winner"] = array(winner);
                learning["train_index"] = array(e.train_index);
                learning["train_spike_time"] = array(l.train_out.time);
                learning["train_spike_neuron"] = array(l.train_out.neuron);
            }
            py::dict out;
            out["name"] = e.name;
            out["learning"] = learning;
            out["spikes"] = spikes;
            out["input_spikes"] = inputs;
            out["weights"] = weights;
            out["weights_unit"] = r.weights_unit;
            out["images"] = images;
            out["metrics"] = to_py(r.metrics);
            out["config"] = to_py(e.resolved);
            return out;
        },
        py::arg("file"), py::arg("set") = std::vector<std::string>{});
    m.def(
        "_run_md",
        [](const std::string& file, const std::vector<std::string>& set, const std::string& folder, int jobs) {
            const auto e = memlab::protocol::load_md(file, set);
            memlab::md::diffusion_result r;
            {
                py::gil_scoped_release release;
                r = memlab::md::run(e, folder, jobs);
            }
            auto array = [](const std::vector<double>& v) { return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data()); };
            py::list runs;
            for (const auto& x : r.runs) {
                py::dict d;
                d["ion"] = x.ion;
                d["sample"] = x.sample;
                d["temperature"] = x.temperature;
                for (auto [k, v] : {std::pair{"time", &x.t}, std::pair{"x", &x.x}, std::pair{"y", &x.y}, std::pair{"z", &x.z},
                                    std::pair{"msd_Si", &x.msd_si}, std::pair{"msd_O", &x.msd_o}, std::pair{"lag", &x.lag},
                                    std::pair{"msd", &x.msd}})
                    d[k] = array(*v);
                d["D"] = x.fit.coefficient;
                d["D_fit_r2"] = x.fit.r2;
                d["network_D"] = x.network_fit.coefficient;
                runs.append(d);
            }
            py::dict out;
            out["name"] = e.name;
            out["runs"] = runs;
            out["metrics"] = to_py(r.metrics);
            out["config"] = to_py(e.resolved);
            return out;
        },
        py::arg("file"), py::arg("set"), py::arg("folder"), py::arg("jobs") = 2);
}
