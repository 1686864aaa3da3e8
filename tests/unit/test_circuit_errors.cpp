// Bad circuits give one clear error naming what is wrong. (A failing solve, and the two linear
// solvers on one circuit: tests/validation/test_circuit_runs.cpp.)
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
