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
    // (10 ns edges) on the cell, 20 Ohm on either side of the device, 2 GOhm and 1 fF across it,
    // level-1 NMOS VTO 0.7 V, KP 60 uA/V^2, W/L 10 um / 1 um, gate 1.28 V. Saturation limits the
    // SET at KP/2 W/L (V_G - V_T)^2 = 100.9 uA. Here the v1.0 model of the same group, from its HRS.
    auto dev = device::make_model("stanford_pku");
    dev->set({{"g_init", 1.7e-9}, {"kicks", 0.0}});
    const auto m = fet({{"vt0", 0.7}, {"kp", 60e-6}, {"w", 10e-6}, {"l", 1e-6}, {"gamma", 0.0}, {"lambda_l", 0.0}});
    circuit::circuit c;
    c.add_voltage_source("Vin", "in", "0", stimulus::single_pulse(0.0, 2.0, 80e-9, 10e-9, 10e-9, 0.0));
    c.add_resistor("R1", "in", "mid1", 20);
    c.add_resistor("Rh", "mid1", "mid2", 2e9);
    c.add_capacitor("Cp", "mid1", "mid2", 1e-15);
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
    // It is the transistor that limits: the gap has closed (until the device's voltage falls below
    // the model's field threshold) and the transistor is saturated.
    EXPECT_LT(at(tr, "X.g", 88e-9), 1.6e-9);
    EXPECT_GT(at(tr, "v(d)", 88e-9), 1.28 - 0.7);
    // The current rose to the limit and stayed there over the last 20 ns of the plateau.
    for (double t = 70e-9; t <= 90e-9; t += 2e-9) EXPECT_NEAR(at(tr, "i(M1)", t), level1, 0.01 * level1) << "t " << t;
}

TEST(Cell1T1R, SetAndResetTransferWithBodyEffectInReset) {
    // SET: the bit line (device top) sweeps 0 -> 2 V -> 0 with the source line at 0 and the word line
    // at 1.5 V. RESET: the bit line at 0, the source line (the transistor's far terminal) sweeps
    // 0 -> 2.5 V -> 0 with the word line at 3.3 V; the cell's inner node x is then the transistor's
    // source and rises above the bulk, and the body effect raises the threshold.
    struct result {
        double set_peak, reset_peak, g_set, g_end, x_max;
    };
    auto run = [](double gamma) {
        auto dev = device::make_model("stanford_pku");
        dev->set({{"g_init", 1.7e-9}, {"kicks", 0.0}});
        const auto m = fet({{"gamma", gamma}, {"w", 2e-6}, {"l", 1e-6}});
        using stimulus::pwl;
        circuit::circuit c;
        c.add_voltage_source("VBL", "bl", "0", std::make_shared<pwl>(std::vector<double>{0, 1e-6, 2e-6, 4e-6}, std::vector<double>{0, 2.0, 0, 0}));
        c.add_voltage_source("VSL", "sl", "0", std::make_shared<pwl>(std::vector<double>{0, 2e-6, 3e-6, 4e-6}, std::vector<double>{0, 0, 2.5, 0}));
        c.add_voltage_source("VWL", "wl", "0", std::make_shared<pwl>(std::vector<double>{0, 2e-6, 2.01e-6, 4e-6}, std::vector<double>{1.5, 1.5, 3.3, 3.3}));
        c.add_memristor("X", "bl", "x", std::move(dev));
        c.add_transistor("M1", "sl", "wl", "x", "0", m);
        circuit::simulation sim(c, {});
        io::memory_trace tr;
        sim.run(4e-6, {{"i(M1)", "X.g", "v(x)"}, 0}, tr);
        result r{0, 0, at(tr, "X.g", 2e-6), at(tr, "X.g", 4e-6), 0};
        const auto& t = tr.time();
        const auto& i = tr.column("i(M1)");
        for (std::size_t k = 0; k < t.size(); ++k) {
            // i(M1) flows from the source line into x: negative in SET, positive in RESET.
            if (t[k] < 2e-6) r.set_peak = std::max(r.set_peak, -i[k]);
            else r.reset_peak = std::max(r.reset_peak, i[k]), r.x_max = std::max(r.x_max, tr.column("v(x)")[k]);
        }
        return r;
    };
    const result a = run(0.0), b = run(0.45);
    for (const auto& r : {a, b}) {
        EXPECT_LT(r.g_set, 1.6e-9) << "SET closes the gap";
        EXPECT_GT(r.g_end, r.g_set + 0.1e-9) << "RESET reopens it";
        EXPECT_GT(r.x_max, 0.5) << "the inner node (the transistor's source in RESET) rises";
    }
    // The body effect: relative to its own SET limit (source at the bulk), the cell with gamma > 0
    // passes less in RESET (source above the bulk).
    EXPECT_LT(b.reset_peak / b.set_peak, 0.9 * a.reset_peak / a.set_peak)
        << "gamma 0: SET " << a.set_peak << " A, RESET " << a.reset_peak << " A; gamma 0.45: SET " << b.set_peak << " A, RESET " << b.reset_peak << " A";
}
