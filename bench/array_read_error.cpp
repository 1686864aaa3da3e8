// The read error of 1R against 1T1R arrays, against array size and line resistance: the same
// random conductance map (Stanford-PKU devices, gaps drawn uniformly in 0.8..1.4 nm: about 20 to
// 200 uS at the 0.2 V read) read row by row with every column sensed (memlab/array/array.hpp),
// each read compared with its cell alone (device, and transistor at the read gate). Writes
// bench/results/array_read_error.json (machine and date included) and prints a table.
//
//   build/release/bench/bench_array_read_error [results.json]
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench_common.hpp"
#include "memlab/array/array.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/util/rng.hpp"

using namespace memlab;

namespace {

array::spec make(std::size_t n, array::cell_type cell, double r_line, std::uint64_t seed) {
    array::spec s;
    s.rows = s.cols = n;
    s.cell = cell;
    s.bit_line_resistance = s.source_line_resistance = r_line;
    s.word_line_resistance = cell == array::cell_type::t1r1 ? r_line : 0.0;
    auto m = device::make_model("stanford_pku");
    m->set({{"kicks", 0.0}});
    std::shared_ptr<const device::model> shared = std::move(m);
    util::rng r(seed);
    for (std::size_t i = 0; i < s.cells(); ++i) {
        s.devices.push_back(shared);
        s.initial_state.push_back({0.8e-9 + 0.6e-9 * r.uniform()});
    }
    if (cell == array::cell_type::t1r1) s.transistor = std::make_shared<device::mosfet>();
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const auto arg = bench::results_path(argc, argv, "bench/results/array_read_error.json");
    if (arg.exit_code) return *arg.exit_code;
    nlohmann::json out{{"machine", bench::machine()}, {"date", bench::utc_now()}, {"runs", nlohmann::json::array()}};
    out["what"] = "read error (apparent conductance / cell alone - 1) of a random 20..200 uS map, 0.2 V read, row by row, all columns sensed";
    std::printf("%-5s %5s %9s %12s %12s %10s %8s\n", "cell", "n", "R_line", "rms error", "worst error", "unknowns", "time");
    for (const auto cell : {array::cell_type::r1, array::cell_type::t1r1})
        for (const std::size_t n : {4u, 8u, 16u, 32u})
            for (const double r_line : {0.0, 1.0, 5.0, 20.0}) {
                const auto s = make(n, cell, r_line, 7);
                circuit::solver_options o;
                o.rtol = 1e-6, o.atol_voltage = 1e-6;
                const auto t0 = std::chrono::steady_clock::now();
                array::controller ses(s, o, 1, {}, nullptr);
                array::read_settings rs;
                rs.voltage = 0.2, rs.width = 200e-9, rs.gate = 3.3;
                const auto r = ses.read(rs);
                const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                const auto e = array::compare(r.apparent, r.cell);
                std::printf("%-5s %5zu %7.1f O %12.3e %12.3e %10zu %7.2fs\n", array::cell_name(cell), n, r_line, e.rms, e.worst,
                            ses.simulation().stats().unknowns, secs);
                std::fflush(stdout);
                out["runs"].push_back({{"cell", array::cell_name(cell)}, {"n", n}, {"line_resistance_ohm", r_line}, {"rms_error", e.rms},
                                       {"worst_error", e.worst}, {"unknowns", ses.simulation().stats().unknowns},
                                       {"steps", ses.simulation().stats().steps}, {"seconds", secs}});
            }
    std::ofstream(arg.path) << out.dump(2) << "\n";
    return 0;
}
