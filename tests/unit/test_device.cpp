#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <set>

#include "memlab/device/agsn.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/error.hpp"

using namespace memlab;

TEST(Device, RegistryKnowsVteamAndRejectsUnknown) {
    const auto names = device::model_names();
    EXPECT_NE(std::find(names.begin(), names.end(), "vteam"), names.end());
    auto m = device::make_model("vteam");
    EXPECT_EQ(m->name(), "vteam");
    try {
        device::make_model("vtaem");
        FAIL();
    } catch (const input_error& e) {
        EXPECT_NE(std::string(e.what()).find("vtaem"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("vteam"), std::string::npos);  // lists the known ones
    }
}

TEST(Device, EveryParameterHasUnitMeaningAndSource) {
    for (const auto& name : device::model_names()) {
        auto m = device::make_model(name);
        for (const auto& p : m->parameter_table()) {
            EXPECT_FALSE(p.unit.empty()) << name << "." << p.name;
            EXPECT_FALSE(p.meaning.empty()) << name << "." << p.name;
            EXPECT_FALSE(p.source.empty()) << name << "." << p.name;
            EXPECT_GE(p.default_value, p.min) << name << "." << p.name;
            EXPECT_LE(p.default_value, p.max) << name << "." << p.name;
        }
    }
}

TEST(Device, SetIsTransactional) {
    device::vteam m;
    const double r_on = m.get("r_on");
    // r_off below r_on is inconsistent: nothing may change, not even the valid first key.
    EXPECT_THROW(m.set({{"k_off", 1e-3}, {"r_off", 10.0}}), input_error);
    EXPECT_EQ(m.get("r_on"), r_on);
    EXPECT_EQ(m.get("k_off"), 3e-4);
    EXPECT_THROW(m.set("nope", 1.0), input_error);
    EXPECT_THROW(m.set("alpha_off", 100.0), input_error);  // out of range
    m.set_text({{"r_on", "2 kOhm"}, {"v_off", "600 mV"}});
    EXPECT_DOUBLE_EQ(m.get("r_on"), 2e3);
    EXPECT_DOUBLE_EQ(m.params().v_off, 0.6);
    EXPECT_THROW(m.set_text({{"r_on", "2 kV"}}), input_error);
}

TEST(Device, RangesAreWrittenWithUnitsAndOpenEnds) {
    const device::vteam m;
    const auto& t = m.parameter_table();
    const auto row = [&](std::string_view n) { return *std::find_if(t.begin(), t.end(), [&](const auto& p) { return p.name == n; }); };
    EXPECT_EQ(device::range_text(row("r_on")), "[1 mOhm, 1000 TOhm]");
    EXPECT_EQ(device::range_text(row("k_on")), "(-inf, 0 m/s]");
    EXPECT_EQ(device::range_text(row("v_off")), "[1 nV, inf)");
    device::vteam v;
    try {
        v.set("k_off", -1.0);
        FAIL();
    } catch (const input_error& e) {
        EXPECT_NE(std::string(e.what()).find("vteam.k_off: -1 m/s is outside the allowed range [0 m/s, inf)"), std::string::npos) << e.what();
    }
}

TEST(Device, CheckSeesTheWholeLoweredCandidate) {
    // h_s_max must stay below L: alone it is rejected and nothing changes; with L raised in the
    // same set it is consistent, and both are lowered.
    device::agsn_sio2_pt m;
    const double L = m.params().L;
    EXPECT_THROW(m.set("h_s_max", L), input_error);
    EXPECT_EQ(m.params().h_s_max, m.get("h_s_max"));
    EXPECT_LT(m.params().h_s_max, L);
    m.set({{"L", 2 * L}, {"h_s_max", 1.5 * L}});
    EXPECT_EQ(m.params().L, 2 * L);
    EXPECT_EQ(m.params().h_s_max, 1.5 * L);
    EXPECT_EQ(m.get("h_s_max"), 1.5 * L);
}

TEST(Device, EveryModelsStatesAreNamedAndInitialised) {
    for (const auto& name : device::model_names()) {
        const auto m = device::make_model(name);
        std::set<std::string> seen;
        std::vector<double> s(m->n_states(), NAN);
        m->initial_state(s);
        for (std::size_t k = 0; k < s.size(); ++k) {
            const auto& st = m->states()[k];
            EXPECT_TRUE(seen.insert(st.name).second) << name << "." << st.name;
            EXPECT_FALSE(st.unit.empty()) << name << "." << st.name;
            EXPECT_GT(st.abs_tolerance, 0.0) << name << "." << st.name;
            EXPECT_TRUE(std::isfinite(s[k])) << name << "." << st.name << " has no initial value";
        }
    }
}

TEST(Device, VteamAnalyticJacobianMatchesDifferences) {
    device::vteam m;
    std::vector<double> s{1.2e-9};
    double di_dv = 0;
    std::vector<double> di_ds(1);
    m.current_jacobian(0.7, s, di_dv, di_ds);
    double fd_dv = 0;
    std::vector<double> fd_ds(1);
    m.model::current_jacobian(0.7, s, fd_dv, fd_ds);
    EXPECT_NEAR(di_dv, fd_dv, 1e-6 * std::fabs(fd_dv));
    EXPECT_NEAR(di_ds[0], fd_ds[0], 1e-5 * std::fabs(fd_ds[0]));
}

TEST(Device, VteamThresholdsAndDirections) {
    device::vteam m;
    const auto& p = m.params();
    EXPECT_EQ(device::vteam_rate(p, 0.49, 1.5e-9), 0.0);
    EXPECT_EQ(device::vteam_rate(p, -0.49, 1.5e-9), 0.0);
    EXPECT_GT(device::vteam_rate(p, 0.7, 1.5e-9), 0.0);   // toward w_off
    EXPECT_LT(device::vteam_rate(p, -0.7, 1.5e-9), 0.0);  // toward w_on
    // The window stops the state near its bounds.
    EXPECT_LT(device::vteam_rate(p, 1.0, p.w_off + 5 * p.w_c), 1e-50);
    EXPECT_DOUBLE_EQ(device::vteam_resistance(p, p.w_on), p.r_on);
    EXPECT_DOUBLE_EQ(device::vteam_resistance(p, p.w_off), p.r_off);
}

TEST(Device, RngIsSeededAndUniformInOpenInterval) {
    device::rng a(42), b(42), c(43);
    std::set<std::uint64_t> seen;
    double sum = 0;
    for (int k = 0; k < 10000; ++k) {
        const double ua = a.uniform();
        EXPECT_EQ(ua, b.uniform());
        ASSERT_GT(ua, 0.0);
        ASSERT_LT(ua, 1.0);
        sum += ua;
        seen.insert(c.next());
    }
    EXPECT_NEAR(sum / 10000, 0.5, 4 * std::sqrt(1.0 / 12 / 10000));
    EXPECT_EQ(seen.size(), 10000u);
    device::rng d(42);
    EXPECT_NE(d.uniform(), device::rng(43).uniform());
}
