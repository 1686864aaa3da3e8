#pragma once
// Running the same circuit in ngspice (Debian's ngspice executable, batch mode), for the
// cross-checks in tests/validation and the side-by-side benchmarks in bench/.
//
// ngspice runs as a child process: its time and peak memory are measured for it alone, and a
// crash in ngspice cannot take memlab down.
#include <map>
#include <span>
#include <string>
#include <vector>

#include "memlab/device/model.hpp"
#include "memlab/device/mosfet.hpp"
#include "memlab/stimulus/waveform.hpp"

namespace memlab::spice {

// A PWL voltage source line reproducing `w` exactly (every breakpoint) up to t_end.
// Steps of zero rise time are written as an edge of `min_edge` seconds.
std::string pwl_source(const std::string& name, const std::string& p, const std::string& n,
                       const stimulus::waveform& w, double t_end, double min_edge = 1e-12);

// Any model with a SPICE form (device::model::has_spice) as an ngspice subcircuit with ports
// (p n): each state on an internal node s_<state> (a 1 F capacitor integrating the state's rate,
// in node units), the current and the rates as B-sources. A source inside (0 V in an operating
// point or a DC sweep, 1 V in a transient) switches the rates on in .tran only: .op, .dc and the
// operating point before a transient hold every state at its initial value, so the helper nodes
// start consistent and a DC sweep gives the I-V of the device frozen in that state.
// `initial_state` empty: the model's own. The header lists the parameters and the node scales.
std::string subcircuit(const device::model& m, const std::string& name, std::span<const double> initial_state = {});
// The same initial state as a top-level ".ic" line for the instance `instance` of that subcircuit
// (v(instance.s_<state>) = state/scale).
std::string initial_conditions(const device::model& m, const std::string& instance, std::span<const double> initial_state = {});

// The ".options" line of every memlab deck (the ngspice engine, the export's example deck, the
// cross-check): Gear integration, the given tolerances (reltol; abstol in A; vntol in V), and
// rshunt, a 1e15 Ohm path from every node to ground (a node that sees only current sources and a
// device in its high-resistance state has no other).
std::string options(double reltol, double abstol, double vntol);
// The access transistor as ngspice's level-1 MOSFET: the ".model" line (VTO, KP, GAMMA, PHI and
// LAMBDA = lambda_l / L of the EKV set), and one instance with W and L, plus (capacitances) the
// four constant capacitors circuit::transistor stamps (C_GD, C_GS, C_DB, C_SB; none to a terminal
// that is ground). Level 1 is the EKV model's reduction at gamma = 0 in strong inversion only:
// it passes no current below threshold (memlab/device/mosfet.hpp).
std::string level1_model(const device::mosfet& m, const std::string& model_name);
std::string level1_instance(const device::mosfet& m, const std::string& name, const std::string& d, const std::string& g, const std::string& s,
                            const std::string& b, const std::string& model_name, bool capacitances);

// The ".tran" line of every memlab deck: to t_end, steps at most `max_step` long (0: t_end/1000).
std::string tran(double t_end, double max_step = 0);

// What `memlab export-spice` writes: a header saying how to use the subcircuit (its pins, an
// instance line, the .ic line of every state, the .options line, which analyses work and why uic
// is not one of them, and an example deck that makes the device switch: a triangular sweep
// through a series resistor, the model's regime (device::regime::slow)), then subcircuit(). The
// example deck is the lines between "* example deck:" and "* end of example deck", each behind
// "* ", and includes the subcircuit as the file `<name>.sub`.
std::string export_file(const device::model& m, const std::string& name, std::span<const double> initial_state = {});

// The cross-check circuit as a complete deck: V1 (PWL of `w`) -> R1 (`rs`) -> node a -> X1 (the
// model's subcircuit) -> ground, its initial state by .ic, options() at `reltol` (abstol 1e-15 A,
// vntol 1e-12 V), transient to t_end (step hint `tstep`, largest step `tmax`), writing time, v(in),
// v(a) and every state node v(X1.s_<state>) (in node units, model.spice().scale) to out.txt for
// run_batch.
std::string device_deck(const device::model& m, const stimulus::waveform& w, double rs, double t_end, double reltol, double tstep,
                        double tmax);

struct batch_result {
    int exit_status = 0;                      // of the ngspice process
    std::vector<std::string> names;           // "time" first, then the written vectors
    std::vector<std::vector<double>> columns;
    double wall_seconds = 0;                  // of the ngspice process
    long peak_rss_kb = 0;                     // of the ngspice process
    std::string log;                          // ngspice's output
    const std::vector<double>& column(const std::string& name) const;
};

// Runs `netlist` (a complete deck; its .control block must `wrdata` the vectors into the file
// named by `output_file`, relative to the run directory) and reads the result. `output_file`
// empty: no file is read; the result has ngspice's exit status and its output (.print tables)
// in `log`. `files`: other files written beside the deck (name, content), e.g. an .include.
batch_result run_batch(const std::string& netlist, const std::string& output_file = "out.txt",
                       const std::string& ngspice = "ngspice", const std::map<std::string, std::string>& files = {});

}  // namespace memlab::spice
