// Cross-check against ngspice: the same circuit (source -> 1 kOhm -> VTEAM) in memlab and in
// ngspice, where VTEAM is written as B-sources (memlab::spice::vteam_subcircuit). State and
// current must agree within 0.5 % of their range at every ngspice time point (memlab's trace,
// recorded at every step with a tight tolerance, is interpolated onto ngspice's points).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "memlab/analysis/analysis.hpp"
#include "memlab/circuit/simulation.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/spice/ngspice.hpp"

using namespace memlab;

namespace {

struct comparison {
    double state_err, current_err;  // max |difference| / range
    std::size_t points;
    double state_range;
};

comparison compare(const stimulus::waveform_ptr& wave, double t_end) {
    const double rs = 1e3;
    auto model = std::make_shared<device::vteam>();
    circuit::circuit c;
    c.add_voltage_source("V1", "in", "0", wave);
    c.add_resistor("R1", "in", "a", rs);
    c.add_memristor("M1", "a", "0", model);
    circuit::solver_options o;
    o.rtol = 1e-9;
    circuit::simulation sim(c, o);
    io::memory_trace tr;
    sim.run(t_end, {{"M1.w", "i(R1)"}, 0}, tr);

    const auto& p = model->params();
    const std::string deck = fmt::format(
        "memlab cross-check\n{}R1 in a {}\nX1 a 0 vteam\n{}.ic v(X1.x)={:.17g}\n"
        ".options reltol=1e-6 abstol=1e-15 vntol=1e-9 chgtol=1e-22 method=gear\n"
        ".control\nset wr_singlescale\nset wr_vecnames\noption numdgt=15\n"
        "tran {:.6g} {:.17g} 0 {:.6g} uic\nwrdata out.txt v(X1.x) v(in) v(a)\n.endc\n.end\n",
        spice::pwl_source("V1", "in", "0", *wave, t_end), rs, spice::vteam_subcircuit(p), p.w_init / 1e-9, t_end / 1e4,
        t_end, t_end / 2000);
    const auto ng = spice::run_batch(deck);
    const auto& tn = ng.column("time");
    const auto& xn = ng.column("v(X1.x)");  // nm
    const auto& vin = ng.column("v(in)");
    const auto& va = ng.column("v(a)");
    const auto& w = tr.column("M1.w");
    const auto& i = tr.column("i(R1)");
    const auto [wmin, wmax] = std::minmax_element(w.begin(), w.end());
    const auto [imin, imax] = std::minmax_element(i.begin(), i.end());
    comparison r{0, 0, tn.size(), *wmax - *wmin};
    for (std::size_t k = 0; k < tn.size(); ++k) {
        const double wm = analysis::interpolate(tr.time(), w, tn[k]);
        const double im = analysis::interpolate(tr.time(), i, tn[k]);
        r.state_err = std::max(r.state_err, std::fabs(wm - xn[k] * 1e-9) / (*wmax - *wmin));
        r.current_err = std::max(r.current_err, std::fabs(im - (vin[k] - va[k]) / rs) / (*imax - *imin));
    }
    return r;
}

}  // namespace

TEST(Ngspice, VteamPulseTrainAgrees) {
    // 20 pulses of +1 V then 20 of -1 V: 1 us plateau, 10 ns edges, 2 us period.
    stimulus::train_spec s;
    s.levels.assign(20, 1.0);
    s.levels.resize(40, -1.0);
    s.width = 1e-6;
    s.rise = s.fall = 1e-8;
    s.period = 2e-6;
    const auto r = compare(stimulus::pulse_train(s), 80e-6);
    EXPECT_GT(r.points, 100u);
    EXPECT_GT(r.state_range, 0.5e-9);  // the state really moved
    EXPECT_LT(r.state_err, 0.005);
    EXPECT_LT(r.current_err, 0.005);
    RecordProperty("state_err", fmt::format("{:.3g}", r.state_err));
    RecordProperty("current_err", fmt::format("{:.3g}", r.current_err));
}

TEST(Ngspice, VteamTriangularSweepAgrees) {
    // 0 -> 1.2 V -> -1.2 V -> 0 at 0.1 V/us, two cycles.
    const auto r = compare(stimulus::triangle_sweep({0.0, 1.2, -1.2, 0.0}, 1e5, 2), 96e-6);
    EXPECT_GT(r.points, 100u);
    EXPECT_GT(r.state_range, 0.5e-9);
    EXPECT_LT(r.state_err, 0.005);
    EXPECT_LT(r.current_err, 0.005);
}
