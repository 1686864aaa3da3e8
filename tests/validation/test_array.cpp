// Arrays through the engine (memlab/array/array.hpp): a crossbar of linear resistors with line
// resistance against an independent direct solve of its nodal equations (Eigen, dense), the row
// reads against the same solve, the energy the controller integrates against the energy its drivers
// deliver, write-verify on a 2 x 2 1T1R array, and the read error of 1R against 1T1R cells.
#include <gtest/gtest.h>

#include <cmath>
#include <Eigen/Dense>

#include "memlab/array/array.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/io/trace.hpp"

using namespace memlab;

namespace {

// A 1R crossbar of VTEAM devices below their thresholds (|v| < 0.5 V: linear resistors, states
// still), each cell at its own resistance between 1 kOhm and 100 kOhm.
array::spec linear_crossbar(std::size_t rows, std::size_t cols, double r_bit, double r_source) {
    array::spec s;
    s.rows = rows, s.cols = cols;
    s.cell = array::cell_type::r1;
    s.bit_line_resistance = r_bit;
    s.source_line_resistance = r_source;
    auto m = device::make_model("vteam");
    std::shared_ptr<const device::model> shared = std::move(m);
    for (std::size_t i = 0; i < rows * cols; ++i) {
        s.devices.push_back(shared);
        // w from 0.3 to 2.7 nm over the cells, in an order unlike row-major.
        s.initial_state.push_back({0.3e-9 + 2.4e-9 * static_cast<double>((i * 7) % (rows * cols)) / static_cast<double>(rows * cols - 1)});
    }
    return s;
}

double vteam_resistance(const array::spec& s, std::size_t i) {
    const double w = s.initial_state[i][0];
    return 1e3 + (1e5 - 1e3) * w / 3e-9;
}

// The crossbar's nodal equations solved directly: unknowns are every cell's top (bit line) and
// bottom (source line) node; the row drivers hold `v_rows`, the TIAs hold the column ends at 0 V.
// Returns the column currents into the TIAs.
Eigen::VectorXd direct_solve(const array::spec& s, const std::vector<double>& v_rows) {
    const std::size_t R = s.rows, C = s.cols, n = 2 * R * C;
    auto top = [&](std::size_t r, std::size_t c) { return static_cast<Eigen::Index>(r * C + c); };
    auto bottom = [&](std::size_t r, std::size_t c) { return static_cast<Eigen::Index>(R * C + r * C + c); };
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    Eigen::VectorXd b = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
    auto between = [&](Eigen::Index a, Eigen::Index z, double g) {
        G(a, a) += g, G(z, z) += g, G(a, z) -= g, G(z, a) -= g;
    };
    auto to_fixed = [&](Eigen::Index a, double g, double v) {
        G(a, a) += g;
        b(a) += g * v;
    };
    const double gb = 1 / s.bit_line_resistance, gs = 1 / s.source_line_resistance;
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) {
            if (c == 0) to_fixed(top(r, 0), gb, v_rows[r]);
            else between(top(r, c - 1), top(r, c), gb);
            between(top(r, c), bottom(r, c), 1 / vteam_resistance(s, r * C + c));
            if (r + 1 < R) between(bottom(r, c), bottom(r + 1, c), gs);
            else to_fixed(bottom(r, c), gs, 0.0);
        }
    const Eigen::VectorXd v = G.partialPivLu().solve(b);
    Eigen::VectorXd i(static_cast<Eigen::Index>(C));
    for (std::size_t c = 0; c < C; ++c) i(static_cast<Eigen::Index>(c)) = v(bottom(R - 1, c)) * gs;
    return i;
}

}  // namespace

TEST(Array, LinearCrossbarWithLineResistanceMatchesDirectSolve) {
    // 4 x 5 (not square: a swapped index shows), different bit and source line resistances (a
    // swapped line shows), every row driven at its own voltage, every column sensed.
    const auto s = linear_crossbar(4, 5, 3.0, 7.0);
    const std::vector<double> v_rows{0.1, 0.25, -0.2, 0.4};
    array::drivers d;
    for (double v : v_rows) d.bit.push_back(stimulus::dc(v));
    for (std::size_t c = 0; c < s.cols; ++c) d.source.push_back(stimulus::dc(0.0));
    const auto circ = array::build(s, d);
    circuit::solver_options o;
    o.linsol = circuit::linear_solver::klu;
    circuit::simulation sim(circ, o);
    sim.advance(1e-7);
    const Eigen::VectorXd want = direct_solve(s, v_rows);
    for (std::size_t c = 0; c < s.cols; ++c) {
        const double got = sim.probe("i(" + array::tia_name(c) + ")");
        EXPECT_NEAR(got, want(static_cast<Eigen::Index>(c)), 1e-7 * std::fabs(want(static_cast<Eigen::Index>(c)))) << "column " << c;
    }
    // The line resistance matters here: the ideal-line currents differ by more than 1e-4.
    double ideal0 = 0;
    for (std::size_t r = 0; r < s.rows; ++r) ideal0 += v_rows[r] / vteam_resistance(s, r * s.cols);
    EXPECT_GT(std::fabs(want(0) - ideal0), 1e-4 * std::fabs(ideal0));
}

TEST(Array, RowReadsMatchDirectSolveAndAreExactWithIdealLines) {
    for (const double r_line : {0.0, 20.0}) {
        auto s = linear_crossbar(3, 4, r_line, r_line);
        array::controller ses(s, {}, 1, {}, nullptr);
        array::read_settings rs;
        rs.voltage = 0.3;
        const auto r = ses.read(rs);
        for (std::size_t row = 0; row < s.rows; ++row) {
            std::vector<double> v(s.rows, 0.0);
            v[row] = rs.voltage;
            const Eigen::VectorXd want = r_line > 0 ? direct_solve(s, v) : Eigen::VectorXd();
            for (std::size_t c = 0; c < s.cols; ++c) {
                const double cell = 1 / vteam_resistance(s, row * s.cols + c);
                EXPECT_NEAR(r.cell(row, c), cell, 1e-9 * cell);
                const double apparent = r_line > 0 ? want(static_cast<Eigen::Index>(c)) / rs.voltage : cell;
                EXPECT_NEAR(r.apparent(row, c), apparent, 1e-6 * apparent) << "cell " << row << ", " << c << " at " << r_line << " Ohm";
            }
        }
        if (r_line > 0) {
            EXPECT_GT(array::compare(r.apparent, r.cell).worst, 1e-3) << "line resistance lowers the reads";
        }
    }
}

TEST(Array, SessionEnergyIsTheEnergyTheDriversDeliver) {
    // A 1 x 1 1T1R array with ideal lines: what the bit-line driver delivers during a SET pulse
    // (the source line's TIA holds 0 V and takes no power) is dissipated in the device and the
    // transistor: the controller's integral over its steps against the trapezoid of the driver's
    // power over the recorded steps.
    array::spec s;
    s.cell = array::cell_type::t1r1;
    auto m = device::make_model("stanford_pku");
    m->set({{"kicks", 0.0}});
    s.devices = {std::move(m)};
    s.initial_state = {{1.7e-9}};
    s.transistor = std::make_shared<device::mosfet>();
    io::memory_trace tr;
    array::controller ses(s, {}, 1, {"v(bl0)", "i(VBL0)", "X0_0.g"}, &tr);
    array::pulse_settings p;
    p.voltage = 2.0, p.width = 200e-9, p.gate = 1.4, p.inhibit = array::scheme::gate;
    ses.pulse(0, 0, p);
    const auto& t = tr.time();
    const auto& v = tr.column("v(bl0)");
    const auto& i = tr.column("i(VBL0)");
    double delivered = 0;
    for (std::size_t k = 1; k < t.size(); ++k) delivered += 0.5 * (v[k] * i[k] + v[k - 1] * i[k - 1]) * (t[k] - t[k - 1]);
    EXPECT_LT(tr.column("X0_0.g").back(), 1.6e-9) << "the pulse set the cell";
    EXPECT_GT(delivered, 1e-12);
    EXPECT_NEAR(ses.energy(0, 0), delivered, 1e-6 * delivered);
}

TEST(Array, WriteVerifyProgramsA2x2MapWithinTolerance) {
    array::spec s;
    s.rows = s.cols = 2;
    s.cell = array::cell_type::t1r1;
    s.bit_line_resistance = s.source_line_resistance = s.word_line_resistance = 5;
    auto m = device::make_model("stanford_pku");
    m->set({{"kicks", 0.0}});
    std::shared_ptr<const device::model> shared = std::move(m);
    s.devices.assign(4, shared);
    s.initial_state.assign(4, {1.7e-9});
    s.transistor = std::make_shared<device::mosfet>();
    circuit::solver_options o;
    o.rtol = 1e-4, o.atol_voltage = 1e-6;
    array::controller ses(s, o, 1, {}, nullptr);
    array::program_settings p;
    p.target = array::map(2, 2);
    p.target.v = {30e-6, 120e-6, 120e-6, 30e-6};
    p.tolerance = 0.05;
    p.inhibit = array::scheme::gate;
    p.set_start = 1.1, p.set_step = 0.05;
    p.reset_start = 1.2;
    p.verify.width = 200e-9;
    const auto r = ses.program(p);
    EXPECT_EQ(r.converged, 4u);
    EXPECT_LE(r.worst_error, p.tolerance);
    for (std::size_t k = 0; k < 4; ++k) {
        EXPECT_GE(r.pulses.v[k], 1) << "cell " << k << " started in its HRS, far below its target";
        EXPECT_GT(r.energy.v[k], 0) << "cell " << k;
        // The read sees the cell (device and transistor at the read gate) through 5 Ohm lines:
        // within 1 % of the cell alone.
        EXPECT_NEAR(r.achieved.v[k], r.cell.v[k], 0.01 * r.cell.v[k]) << "cell " << k;
    }
    // Programming the later cells does not disturb the earlier ones (the gate scheme): a read of
    // the whole array afterwards gives the achieved map.
    const auto after = ses.read(p.verify);
    for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(after.apparent.v[k], r.achieved.v[k], 1e-3 * r.achieved.v[k]) << "cell " << k;
}
