#pragma once
// memlab sweep: one experiment file run over the product of varied values (--vary KEY=V1,V2),
// seeds (--seeds 1..N) and devices (experiment.devices, or --devices N: device k is drawn from
// [device.d2d] by (seed, k) and runs as a task of its own). A task is deterministic in (file,
// overrides, seed, device); its result is stored in the result cache under the hash of what it
// depends on, so a sweep that was stopped (even by kill -9) resumes with the tasks it has not
// finished. Tasks run in child processes, up to `jobs` at a time, or over MPI ranks under mpirun
// (util::run_queue). The results: one row per task in table.csv and table.h5, the distribution of
// every metric (quantiles, histogram) per set of varied values, and a figure.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "memlab/lab/cache.hpp"
#include "memlab/lab/reproduce.hpp"
#include "memlab/protocol/experiment.hpp"

namespace memlab::lab {

struct sweep_options {
    std::filesystem::path file;
    std::vector<std::string> vary;       // "KEY=V1,V2,...": the product over every --vary
    std::vector<std::string> sets;       // overrides of every task (--vary wins over --set)
    std::vector<std::uint64_t> seeds;    // empty: the file's own experiment.seed
    std::optional<std::size_t> devices;  // experiment.devices of every task
    int jobs = 0;                        // children at a time (per rank under MPI); 0: 2, or 1 per rank under MPI
    std::vector<std::string> metrics;    // columns drawn in distributions.png; empty: up to six that vary
    bool figure = true;
    std::filesystem::path python;        // the memlab Python package's folder (empty: python_dir())
    cache_options cache;                 // disabled: a private cache inside the output, removed at the end
};

struct sweep_task {
    std::vector<std::string> values;  // one per varied key, as given
    std::uint64_t seed = 0;
    std::size_t device = 0;           // 0-based
    std::size_t set = 0;              // which set of values (index into the product)
    std::string key;                  // the cache key (SHA-256 of `inputs`)
    nlohmann::json inputs;            // what the result depends on
    std::shared_ptr<const protocol::experiment> experiment;
    std::string folder() const { return "tasks/" + key.substr(0, 16); }
    std::string label(const std::vector<std::string>& keys) const;  // "device.e_ag=0.8 eV, seed 3, device 2"
};

struct sweep_plan {
    sweep_options options;
    std::string name;                         // the experiment's name
    std::vector<std::string> keys;            // the varied keys, in the order given
    std::vector<std::vector<std::string>> values;
    std::vector<std::uint64_t> seeds;         // the seeds run
    std::size_t devices = 1;                  // per seed and set of values
    std::vector<sweep_task> tasks;            // values (first key slowest), then seed, then device
};

// Loads the file once per set of values and seed (every mistake is an error here, before anything
// runs): input_error naming the file and key, or the option at fault.
sweep_plan plan_sweep(const sweep_options& o);

struct sweep_outcome {
    std::size_t cached = 0, computed = 0, failed = 0;
    bool figure_drawn = false;
};

// Runs the plan into `out` (staged): OUT/tasks/KEY16/ per task (traces.h5, metrics.json,
// config.json, targets.json when the file serves targets), OUT/table.csv and OUT/table.h5 (one row
// per task), OUT/distributions.json and .md, OUT/distributions.png, OUT/sweep.json (the plan).
// A task that fails is a row with its error; the others run. Progress: one line per finished task
// with done/total and the time left. Under MPI every rank calls this; rank 0 writes the output and
// the others return an empty outcome once the queue is empty.
sweep_outcome sweep(const sweep_plan& plan, const std::filesystem::path& out, const progress_fn& progress = {});

}  // namespace memlab::lab
