// `memlab run FILE --engine ngspice` against memlab's engine on the same experiment files: the
// AWG with a TIA (VTEAM demo), the SMU sweep (VTEAM demo), and the paper's all-or-none protocol
// on the AgSn device (10 MOhm series, 1 pF), memlab with its stochastic events off. Every recorded
// probe must agree within 1 % of its range on memlab's sampling grid.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "memlab/analysis/analysis.hpp"
#include "memlab/error.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/protocol/ngspice_engine.hpp"
#include "memlab/stimulus/waveform.hpp"

using namespace memlab;

namespace {

const std::string dir = MEMLAB_SOURCE_DIR "/experiments/";

void compare(const std::string& file, const std::vector<std::string>& sets, double tol = 0.01, const std::string& where = dir) {
    auto e = protocol::load(where + file, sets);
    io::memory_trace a, b;
    protocol::run(e, a);
    const auto r = protocol::run_ngspice(e, b);
    EXPECT_EQ(r.metrics["engine"], "ngspice");
    ASSERT_GT(b.size(), 10u);
    for (std::size_t k = 1; k < a.channels().size(); ++k) {
        const auto& name = a.channels()[k].name;
        const auto& x = a.column(name);
        const auto& y = b.column(name);
        const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
        const double range = *hi - *lo;
        // A channel that does not move (a neck at its one-atom radius) has only rounding to compare.
        if (range <= 1e-5 * std::max(std::fabs(*lo), std::fabs(*hi))) continue;
        double err = 0;
        for (std::size_t j = 0; j < b.size(); ++j)
            err = std::max(err, std::fabs(analysis::interpolate(a.time(), x, b.time()[j]) - y[j]));
        std::printf("[engine] %s %s: max difference %.3g of range %.3g\n", file.c_str(), name.c_str(), range > 0 ? err / range : err, range);
        if (range > 0) {
            EXPECT_LT(err / range, tol) << file << " " << name;
        }
    }
}

}  // namespace

TEST(NgspiceEngine, AwgWithTiaAgrees) {
    compare("demo_vteam_pulses.toml", {"solver.rtol=1e-8"});
}

TEST(NgspiceEngine, SmuSweepAgrees) {
    compare("demo_vteam_smu_sweep.toml", {"solver.rtol=1e-8"});
}

TEST(NgspiceEngine, AllOrNoneOnTheAgSnDeviceAgrees) {
    // The set is a runaway (the filament speeds its own growth): both engines need tight
    // tolerances before they agree on when it happens.
    compare("all_or_none.toml", {"solver.events=false", "solver.rtol=1e-10", "solver.state_atol_scale=1e-4", "recording.sample_interval=\"100 us\""});
}

TEST(NgspiceEngine, SynapsePulsesOnTheAgSnDeviceAgree) {
    // The nonvolatile regime (since 2026-12-05): five +1 V and five -0.8 V pulses of synapse.toml through
    // 1 kOhm, events off. The set, the neck's growth through 2D nuclei, its Holm heating and the
    // thick contact's field and opening all act here (none of them does in the volatile files
    // above, where the neck stays one atom wide), so this is their check of the exported form.
    compare("synapse.toml", {"solver.events=false", "stimulus.write_counts=[5, 5]", "stimulus.cycles=1", "solver.rtol=1e-8"});
}

TEST(NgspiceEngine, ProbesNgspiceCannotGiveAreErrors) {
    auto e = protocol::load(dir + "demo_vteam_pulses.toml", {"recording.probes=[\"i(Cp)\"]"});
    io::memory_trace b;
    try {
        protocol::run_ngspice(e, b);
        FAIL();
    } catch (const input_error& err) {
        EXPECT_NE(std::string(err.what()).find("i(Cp)"), std::string::npos) << err.what();
    }
}

TEST(NgspiceEngine, VolatileSmuCycleOnTheAgSnDeviceAgrees) {
    // One 10 nA I(V) cycle (the speed benchmark's): the SMU deck starts from ngspice's operating
    // point with the device states held by .ic (with uic its helper nodes started at 0 V and
    // Newton ran away at the first step). The set is a runaway, so both engines run tight.
    compare("volatile_cycle.toml", {"solver.events=false", "solver.rtol=1e-10", "solver.state_atol_scale=1e-4", "recording.sample_interval=\"100 us\""}, 0.01,
            MEMLAB_SOURCE_DIR "/bench/experiments/");
}

TEST(NgspiceEngine, SetDelayLawOnTheAgSnDeviceAgrees) {
    // One sweep of set_delay.toml (1.0..2.4 V, 0.5 s pulses, 1 s rests, through 10 MOhm), events
    // off: the delay to SET at each amplitude, over five decades (148 ms at 1 V to 2.6 us at 2.4 V),
    // must agree within 2 %. ngspice stopped at the end of the first pulse's fall until the PWL
    // export stopped writing the ends of ramps as 1 ps steps; at the file's rtol 1e-6 it still
    // stops in the 2.2 V set (a runaway), so both engines run at 1e-8.
    auto e = protocol::load(dir + "set_delay.toml", {"solver.events=false", "stimulus.repeat=1", "solver.rtol=1e-8"});
    io::memory_trace a, b;
    protocol::run(e, a);
    protocol::run_ngspice(e, b);
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    ASSERT_TRUE(pl);
    const auto delays = [&](const io::memory_trace& tr) {
        std::vector<double> d;
        const auto& t = tr.time();
        const auto& i = tr.column("i(DUT)");
        for (const auto& p : pl->pulses()) {
            double x = NAN;
            for (std::size_t k = 0; k < t.size() && std::isnan(x); ++k)
                if (t[k] >= p.start && t[k] <= p.start + pl->rise() + p.width && i[k] >= 0.5 * p.level / e.series_resistance) x = t[k] - p.start;
            d.push_back(x);
        }
        return d;
    };
    const auto da = delays(a), db = delays(b);
    ASSERT_EQ(da.size(), 8u);
    for (std::size_t k = 0; k < da.size(); ++k) {
        std::printf("[engine] set_delay %.1f V: memlab %.4g s, ngspice %.4g s\n", pl->pulses()[k].level, da[k], db[k]);
        ASSERT_TRUE(std::isfinite(da[k]) && std::isfinite(db[k])) << k;
        EXPECT_NEAR(db[k] / da[k], 1.0, 0.02) << pl->pulses()[k].level << " V";
    }
    EXPECT_GT(da.front() / da.back(), 1e4);  // the law spans more than four decades
}
