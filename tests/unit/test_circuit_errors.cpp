// Bad circuits and failing solves give one clear error naming what is wrong; never a NaN.
#include <gtest/gtest.h>

#include <cmath>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/error.hpp"

using namespace memlab;

namespace {

std::string error_of(const auto& fn) {
    try {
        fn();
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

// A device whose current blows up past a state value: the solver must stop with the time and state.
class runaway final : public device::model {
public:
    runaway() { init_parameters(); }
    std::string_view name() const override { return "runaway"; }
    std::string_view summary() const override { return "test device"; }
    const std::vector<device::parameter_info>& parameter_table() const override {
        static const std::vector<device::parameter_info> t{{"k", "1/s", 1e3, 0, 1e9, "k", "growth", "test"}};
        return t;
    }
    const std::vector<device::state_info>& states() const override {
        static const std::vector<device::state_info> s{{"x", "1", 1e-9}};
        return s;
    }
    void initial_state(std::span<double> s) const override { s[0] = 1; }
    double current(double v, std::span<const double> s) const override { return v * 1e-6 * std::exp(s[0]); }
    // Finite-time blow-up: dx/dt = k x^2 reaches infinity at t = 1/k.
    void rates(double, std::span<const double> s, std::span<double> ds) const override { ds[0] = k_ * s[0] * s[0]; }
    std::unique_ptr<model> clone() const override { return std::make_unique<runaway>(*this); }

protected:
    void lower(const std::vector<double>& x) override { k_ = x[0]; }

private:
    double k_ = 1e3;
};

}  // namespace

TEST(CircuitErrors, FloatingNodeIsNamed) {
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "a", "0", 1e3);
    c.add_resistor("R2", "x", "y", 1e3);
    c.add_resistor("R3", "x", "y", 1e3);
    const auto m = error_of([&] { circuit::simulation s(c); });
    EXPECT_NE(m.find("node 'x' is floating"), std::string::npos) << m;
}

TEST(CircuitErrors, DanglingNodeIsNamed) {
    circuit::circuit c;
    c.add_voltage_source("V1", "in", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "in", "out", 1e3);
    c.add_resistor("R2", "0ut", "0", 1e3);  // typo: "0ut"
    const auto m = error_of([&] { circuit::simulation s(c); });
    EXPECT_NE(m.find("'out' is connected only to R1"), std::string::npos) << m;
}

TEST(CircuitErrors, DuplicateElementName) {
    circuit::circuit c;
    c.add_resistor("R1", "a", "0", 1e3);
    const auto m = error_of([&] { c.add_resistor("R1", "a", "0", 1e3); });
    EXPECT_NE(m.find("'R1' is used twice"), std::string::npos) << m;
}

TEST(CircuitErrors, NegativeOrNonFiniteValuesNameTheElement) {
    circuit::circuit c;
    EXPECT_NE(error_of([&] { c.add_resistor("Rs", "a", "0", -1.0); }).find("Rs.resistance"), std::string::npos);
    EXPECT_NE(error_of([&] { c.add_capacitor("Cp", "a", "0", std::nan("")); }).find("Cp.capacitance"), std::string::npos);
    circuit::smu_params sp;
    sp.compliance = 0;
    EXPECT_NE(error_of([&] { c.add_smu("SMU", "a", "0", stimulus::dc(1), sp); }).find("SMU.compliance"), std::string::npos);
    EXPECT_NE(error_of([&] { c.add_tia("TIA", "a", "b", {1e6, -1}); }).find("TIA.bandwidth"), std::string::npos);
    EXPECT_NE(error_of([&] { c.add_memristor("M1", "a", "0", std::make_shared<device::vteam>(), {std::nan("")}); })
                  .find("M1.w"),
              std::string::npos);
}

TEST(CircuitErrors, SingularCircuitNamesTheSources) {
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_voltage_source("V2", "a", "0", stimulus::dc(2.0));
    c.add_resistor("R1", "a", "0", 1e3);
    const auto m = error_of([&] { circuit::simulation s(c); });
    EXPECT_NE(m.find("singular"), std::string::npos) << m;
    EXPECT_NE(m.find("i(V1)"), std::string::npos) << m;
    EXPECT_NE(m.find("i(V2)"), std::string::npos) << m;
}

TEST(CircuitErrors, SolverFailureGivesTimeAndStateNotNaN) {
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "a", "b", 1e3);
    c.add_memristor("M1", "b", "0", std::make_shared<runaway>());
    circuit::simulation sim(c);
    io::memory_trace tr;
    try {
        sim.run(0.01, {{"i(M1)", "M1.x"}, 0}, tr);
        FAIL() << "expected a solver error";
    } catch (const solver_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("solver failed at t = "), std::string::npos) << m;
        EXPECT_NE(m.find("M1.x="), std::string::npos) << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        EXPECT_GT(e.time(), 0.0);
        EXPECT_LT(e.time(), 1.1e-3);  // blow-up at 1/k = 1 ms
    }
    for (const auto& ch : {"i(M1)", "M1.x"})
        for (double v : tr.column(ch)) EXPECT_TRUE(std::isfinite(v));
}

TEST(CircuitErrors, UnknownProbe) {
    circuit::circuit c;
    c.add_voltage_source("V1", "a", "0", stimulus::dc(1.0));
    c.add_resistor("R1", "a", "0", 1e3);
    circuit::simulation sim(c);
    io::memory_trace tr;
    EXPECT_NE(error_of([&] { sim.run(1e-3, {{"v(b)"}, 0}, tr); }).find("unknown node 'b'"), std::string::npos);
    EXPECT_NE(error_of([&] { sim.run(1e-3, {{"i(R9)"}, 0}, tr); }).find("unknown element 'R9'"), std::string::npos);
    EXPECT_NE(error_of([&] { sim.run(1e-3, {{"R1.w"}, 0}, tr); }).find("no state 'w'"), std::string::npos);
}

TEST(CircuitErrors, SparseAndDenseAgree) {
    // The same circuit through both linear solvers: a ladder of 30 RC sections driven by a pulse.
    auto build = [] {
        circuit::circuit c;
        c.add_voltage_source("V1", "n0", "0", stimulus::single_pulse(0, 1.0, 1e-6, 1e-8, 1e-8, 0.0));
        for (int k = 0; k < 30; ++k) {
            c.add_resistor("R" + std::to_string(k), "n" + std::to_string(k), "n" + std::to_string(k + 1), 100.0);
            c.add_capacitor("C" + std::to_string(k), "n" + std::to_string(k + 1), "0", 1e-11);
        }
        c.add_memristor("M1", "n30", "0", std::make_shared<device::vteam>());
        return c;
    };
    const auto c1 = build(), c2 = build();
    circuit::solver_options o;
    o.rtol = 1e-8;
    o.linsol = circuit::linear_solver::dense;
    circuit::simulation dense(c1, o);
    o.linsol = circuit::linear_solver::klu;
    circuit::simulation klu(c2, o);
    dense.advance(3e-6);
    klu.advance(3e-6);
    EXPECT_EQ(dense.stats().linear_solver, "dense");
    EXPECT_EQ(klu.stats().linear_solver, "klu");
    EXPECT_NEAR(dense.probe("v(n15)"), klu.probe("v(n15)"), 1e-7);
    EXPECT_NEAR(dense.probe("M1.w"), klu.probe("M1.w"), 1e-16);
}
