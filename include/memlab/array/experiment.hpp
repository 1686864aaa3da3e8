#pragma once
// An array experiment: an array (memlab/array/array.hpp) and a sequence of operations on it, as an
// array file describes them (loaded by protocol::load_array), and its run: every operation on one
// continued simulation, the maps of every read and programming, and the metrics.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/array/array.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/io/trace.hpp"

namespace memlab::array {

struct operation {
    enum class kind { read, program, pulse, rest, gate, drive };
    kind k = kind::read;
    std::string label;  // "read1", "program1", "pulse1", "rest1", "gate1", "drive1": numbered per
                        // kind, in file order
    read_settings read;
    program_settings program;
    pulse_settings pulse;
    std::size_t row = 0, col = 0;  // the pulsed cell
    double duration = 0;           // s, rest
    std::vector<double> gates;     // V, gate: one level per word line
    stimulus::waveform_ptr waveform;   // drive: on every bit line
    std::vector<std::size_t> columns;  // drive: the columns that see it (empty: all)
};

// A drive's pulses cell by cell (drive_result): a cell responds to a pulse when its device current
// reaches half its limit (a spike of a neuron cell, a SET of a synapse cell).
struct cell_responses {
    std::vector<std::size_t> pulses;  // 1-based indices of the responding pulses
    // Between consecutive responses, the device's smallest conductance over its largest during
    // the first of them (the return to HRS: the refractory period); the largest such ratio, NaN
    // with fewer than two responses.
    double refractory = NAN;
    std::size_t consecutive = 0;  // responses on the pulse right after another response
    double held = NAN;            // of the pulses after the first response, the fraction that respond
};
cell_responses responses(const drive_result& d, std::size_t r, std::size_t c);

struct experiment {
    std::string file, name, description, figure;
    std::uint64_t seed = 1;
    std::vector<std::string> targets;
    spec array;
    std::vector<operation> operations;
    std::vector<std::string> probes;  // recorded at every solver step
    circuit::solver_options solver;
    nlohmann::json resolved;  // the whole experiment, defaults filled in, with units
};

// One map of a run, as it goes to traces.h5 (group "maps", dataset `name`).
struct named_map {
    std::string name;  // "read1", "read1_cell", "program1_target", ...
    std::string unit;
    map values;
    double time = 0;  // s, when it was taken (end of the operation)
};

struct result {
    nlohmann::json metrics;
    circuit::run_stats stats;
    std::vector<named_map> maps;
};

// Runs every operation in order. `trace` receives the recorded probes.
result run(const experiment& e, io::trace_sink& trace);

}  // namespace memlab::array
