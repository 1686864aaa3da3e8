#pragma once
// Integrates a circuit with SUNDIALS IDA (variable-order BDF, error control), stepping onto every
// breakpoint of every source and stopping exactly on every stochastic event.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memlab/circuit/circuit.hpp"
#include "memlab/io/trace.hpp"

namespace memlab::circuit {

enum class linear_solver { automatic, dense, klu };

// The first step after a breakpoint where no value jumps (a kink: a ramp starts or ends). The
// integrator restarts at order 1 either way; IDA's error test judges the first step as any other.
enum class restart_step {
    last,      // the larger of the steps in use at this and at the previous breakpoint, at most
               // 0.5 / ||y'|| (IDA's own bound) and the distance to the next breakpoint
    cautious,  // IDA's own: 1/1000 of the distance to the next output, then doubling
};

struct solver_options {
    double rtol = 1e-6;            // relative tolerance (all unknowns)
    double atol_voltage = 1e-9;    // V, absolute tolerance of node voltages
    double atol_current = 1e-15;   // A, absolute tolerance of branch currents
    double state_atol_scale = 1;   // multiplies the device models' own state tolerances
    double max_step = 0;           // s, 0: unlimited (breakpoints are always hit)
    restart_step first_step = restart_step::last;  // after a kink; after a jump always IDA's own
    linear_solver linsol = linear_solver::automatic;
    std::size_t dense_limit = 40;  // automatic: dense up to this many unknowns, KLU above
    std::size_t max_steps_between_outputs = 500000;
    bool hazards = true;           // false: no stochastic events (the models' deterministic form,
                                   // as exported to SPICE); the hazards are still integrated
};

// What to record: every internal step, or samples every `sample_interval` (an oscilloscope).
struct recording {
    std::vector<std::string> probes;  // "v(node)", "v(a,b)", "i(element)", "element.state"
    double sample_interval = 0;       // s; 0: every accepted step, plus every breakpoint
};

struct run_stats {
    long steps = 0;
    long residual_evals = 0;
    long jacobian_evals = 0;
    long error_test_failures = 0;
    long nonlinear_failures = 0;
    long events = 0;
    long random_events = 0;  // draws from a random stream that moved a state: the events of hazards and
                             // the settled draws; probe "events"
    long settled_draws = 0;  // counts settled at breakpoints that moved a state (device::model::on_settle)
    long breakpoints = 0;
    long retries = 0;  // restarts after a failed step, at 10x tighter rtol up to the next breakpoint
    long event_homotopies = 0;  // events whose jump was applied in parts (the direct IC solve failed)
    long restart_fallbacks = 0;  // kinks where restart_step::last's first step failed at every size
                                 // and IDA's own first step was taken instead
    std::size_t unknowns = 0;
    std::string linear_solver;
};

class simulation {
public:
    simulation(const circuit& c, solver_options opts = {}, std::uint64_t seed = 1);
    ~simulation();
    simulation(const simulation&) = delete;
    simulation& operator=(const simulation&) = delete;

    // Integrates from the current time to t_end, writing the probes to `sink`. May be called again
    // to continue (the sink sees one begin() per call).
    void run(double t_end, const recording& rec, io::trace_sink& sink);
    // Same without recording.
    void advance(double t_end);

    double time() const;
    // Current value of a probe (same syntax as recording::probes).
    double probe(const std::string& spec) const;
    // Names of the unknowns ("v(out)", "i(V1)", "M1.w", ...), and their current values.
    const std::vector<std::string>& unknown_names() const;
    std::span<const double> unknowns() const;
    const run_stats& stats() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace memlab::circuit
