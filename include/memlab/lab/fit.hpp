#pragma once
// memlab fit: chosen parameters of any model fitted to a measurement (protocol::fit_spec, a fit
// file). The measured voltage (or the experiment's own protocol) is replayed as the stimulus, the
// model's current is compared with the measured one point for point (interpolated onto the
// measured times), or the read conductance at each read pulse of the stated protocol, or the mean
// and spread of Vset over the cycles with those of the measurement (cycle-to-cycle statistics, the
// model's seeds fixed: common random numbers; over several measured devices also the spread of the
// device means, each device replayed by the experiment's device j, drawn with its d2d spreads). NLopt minimises the
// loss; evaluations run in child processes, several at a time, on the task runner of memlab sweep
// (util::run_queue: local, or over MPI ranks under mpirun). The intervals come from the loss
// curvature at the minimum: the Gauss-Newton covariance s^2 (J^T J)^-1 of the weighted residuals
// (J by central differences in the fit scale; s^2 = max(1, reduced chi-square) for the current and
// conductance losses), or (fit.intervals = "bootstrap", Vset loss) a bootstrap over cycles, each
// replicate refitted by one Gauss-Newton step from the minimum.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/lab/run.hpp"
#include "memlab/protocol/fit_file.hpp"

namespace memlab::lab {

struct fit_options {
    int jobs = 0;                    // evaluations at a time (per rank under MPI); 0: 2, or 1 per rank under MPI
    bool figure = true;
    std::filesystem::path python;    // the memlab Python package's folder (empty: python_dir())
};

struct fitted_parameter {
    std::string key, unit;
    double value = 0, low = 0, high = 0;  // SI; [low, high] the interval at the spec's confidence
    double standard_error = 0;            // in the fit scale (of ln|x| for a log parameter, else of x)
    bool at_bound = false;                // the minimum lies on min or max: its interval is not meaningful
};

struct fit_outcome {
    std::vector<fitted_parameter> parameters;
    double loss = 0;          // chi-square at the minimum (sum of squared weighted residuals)
    std::size_t residuals = 0;
    int evaluations = 0;      // loss evaluations by the optimiser
    int simulations = 0;      // model runs in all (seeds, gradients and the Jacobian included)
    bool figure_drawn = false;
    nlohmann::json summary;   // fit.json
};

// Runs the fit into `out` (staged: a failure leaves nothing): fit.json (everything), fitted.toml (a
// snippet to paste into an experiment file), curves.csv (measured and model traces, residuals),
// vsets.csv (vset loss: Vset per cycle, measured and per seed), figure.png. Under MPI every rank
// calls this; rank 0 writes the output and returns the outcome, the others an empty one.
fit_outcome fit(const protocol::fit_spec& s, const std::filesystem::path& out, const fit_options& o = {}, const progress_fn& progress = {});

}  // namespace memlab::lab
