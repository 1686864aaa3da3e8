#pragma once
// The paper's targets (docs/targets.md) and their evaluation on simulated traces with the same
// analysis functions a user would run on measured data. Nothing from the paper enters a simulated
// value; a target whose experiment has not run is reported as not run.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/array/experiment.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/md/diffusion.hpp"
#include "memlab/network/experiment.hpp"
#include "memlab/protocol/experiment.hpp"

namespace memlab::report {

// One row of docs/targets.md, as data. The evaluator names the measurement that computes it (one
// evaluator may serve several rows); an experiment file lists the targets it serves
// (`experiment.targets`), so nothing here depends on an experiment's name.
struct target {
    std::string id;           // "training.initial_vset_mean"
    std::string evaluator;    // the measurement that computes it: "sweep_training", "read_after_write", ...
    nlohmann::json paper;     // the paper's value (number or text)
    std::string tolerance;    // as in docs/targets.md
    std::string source;       // figure
    double lo = NAN, hi = NAN;  // numeric tolerance (inclusive), where the target has one
    std::string kind;         // "fit": a parameter was calibrated on it; "check": nothing was tuned on it
    std::vector<std::string> fit;  // the parameters calibrated on it
    std::string unit = "";    // of a numeric paper value and the simulated one: "V", "S"; an
                              // ordinal names what it counts, "#pulse" (printed "pulse 6")
    std::string missing = ""; // where the shipped model (agsn_sio2_pt) fails it: the mechanism it
                              // lacks (docs/models/agsn_sio2_pt.md, Known limits)
};

// The model the table's `fit` parameters and `missing` mechanisms are those of.
inline constexpr const char* shipped_model = "agsn_sio2_pt";

// Every target of docs/targets.md, in its order.
const std::vector<target>& all_targets();

struct result {
    std::string id, experiment;
    nlohmann::json paper, simulated;  // simulated: null when not run
    std::string tolerance;
    std::string kind;                 // "fit" (a parameter was calibrated on it) or "check" (nothing was tuned on it)
    std::vector<std::string> fit;     // the parameters calibrated on it (kind "fit")
    std::string unit;                 // of the numeric values (paper, simulated); "" for text
    bool pass = false;
    std::string note;                 // how it was measured, or why it did not run
    std::string missing;              // a failed target of the shipped model: the mechanism it lacks ("" otherwise)
    std::uint64_t seed = 0;
    nlohmann::json to_json() const;
    static result from_json(const nlohmann::json& j);
};

// Throws input_error ("FILE: experiment.targets: ...") if the experiment names a target that does
// not exist. Cheap: call it when the file is loaded, before anything runs.
void check_targets(const protocol::experiment& e);

// Evaluates the targets the experiment file lists (experiment.targets); empty for an experiment
// without targets. `traces` holds the recorded probes, one trace per device.
std::vector<result> evaluate(const protocol::experiment& e, const std::vector<io::memory_trace>& traces);

// The array targets (array.*: each column's role by its gate) from an array run; check_targets
// for an array file (its targets must be array targets).
void check_targets(const array::experiment& e);
std::vector<result> evaluate(const array::experiment& e, const array::result& r);

// The network targets (network.*: the accuracy of a network on the digits it was shown) from a
// network run; check_targets for a network file (its targets must be network targets).
void check_targets(const network::experiment& e);
std::vector<result> evaluate(const network::experiment& e, const network::run_result& r);

// The targets of the molecular-dynamics experiment (diffusion.*) from its runs.
std::vector<result> evaluate(const md::diffusion_experiment& e, const md::diffusion_result& r);

// Completes a list of results with every target not evaluated ("not run: <why>"). `experiment_of`
// says which experiment serves a target (protocol::served_targets of the experiment files);
// `why_by_experiment` gives the reason for experiments that were not selected or failed; a target
// no file serves is "not run: <why_missing>".
std::vector<result> complete(std::vector<result> evaluated, const std::string& why_missing,
                             const std::map<std::string, std::string>& why_by_experiment = {},
                             const std::map<std::string, std::string>& experiment_of = {});

}  // namespace memlab::report
