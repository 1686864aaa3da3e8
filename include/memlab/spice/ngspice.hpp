#pragma once
// Running the same circuit in ngspice (Debian's ngspice executable, batch mode), for the
// cross-checks in tests/validation and the side-by-side benchmarks in bench/.
//
// ngspice runs as a child process: its time and peak memory are measured for it alone, and a
// crash in ngspice cannot take memlab down.
#include <string>
#include <vector>

#include <span>

#include "memlab/device/model.hpp"
#include "memlab/stimulus/waveform.hpp"

namespace memlab::spice {

// A PWL voltage source line reproducing `w` exactly (every breakpoint) up to t_end.
// Steps of zero rise time are written as an edge of `min_edge` seconds.
std::string pwl_source(const std::string& name, const std::string& p, const std::string& n,
                       const stimulus::waveform& w, double t_end, double min_edge = 1e-12);

// Any model with a SPICE form (device::model::has_spice) as an ngspice subcircuit with ports
// (p n): each state on an internal node s_<state> (a 1 F capacitor with IC = the initial state in
// node units; run `tran ... uic`, or hold the states with initial_conditions() and no uic), the current and the rates as B-sources. `initial_state` empty:
// the model's own. The header lists the parameters, the node scales and what the export leaves out.
std::string subcircuit(const device::model& m, const std::string& name, std::span<const double> initial_state = {});
// The same initial state as a top-level ".ic" line for the instance `instance` of that subcircuit
// (v(instance.s_<state>) = state/scale). Without "uic", ngspice holds these nodes during its
// operating point and solves every helper node from them, so the transient starts consistent
// (with uic the helper nodes start at 0 V and Newton can run away on the first step).
std::string initial_conditions(const device::model& m, const std::string& instance, std::span<const double> initial_state = {});

// The cross-check circuit as a complete deck: V1 (PWL of `w`) -> R1 (`rs`) -> node a -> X1 (the
// model's subcircuit) -> ground, transient to t_end (step hint `tstep`, largest step `tmax`,
// Gear, `reltol`), writing time, v(in), v(a) and every state node v(X1.s_<state>) (in node units,
// model.spice().scale) to out.txt for run_batch.
std::string device_deck(const device::model& m, const stimulus::waveform& w, double rs, double t_end, double reltol, double tstep,
                        double tmax);

struct batch_result {
    std::vector<std::string> names;           // "time" first, then the written vectors
    std::vector<std::vector<double>> columns;
    double wall_seconds = 0;                  // of the ngspice process
    long peak_rss_kb = 0;                     // of the ngspice process
    std::string log;                          // ngspice's output
    const std::vector<double>& column(const std::string& name) const;
};

// Runs `netlist` (a complete deck; its .control block must `wrdata` the vectors into the file
// named by `output_file`, relative to the run directory) and reads the result.
batch_result run_batch(const std::string& netlist, const std::string& output_file = "out.txt",
                       const std::string& ngspice = "ngspice");

}  // namespace memlab::spice
