// 1T1R cells: a device in series with the access transistor (memlab/device/mosfet.hpp) through
// the integrator. The Stanford-PKU RRAM model's 1T1R test bench (its transistor limits the SET
// current); SET and RESET transfer of a cell whose source line rises in RESET (the body effect);
// the paper's device at a low and a high gate (volatile and nonvolatile).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "memlab/analysis/analysis.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/io/trace.hpp"
#include "memlab/stimulus/waveform.hpp"

using namespace memlab;

namespace {

std::shared_ptr<device::mosfet> fet(std::map<std::string, double> set) {
    auto m = std::make_shared<device::mosfet>();
    m->set(set);
    return m;
}

double at(const io::memory_trace& tr, const std::string& probe, double t) {
    return analysis::interpolate(tr.time(), tr.column(probe), t);
}

}  // namespace

TEST(Cell1T1R, StanfordPkuBenchTransistorLimitsAt101MicroAmps) {
    // The bench of the Stanford RRAM model (RRAM v2.0 Beta, AC_RRAM_SET.sp): a 2 V, 80 ns pulse
    // (10 ns edges) on the cell, 20 Ohm on either side of the device, 2 GOhm across it, level-1
    // NMOS VTO 0.7 V, KP 60 uA/V^2, W/L 10 um / 1 um, gate 1.28 V. Saturation limits the current at
    // KP/2 W/L (V_G - V_T)^2 = 100.9 uA. Here the v1.0 model of the same group, from its HRS (at 2 V
    // alone it would pass ~1.6 mA). The bench's 1 fF across the device (a 20 fs time constant with
    // 20 Ohm) is left out: a capacitor between two nodes neither of which has a capacitance to
    // ground leaves their common mode algebraic, which the engine's differential flag cannot say.
    auto dev = device::make_model("stanford_pku");
    dev->set({{"g_init", 1.7e-9}, {"kicks", 0.0}});
    const auto m = fet({{"vt0", 0.7}, {"kp", 60e-6}, {"w", 10e-6}, {"l", 1e-6}, {"gamma", 0.0}, {"lambda_l", 0.0}});
    circuit::circuit c;
    c.add_voltage_source("Vin", "in", "0", stimulus::single_pulse(0.0, 2.0, 80e-9, 10e-9, 10e-9, 0.0));
    c.add_resistor("R1", "in", "mid1", 20);
    c.add_resistor("Rh", "mid1", "mid2", 2e9);
    c.add_memristor("X", "mid1", "mid2", std::move(dev));
    c.add_resistor("R2", "mid2", "d", 20);
    c.add_voltage_source("Vg", "g", "0", stimulus::dc(1.28));
    c.add_transistor("M1", "d", "g", "0", "0", m);
    circuit::simulation sim(c, {});
    io::memory_trace tr;
    sim.run(100e-9, {{"i(M1)", "X.g", "v(d)"}, 0}, tr);
    const double plateau = at(tr, "i(M1)", 88e-9);
    const double level1 = 0.5 * 60e-6 * 10.0 * (1.28 - 0.7) * (1.28 - 0.7);
    EXPECT_NEAR(level1, 101e-6, 0.01 * 101e-6);
    EXPECT_NEAR(plateau, level1, 0.01 * level1) << "current at the end of the pulse";
    // It is the transistor that limits: it is saturated.
    EXPECT_GT(at(tr, "v(d)", 88e-9), 1.28 - 0.7);
    // The current rose to the limit and stayed there over the last 20 ns of the plateau.
    for (double t = 70e-9; t <= 90e-9; t += 2e-9) EXPECT_NEAR(at(tr, "i(M1)", t), level1, 0.01 * level1) << "t " << t;
}

TEST(Cell1T1R, SetAndResetTransferWithBodyEffectInReset) {
    // SET: the bit line (device top) sweeps 0 -> 2.5 V -> 0 with the source line at 0 and the word
    // line at 1.5 V: the gap closes and the transistor holds the current at its saturation current.
    // RESET from that state: the bit line at 0, the source line (the transistor's far terminal)
    // sweeps 0 -> 3 V -> 0 with the word line at 3.3 V; the cell's inner node x is then the
    // transistor's source and rises, and with the bulk at ground (not tied to x) the body effect
    // raises the threshold and lowers the RESET current.
    using stimulus::pwl;
    const auto m = fet({{"w", 10e-6}, {"l", 1e-6}});
    auto dev = device::make_model("stanford_pku");
    dev->set({{"g_init", 1.7e-9}, {"kicks", 0.0}});
    double g_set = 0;
    {
        circuit::circuit c;
        c.add_voltage_source("VBL", "bl", "0", std::make_shared<pwl>(std::vector<double>{0, 1e-6, 2e-6}, std::vector<double>{0, 2.5, 0}));
        c.add_voltage_source("VWL", "wl", "0", stimulus::dc(1.5));
        c.add_memristor("X", "bl", "x", dev->clone());
        c.add_transistor("M1", "x", "wl", "0", "0", m);
        circuit::simulation sim(c, {});
        io::memory_trace tr;
        sim.run(2e-6, {{"i(M1)", "X.g", "v(x)"}, 0}, tr);
        g_set = tr.column("X.g").back();
        double peak = 0;
        for (double i : tr.column("i(M1)")) peak = std::max(peak, i);
        EXPECT_LT(g_set, 1.6e-9) << "SET closes the gap";
        EXPECT_LE(peak, 1.001 * m->limit(1.5, 2.5)) << "the transistor limits the SET current";
        EXPECT_GT(peak, 0.9 * m->limit(1.5, 2.5)) << "and the cell reaches that limit";
    }
    struct reset {
        double peak, x_max, g_end;
    };
    auto run_reset = [&](bool bulk_at_source) {
        auto d = dev->clone();
        d->set({{"g_init", g_set}});
        circuit::circuit c;
        c.add_voltage_source("VBL", "bl", "0", stimulus::dc(0.0));
        c.add_voltage_source("VSL", "sl", "0", std::make_shared<pwl>(std::vector<double>{0, 1e-6, 2e-6}, std::vector<double>{0, 3.0, 0}));
        c.add_voltage_source("VWL", "wl", "0", stimulus::dc(3.3));
        c.add_memristor("X", "bl", "x", std::move(d));  // as in SET: the current now flows against it
        c.add_transistor("M1", "sl", "wl", "x", bulk_at_source ? "x" : "0", m);
        circuit::simulation sim(c, {});
        io::memory_trace tr;
        sim.run(2e-6, {{"i(M1)", "X.g", "v(x)"}, 0}, tr);
        reset r{0, 0, tr.column("X.g").back()};
        for (double i : tr.column("i(M1)")) r.peak = std::max(r.peak, i);
        for (double x : tr.column("v(x)")) r.x_max = std::max(r.x_max, x);
        return r;
    };
    const reset body = run_reset(false), tied = run_reset(true);
    EXPECT_GT(tied.g_end, g_set + 0.1e-9) << "RESET reopens the gap";
    EXPECT_GT(body.x_max, 0.5) << "the inner node (the transistor's source in RESET) rises";
    // The peak comes early in the RESET, while the device still conducts and x is low: the body
    // effect there is a few per cent (6 % measured, 2026-12-05), larger later as x rises.
    EXPECT_LT(body.peak, 0.97 * tied.peak) << "body effect: bulk at ground " << body.peak << " A, bulk at the source " << tied.peak << " A";
}
