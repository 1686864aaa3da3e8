// Stochastic events through integrated hazards: a device with hazard rate lambda * v must produce
// a Poisson process, exactly reproducible for a seed.
#include <gtest/gtest.h>

#include <cmath>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/descriptor.hpp"

using namespace memlab;

namespace {

// Counts events: hazard lambda * max(v, 0) (lambda in 1/(V s)); each event adds 1 to the state
// `count`. The conductance does not depend on the count, so the hazard stays constant and the
// count is Poisson with mean lambda v T.
struct counter_params {
    double g0;
};
struct counter_state {
    enum index : std::size_t { count };
};
constexpr device::parameter<counter_params> counter_parameters[]{
    {&counter_params::g0, "g0", "S", 1e-6, {0.0, 1.0}, "G0", "conductance", "test"}};
static_assert(device::each_member_once(counter_parameters));
constexpr device::state<counter_state::index> counter_states[]{{counter_state::count, "count", "1", 1e-9, "events counted by the test model"}};

// What the test counters share: a resistor of g0 whose one state, `count`, moves only at events.
class counter_model : public device::basic_model<counter_params> {
public:
    counter_model() : basic_model(counter_parameters, counter_states) {}
    std::string_view summary() const override { return "test device"; }
    void initial_state(std::span<double> s) const override { s[counter_state::count] = 0; }
    double current(double v, std::span<const double>) const override { return p_.g0 * v; }
    void rates(double, std::span<const double>, std::span<double> ds) const override { ds[counter_state::count] = 0; }
    std::size_t n_hazards() const override { return 1; }
};

class poisson_counter final : public counter_model {
public:
    explicit poisson_counter(double lambda) : lambda_(lambda) {}
    std::string_view name() const override { return "poisson_counter"; }
    void hazards(double v, std::span<const double>, std::span<double> h) const override { h[0] = lambda_ * std::max(v, 0.0); }
    void on_event(std::size_t, double, std::span<double> s, device::rng&) const override { s[counter_state::count] += 1; }
    std::unique_ptr<model> clone() const override { return std::make_unique<poisson_counter>(*this); }

private:
    double lambda_;
};

struct outcome {
    double count;
    std::vector<double> times;  // times at which the count changed
};

outcome run_counter(std::uint64_t seed, double T, double lambda) {
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "a", "b", 1e3);
    c.add_memristor("M1", "b", "0", std::make_shared<poisson_counter>(lambda));
    circuit::simulation sim(c, {}, seed);
    io::memory_trace tr;
    sim.run(T, {{"M1.count"}, 0}, tr);
    outcome o{sim.probe("M1.count"), {}};
    const auto& n = tr.column("M1.count");
    for (std::size_t k = 1; k < n.size(); ++k)
        if (n[k] != n[k - 1]) o.times.push_back(tr.time()[k]);
    EXPECT_EQ(static_cast<double>(sim.stats().events), o.count);
    return o;
}

}  // namespace

TEST(Events, PoissonCountMatchesRate) {
    const double lambda = 2000, T = 0.01;
    double total = 0;
    const int runs = 40;
    for (int s = 1; s <= runs; ++s) total += run_counter(static_cast<std::uint64_t>(s), T, lambda).count;
    // Device voltage: 1 V divided between 1 kOhm and the 1 MOhm device.
    const double v = 1e6 / (1e6 + 1e3);
    const double mean = total / runs;
    const double expected = lambda * T * v;  // 19.98
    EXPECT_NEAR(mean, expected, 4 * std::sqrt(expected / runs));  // 4 sigma of the mean of 40 Poisson counts
}

TEST(Events, SameSeedSameEventsOtherSeedOtherEvents) {
    const auto a = run_counter(7, 0.005, 2000), b = run_counter(7, 0.005, 2000), c = run_counter(8, 0.005, 2000);
    ASSERT_FALSE(a.times.empty());
    EXPECT_EQ(a.times, b.times);  // bit for bit
    EXPECT_NE(a.times, c.times);
}

TEST(Events, NoHazardNoEvents) {
    // A device at 0 V has zero hazard: no events, whatever the seed.
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(0.0));
    c.add_memristor("M1", "a", "0", std::make_shared<poisson_counter>(1e6));
    circuit::simulation sim(c, {}, 3);
    sim.advance(1.0);
    EXPECT_EQ(sim.probe("M1.count"), 0.0);
}

namespace {

// A counter that settles: hazard lambda * max(v, 0), fires every `per_draw` of its integral (adding
// per_draw to `count`) and at each breakpoint adds what it has counted since (on_settle). So
// `count` is the hazard's whole integral, and without settling only its whole draws.
class settling_counter final : public counter_model {
public:
    settling_counter(double lambda, double per_draw, bool settle) : lambda_(lambda), per_draw_(per_draw), settle_(settle) {}
    std::string_view name() const override { return "settling_counter"; }
    double hazard_threshold(std::size_t, device::rng&) const override { return 1.0; }
    void hazards(double v, std::span<const double>, std::span<double> h) const override { h[0] = lambda_ * std::max(v, 0.0) / per_draw_; }
    void on_event(std::size_t, double, std::span<double> s, device::rng&) const override { s[counter_state::count] += per_draw_; }
    bool settles(std::size_t) const override { return settle_; }
    bool on_settle(std::size_t, double count, double, std::span<double> s, device::rng&) const override {
        s[counter_state::count] += count * per_draw_;
        return true;
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<settling_counter>(*this); }

private:
    double lambda_, per_draw_;
    bool settle_;
};

struct settled_run {
    double count;
    circuit::run_stats stats;
};

// 10 pulses of 1 V, 1 ms wide, every 2 ms (edges 1 us), into 1 kOhm and the 1 MOhm device.
settled_run run_settling(double per_draw, bool settle) {
    circuit::circuit c;
    stimulus::train_spec t;
    t.levels = {1.0}, t.count = 10, t.width = 1e-3, t.period = 2e-3, t.rise = t.fall = 1e-6;
    c.add_voltage_source("V1", "a", "0", stimulus::pulse_train(t));
    c.add_resistor("R1", "a", "b", 1e3);
    c.add_memristor("M1", "b", "0", std::make_shared<settling_counter>(1e4, per_draw, settle));
    circuit::solver_options o;
    o.state_atol_scale = 1e-3;  // the integrated hazard to 1e-7 of a draw (memristor::extras: 1e-4)
    circuit::simulation sim(c, o, 5);
    sim.advance(20e-3);
    return {sim.probe("M1.count"), sim.stats()};
}

}  // namespace

TEST(Events, ACounterSettlesWhatItCountedAtEachBreakpoint) {
    // The hazard's integral: 1e4 / (V s) x the device's 1e6/(1e6 + 1e3) V x (10 plateaus of 1 ms
    // plus 20 edges of 1 us at half height) = 100.0 units, 10 a pulse.
    const double v = 1e6 / (1e6 + 1e3);
    const double integral = 1e4 * v * (10 * 1e-3 + 20 * 0.5e-6);
    // A draw larger than the integral: no event ever fires, the breakpoints settle all of it.
    const auto big = run_settling(200.0, true);
    EXPECT_EQ(big.stats.events, 0);
    EXPECT_NEAR(big.count, integral, 1e-5 * integral);
    EXPECT_GE(big.stats.settled_draws, 10);  // at least once per pulse
    EXPECT_EQ(big.stats.random_events, big.stats.settled_draws);
    // Draws of 3 units: 3 events a pulse, the breakpoints settle the rest; the same sum.
    const auto small = run_settling(3.0, true);
    EXPECT_EQ(small.stats.events, 30);
    EXPECT_NEAR(small.count, integral, 1e-5 * integral);
    // Without settling only whole draws count: the remainders of each pulse carry on, and what
    // the last one left is not counted.
    const auto plain = run_settling(3.0, false);
    EXPECT_EQ(plain.stats.settled_draws, 0);
    EXPECT_EQ(plain.count, 3.0 * std::floor(integral / 3.0 + 1e-9));
}
