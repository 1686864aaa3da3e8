#pragma once
// An experiment's circuit run by ngspice instead of memlab's engine (`memlab run FILE --engine
// ngspice`), through libngspice in this process, so a user can check one engine against the
// other on their own protocol.
//
// The lab is written as an ngspice deck: the AWG as a PWL source (every breakpoint), the SMU as
// memlab's model in B-sources (first-order settling on a 1 Ohm / tau RC, current law
// I_cc tanh((u - v)/V_t) + 1e-6 I_cc (u - v)/V_t, the compliance as a PWL node when it changes),
// series resistor, parasitic capacitance, the device as its exported subcircuit
// (device::model::spice, deterministic form: no stochastic events), and the TIA as a 0 V sense
// source with a first-order low-pass. The recorded probes are the experiment's, on ngspice's time
// points (or on the experiment's sampling grid, linearly interpolated).
#include <string>

#include "memlab/io/trace.hpp"
#include "memlab/protocol/experiment.hpp"

namespace memlab::protocol {

// The deck (with its .tran line, without .control), for inspection and for the tests.
std::string ngspice_deck(const experiment& e, std::size_t device_index = 0);

// Runs the deck in libngspice and streams the experiment's probes into `sink`. The result's
// metrics carry "engine": "ngspice" and ngspice's time-point count. Throws solver_error with
// ngspice's own message if the transient fails, input_error for a probe ngspice cannot give.
run_result run_ngspice(const experiment& e, io::trace_sink& sink, std::size_t device_index = 0);

}  // namespace memlab::protocol
