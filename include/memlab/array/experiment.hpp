#pragma once
// An array experiment: an array (memlab/array/array.hpp) and a sequence of operations on it, as an
// array file describes them (loaded by protocol::load_array), and its run: every operation on one
// continued simulation, the maps of every read and programming, and the metrics.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/array/array.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/io/trace.hpp"

namespace memlab::array {

struct operation {
    enum class kind { read, program, pulse, rest };
    kind k = kind::read;
    std::string label;  // "read1", "program1", "pulse1", "rest1": numbered per kind, in file order
    read_settings read;
    program_settings program;
    pulse_settings pulse;
    std::size_t row = 0, col = 0;  // the pulsed cell
    double duration = 0;           // s, rest
};

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
