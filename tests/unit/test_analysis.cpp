// Analysis functions on synthetic traces whose answers are known by construction.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "memlab/analysis/analysis.hpp"
#include "memlab/error.hpp"

using namespace memlab;
namespace an = memlab::analysis;

TEST(Analysis, VsetAtNinetyPercentOfCompliance) {
    // A sweep at 1 V/s; the current jumps to the 10 nA limit at 0.6 V in cycle 0 and 0.8 V in cycle 1.
    std::vector<double> t, v, i;
    for (int c = 0; c < 3; ++c)
        for (int k = 0; k < 1500; ++k) {
            const double vv = 1e-3 * k;
            t.push_back(c * 1.5 + 1e-3 * k);
            v.push_back(vv);
            const double vs = c == 0 ? 0.6 : c == 1 ? 0.8 : 9.0;  // cycle 2 never sets
            i.push_back(vv >= vs ? 1e-8 : 1e-12 * vv);
        }
    const auto vs = an::vset_per_cycle(t, v, i, 1e-8, 1.5);
    ASSERT_EQ(vs.size(), 3u);
    EXPECT_NEAR(vs[0], 0.6, 1e-12);
    EXPECT_NEAR(vs[1], 0.8, 1e-12);
    EXPECT_TRUE(std::isnan(vs[2]));
    const auto s = an::statistics(vs);
    EXPECT_EQ(s.n, 2u);
    EXPECT_EQ(s.missing, 1u);
    EXPECT_NEAR(s.mean, 0.7, 1e-12);
    EXPECT_NEAR(s.std, 0.1, 1e-12);  // population std
}

TEST(Analysis, SpikesAndThePulsesTheyFallOn) {
    stimulus::train_spec s;
    s.levels = {2.0};
    s.count = 10;
    s.width = 4e-6;
    s.period = 5e-6;
    const auto w = stimulus::pulse_train(s);
    const auto& pl = dynamic_cast<const stimulus::pulse_list&>(*w);
    std::vector<double> t, y;
    for (int k = 0; k < 5000; ++k) {
        const double tt = 1e-8 * k;
        t.push_back(tt);
        // Spikes peaking 1 us into pulses 3 and 7 (0-based), Gaussian 0.2 us wide.
        double val = 1e-9;
        for (int p : {3, 7}) val += 1e-6 * std::exp(-std::pow((tt - (p * 5e-6 + 1e-6)) / 0.2e-6, 2));
        y.push_back(val);
    }
    const auto sp = an::find_spikes(t, y, 0.1e-6, 0.5, &pl);
    ASSERT_EQ(sp.size(), 2u);
    EXPECT_EQ(sp[0].pulse, 3);
    EXPECT_EQ(sp[1].pulse, 7);
    EXPECT_NEAR(sp[0].t_peak, 16e-6, 1e-8);
    EXPECT_NEAR(sp[1].peak, 1e-6 + 1e-9, 1e-12);  // Gaussian peak on the 1 nA baseline
    EXPECT_LT(sp[0].t_onset, sp[0].t_peak);
}

namespace {
// Write pulses of 10 us at `levels`, each followed by a 0.1 V read of 5 us, 5 us gaps.
stimulus::waveform_ptr reads_after(std::vector<double> levels) {
    stimulus::read_after_write_spec s;
    s.write_levels = std::move(levels);
    s.write_width = 10e-6;
    s.read_level = 0.1;
    s.read_width = 5e-6;
    s.gap = 5e-6;
    return stimulus::read_after_write(s);
}
}  // namespace

TEST(Analysis, ReadPulseConductance) {
    const auto w = reads_after({1.0, 1.0, -0.8});
    const auto& pl = dynamic_cast<const stimulus::pulse_list&>(*w);
    const std::vector<double> g_true{1e-3, 2e-3, 1.5e-3};
    std::vector<double> t, v, i;
    for (int k = 0; k < 9000; ++k) {
        const double tt = 1e-8 * k, vv = w->value(tt);
        // Conductance changes only during write pulses: after write n it is g_true[n].
        const long p = pl.pulse_index_at(tt);
        const double g = p < 1 ? 0.5e-3 : g_true[static_cast<std::size_t>((p - 1) / 2)];
        t.push_back(tt), v.push_back(vv), i.push_back(g * vv);
    }
    const auto g = an::read_conductance(t, v, i, pl, 0.1);
    ASSERT_EQ(g.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(g[k], g_true[k], 1e-12);
}

TEST(Analysis, ReadPulseConductanceAcrossAStepOverTheWindow) {
    // A solver that steps across a read's whole window records only the plateau's corners: the
    // conductance is taken between them (here a device whose current creeps linearly over the
    // plateau: the window's middle), and a window with no sample on the plateau either side is NaN.
    const auto w = reads_after({1.0});
    const auto& pl = dynamic_cast<const stimulus::pulse_list&>(*w);
    const auto& rd = pl.pulses()[1];
    const double lo = rd.start + pl.rise(), hi = lo + rd.width;
    const std::vector<double> t{0.0, lo, hi, hi + pl.fall()};
    const std::vector<double> v{0.0, 0.1, 0.1, 0.0};
    const std::vector<double> i{0.0, 0.1 * 1e-3, 0.1 * 3e-3, 0.0};
    const auto g = an::read_conductance(t, v, i, pl, 0.1);
    ASSERT_EQ(g.size(), 1u);
    EXPECT_NEAR(g[0], 2e-3, 1e-12);
    // Only the edges' feet recorded: nothing on the plateau.
    const std::vector<double> t2{0.0, rd.start, hi + pl.fall()}, v2{0.0, 0.0, 0.0}, i2{0.0, 0.0, 0.0};
    EXPECT_TRUE(std::isnan(an::read_conductance(t2, v2, i2, pl, 0.1)[0]));
}

TEST(Analysis, MedianCycleOfShiftedCopies) {
    // Five cycles of v = sin, i = v * g_c with g_c = 1..5: the median is the g = 3 cycle.
    std::vector<double> t, v, i;
    const double P = 1.0;
    for (int c = 0; c < 5; ++c)
        for (int k = 0; k <= 1000; ++k) {
            if (c > 0 && k == 0) continue;
            const double ph = k / 1000.0;
            t.push_back(c * P + ph * P);
            v.push_back(std::sin(2 * M_PI * ph));
            i.push_back((c + 1) * std::sin(2 * M_PI * ph));
        }
    const auto m = an::median_cycle(t, v, i, P, 0, 101);
    ASSERT_EQ(m.v.size(), 101u);
    for (std::size_t k = 0; k < 101; ++k) EXPECT_NEAR(m.i[k], 3 * m.v[k], 1e-9);
}

TEST(Analysis, RelaxationTimeOfAnExponential) {
    std::vector<double> t, g;
    for (int k = 0; k <= 2000; ++k) t.push_back(1e-4 * k), g.push_back(k < 100 ? 1.0 : std::exp(-(1e-4 * k - 0.01) / 0.02));
    // exp(-dt/0.02) = 0.1 at dt = 0.02 ln 10.
    EXPECT_NEAR(an::relaxation_time(t, g, 0.01, 0.1), 0.02 * std::log(10.0), 2e-6);
    EXPECT_TRUE(std::isnan(an::relaxation_time(t, g, 0.01, 1e-9)));
}

TEST(Analysis, ExponentialDelayFit) {
    const std::vector<double> v{1.0, 1.2, 1.4, 1.6, 1.8};
    std::vector<double> d;
    for (double x : v) d.push_back(std::pow(10.0, 2.0 - 5.0 * x));  // 5 decades per volt
    const auto f = an::exponential_delay_fit(v, d);
    EXPECT_NEAR(f.slope, -5.0, 1e-12);
    EXPECT_NEAR(f.intercept, 2.0, 1e-12);
    EXPECT_NEAR(f.r2, 1.0, 1e-12);
    EXPECT_NEAR(f.decades, 4.0, 1e-12);
    // Scatter lowers R^2; a non-positive delay is skipped.
    d[2] *= 30;
    d[4] = -1;
    const auto g = an::exponential_delay_fit(v, d);
    EXPECT_EQ(g.n, 4u);
    EXPECT_LT(g.r2, 0.99);
}

TEST(Analysis, MsdOfUniformMotionIsTheSquaredDistance) {
    // x = v t, y = z = 0: every origin gives (v lag dt)^2 exactly.
    std::vector<double> x, y, z;
    const double v = 3e-10, dt = 1e-13;
    for (int k = 0; k < 200; ++k) x.push_back(v * dt * k), y.push_back(0.0), z.push_back(0.0);
    const std::vector<std::size_t> lags{1, 7, 50, 199, 200, 0};
    const auto msd = an::mean_squared_displacement(x, y, z, lags);
    for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(msd[k], std::pow(v * dt * static_cast<double>(lags[k]), 2), 1e-12 * msd[k]);
    EXPECT_TRUE(std::isnan(msd[4]));  // a lag as long as the trajectory has no pair
    EXPECT_TRUE(std::isnan(msd[5]));
}

TEST(Analysis, DiffusionCoefficientOfARandomWalkWithinItsStatisticalError) {
    // Gaussian steps of variance 2 D dt per axis: MSD = 6 D tau. 50 walks of 4000 steps, fitted
    // over lags of 1..40 steps: the estimate's relative error is about sqrt(40/4000)/sqrt(50),
    // ~1.4 %; the test allows 5 %.
    const double d_true = 2e-9, dt = 1e-13;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0.0, std::sqrt(2 * d_true * dt));
    double sum = 0;
    const int walks = 50;
    for (int w = 0; w < walks; ++w) {
        std::vector<double> x{0}, y{0}, z{0};
        for (int k = 1; k < 4000; ++k) x.push_back(x.back() + step(rng)), y.push_back(y.back() + step(rng)), z.push_back(z.back() + step(rng));
        const auto lags = an::log_spaced_lags(40, 12);
        const auto msd = an::mean_squared_displacement(x, y, z, lags);
        std::vector<double> tau;
        for (auto l : lags) tau.push_back(static_cast<double>(l) * dt);
        const auto fit = an::diffusion_coefficient(tau, msd, 0, 40 * dt);
        EXPECT_EQ(fit.n, lags.size());
        sum += fit.coefficient;
    }
    EXPECT_NEAR(sum / walks, d_true, 0.05 * d_true);
}

TEST(Analysis, DiffusionFitIsExactOnALineAndNanWithoutPoints) {
    const std::vector<double> tau{1e-12, 2e-12, 3e-12, 4e-12}, msd{1e-20 + 6e-9 * 1e-12, 1e-20 + 6e-9 * 2e-12, 1e-20 + 6e-9 * 3e-12, 1e-20 + 6e-9 * 4e-12};
    const auto f = an::diffusion_coefficient(tau, msd, 0, 1);
    EXPECT_NEAR(f.coefficient, 1e-9, 1e-21);
    EXPECT_NEAR(f.intercept, 1e-20, 1e-32);
    EXPECT_NEAR(f.r2, 1.0, 1e-12);
    const auto none = an::diffusion_coefficient(tau, msd, 3.5e-12, 1);  // one lag in the window
    EXPECT_EQ(none.n, 1u);
    EXPECT_TRUE(std::isnan(none.coefficient));
}

TEST(Analysis, LogSpacedLagsRiseWithoutRepeatsFromOneToTheLongest) {
    const auto lags = an::log_spaced_lags(1000, 40);
    ASSERT_FALSE(lags.empty());
    EXPECT_EQ(lags.front(), 1u);
    EXPECT_EQ(lags.back(), 1000u);
    for (std::size_t k = 1; k < lags.size(); ++k) EXPECT_GT(lags[k], lags[k - 1]);
    EXPECT_LE(lags.size(), 40u);
    EXPECT_TRUE(an::log_spaced_lags(0, 10).empty());
}

TEST(Analysis, ArrheniusFitRecoversTheBarrierAndPrefactor) {
    // D = 1e-7 exp(-0.8 eV / kT) at 1200..1800 K: exact, weighted or not.
    const double kb = 8.617333262e-5;
    const std::vector<double> t{1200, 1400, 1600, 1800};
    std::vector<double> d, se;
    for (double x : t) d.push_back(1e-7 * std::exp(-0.8 / (kb * x))), se.push_back(0.1 * d.back());
    const auto plain = an::arrhenius(t, d);
    EXPECT_NEAR(plain.activation_energy, 0.8, 1e-10);
    EXPECT_NEAR(plain.prefactor, 1e-7, 1e-15);
    EXPECT_NEAR(plain.activation_energy_se, 0.0, 1e-9);
    const auto weighted = an::arrhenius(t, d, se);
    EXPECT_NEAR(weighted.activation_energy, 0.8, 1e-10);
    // 10 % on each D: sigma(ln D) = 0.1, so se(E_a) = 0.1 / sqrt(sum (x - mean x)^2).
    double mx = 0, sxx = 0;
    for (double x : t) mx += 1 / (kb * x) / 4;
    for (double x : t) sxx += std::pow(1 / (kb * x) - mx, 2);
    EXPECT_NEAR(weighted.activation_energy_se, 0.1 / std::sqrt(sxx), 1e-12);
    // A non-positive D (a caged ion's drift) is left out; one point is no fit.
    auto d2 = d;
    d2[1] = -1e-12;
    EXPECT_EQ(an::arrhenius(t, d2).n, 3u);
    EXPECT_NEAR(an::arrhenius(t, d2).activation_energy, 0.8, 1e-10);
    EXPECT_TRUE(std::isnan(an::arrhenius(std::vector<double>{1500}, std::vector<double>{1e-9}).activation_energy));
}

TEST(Analysis, MedianIgnoresNaN) {
    const std::vector<double> x{3, NAN, 1, 2}, y{4, 1, 3, 2}, none{NAN};
    EXPECT_DOUBLE_EQ(an::median(x), 2.0);
    EXPECT_DOUBLE_EQ(an::median(y), 2.5);
    EXPECT_TRUE(std::isnan(an::median(none)));
}

TEST(Analysis, ResetWidthOfALinearFall) {
    // A negative branch 0 -> -1 V: i = v G0 up to -0.2 V, then i = v G0 (1 - (|v| - 0.2)/0.5) to
    // -0.7 V (zero there): |i| = G0 |v| (1.4 - 2|v|) peaks at |v| = 0.35 V, |i| = 0.245 G0.
    const double G0 = 1e-3;
    std::vector<double> v, i;
    for (int k = 0; k <= 10000; ++k) {
        const double x = -1e-4 * k;
        const double g = -x <= 0.2 ? 1.0 : std::max(1.0 - (-x - 0.2) / 0.5, 0.0);
        v.push_back(x), i.push_back(x * G0 * g);
    }
    const auto r = an::reset_width(v, i);
    EXPECT_NEAR(r.v_start, -0.35, 1e-3);
    EXPECT_NEAR(r.i_start, 0.245 * G0, 1e-9);
    // After the peak, |v| (1.4 - 2|v|) = f 0.245: |v| = (1.4 + sqrt(1.96 - 8 f 0.245)) / 4.
    const auto root = [](double f) { return -(1.4 + std::sqrt(1.96 - 8.0 * f * 0.245)) / 4.0; };
    EXPECT_NEAR(r.v_from, root(0.9), 1e-4);
    EXPECT_NEAR(r.v_to, root(0.1), 1e-4);
    // An abrupt reset: the current drops in one sample.
    std::vector<double> va{-0.1, -0.2, -0.3, -0.31, -0.4}, ia{-1e-4, -2e-4, -3e-4, -1e-9, -1e-9};
    const auto a = an::reset_width(va, ia);
    EXPECT_LT(std::fabs(a.v_to - a.v_from), 0.01);
}

TEST(Analysis, QuantilesBetweenOrderStatistics) {
    // Type 7 (numpy's default): q (n - 1) in the sorted entries, linear between neighbours.
    const std::vector<double> x = {7, 1, NAN, 3, 5};  // finite, sorted: 1 3 5 7
    EXPECT_DOUBLE_EQ(an::quantile(x, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(an::quantile(x, 1.0), 7.0);
    EXPECT_DOUBLE_EQ(an::quantile(x, 0.5), 4.0);
    EXPECT_DOUBLE_EQ(an::quantile(x, 0.25), 2.5);   // h = 0.75: 1 + 0.75 * 2
    EXPECT_DOUBLE_EQ(an::quantile(x, 0.95), 6.7);   // h = 2.85: 5 + 0.85 * 2
    EXPECT_TRUE(std::isnan(an::quantile(std::vector<double>{NAN}, 0.5)));
    EXPECT_THROW(an::quantile(x, 1.5), memlab::input_error);
}

TEST(Analysis, HistogramCountsEveryFiniteEntryOnce) {
    const std::vector<double> x = {0, 1, 2, 3, 4, 4, NAN, INFINITY};
    const auto h = an::histogram(x, 4);
    EXPECT_EQ(h.edges, (std::vector<double>{0, 1, 2, 3, 4}));
    EXPECT_EQ(h.counts, (std::vector<std::size_t>{1, 1, 1, 3}));  // the last bin holds its right edge
    // Given edges: what falls outside is not counted.
    const std::vector<double> edges = {1, 2, 3};
    EXPECT_EQ(an::histogram(x, edges).counts, (std::vector<std::size_t>{1, 2}));
    // All equal: one bin of zero width; nothing finite: no bins.
    EXPECT_EQ(an::histogram(std::vector<double>{2, 2}, 5).counts, (std::vector<std::size_t>{2}));
    EXPECT_TRUE(an::histogram(std::vector<double>{NAN}, 5).counts.empty());
}
