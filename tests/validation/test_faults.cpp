// Faults a run can meet, each injected through the engine's public interface (a device model of the
// test's own, a circuit built in code): a device that returns NaN, a singular circuit, a step size
// that collapses, an event storm. Each stops with one line naming the time and the state, a kind
// of its own and so an exit status of its own (memlab::exit_status), and records nothing that is
// not finite. (The command line's faults, a killed worker, a full disk and interrupts:
// tests/cli/test_faults.py.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/descriptor.hpp"
#include "memlab/error.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/stimulus/waveform.hpp"

using namespace memlab;

namespace {

struct fault_params {
    double k;      // 1/s: growth rate, or the hazard rate
    double x_bad;  // the state past which the device misbehaves
};
struct fault_state {
    enum index : std::size_t { x };
};
constexpr double big = std::numeric_limits<double>::max();
constexpr device::parameter<fault_params> fault_parameters[]{
    {&fault_params::k, "k", "1/s", 1e3, {0.0, big}, "k", "rate", "test"},
    {&fault_params::x_bad, "x_bad", "1", 2.0, {0.0, big}, "x_bad", "state past which the device misbehaves", "test"}};
constexpr device::state<fault_state::index> fault_states[]{{fault_state::x, "x", "1", 1e-9, "test state"}};

// dx/dt = k (linear growth from x = 1); the current is NaN once x passes x_bad.
class nan_device final : public device::basic_model<fault_params> {
public:
    nan_device() : basic_model(fault_parameters, fault_states) {}
    std::string_view name() const override { return "nan_device"; }
    std::string_view summary() const override { return "test device"; }
    void initial_state(std::span<double> s) const override { s[fault_state::x] = 1; }
    double current(double v, std::span<const double> s) const override {
        return s[fault_state::x] > p_.x_bad ? std::numeric_limits<double>::quiet_NaN() : v * 1e-6;
    }
    void rates(double, std::span<const double>, std::span<double> ds) const override { ds[fault_state::x] = p_.k; }
    std::unique_ptr<model> clone() const override { return std::make_unique<nan_device>(*this); }
};

// Finite-time blow-up: dx/dt = k x^2 reaches infinity at t = 1/k; the step size collapses first.
class blow_up final : public device::basic_model<fault_params> {
public:
    blow_up() : basic_model(fault_parameters, fault_states) {}
    std::string_view name() const override { return "blow_up"; }
    std::string_view summary() const override { return "test device"; }
    void initial_state(std::span<double> s) const override { s[fault_state::x] = 1; }
    double current(double v, std::span<const double>) const override { return v * 1e-6; }
    void rates(double, std::span<const double> s, std::span<double> ds) const override {
        ds[fault_state::x] = p_.k * s[fault_state::x] * s[fault_state::x];
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<blow_up>(*this); }
};

// Poisson events at rate k that change nothing: at k = 1e30 /s they come faster than any step.
class storm_device final : public device::basic_model<fault_params> {
public:
    storm_device() : basic_model(fault_parameters, fault_states) {}
    std::string_view name() const override { return "storm_device"; }
    std::string_view summary() const override { return "test device"; }
    void initial_state(std::span<double> s) const override { s[fault_state::x] = 1; }
    double current(double v, std::span<const double>) const override { return v * 1e-6; }
    void rates(double, std::span<const double>, std::span<double> ds) const override { ds[fault_state::x] = 0; }
    std::size_t n_hazards() const override { return 1; }
    void hazards(double, std::span<const double>, std::span<double> h) const override { h[0] = p_.k; }
    std::unique_ptr<model> clone() const override { return std::make_unique<storm_device>(*this); }
};

template <class Device>
std::shared_ptr<Device> make(double k) {
    auto d = std::make_shared<Device>();
    d->set("k", k);
    return d;
}

// Runs V1 -> R1 -> M1 for `t_end`; returns the solver error (the test fails if there is none) and
// checks the line it gives and what was recorded.
solver_error run_to_failure(std::shared_ptr<device::model> dut, double t_end) {
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "a", "b", 1e3);
    c.add_memristor("M1", "b", "0", std::move(dut));
    circuit::simulation sim(c);
    io::memory_trace tr;
    try {
        sim.run(t_end, {{"i(M1)", "M1.x"}, 0}, tr);
    } catch (const solver_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        EXPECT_NE(m.find("t = "), std::string::npos) << m;
        EXPECT_NE(m.find("state: "), std::string::npos) << m;
        EXPECT_NE(m.find("M1.x="), std::string::npos) << m;
        for (const auto& ch : {"i(M1)", "M1.x"})
            for (double v : tr.column(ch)) EXPECT_TRUE(std::isfinite(v)) << ch;
        return e;
    }
    ADD_FAILURE() << "the run did not fail";
    return solver_error("none", -1);
}

}  // namespace

TEST(Faults, ADeviceThatReturnsNaN) {
    // x = 1 + k t passes x_bad = 2 at t = 1 ms.
    const auto e = run_to_failure(make<nan_device>(1e3), 10e-3);
    EXPECT_EQ(e.kind(), solver_failure::not_finite) << e.what();
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
    EXPECT_NEAR(e.time(), 1e-3, 1e-4) << e.what();
    EXPECT_EQ(exit_status::of(e.kind()), exit_status::not_finite);
}

TEST(Faults, ASingularCircuit) {
    // Two sources in parallel: the branch currents are not determined.
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_voltage_source("V2", "a", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "a", "0", 1e3);
    try {
        circuit::simulation sim(c);
        FAIL() << "a singular circuit was accepted";
    } catch (const solver_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(e.kind(), solver_failure::singular) << m;
        EXPECT_EQ(e.time(), 0.0);
        EXPECT_NE(m.find("singular at t = 0 s"), std::string::npos) << m;
        EXPECT_NE(m.find("i(V1)"), std::string::npos) << m;
        EXPECT_NE(m.find("state: v(a)="), std::string::npos) << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        EXPECT_EQ(exit_status::of(e.kind()), exit_status::singular);
    }
}

TEST(Faults, AStepSizeCollapse) {
    // Blow-up at 1/k = 1 ms: the solver stops before it, without recording anything infinite.
    const auto e = run_to_failure(make<blow_up>(1e3), 10e-3);
    EXPECT_EQ(e.kind(), solver_failure::no_progress) << e.what();
    EXPECT_GT(e.time(), 0.9e-3) << e.what();
    EXPECT_LT(e.time(), 1.1e-3) << e.what();
    EXPECT_EQ(exit_status::of(e.kind()), exit_status::no_progress);
}

TEST(Faults, ALargeCircuitShowsTheFailingNeighbourhood) {
    // 40 nodes of resistor ladder before the blow-up device: the first 24 unknowns are ladder nodes
    // that say nothing of the failure; the report shows the device's state and its nodes first.
    circuit::circuit c;
    c.add_voltage_source("V1", "n0", "0", stimulus::dc(1.0));
    constexpr int rungs = 40;
    for (int k = 0; k < rungs; ++k) {
        c.add_resistor(fmt::format("R{}", k), fmt::format("n{}", k), fmt::format("n{}", k + 1), 10.0);
        c.add_resistor(fmt::format("G{}", k), fmt::format("n{}", k + 1), "0", 1e6);
    }
    c.add_memristor("M1", fmt::format("n{}", rungs), "0", make<blow_up>(1e3));
    circuit::simulation sim(c);
    io::memory_trace tr;
    try {
        sim.run(10e-3, {{"M1.x"}, 0}, tr);
        FAIL() << "the run did not fail";
    } catch (const solver_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        EXPECT_NE(m.find("largest local error in M1.x"), std::string::npos) << m;
        const auto state = m.find("state: ");
        ASSERT_NE(state, std::string::npos) << m;
        EXPECT_EQ(m.find("M1.x=", state), state + 7) << m;  // the failing unknown first
        EXPECT_NE(m.find(fmt::format("v(n{})=", rungs), state), std::string::npos) << m;  // its node
        EXPECT_NE(m.find("more)", state), std::string::npos) << m;  // and not all 80 of them
    }
}

TEST(Faults, AnEventStorm) {
    const auto e = run_to_failure(make<storm_device>(1e30), 1e-3);
    EXPECT_EQ(e.kind(), solver_failure::event_storm) << e.what();
    EXPECT_NE(std::string(e.what()).find("event storm"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("M1 hazard 0"), std::string::npos) << e.what();
    EXPECT_LT(e.time(), 1e-12) << e.what();
    EXPECT_EQ(exit_status::of(e.kind()), exit_status::event_storm);
}

TEST(Faults, ManyEventsAreNoStorm) {
    // 1e6 events per second over 1 ms: a thousand events, each after steps of their own.
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_memristor("M1", "a", "0", make<storm_device>(1e6));
    circuit::simulation sim(c);
    sim.advance(1e-3);
    EXPECT_GT(sim.stats().events, 800);
    EXPECT_LT(sim.stats().events, 1200);
}

TEST(Faults, EveryWayToEndHasItsOwnExitStatus) {
    namespace x = exit_status;
    const std::set<int> codes{x::ok, x::targets_fail, x::input, x::internal, x::write_failed, x::experiments_lost,
                              x::not_finite, x::singular, x::no_progress, x::event_storm, 128 + 2, 128 + 15};
    EXPECT_EQ(codes.size(), 12u);
}
