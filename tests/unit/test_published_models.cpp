// The published models from their rate functions: thresholds below which nothing moves, and
// reductions (transport off gives a fixed resistor); every model states its regime. (Hysteresis, relaxation, retention and seeded
// events in a circuit: tests/validation/test_published_circuits.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "memlab/device/regime.hpp"
#include "memlab/device/registry.hpp"

using namespace memlab;

namespace {

std::vector<double> rates_at(const device::model& m, double v, const std::vector<double>& s) {
    std::vector<double> ds(s.size());
    m.rates(v, s, ds);
    return ds;
}

std::vector<double> initial(const device::model& m) {
    std::vector<double> s(m.n_states());
    m.initial_state(s);
    return s;
}

}  // namespace

TEST(Published, ThresholdModelsDoNotMoveBelowThreshold) {
    // VTEAM and Yakopcic: exactly zero rate between the thresholds, nonzero beyond.
    for (const char* name : {"vteam", "yakopcic"}) {
        auto m = device::make_model(name);
        const double vp = name == std::string("vteam") ? m->get("v_off") : m->get("v_p");
        const double vn = name == std::string("vteam") ? -m->get("v_on") : m->get("v_n");
        const auto s = initial(*m);
        EXPECT_EQ(rates_at(*m, 0.99 * vp, s)[0], 0.0) << name;
        EXPECT_EQ(rates_at(*m, -0.99 * vn, s)[0], 0.0) << name;
        EXPECT_NE(rates_at(*m, 1.2 * vp, s)[0], 0.0) << name;
        EXPECT_NE(rates_at(*m, -1.2 * vn, s)[0], 0.0) << name;
    }
    // Stanford-PKU: below the field F_min the gap stays (smoothly: over 1e6 times slower).
    auto m = device::make_model("stanford_pku");
    m->set("g_init", 1.0e-9);
    const auto s = initial(*m);
    const double gamma = m->get("gamma0") - m->get("beta") * 1.0;
    const double v_min = m->get("f_min") * m->get("t_ox") / gamma;
    EXPECT_LT(std::fabs(rates_at(*m, 0.8 * v_min, s)[0]), 1e-6 * std::fabs(rates_at(*m, 1.2 * v_min, s)[0]));
    EXPECT_LT(std::fabs(rates_at(*m, -0.8 * v_min, s)[0]), 1e-6 * std::fabs(rates_at(*m, -1.2 * v_min, s)[0]));
}

TEST(Published, EveryModelStatesItsRegime) {
    // The circuit tests (tests/validation/test_published_circuits.cpp), the ngspice cross-check
    // and the benches run every registered model in the regime it states; one it does not state
    // would go untested.
    for (const auto& name : device::model_names()) {
        const auto m = device::make_model(name);
        const auto* g = m->typical_regime();
        ASSERT_NE(g, nullptr) << name << " states no regime (typical_regime)";
        EXPECT_GT(g->series_resistance, 0.0) << name;
        EXPECT_GT(g->slow.rate, 0.0) << name;
        EXPECT_GT(g->cross_check.rate, 0.0) << name;
        EXPECT_GT(g->train.n, 0u) << name;
        EXPECT_NO_THROW(m->set(g->set)) << name;
        EXPECT_NO_THROW(device::make_model(name)->set(g->transport_off)) << name;
    }
}

TEST(Published, TransportOffGivesAFixedResistor) {
    // Every model whose regime names the parameters that switch its transport off.
    std::vector<std::pair<std::string, std::map<std::string, double>>> off;
    for (const auto& name : device::model_names()) {
        const auto* g = device::make_model(name)->typical_regime();
        if (g && !g->transport_off.empty()) off.emplace_back(name, g->transport_off);
    }
    EXPECT_GE(off.size(), 7u);
    for (const auto& [name, params] : off) {
        auto m = device::make_model(name);
        m->set(params);
        const auto s = initial(*m);
        for (double v : {-2.0, -0.5, 0.3, 1.0, 2.5}) EXPECT_EQ(rates_at(*m, v, s)[0], 0.0) << name << " at " << v << " V";
    }
}
