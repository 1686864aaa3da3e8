#pragma once
// memlab reproduce as library code: the paper's experiment files run (each in a child process, up to
// `jobs` at a time), the targets evaluated from the simulated traces, and the report written
// (report.json, report.md; figures and report.html by the Python layer). With seeds, one full
// reproduce per seed (OUT/seedN/) and what the seeds change, target by target (seeds.json, seeds.md).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/lab/cache.hpp"
#include "memlab/lab/run.hpp"
#include "memlab/report/targets.hpp"

namespace memlab::lab {

// The shipped experiment files: ./experiments if there is one, else the checkout's experiments/.
// input_error when neither exists.
std::filesystem::path experiments_dir();

// An experiment file named by its path, or a shipped experiment by its name ("synapse" or
// "synapse.toml": experiments_dir()/synapse.toml), so a shipped file runs from any folder. A path
// that exists wins; input_error when neither is found, naming the closest shipped experiment.
std::filesystem::path experiment_file(const std::string& path_or_name);

// The paper's targets as a Markdown table, in the report's order: id, the paper's figure and value
// (with its unit), the tolerance, kind (fit, with the parameters calibrated on it, or check) and the
// shipped experiment that serves it (memlab targets; docs/targets.md).
std::string targets_markdown();

// "1..5" (a range) or "1,2,5" (a list; the two may be mixed: "1..3,7"): the seeds, in the order
// given. input_error naming `where` on anything else, an empty list or a seed given twice.
std::vector<std::uint64_t> parse_seeds(const std::string& text, const std::string& where = "--seeds");

// "KEY=V1,V2,...": the key and its values (trimmed), one run each. input_error naming `where`
// (e.g. "sweep --vary") on a missing key or an empty value.
struct varied {
    std::string key;
    std::vector<std::string> values;
};
varied parse_vary(const std::string& text, const std::string& where);

struct reproduce_options {
    std::vector<std::string> sets;         // key=value overrides of every file they apply to
    std::vector<std::string> only, skip;   // experiment names (file stems)
    std::vector<std::uint64_t> seeds;      // empty: one run at each file's own seed
    int jobs = 2;                          // experiments at a time (and LAMMPS processes per MD file)
    bool csv = false;                      // traces.csv beside every traces.h5
    bool figures = true;                   // figures and report.html (the Python layer)
    std::filesystem::path experiments;     // empty: experiments_dir()
    std::filesystem::path python;          // the memlab Python package's folder (empty: python_dir())
    cache_options cache;                   // each experiment's result is looked up and stored there
};

// One experiment file of a reproduce run, loaded with the overrides that apply to it: what the
// progress lines and the report say of it, and how to run it into its folder (returns
// {"steps": N, "targets": [report::result as JSON]}).
struct planned_experiment {
    std::string name, file, figure, description, span;
    std::vector<std::string> notes;  // the loader's notes (e.g. settings dropped by a model swap)
    nlohmann::json inputs;           // what its result depends on (the result cache's key)
    std::function<nlohmann::json(const std::filesystem::path& folder, const progress_fn& progress)> run;
};

// One reproduce run: the files chosen by only / skip, each loaded (bad files and keys are errors
// here, before anything runs or is written).
struct reproduce_plan {
    reproduce_options options;
    std::optional<std::uint64_t> seed;         // the seed of every file (experiment.seed), with seeds
    std::vector<std::filesystem::path> files;  // the selected files
    std::vector<planned_experiment> exps;      // in file order
};

// Plans one run; `seed` overrides every file's experiment.seed; `what` names the command in
// error messages (reproduce, sensitivity).
reproduce_plan plan_reproduce(const reproduce_options& o, std::optional<std::uint64_t> seed, const std::string& what);
// Every run of `memlab reproduce`: one plan per seed of o.seeds, or one at the files' own seeds.
std::vector<reproduce_plan> plan_reproduce(const reproduce_options& o);

// What one reproduce run found.
struct reproduce_outcome {
    std::vector<report::result> all;               // every target of docs/targets.md, run or not
    std::size_t passed = 0, run = 0, failed = 0;   // failed: experiments that could not be simulated
    bool figures_drawn = false;
};

// Runs a plan into `folder` (which exists): a folder per experiment, report.json, report.md and
// (options.figures) the figures and report.html. One experiment that cannot be simulated does not
// stop the others: its targets are reported as not run, with the error. Progress lines (one per
// finished experiment) start with `prefix`.
reproduce_outcome execute_reproduce(const reproduce_plan& plan, const std::filesystem::path& folder, const progress_fn& progress,
                                    const std::string& prefix = "");

// memlab reproduce: runs the plans (from plan_reproduce(o)) into `out`, staged (nothing is left
// behind if it stops). One plan: OUT/report.{json,md,html} and a folder per experiment. Several
// (seeds): OUT/seedN/ holds each seed's full reproduce, OUT/seeds.json and OUT/seeds.md the targets
// over the seeds (passes, the value at each seed, whether it varies with the seed), and
// OUT/report.json is a copy of the first seed's report. Returns one outcome per plan.
std::vector<reproduce_outcome> reproduce(const std::vector<reproduce_plan>& plans, const std::filesystem::path& out,
                                         const progress_fn& progress = {});

}  // namespace memlab::lab
