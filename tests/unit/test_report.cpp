// The integrate targets on synthetic traces of the paper's protocol (experiments/integrate.toml):
// the on-state conductance of each pulse set by hand, so that what the analysis reads is known.
#include <gtest/gtest.h>

#include <cmath>

#include "memlab/io/trace.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/report/targets.hpp"
#include "memlab/stimulus/waveform.hpp"

using namespace memlab;

namespace {

// A trace sampled every 10 us over the 9 pulses: during pulse k the device holds conductance g[k]
// at v(top) = 0.2 V; between pulses it is at 1 pS and 0 V.
io::memory_trace integrate_trace(const protocol::experiment& e, const std::vector<double>& g) {
    const auto* pl = dynamic_cast<const stimulus::pulse_list*>(e.stimulus.get());
    io::memory_trace tr;
    tr.begin({{"time", "s"}, {"v(in)", "V"}, {"v(top)", "V"}, {"i(DUT)", "A"}});
    for (double t = 0; t <= e.duration; t += 10e-6) {
        const long k = pl->pulse_index_at(t);
        const auto& ps = pl->pulses();
        const bool on = k >= 0 && t >= ps[static_cast<std::size_t>(k)].start &&
                        t <= ps[static_cast<std::size_t>(k)].start + pl->rise() + ps[static_cast<std::size_t>(k)].width;
        const double v = on ? 0.2 : 0.0, gk = on ? g[static_cast<std::size_t>(k)] : 1e-12;
        const double row[] = {t, pl->value(t), v, gk * v};
        tr.append(row);
    }
    return tr;
}

std::map<std::string, report::result> evaluate(const std::vector<double>& g) {
    const auto e = protocol::load(MEMLAB_SOURCE_DIR "/experiments/integrate.toml");
    std::map<std::string, report::result> out;
    for (auto& r : report::evaluate(e, {integrate_trace(e, g)})) out[r.id] = r;
    return out;
}

}  // namespace

TEST(Report, IntegrateCountsRisesAboveOnePercentOnly) {
    // A hold pinned at one conductance with 0.5 % wiggles up: not integration.
    std::vector<double> flat, rising;
    for (int k = 0; k < 9; ++k) flat.push_back(1.54e-6 * std::pow(1.005, k)), rising.push_back(1e-6 * std::pow(1.2, k));
    auto f = evaluate(flat);
    EXPECT_FALSE(f.at("integrate.rising").pass) << f.at("integrate.rising").simulated;
    EXPECT_FALSE(f.at("integrate.nonlinear").pass);
    // 20 % per pulse: 8 of 8 rises, G9/G1 = 4.3, the first step a small part of the growth.
    auto r = evaluate(rising);
    EXPECT_TRUE(r.at("integrate.rising").pass) << r.at("integrate.rising").simulated;
    EXPECT_EQ(r.at("integrate.rising").simulated, "8 of 8 increments positive");
    EXPECT_TRUE(r.at("integrate.nonlinear").pass);
    EXPECT_NEAR(r.at("integrate.nonlinear").simulated.get<double>(), std::pow(1.2, 8), 0.01);
    // All at once on the first pulse, then flat: neither.
    std::vector<double> once(9, 4e-6);
    once[0] = 1e-6;
    auto o = evaluate(once);
    EXPECT_FALSE(o.at("integrate.rising").pass);
    EXPECT_FALSE(o.at("integrate.nonlinear").pass);
}
