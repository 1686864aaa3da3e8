// The lab layer: reproduce, sensitivity, sweep and fit, many runs in child processes, the report written into a
// folder. The Python front end (memlab.reproduce, .sensitivity, .sweep, .fit) reads the files it writes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdio>

#include <fmt/format.h>

#include "bindings.hpp"
#include "memlab/error.hpp"
#include "memlab/lab/reproduce.hpp"
#include "memlab/lab/fit.hpp"
#include "memlab/lab/sensitivity.hpp"
#include "memlab/lab/sweep.hpp"
#include "memlab/protocol/fit_file.hpp"

namespace py = pybind11;

namespace {

// Progress lines on the process's stdout: they come from the C++ side (child processes included),
// where Python's sys.stdout cannot be used.
memlab::lab::progress_fn printer(bool on) {
    if (!on) return {};
    return [](const std::string& line) {
        fmt::print("{}\n", line);
        std::fflush(stdout);
    };
}

std::vector<std::string> notes(const memlab::lab::reproduce_plan& plan) {
    std::vector<std::string> out;
    for (const auto& e : plan.exps)
        for (const auto& n : e.notes) out.push_back(e.name + ": " + n);
    return out;
}

}  // namespace

void memlab::python::register_lab(py::module_& m) {
    m.def("_parse_seeds", [](const std::string& text) { return memlab::lab::parse_seeds(text, "seeds"); }, py::arg("text"));
    m.def(
        "_reproduce",
        [](const std::string& out, const std::vector<std::string>& only, const std::vector<std::string>& skip,
           const std::vector<std::string>& set, int jobs, const std::vector<std::uint64_t>& seeds, bool csv, bool figures,
           const std::string& experiments, const std::string& python, bool progress) {
            if (jobs < 1) throw memlab::input_error(fmt::format("jobs: {} is not a positive number", jobs));
            const memlab::lab::reproduce_options o{.sets = set, .only = only, .skip = skip, .seeds = seeds, .jobs = jobs, .csv = csv,
                                                   .figures = figures, .experiments = experiments, .python = python};
            std::vector<memlab::lab::reproduce_plan> plans;
            std::vector<memlab::lab::reproduce_outcome> outcomes;
            {
                py::gil_scoped_release release;
                plans = memlab::lab::plan_reproduce(o);
                outcomes = memlab::lab::reproduce(plans, out, printer(progress));
            }
            std::size_t failed = 0;
            for (const auto& x : outcomes) failed += x.failed;
            py::dict r;
            r["notes"] = notes(plans.front());
            r["failed"] = failed;
            return r;
        },
        py::arg("out"), py::arg("only"), py::arg("skip"), py::arg("set"), py::arg("jobs"), py::arg("seeds"), py::arg("csv"),
        py::arg("figures"), py::arg("experiments"), py::arg("python"), py::arg("progress"));
    m.def(
        "_sensitivity",
        [](const std::string& out, const std::vector<std::string>& vary, const std::vector<std::string>& set,
           const std::vector<std::string>& only, const std::vector<std::string>& skip, int jobs, const std::string& experiments, bool progress) {
            if (jobs < 1) throw memlab::input_error(fmt::format("jobs: {} is not a positive number", jobs));
            const memlab::lab::sensitivity_options o{.vary = vary, .sets = set, .only = only, .skip = skip, .jobs = jobs, .experiments = experiments};
            std::vector<std::string> n;
            std::size_t failed = 0;
            {
                py::gil_scoped_release release;
                const auto plan = memlab::lab::plan_sensitivity(o);
                n = notes(plan.plans.front());
                failed = memlab::lab::sensitivity(plan, out, printer(progress)).failed;
            }
            py::dict r;
            r["notes"] = n;
            r["failed"] = failed;
            return r;
        },
        py::arg("out"), py::arg("vary"), py::arg("set"), py::arg("only"), py::arg("skip"), py::arg("jobs"), py::arg("experiments"),
        py::arg("progress"));
    m.def(
        "_sweep",
        [](const std::string& file, const std::string& out, const std::vector<std::string>& vary, const std::vector<std::string>& set,
           const std::vector<std::uint64_t>& seeds, std::size_t devices, int jobs, bool figure, const std::string& cache, bool use_cache,
           const std::string& python, bool progress) {
            if (jobs < 1) throw memlab::input_error(fmt::format("jobs: {} is not a positive number", jobs));
            memlab::lab::sweep_options o;
            o.file = memlab::lab::experiment_file(file);
            o.vary = vary;
            o.sets = set;
            o.seeds = seeds;
            if (devices > 0) o.devices = devices;
            o.jobs = jobs;
            o.figure = figure;
            o.python = python;
            o.cache = {.enabled = use_cache, .dir = cache, .max_bytes = 0};
            memlab::lab::sweep_outcome r;
            {
                py::gil_scoped_release release;
                r = memlab::lab::sweep(memlab::lab::plan_sweep(o), out, printer(progress));
            }
            py::dict d;
            d["computed"] = r.computed;
            d["cached"] = r.cached;
            d["failed"] = r.failed;
            return d;
        },
        py::arg("file"), py::arg("out"), py::arg("vary"), py::arg("set"), py::arg("seeds"), py::arg("devices"), py::arg("jobs"), py::arg("figure"),
        py::arg("cache"), py::arg("use_cache"), py::arg("python"), py::arg("progress"));
    m.def(
        "_fit",
        [](const std::string& file, const std::string& out, const std::vector<std::string>& set, const std::string& data, int jobs,
           int max_evaluations, bool figure, const std::string& python, bool progress) {
            if (jobs < 1) throw memlab::input_error(fmt::format("jobs: {} is not a positive number", jobs));
            auto spec = memlab::protocol::load_fit(file, set, data);
            if (max_evaluations > 0) spec.max_evaluations = max_evaluations;
            {
                py::gil_scoped_release release;
                memlab::lab::fit(spec, out, {.jobs = jobs, .figure = figure, .python = python}, printer(progress));
            }
        },
        py::arg("file"), py::arg("out"), py::arg("set"), py::arg("data"), py::arg("jobs"), py::arg("max_evaluations"), py::arg("figure"),
        py::arg("python"), py::arg("progress"));
}
