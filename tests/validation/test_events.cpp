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

class poisson_counter final : public device::basic_model<counter_params> {
public:
    explicit poisson_counter(double lambda) : basic_model(counter_parameters, counter_states), lambda_(lambda) {}
    std::string_view name() const override { return "poisson_counter"; }
    std::string_view summary() const override { return "test device"; }
    void initial_state(std::span<double> s) const override { s[counter_state::count] = 0; }
    double current(double v, std::span<const double>) const override { return p_.g0 * v; }
    void rates(double, std::span<const double>, std::span<double> ds) const override { ds[counter_state::count] = 0; }
    std::size_t n_hazards() const override { return 1; }
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
