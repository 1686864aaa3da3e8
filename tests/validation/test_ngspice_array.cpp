// A 4 x 4 1T1R array programmed by write-verify and read, against ngspice: memlab programs a map
// (its verify reads decide every pulse), then ngspice replays the very same line waveforms on the
// same netlist (array::spice_deck: the exported device subcircuits, level-1 MOSFETs with the EKV
// set at gamma = 0, the TIAs as sources at their references) and the two must agree on every
// cell's final gap and on the final read's column currents.
//
// ngspice needs help here: the devices' sinh laws behind the transistors make its Newton diverge
// at SET edges ("timestep too small") unless its steps are 1 ns at a loose tolerance (99 s for the
// whole 4 x 4 program). With the transistors' own capacitances on (both sides) it converges at a
// 10 ns largest step (20 ns with spice::options' rshunt and chgtol: "singular matrix" at 5.6 us);
// and only the diagonal is programmed (the other cells' targets are their own
// first read: no pulses), which keeps ngspice's share to seconds.
//
// Strong inversion: the SET gates start at 1.3 V (V_GS - V_T0 >= 0.6 V; at 0.5 V the EKV and
// level-1 currents agree to 0.2 %: test_ngspice_mosfet.cpp), RESET and reads at 3.3 V; the ramps
// of 10 ns pass through weak inversion, where the two differ, but carry little current there.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <fmt/format.h>

#include "memlab/analysis/analysis.hpp"
#include "memlab/array/array.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/spice/ngspice.hpp"

using namespace memlab;

TEST(NgspiceArray, ProgramAndReadA4x4OneTransistorOneResistorArray) {
    array::spec s;
    s.rows = s.cols = 4;
    s.cell = array::cell_type::t1r1;
    s.bit_line_resistance = s.source_line_resistance = s.word_line_resistance = 5;
    auto m = device::make_model("stanford_pku");
    m->set({{"kicks", 0.0}});  // deterministic: the SPICE form has no random kicks
    std::shared_ptr<const device::model> shared = std::move(m);
    s.devices.assign(s.cells(), shared);
    s.initial_state.assign(s.cells(), {1.7e-9});
    auto fet = std::make_shared<device::mosfet>();
    fet->set({{"gamma", 0.0}});
    s.transistor = fet;
    s.transistor_capacitances = true;
    circuit::solver_options o;
    o.rtol = 1e-6, o.atol_voltage = 1e-6;
    array::controller ses(s, o, 1, {}, nullptr);
    array::program_settings p;
    p.verify.width = 200e-9;
    p.target = ses.read(p.verify).apparent;
    const std::vector<double> diagonal{30e-6, 60e-6, 90e-6, 120e-6};
    for (std::size_t k = 0; k < 4; ++k) p.target(k, k) = diagonal[k];
    p.tolerance = 0.1;
    p.inhibit = array::scheme::gate;
    p.set_start = 1.3, p.set_step = 0.1;
    p.reset_start = 1.2, p.reset_step = 0.1;
    const auto prog = ses.program(p);
    EXPECT_EQ(prog.converged, 16u);
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 4; ++c) EXPECT_EQ(prog.pulses(r, c) > 0, r == c) << "cell " << r << ", " << c;
    const auto read = ses.read(p.verify);
    const double t_end = ses.time();

    std::vector<std::string> vectors;
    for (std::size_t c = 0; c < 4; ++c) vectors.push_back(fmt::format("i(VSL{})", c));
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 4; ++c) vectors.push_back(fmt::format("v({}.s_g)", array::device_name(r, c)));
    const auto deck = array::spice_deck(s, ses.lines(), t_end, 1e-4, 10e-9, vectors);
    if (const char* keep = std::getenv("MEMLAB_KEEP_DECK")) std::ofstream(keep) << deck;  // to look at it by hand
    const auto ng = spice::run_batch(deck, "out.txt", NGSPICE_EXECUTABLE);
    const auto& t = ng.column("time");
    ASSERT_GT(t.size(), 100u);
    ASSERT_NEAR(t.back(), t_end, 1e-12) << "ngspice stopped early: " << ng.log.substr(ng.log.size() > 1500 ? ng.log.size() - 1500 : 0);
    const double scale = shared->spice().scale[0];
    double worst_g = 0, worst_i = 0;
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 4; ++c) {
            const double ours = ses.simulation().probe(fmt::format("{}.g", array::device_name(r, c)));
            const double theirs = ng.column(fmt::format("v({}.s_g)", array::device_name(r, c))).back() * scale;
            worst_g = std::max(worst_g, std::fabs(ours - theirs));
            EXPECT_NEAR(ours, theirs, 0.01e-9) << "cell " << r << ", " << c << ": gap after programming";
        }
    // The final read, row r sampled at its plateau's end: ngspice's column currents there.
    const double row_span = s.gap + s.rise + p.verify.width + s.fall;
    for (std::size_t r = 0; r < 4; ++r) {
        const double sample = read.time - static_cast<double>(3 - r) * row_span;
        for (std::size_t c = 0; c < 4; ++c) {
            // i(VSL) flows from the column into the source: the TIA's input current.
            const double theirs = analysis::interpolate(t, ng.column(fmt::format("i(VSL{})", c)), sample);
            const double ours = read.apparent(r, c) * p.verify.voltage;
            worst_i = std::max(worst_i, std::fabs(ours - theirs) / std::fabs(theirs));
            EXPECT_NEAR(ours, theirs, 0.01 * std::fabs(theirs)) << "read of cell " << r << ", " << c;
        }
    }
    RecordProperty("worst_gap_difference_nm", fmt::format("{:.3g}", worst_g * 1e9));
    RecordProperty("worst_read_difference", fmt::format("{:.3g}", worst_i));
}
