// Experiment files as a user writes them: the input is the file's text, read as `memlab
// show-config` and `memlab run` read it (a circuit file, an [md], [array] or [network] file; an
// array of at most 64 cells is also built with its engine and drivers), and for a circuit file
// what a run sets up before its first step: the circuit of every device, the simulation (the
// unknowns, the singular check, the consistent start), and the stimulus over its breakpoints.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "fuzz_common.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/protocol/md_file.hpp"
#include "memlab/protocol/array_file.hpp"
#include "memlab/protocol/network_file.hpp"
#include "memlab/array/experiment.hpp"
#include "memlab/array/array.hpp"

using namespace memlab;

namespace {

void check_stimulus(const stimulus::waveform& w) {
    // At most a few thousand breakpoints are walked: enough to meet any malformed one early.
    double t = 0;
    for (int k = 0; k < 2000 && std::isfinite(t); ++k) {
        if (!std::isfinite(w.value(t))) fuzz::finding("the stimulus is not finite", std::to_string(t).c_str());
        const double next = w.next_breakpoint(t);
        if (!(next > t)) fuzz::finding("next_breakpoint does not advance", std::to_string(t).c_str());
        t = next;
    }
    (void)w.describe().dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto file = fuzz::write_scratch("experiment.toml", data, size);
    if (protocol::is_md_file(file)) {
        fuzz::accepts([&] { (void)protocol::load_md(file).resolved.dump(2); });
        return 0;
    }
    if (protocol::is_array_file(file)) {
        fuzz::accepts([&] {
            const auto e = protocol::load_array(file);
            (void)e.resolved.dump(2);
            if (e.array.rows * e.array.cols <= 64) array::controller c(e.array, e.solver, e.seed, {}, nullptr);
        });
        return 0;
    }
    if (protocol::is_network_file(file)) {
        fuzz::accepts([&] { (void)protocol::load_network(file).resolved.dump(2); });
        return 0;
    }
    fuzz::accepts([&] {
        const auto e = protocol::load(file);
        (void)e.resolved.dump(2);
        check_stimulus(*e.stimulus);
        if (e.history) check_stimulus(*e.source_waveform());  // the history, then the stimulus
        for (std::size_t k = 0; k < std::min<std::size_t>(e.devices, 3); ++k) {
            const auto c = e.build_circuit(k);
            circuit::simulation sim(c, e.solver, e.seed + k);
        }
    });
    return 0;
}
