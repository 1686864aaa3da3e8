// The published models from their rate functions: thresholds below which nothing moves, and
// reductions (transport off gives a fixed resistor). (Hysteresis, relaxation, retention and seeded
// events in a circuit: tests/validation/test_published_circuits.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

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

TEST(Published, TransportOffGivesAFixedResistor) {
    const std::vector<std::pair<std::string, std::map<std::string, double>>> off{
        {"biolek", {{"mu_v", 0.0}}},
        {"stanford_pku", {{"vel0", 0.0}, {"kicks", 0.0}}},
        {"ielmini_ag", {{"a_drift", 0.0}, {"b_sd", 0.0}}},  // the diameter; the gap still follows it
        {"jart_ecm", {{"j0", 0.0}, {"c_ion", 0.0}}},         // the gap; nucleation is not transport
        {"yakopcic", {{"a_p", 0.0}, {"a_n", 0.0}}},
        {"vteam", {{"k_on", 0.0}, {"k_off", 0.0}}},
    };
    for (const auto& [name, params] : off) {
        auto m = device::make_model(name);
        m->set(params);
        const auto s = initial(*m);
        for (double v : {-2.0, -0.5, 0.3, 1.0, 2.5}) EXPECT_EQ(rates_at(*m, v, s)[0], 0.0) << name << " at " << v << " V";
    }
}
