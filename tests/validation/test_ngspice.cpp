// Cross-check against ngspice, for every model with a SPICE form: the same circuit
// (source -> series resistor -> device) in memlab and in ngspice, where the device is the
// subcircuit `memlab export-spice` writes (memlab::spice::subcircuit). Every state and the current
// must agree within 1 % of their range at every ngspice time point (memlab's trace, recorded at
// every step with a tight tolerance, is interpolated onto ngspice's points), on a bipolar pulse
// train and on a triangular sweep. Stochastic parts (hazards) are off on both sides: the export is
// the deterministic form.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sstream>
#include <stdexcept>

#include "memlab/analysis/analysis.hpp"
#include "memlab/device/regime.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/stimulus/waveform.hpp"

#include "device_circuit.hpp"

using namespace memlab;

namespace {

struct comparison {
    std::vector<double> state_err, state_range;  // per state: max |difference| / range, range
    double current_err = 0, current_range = 0;
    std::size_t points = 0;
};

struct case_spec {
    std::string model;
    std::map<std::string, double> params;  // SI overrides
    double rs;                             // series resistance, Ohm
    // pulse train: n_pos pulses of +amp then n_neg of -amp_neg
    double amp, amp_neg, width, period;
    std::size_t n_pos, n_neg;
    // triangular sweep 0 -> vmax -> vmin -> 0 at `rate`, `cycles` times
    double vmax, vmin, rate;
    std::size_t cycles;
    double rtol_spice = 1e-6;
    // memlab's side; switching that speeds itself up (a runaway reset or filament growth) is
    // ill-conditioned, and both simulators need tight tolerances before they agree.
    double rtol_memlab = 1e-9;
    double atol_scale = 1e-4;
};

void PrintTo(const case_spec& c, std::ostream* os) { *os << c.model; }

std::shared_ptr<device::model> make(const case_spec& c) {
    std::shared_ptr<device::model> m = device::make_model(c.model);
    m->set(c.params);
    return m;
}

comparison compare(const case_spec& cs, const stimulus::waveform_ptr& wave, double t_end) {
    auto model = make(cs);
    const auto tr = test::run_device_circuit(model, wave, cs.rs, t_end, cs.rtol_memlab, cs.atol_scale);

    const auto form = model->spice();
    const std::string deck = spice::device_deck(*model, *wave, cs.rs, t_end, cs.rtol_spice, t_end / 1e4, t_end / 2000);
    const auto ng = spice::run_batch(deck);
    const auto& tn = ng.column("time");
    const auto& vin = ng.column("v(in)");
    const auto& va = ng.column("v(a)");
    comparison r;
    r.points = tn.size();
    const auto& i = tr.column("i(R1)");
    const auto [imin, imax] = std::minmax_element(i.begin(), i.end());
    r.current_range = *imax - *imin;
    std::size_t worst_i = 0;
    for (std::size_t k = 0; k < tn.size(); ++k) {
        const double im = analysis::interpolate(tr.time(), i, tn[k]);
        const double e = std::fabs(im - (vin[k] - va[k]) / cs.rs) / r.current_range;
        if (e > r.current_err) {
            r.current_err = e;
            worst_i = k;
        }
    }
    if (r.current_err > 0.01)
        std::printf("  current: worst at t = %.12g s: memlab %.6g, ngspice %.6g A\n", tn[worst_i],
                    analysis::interpolate(tr.time(), i, tn[worst_i]), (vin[worst_i] - va[worst_i]) / cs.rs);
    const auto& st = model->states();
    for (std::size_t j = 0; j < st.size(); ++j) {
        const auto& w = tr.column("M1." + st[j].name);
        const auto& xn = ng.column(fmt::format("v(X1.s_{})", st[j].name));
        const auto [wmin, wmax] = std::minmax_element(w.begin(), w.end());
        const double range = *wmax - *wmin;
        double err = 0;
        std::size_t worst = 0;
        if (range > 100 * st[j].abs_tolerance)
            for (std::size_t k = 0; k < tn.size(); ++k) {
                const double e = std::fabs(analysis::interpolate(tr.time(), w, tn[k]) - xn[k] * form.scale[j]) / range;
                if (e > err) {
                    err = e;
                    worst = k;
                }
            }
        if (err > 0.01)
            std::printf("  %s: worst at t = %.9g s: memlab %.6g, ngspice %.6g\n", st[j].name.c_str(), tn[worst],
                        analysis::interpolate(tr.time(), w, tn[worst]), xn[worst] * form.scale[j]);
        r.state_err.push_back(err);
        r.state_range.push_back(range);
    }
    return r;
}

void expect_agree(const case_spec& cs, const comparison& r, const char* what) {
    SCOPED_TRACE(fmt::format("{} {}", cs.model, what));
    EXPECT_GT(r.points, 100u);
    bool moved = false;
    const auto m = make(cs);
    for (std::size_t j = 0; j < r.state_err.size(); ++j) {
        const auto& s = m->states()[j];
        if (r.state_range[j] > 100 * s.abs_tolerance) moved = true;
        EXPECT_LT(r.state_err[j], 0.01) << "state " << s.name << " range " << r.state_range[j];
    }
    EXPECT_TRUE(moved) << "no state moved: the stimulus does not exercise the model";
    EXPECT_LT(r.current_err, 0.01);
    std::vector<std::string> errs;
    for (std::size_t j = 0; j < r.state_err.size(); ++j) errs.push_back(fmt::format("{}={:.2g}", m->states()[j].name, r.state_err[j]));
    std::printf("[ngspice] %s %s: current %.2g, states %s, %zu points\n", cs.model.c_str(), what, r.current_err,
                fmt::format("{}", fmt::join(errs, " ")).c_str(), r.points);
}

class NgspiceModel : public ::testing::TestWithParam<case_spec> {};

TEST_P(NgspiceModel, PulseTrainAgrees) {
    const auto& cs = GetParam();
    stimulus::train_spec s;
    s.levels.assign(cs.n_pos, cs.amp);
    s.levels.resize(cs.n_pos + cs.n_neg, -cs.amp_neg);
    s.width = cs.width;
    s.rise = s.fall = cs.width / 100;
    s.period = cs.period;
    expect_agree(cs, compare(cs, stimulus::pulse_train(s), cs.period * static_cast<double>(cs.n_pos + cs.n_neg)), "pulse train");
}

TEST_P(NgspiceModel, TriangularSweepAgrees) {
    const auto& cs = GetParam();
    const double t_cycle = (2 * cs.vmax - 2 * cs.vmin) / cs.rate;
    expect_agree(cs, compare(cs, stimulus::triangle_sweep({0.0, cs.vmax, cs.vmin, 0.0}, cs.rate, cs.cycles), t_cycle * static_cast<double>(cs.cycles)),
                 "sweep");
}

// Every registered model with a SPICE form, in the regime it states (device::regime): its pulse
// train and its cross-check sweep, at its tolerances.
std::vector<case_spec> cases() {
    std::vector<case_spec> out;
    for (const auto& name : device::model_names()) {
        const auto m = device::make_model(name);
        if (!m->has_spice()) continue;
        const auto* g = m->typical_regime();
        if (!g) throw std::runtime_error(name + " has a SPICE export but states no regime to cross-check it in");
        out.push_back({name, g->set, g->series_resistance, g->train.high, g->train.low, g->train.width, g->train.period, g->train.n,
                       g->train.n, g->cross_check.v_max, g->cross_check.v_min, g->cross_check.rate, g->cross_check.cycles, g->spice_rtol, g->rtol,
                       g->atol_scale});
    }
    return out;
}

INSTANTIATE_TEST_SUITE_P(Models, NgspiceModel, ::testing::ValuesIn(cases()), [](const auto& p) { return p.param.model; });

}  // namespace

// The PWL line ngspice gets for a waveform: a true step (zero rise) becomes an edge of min_edge,
// but the end of a ramp is not a step. One ulp before a ramp ends (or within a few ulps of where
// a fall begins, which the pulse's own arithmetic rounds) the value differs by slope x ulp; this
// was written as a 1 ps "edge" of a few nV at t = 0.5 s, 2 s, ... of set_delay.toml, and ngspice
// stopped there with "timestep too small".
TEST(Ngspice, PwlSourceWritesStepsAsEdgesButNotTheEndsOfRamps) {
    std::vector<stimulus::pulse> ps;
    for (int k = 0; k < 8; ++k) ps.push_back({1.0 + 1.5 * k, 1.0 + 0.2 * k, 0.5});
    const stimulus::pulse_list ramps(ps, 0.0, 100e-9, 100e-9);
    const stimulus::pulse_list steps(ps, 0.0, 0.0, 0.0);
    const auto times = [](const std::string& line) {
        std::vector<double> t;
        const auto a = line.find("PWL(") + 4;
        std::istringstream in(line.substr(a, line.rfind(')') - a));
        for (double x, v; in >> x >> v;) t.push_back(x);
        return t;
    };
    const auto closest = [](const std::vector<double>& t) {
        double m = INFINITY;
        for (std::size_t k = 1; k < t.size(); ++k) m = std::min(m, t[k] - t[k - 1]);
        return m;
    };
    const auto tr = times(spice::pwl_source("V1", "in", "0", ramps, 13.0));
    EXPECT_EQ(tr.size(), 1u + 8u * 4u + 1u);  // 0, four corners per pulse, t_end
    EXPECT_GT(closest(tr), 0.99e-7);          // nothing closer than the 100 ns edges
    const auto ts = times(spice::pwl_source("V1", "in", "0", steps, 13.0, 1e-12));
    EXPECT_EQ(ts.size(), 1u + 8u * 4u + 1u);
    EXPECT_NEAR(closest(ts), 1e-12, 1e-15);   // the steps are there, as 1 ps edges
}
