#pragma once
// memlab sensitivity: the paper's targets with the shipped parameters (or a what-if) and with one
// override at a time (KEY=V1,V2,...: one full reproduce per value), side by side: how many pass,
// which are lost or gained, and how far every simulated value moves. It shows which observables pin
// which parameter and which parameters the targets do not see.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/lab/reproduce.hpp"

namespace memlab::lab {

struct sensitivity_options {
    std::vector<std::string> vary;         // "KEY=V1,V2,...": one run per value
    std::vector<std::string> sets;         // overrides of every run, the baseline included
    std::vector<std::string> only, skip;   // as for reproduce
    int jobs = 2;
    std::filesystem::path experiments;     // empty: experiments_dir()
    cache_options cache;                   // as for reproduce
};

// Every run, planned (its files loaded with its overrides) before the first one starts.
struct sensitivity_plan {
    sensitivity_options options;
    std::vector<std::string> variants;   // "key=value", one run each, after the baseline
    std::string baseline;                // "shipped parameters" or "baseline (sets...)"
    std::vector<reproduce_plan> plans;   // the baseline, then one per variant
};

// input_error on an empty value or a malformed --vary, and on anything plan_reproduce rejects.
sensitivity_plan plan_sensitivity(const sensitivity_options& o);

struct sensitivity_outcome {
    nlohmann::json summary;                  // what sensitivity.json holds
    std::vector<reproduce_outcome> runs;     // the baseline, then one per variant
    std::size_t failed = 0;                  // experiment runs that failed to simulate, over all runs
};

// Runs the plan into `out` (staged): OUT/baseline/, OUT/01/, ... (a full reproduce each, without
// figures), OUT/sensitivity.md and OUT/sensitivity.json (per variant: passes, targets lost and
// gained, every simulated value that moved).
sensitivity_outcome sensitivity(const sensitivity_plan& plan, const std::filesystem::path& out, const progress_fn& progress = {});

}  // namespace memlab::lab
