// Physics of the agsn_sio2_pt model from its functions: reductions, trends that follow from its
// equations, its events and their draws. (Whole circuits: tests/validation/test_agsn_circuits.cpp;
// paper targets: memlab reproduce.)
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "memlab/analysis/analysis.hpp"
#include "memlab/device/agsn.hpp"

using namespace memlab;
using device::agsn_sio2_pt;
using S = device::agsn_state;

TEST(Agsn, NoRelaxationWithoutSurfaceEnergy) {
    agsn_sio2_pt m;
    m.set({{"gamma", 0.0}, {"b_sd", 0.0}});
    const auto& p = m.params();
    for (double h : {1e-9, 3e-9, 4.5e-9})
        for (double r : {0.2e-9, 1e-9}) {
            EXPECT_EQ(device::agsn::tip_velocity(p, 0.0, h, r, 0.0, 0.0, 300.0), 0.0);
            EXPECT_EQ(device::agsn::neck_rate(p, 0.0, h, r, 0.0, 300.0), 0.0);
        }
    // With surface energy, a thin filament at 0 V dissolves.
    agsn_sio2_pt with;
    EXPECT_LT(device::agsn::tip_velocity(with.params(), 0.0, 4.5e-9, 0.2e-9, 0.0, 0.0, 300.0), 0.0);
}

TEST(Agsn, ThinDissolvesFastThickAndSnRichSlowly) {
    agsn_sio2_pt m;
    const auto& p = m.params();
    const double h = 4.5e-9, T = 300.0;
    double last = INFINITY;
    for (double r : {0.2e-9, 0.4e-9, 0.8e-9, 1.6e-9}) {  // Gibbs-Thomson: thinner, faster
        const double v = -device::agsn::tip_velocity(p, 0.0, h, r, 0.0, 0.0, T);
        EXPECT_GT(v, 0.0);
        EXPECT_LT(v, last);
        last = v;
    }
    last = INFINITY;
    for (double theta : {0.0, 0.25, 0.5, 1.0}) {  // Sn raises the dissolution barrier
        const double v = -device::agsn::tip_velocity(p, 0.0, h, 0.2e-9, theta, 0.0, T);
        EXPECT_LT(v, last);
        last = v;
    }
    // Neck shrinkage by surface diffusion: slower for a thick neck.
    EXPECT_LT(std::fabs(device::agsn::neck_rate(p, 0.0, 2e-9, 1.6e-9, 0.0, T)),
              std::fabs(device::agsn::neck_rate(p, 0.0, 2e-9, 0.4e-9, 0.0, T)));
    // Sn raises the surface-diffusion barrier by dE_Sn,sd theta, a parameter of its own: a Sn-rich
    // neck shrinks more slowly at 0 V, and an atom leaving the filament (dE_Sn) does not notice.
    agsn_sio2_pt slow;
    slow.set({{"de_sn_sd", p.de_sn_sd + 0.2}, {"nu0", 0.0}});  // nu0 = 0: no hops, only the surface diffusion
    agsn_sio2_pt base;
    base.set({{"nu0", 0.0}});
    const double fast_sd = device::agsn::neck_rate(base.params(), 0.0, 2e-9, 1.0e-9, 1.0, 600.0);
    const double slow_sd = device::agsn::neck_rate(slow.params(), 0.0, 2e-9, 1.0e-9, 1.0, 600.0);
    EXPECT_LT(fast_sd, 0.0);
    EXPECT_NEAR(slow_sd / fast_sd, std::exp(-0.2 / (8.617333e-5 * 600.0)), 1e-3 * slow_sd / fast_sd);
    agsn_sio2_pt sd_only;
    sd_only.set({{"de_sn_sd", p.de_sn_sd + 0.2}});
    EXPECT_EQ(device::agsn::tip_velocity(sd_only.params(), 0.0, h, 0.2e-9, 1.0, 0.0, T), device::agsn::tip_velocity(p, 0.0, h, 0.2e-9, 1.0, 0.0, T));
    // Sn is taken up only into a connected filament and faster when hot (Sn slower than Ag).
    EXPECT_GT(device::agsn::sn_uptake_rate(p, 0.0, p.L, 1e-9, 400.0), 100 * device::agsn::sn_uptake_rate(p, 0.0, p.L, 1e-9, 300.0));
    EXPECT_GT(device::agsn::sn_uptake_rate(p, 0.0, p.L, 1e-9, 300.0), 1e6 * device::agsn::sn_uptake_rate(p, 0.0, 1e-9, 1e-9, 300.0));
}

TEST(Agsn, ConductanceGrowsWithHeightAndRadius) {
    agsn_sio2_pt m;
    const auto& p = m.params();
    EXPECT_LT(device::agsn::conductance(p, 2e-9, 0.2e-9), device::agsn::conductance(p, 4e-9, 0.2e-9));
    EXPECT_LT(device::agsn::conductance(p, p.L, 0.2e-9), device::agsn::conductance(p, p.L, 1e-9));
    EXPECT_NEAR(device::agsn::conductance(p, 0.0, 0.2e-9), p.g_leak, 0.01 * p.g_leak);  // HRS floor
}

TEST(Agsn, RelaxationPutsTheTipAtTheNewClusterFront) {
    agsn_sio2_pt m;
    std::vector<double> s(m.states().size());
    m.initial_state(s);
    s[S::h] = 4.9e-9;  // a tip near the electrode whose filament has just broken
    s[S::armed] = 1.0;
    device::rng r(3);
    m.on_event(2, 0.0, s, r);  // hazard 2: broken up
    EXPECT_EQ(s[S::h], s[S::h_c]);  // the next set starts from the front of the cluster chain
    EXPECT_GE(s[S::h_c], s[S::h_s]);
    EXPECT_LE(s[S::h_c], m.params().L - m.params().x_relax + 1e-18);
    EXPECT_EQ(s[S::armed], 0.0);
}

TEST(Agsn, RelaxedGapNeverBelowXRelaxAndNarrowAfterTraining) {
    // The drawn front leaves at least x_relax of oxide; its spread is proportional to the oxide
    // the chain can occupy (L - h_s - x_relax), so a full stub narrows it by that ratio.
    agsn_sio2_pt m;
    const auto& p = m.params();
    auto gaps = [&](double h_s, std::uint64_t seed) {
        device::rng r(seed);
        std::vector<double> g;
        for (int k = 0; k < 2000; ++k) {
            std::vector<double> s(m.states().size());
            m.initial_state(s);
            s[S::h] = p.L, s[S::h_s] = h_s, s[S::armed] = 1.0;  // in contact, armed, no Sn: the stub stays h_s
            m.on_event(2, 0.0, s, r);
            g.push_back(p.L - s[S::h]);
        }
        return g;
    };
    auto spread = [](const std::vector<double>& g) {
        double m1 = 0, m2 = 0;
        for (double x : g) m1 += x, m2 += x * x;
        const double n = static_cast<double>(g.size());
        m1 /= n;
        return std::sqrt(m2 / n - m1 * m1);
    };
    const auto fresh = gaps(0.0, 5), trained = gaps(p.h_s_max, 5);
    for (double x : fresh) EXPECT_GE(x, p.x_relax - 1e-18);
    for (double x : trained) {
        EXPECT_GE(x, p.x_relax - 1e-18);
        EXPECT_LE(x, p.L - p.h_s_max + 1e-18);
    }
    const double ratio = (p.L - p.h_s_max - p.x_relax) / (p.L - p.x_relax);
    EXPECT_NEAR(spread(trained) / spread(fresh), ratio, 1e-9 * ratio);  // same seed: the same f, scaled
}

// The AutoDiff Jacobian against central differences of the same rates (the model base class's
// default), at states across the regimes: fresh, growing near contact, hot and Sn-rich in contact,
// dissolving at negative bias.
TEST(Agsn, AutoDiffJacobianMatchesDifferences) {
    for (const double f : {0.0, 1.0}) {  // the default, and with the dealloying law
    agsn_sio2_pt m;
    m.set({{"f_dealloy", f}});
    SCOPED_TRACE(f);
    const std::size_t n = m.states().size();
    struct point {
        double v;
        std::vector<double> s;  // h, r, theta, h_s, armed, h_c, T, e_path, e_tip, z_step
    };
    const std::vector<point> points{
        {0.8, {1.75e-9, 0.2e-9, 0.0, 0.0, 0.0, 1.75e-9, 300.0, 0.0, 0.0, 0.0}},
        {0.5, {4.6e-9, 0.25e-9, 0.0, 0.0, 1.0, 2.0e-9, 310.0, 0.04, 0.012, 0.1}},
        {0.05, {5.0e-9, 1.5e-9, 0.4, 1.0e-9, 1.0, 2.0e-9, 550.0, -0.03, -0.01, 0.2}},
        {-0.6, {4.2e-9, 0.6e-9, 0.1, 0.5e-9, 1.0, 2.5e-9, 320.0, 0.02, 0.015, -0.15}},
    };
    for (const auto& pt : points) ASSERT_EQ(pt.s.size(), n);
    for (const auto& pt : points) {
        std::vector<double> ad_v(n), ad_s(n * n), fd_v(n), fd_s(n * n);
        m.rates_jacobian(pt.v, pt.s, ad_v, ad_s);
        m.model::rates_jacobian(pt.v, pt.s, fd_v, fd_s);
        std::vector<double> rates(n);
        m.rates(pt.v, pt.s, rates);
        for (std::size_t i = 0; i < n; ++i) {
            // Scale of row i: the largest derivative entry times its variable's scale.
            double scale = std::fabs(fd_v[i]) * 1.0;
            for (std::size_t j = 0; j < n; ++j) scale = std::max(scale, std::fabs(fd_s[i * n + j]) * std::max(std::fabs(pt.s[j]), 1e-9));
            EXPECT_NEAR(ad_v[i], fd_v[i], 1e-5 * scale + 1e-300) << "v = " << pt.v << ", d rate " << i << " / dv";
            for (std::size_t j = 0; j < n; ++j)
                EXPECT_NEAR(ad_s[i * n + j] * std::max(std::fabs(pt.s[j]), 1e-9), fd_s[i * n + j] * std::max(std::fabs(pt.s[j]), 1e-9),
                            1e-5 * scale + 1e-300)
                    << "v = " << pt.v << ", d rate " << i << " / d state " << j;
        }
        double di_dv = 0, fdi_dv = 0;
        std::vector<double> di_ds(n), fdi_ds(n);
        m.current_jacobian(pt.v, pt.s, di_dv, di_ds);
        m.model::current_jacobian(pt.v, pt.s, fdi_dv, fdi_ds);
        EXPECT_NEAR(di_dv, fdi_dv, 1e-6 * std::fabs(fdi_dv));
        for (std::size_t j = 0; j < n; ++j) EXPECT_NEAR(di_ds[j], fdi_ds[j], 1e-5 * std::fabs(fdi_ds[j]) + 1e-6 * std::fabs(fdi_dv) / std::max(std::fabs(pt.s[j]), 1e-9));
    }
    }
}

TEST(Agsn, ResidualPathSpeedsGrowthOnly) {
    // Along a training stub the Ag migration barrier moves from E_Ag toward E_res in proportion to
    // h_s/h_s,max: growth is faster by exp((E_Ag - E_res)/kT) for a full stub, dissolution
    // (oxidation of the filament's own atoms) is unchanged, and E_res = E_Ag removes the effect.
    // Whatever a device's own E_Ag, a full stub grows over E_res.
    agsn_sio2_pt m;
    m.set({{"e_min", 0.0}});  // no floor on the lowered barrier: the ratios are then exact
    const auto& p = m.params();
    const double T = 300.0, kt = 8.617333262e-5 * T, h = 3e-9, r = p.r_min;
    // Exact up to the growth/dissolution switch, a logistic in V_ion/(kT/e): 3e-10 at 0.8 V.
    const double v_grow = 0.8;  // above V_GT(r_min) = 0.22 V: growing
    const double none = device::agsn::tip_velocity(p, v_grow, h, r, 0.0, 0.0, T, 0.0);
    const double half = device::agsn::tip_velocity(p, v_grow, h, r, 0.0, 0.0, T, 0.5 * p.h_s_max);
    const double full = device::agsn::tip_velocity(p, v_grow, h, r, 0.0, 0.0, T, p.h_s_max);
    ASSERT_GT(none, 0.0);
    EXPECT_NEAR(full / none, std::exp((p.e_ag - p.e_res) / kt), 1e-6 * std::exp((p.e_ag - p.e_res) / kt));
    EXPECT_NEAR(half / none, std::exp(0.5 * (p.e_ag - p.e_res) / kt), 1e-6 * std::exp(0.5 * (p.e_ag - p.e_res) / kt));
    // Dissolving (-0.3 V, one-atom tip): the stub does not change the rate.
    const double d0 = device::agsn::tip_velocity(p, -0.3, h, r, 0.0, 0.0, T, 0.0);
    const double d1 = device::agsn::tip_velocity(p, -0.3, h, r, 0.0, 0.0, T, p.h_s_max);
    ASSERT_LT(d0, 0.0);
    EXPECT_NEAR(d1 / d0, 1.0, 1e-6);
    agsn_sio2_pt off;
    off.set({{"e_res", off.params().e_ag}});
    EXPECT_EQ(device::agsn::tip_velocity(off.params(), v_grow, h, r, 0.0, 0.0, T, p.h_s_max),
              device::agsn::tip_velocity(off.params(), v_grow, h, r, 0.0, 0.0, T, 0.0));
    agsn_sio2_pt slow;  // a device drawn with a higher pristine barrier
    slow.set({{"e_min", 0.0}, {"e_ag", p.e_ag + 0.1}});
    EXPECT_NEAR(device::agsn::tip_velocity(slow.params(), v_grow, h, r, 0.0, 0.0, T, p.h_s_max) / full, 1.0, 1e-9);
    EXPECT_LT(device::agsn::tip_velocity(slow.params(), v_grow, h, r, 0.0, 0.0, T, 0.0), 0.1 * none);
}

namespace {
// The tip height at which a one-atom filament conducts g (bisection on the model's conductance).
double height_at(const device::agsn_params& p, double g) {
    double lo = 0.0, hi = p.L;
    for (int k = 0; k < 200; ++k) {
        const double mid = 0.5 * (lo + hi);
        (device::agsn::conductance(p, mid, p.r_min) < g ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}
}  // namespace

TEST(Agsn, DissolutionGoesOverItsOwnBarrier) {
    // Growth is limited by Ag+ migration through the oxide (E_Ag); dissolution by an atom leaving
    // the filament (E_diss, raised by the Sn): changing E_diss moves only the dissolving rates,
    // by exp(-dE/kT).
    agsn_sio2_pt a, b;
    a.set({{"e_min", 0.0}});
    b.set({{"e_min", 0.0}, {"e_diss", a.params().e_diss + 0.1}});
    const double T = 300.0, kt = 8.617333262e-5 * T, h = 3e-9, r = a.params().r_min;
    const double grow_a = device::agsn::tip_velocity(a.params(), 0.8, h, r, 0.0, 0.0, T, 0.0);
    const double grow_b = device::agsn::tip_velocity(b.params(), 0.8, h, r, 0.0, 0.0, T, 0.0);
    ASSERT_GT(grow_a, 0.0);
    EXPECT_NEAR(grow_b / grow_a, 1.0, 1e-6);
    const double diss_a = device::agsn::tip_velocity(a.params(), -0.5, h, r, 0.0, 0.0, T, 0.0);
    const double diss_b = device::agsn::tip_velocity(b.params(), -0.5, h, r, 0.0, 0.0, T, 0.0);
    ASSERT_LT(diss_a, 0.0);
    EXPECT_NEAR(diss_b / diss_a, std::exp(-0.1 / kt), 1e-6 * std::exp(-0.1 / kt));
    // The Sn-rich filament: E_diss + dE_Sn theta, so a full-Sn neck dissolves over 1.24 eV (1.45 eV
    // before 2026-12-05, with a constant R_th).
    EXPECT_NEAR(a.params().e_diss + a.params().de_sn, 1.24, 1e-12);
}

TEST(Agsn, AReverseFieldSweepsTheFilamentBackAndKeepsTheFloor) {
    // A set filament that the reverse field takes apart (the field adds more to the tip's
    // dissolution than its surface energy does) returns its Ag to the top electrode: no new chain,
    // the tip goes back to within one hop of its old floor (the first state counted as relaxed). At
    // rest it breaks up into clusters and a new front is drawn.
    agsn_sio2_pt m;
    const auto& p = m.params();
    std::vector<double> armed(m.states().size());
    m.initial_state(armed);
    armed[S::h] = 3.6e-9, armed[S::armed] = 1.0;  // a 1.4 nm gap, floor at h_init
    const double floor = armed[S::h_c];
    auto swept = armed;
    device::rng r1(3);
    m.on_event(1, -0.9, swept, r1);
    EXPECT_EQ(swept[S::h_c], floor);
    EXPECT_EQ(swept[S::h], floor + p.a);
    EXPECT_EQ(swept[S::armed], 0.0);
    // The event never raises the tip: one already within a hop of its floor stays where it is.
    auto low = armed;
    low[S::h] = floor + 0.4 * p.a;
    device::rng r0(3);
    m.on_event(1, -0.9, low, r0);
    EXPECT_EQ(low[S::h], floor + 0.4 * p.a);
    // Once swept the device is relaxed and not set: the set hazard needs two hops above the floor.
    std::vector<double> hz(m.n_hazards());
    m.hazards(-0.9, swept, hz);
    EXPECT_LT(hz[0], 1e-6 * p.k_event);
    auto rest = armed, slight = armed;
    device::rng r2(3), r3(3);
    // Which hazard it is follows from the drive: -0.9 V sweeps; at rest and at -5 mV the surface
    // energy still dominates the dissolution: a breakup (hazard 2), with the same draw.
    EXPECT_TRUE(m.swept_by_field(-0.9, armed));
    EXPECT_FALSE(m.swept_by_field(0.0, armed));
    EXPECT_FALSE(m.swept_by_field(-0.005, armed));
    m.on_event(2, 0.0, rest, r2);
    EXPECT_NE(rest[S::h_c], floor);  // a drawn front
    EXPECT_LE(rest[S::h_c], p.L - p.x_relax + 1e-18);
    m.on_event(2, -0.005, slight, r3);
    EXPECT_EQ(slight[S::h_c], rest[S::h_c]);
}

TEST(Agsn, SetIsDetectedAtGArmAndBreakupNeedsADissolvingDrive) {
    agsn_sio2_pt m;
    const auto& p = m.params();
    std::vector<double> s(m.states().size()), hz(m.n_hazards());
    m.initial_state(s);
    // Set: below G_arm/2 the hazard is off, above 2 G_arm it is on at full rate (k_ev: 0.1 us).
    s[S::h] = height_at(p, 0.5 * p.g_arm);
    m.hazards(0.5, s, hz);
    EXPECT_LT(hz[0], 1.0);
    s[S::h] = height_at(p, 2.0 * p.g_arm);
    m.hazards(0.5, s, hz);
    EXPECT_GT(hz[0], 0.99 * p.k_event);
    // Relaxed: armed and back in the HRS (0.01 nS). Dissolving at rest: a breakup (hazard 2) at the
    // surface-diffusion rate of a one-atom filament, not swept; under a forward drive that grows the
    // tip (2 V) neither; under -0.9 V the field sweeps it (hazard 1) at k_ev, and it does not break up.
    // (Hazard 3, the neck's atom counter, is there too: n_lump > 0 by default.)
    ASSERT_EQ(hz.size(), 4u);
    s[S::h] = height_at(p, 0.01 * p.g_arm), s[S::armed] = 1.0;
    m.hazards(0.0, s, hz);
    EXPECT_EQ(hz[1], 0.0);
    EXPECT_NEAR(hz[2], device::agsn::breakup_rate(p, p.t0), 1e-3 * device::agsn::breakup_rate(p, p.t0));
    m.hazards(2.0, s, hz);
    EXPECT_LT(hz[1] + hz[2], 1e-6 * device::agsn::breakup_rate(p, p.t0));
    m.hazards(-0.9, s, hz);
    EXPECT_TRUE(m.swept_by_field(-0.9, s));
    EXPECT_NEAR(hz[1], p.k_event, 1e-3 * p.k_event);
    EXPECT_EQ(hz[2], 0.0);
}

TEST(Agsn, BreakupTakesTheSurfaceDiffusionTimeOfAOneAtomFilament) {
    // r_min^4 / (B exp(-E_sd/kT)): the time the model's own neck-shrinkage law needs to move a
    // one-atom filament by its radius. 4.4 ms at 300 K (the volatile relaxation is ~4 ms too),
    // faster when hot, and no breakup without surface diffusion.
    agsn_sio2_pt m;
    const auto& p = m.params();
    const double kt = 1.380649e-23 * 300.0 / 1.602176634e-19;
    const double rate = device::agsn::breakup_rate(p, 300.0);
    EXPECT_NEAR(rate, p.b_sd * std::exp(-p.e_sd / kt) / std::pow(p.r_min, 4), 1e-9 * rate);
    EXPECT_NEAR(1.0 / rate, 4.4e-3, 0.1e-3);
    EXPECT_GT(device::agsn::breakup_rate(p, 400.0), 10.0 * rate);
    agsn_sio2_pt off;
    off.set({{"b_sd", 0.0}});
    EXPECT_EQ(device::agsn::breakup_rate(off.params(), 300.0), 0.0);
}

TEST(Agsn, AThinContactHasTheLargerThermalResistance) {
    // Holm's constriction between two half-spaces, R_th(r) = 1/(2 kappa_th r): a one-atom contact
    // runs hot (the nonvolatile set takes up its Sn there, validation.Agsn.SnTakenUpByTheHotContact...).
    const agsn_sio2_pt m;
    const auto& p = m.params();
    EXPECT_NEAR(device::agsn::thermal_resistance(p, p.r_min), 1.0 / (2.0 * p.kappa_th * p.r_min), 1e-6);
    EXPECT_NEAR(device::agsn::thermal_resistance(p, 1.45e-9) / device::agsn::thermal_resistance(p, p.r_min), p.r_min / 1.45e-9, 1e-12);
}

TEST(Agsn, TheBallisticShareOfThePowerHeatsTheNeckByHeatBallistic) {
    // P = I_f^2 R_f + f_b (G v^2 - I_f^2 R_f): f_b = 1 the whole G v^2, f_b = 0 (default) the body's
    // I_f^2 R_f alone (the gap's and the Sharvin part's share heats the electrode beyond). Closed
    // forms from the conduction law.
    agsn_sio2_pt whole, body, half;
    whole.set({{"heat_ballistic", 1.0}});
    body.set({{"heat_ballistic", 0.0}});
    half.set({{"heat_ballistic", 0.5}});
    const auto& p = whole.params();
    const double v = 0.2;
    for (double r : {p.r_min, 1.45e-9}) {
        const double h = p.L;  // in contact
        const double g = device::agsn::conductance(p, h, r);
        const double share = p.rho * h / (M_PI * r * r) * (g - p.g_leak);  // R_f / (1/G_t + R_f)
        const double pw = g * v * v, pb = (g - p.g_leak) * (g - p.g_leak) * v * v * p.rho * h / (M_PI * r * r);
        EXPECT_DOUBLE_EQ(device::agsn::neck_power(p, v, h, r), pw) << r;
        EXPECT_NEAR(device::agsn::neck_power(body.params(), v, h, r), pb, 1e-12 * pw) << r;
        EXPECT_NEAR(device::agsn::neck_power(half.params(), v, h, r), 0.5 * (pw + pb), 1e-12 * pw) << r;
        EXPECT_GT(share, 0.05) << r;  // a diffusive body carries a real part of a contact's heat ...
        EXPECT_LT(share, 0.5) << r;   // ... and the constriction's ballistic part the rest
        EXPECT_NEAR(device::agsn::temperature(body.params(), v, h, r), p.t0 + device::agsn::thermal_resistance(p, r) * pb, 1e-9);
    }
    // Across a 1 nm gap the body carries almost no voltage: at f_b = 0 under 1e-4 of the power heats the tip.
    const double h = p.L - 1e-9;
    const double g = device::agsn::conductance(p, h, p.r_min);
    EXPECT_LT(device::agsn::neck_power(body.params(), v, h, p.r_min), 1e-4 * g * v * v);
}

TEST(Agsn, LateralGrowthOfAThickNeckGoesThroughANucleus) {
    // A thick neck thickens by adding layers to its side, each started by a 2D nucleus:
    // exp(-pi eps^2 Omega^(2/3) (1 - r_min/r) / (e eta kT)) on its growth, nothing on its dissolution,
    // nothing on a one-atom neck (no facet). Rates in contact, theta = 0, surface diffusion off
    // (B = 0) so that the lateral drift is compared alone.
    agsn_sio2_pt a, flat;
    a.set({{"b_sd", 0.0}});
    flat.set({{"b_sd", 0.0}, {"eps_step", 0.0}});
    const auto& p = a.params();
    const double T = 600.0, kt = 8.617333262e-5 * T, h = p.L;
    const double w = M_PI * p.eps_step * p.eps_step * std::cbrt(p.omega * p.omega) / (1.602176634e-19 * 1.602176634e-19);
    for (double r : {0.8e-9, 1.4e-9}) {
        for (double eta : {0.05, 0.1, 0.2}) {
            const double v = eta + device::agsn::gibbs_thomson_voltage(p, r);
            const double g = device::agsn::neck_rate(p, v, h, r, 0.0, T), g0 = device::agsn::neck_rate(flat.params(), v, h, r, 0.0, T);
            ASSERT_GT(g0, 0.0);
            const double expect = std::exp(-w * (1.0 - p.r_min / r) / (eta * kt));
            // (eta >> the 1 mV smoothing; below 1e-6 the growth is nil and the dissolution window's
            // tail, (1 - w_n)(1 - r_min/r) with w_n = logistic(q_n / 0.01), is what is left)
            if (expect > 1e-6)
                EXPECT_NEAR(g / g0, expect, 0.02 * expect) << r << " " << eta;
            else
                EXPECT_LT(g / g0, 1e-6) << r << " " << eta;
        }
        // Dissolution (v below V_GT(r)) is not touched.
        const double v = -0.1;
        EXPECT_DOUBLE_EQ(device::agsn::neck_rate(p, v, h, r, 0.0, T), device::agsn::neck_rate(flat.params(), v, h, r, 0.0, T));
    }
    // The barrier falls as eta grows, and is larger on a wider facet.
    EXPECT_LT(device::agsn::nucleation_factor(p, 0.05, 1.4e-9, T), device::agsn::nucleation_factor(p, 0.1, 1.4e-9, T));
    EXPECT_LT(device::agsn::nucleation_factor(p, 0.1, 1.4e-9, T), device::agsn::nucleation_factor(p, 0.1, 0.8e-9, T));
    // A one-atom neck is all kinks: no barrier.
    EXPECT_DOUBLE_EQ(device::agsn::nucleation_factor(p, 0.01, p.r_min, T), 1.0);
}

TEST(Agsn, EachBreakupDrawsThePathBarrierAndAStubRemovesIt) {
    // Every breakup draws the migration barrier of the next set's path, N(0, sigma_E) truncated at
    // 3 sigma (the cluster front is drawn too); a swept relaxation keeps it (the same path); sigma_E
    // = 0 leaves it at 0. Growth goes over E_Ag + e_path along a pristine path, over E_res along a
    // full stub's residual path whatever e_path (so training removes this spread too), and
    // dissolution does not see it.
    agsn_sio2_pt m;
    const auto& p = m.params();
    ASSERT_GT(p.sigma_e, 0.0);
    device::rng r(11);
    std::vector<double> draws;
    for (int k = 0; k < 4000; ++k) {
        std::vector<double> s(m.states().size());
        m.initial_state(s);
        s[S::h] = p.L, s[S::armed] = 1.0;
        m.on_event(2, 0.0, s, r);  // broken up
        draws.push_back(s[S::e_path]);
        const double kept = s[S::e_path];
        s[S::h] = p.L, s[S::armed] = 1.0;
        m.on_event(1, -1.0, s, r);  // swept: the same path
        EXPECT_EQ(s[S::e_path], kept);
    }
    double m1 = 0, m2 = 0, worst = 0;
    for (double x : draws) m1 += x, m2 += x * x, worst = std::max(worst, std::fabs(x));
    m1 /= static_cast<double>(draws.size());
    const double sd = std::sqrt(m2 / static_cast<double>(draws.size()) - m1 * m1);
    EXPECT_NEAR(m1, 0.0, 4.0 * p.sigma_e / std::sqrt(static_cast<double>(draws.size())));
    EXPECT_NEAR(sd, 0.986 * p.sigma_e, 0.05 * p.sigma_e);  // 3-sigma truncation: 0.986 sigma
    EXPECT_LE(worst, 3.0 * p.sigma_e + 1e-15);
    agsn_sio2_pt flat;
    flat.set({{"sigma_e", 0.0}});
    std::vector<double> s(flat.states().size());
    flat.initial_state(s);
    s[S::h] = p.L, s[S::armed] = 1.0;
    flat.on_event(2, 0.0, s, r);
    EXPECT_EQ(s[S::e_path], 0.0);

    agsn_sio2_pt q;
    q.set({{"e_min", 0.0}});  // exact ratios
    const auto& pq = q.params();
    const double T = 300.0, kt = 8.617333262e-5 * T, h = 3e-9, de = 0.05;
    const double base = device::agsn::tip_velocity(pq, 0.8, h, pq.r_min, 0.0, 0.0, T, 0.0, 0.0);
    const double slow = device::agsn::tip_velocity(pq, 0.8, h, pq.r_min, 0.0, 0.0, T, 0.0, de);
    EXPECT_NEAR(slow / base, std::exp(-de / kt), 1e-6 * std::exp(-de / kt));
    EXPECT_EQ(device::agsn::tip_velocity(pq, 0.8, h, pq.r_min, 0.0, 0.0, T, pq.h_s_max, de),
              device::agsn::tip_velocity(pq, 0.8, h, pq.r_min, 0.0, 0.0, T, pq.h_s_max, 0.0));
    const double d0 = device::agsn::tip_velocity(pq, -0.3, h, pq.r_min, 0.0, 0.0, T, 0.0, 0.0);
    const double d1 = device::agsn::tip_velocity(pq, -0.3, h, pq.r_min, 0.0, 0.0, T, 0.0, de);
    ASSERT_LT(d0, 0.0);
    EXPECT_NEAR(d1 / d0, 1.0, 1e-6);
}

TEST(Agsn, NeckShotNoiseHasThePoissonVariance) {
    // Hazard 3 counts draws of the atoms a thick neck deposits or removes; every n_lump of them
    // the radius takes N(0, n_lump) atoms of Omega / (2 pi r h): the Poisson spread of whole-atom
    // events.
    auto m = std::make_shared<agsn_sio2_pt>();
    m->set({{"n_lump", 16.0}});
    const auto& p = m->params();
    device::rng r(5);
    EXPECT_EQ(m->hazard_threshold(3, r), 1.0);
    EXPECT_EQ(m->hazard_stream(3), 1u);
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(m->hazard_stream(k), 0u);
    std::vector<double> s(m->n_states());
    m->initial_state(s);
    s[S::h] = p.L, s[S::r] = 1.45e-9, s[S::theta] = 1.0, s[S::T] = 500.0;
    const double step = p.omega / (2.0 * M_PI * s[S::r] * p.L);
    EXPECT_DOUBLE_EQ(device::agsn::atom_radius_step(p, s[S::h], s[S::r]), step);
    EXPECT_NEAR(step, 0.375e-12, 0.005e-12);  // 0.38 pm per atom on a 1.45 nm neck 5 nm long
    // The counter's rate: |dr/dt| in atoms, on the facets only (none on a one-atom neck).
    const double v = 0.3;
    const double dr = device::agsn::neck_rate(p, v, s[S::h], s[S::r], s[S::theta], s[S::T]);
    EXPECT_GT(std::fabs(dr), 0.0);
    EXPECT_NEAR(device::agsn::neck_exchange_rate(p, v, s[S::h], s[S::r], s[S::theta], s[S::T]), std::fabs(dr) * (1.0 - p.r_min / s[S::r]) / step,
                1e-9 * std::fabs(dr) / step);
    EXPECT_EQ(device::agsn::neck_exchange_rate(p, v, s[S::h], p.r_min, s[S::theta], s[S::T]), 0.0);
    std::vector<double> h(4);
    m->hazards(v, s, h);
    const double rate = device::agsn::neck_exchange_rate(p, v, s[S::h], s[S::r], s[S::theta], s[S::T]);
    EXPECT_DOUBLE_EQ(h[3], rate / 16.0);
    // 4000 draws: mean 0, sd sqrt(16) atoms; a one-atom neck is never thinned below r_min.
    const auto draws = [&](double sd) {
        std::vector<double> d;
        for (int k = 0; k < 4000; ++k) {
            auto x = s;
            m->on_event(3, v, x, r);
            d.push_back((x[S::r] - s[S::r]) / step);
            auto y = s;
            y[S::r] = p.r_min;
            m->on_event(3, v, y, r);
            EXPECT_GE(y[S::r], p.r_min);
        }
        const auto st = analysis::statistics(d);
        EXPECT_NEAR(st.mean, 0.0, 4.0 * sd / std::sqrt(4000.0));
        EXPECT_NEAR(st.std, sd, 0.05 * sd);
    };
    draws(4.0);
    // t_lump: a draw takes n_lump + rate t_lump atoms, so the draws come at most 1/t_lump apart
    // and the variance per atom exchanged stays 1 (here 16 + 48 atoms: sd 8).
    m->set({{"t_lump", 48.0 / rate}});
    m->hazards(v, s, h);
    EXPECT_NEAR(h[3], rate / 64.0, 1e-12 * rate);
    draws(8.0);
    // At a breakpoint the counter settles what it has counted: a quarter of a 16-atom draw is 4
    // atoms, net N1 - N2 with N1, N2 Poisson of mean 2: whole atoms, variance 4, and no move with
    // probability exp(-4) I0(4) = 0.2070 (Skellam).
    m->set({{"t_lump", 0.0}});
    EXPECT_TRUE(m->settles(3));
    EXPECT_FALSE(m->settles(0));
    std::vector<double> settled;
    int still = 0;
    for (int k = 0; k < 4000; ++k) {
        auto x = s;
        const bool moved = m->on_settle(3, 0.25, v, x, r);
        const double atoms = (x[S::r] - s[S::r]) / step;
        EXPECT_NEAR(atoms, std::round(atoms), 1e-6);
        EXPECT_EQ(moved, atoms != 0.0);
        still += !moved;
        settled.push_back(atoms);
    }
    const auto ss = analysis::statistics(settled);
    EXPECT_NEAR(ss.mean, 0.0, 4.0 * 2.0 / std::sqrt(4000.0));
    EXPECT_NEAR(ss.std, 2.0, 0.1);
    EXPECT_NEAR(still / 4000.0, 0.2070, 4.0 * std::sqrt(0.207 * 0.793 / 4000.0));
    // n_lump = 0: no counter at all.
    m->set({{"n_lump", 0.0}});
    EXPECT_EQ(m->n_hazards(), 3u);
}

TEST(Agsn, ADissolvingNeckLeavesItsSnInTheOuterLayer) {
    // f_dealloy = 1: Ag crosses the neck's outer layer (one hop deep) and its Sn stays. A thinning
    // neck enriches the layer, a growing one dilutes it, by theta (1 - theta) (1 - r_min/r) of the
    // layer's share exchanged, (dr/dt) / a; a one-atom neck and a pure layer do not change.
    agsn_sio2_pt m;
    m.set({{"f_dealloy", 1.0}, {"theta_max", 0.387}});
    const auto& p = m.params();
    const double r = 1.2e-9, dr = -1e-6;  // m, m/s
    const double rate = device::agsn::dealloying_rate(p, 0.3, r, dr);
    EXPECT_NEAR(rate, 0.3 * 0.7 * (1.0 - p.r_min / r) * 1e-6 / p.a, 1e-9 * rate);
    EXPECT_GT(rate, 0.0);
    EXPECT_LT(device::agsn::dealloying_rate(p, 0.3, r, -dr), 0.0);
    EXPECT_EQ(device::agsn::dealloying_rate(p, 0.3, p.r_min, dr), 0.0);
    EXPECT_EQ(device::agsn::dealloying_rate(p, 0.0, r, dr), 0.0);
    EXPECT_EQ(device::agsn::dealloying_rate(p, 1.0, r, dr), 0.0);
    // In the model's rates: a neck dissolving at -0.8 V, hot, its layer at theta_max: the uptake
    // is zero there, so theta moves by the dealloying term alone, with the neck's own dr/dt.
    std::vector<double> s(m.n_states()), ds(m.n_states());
    m.initial_state(s);
    s[S::h] = p.L, s[S::r] = 1.4e-9, s[S::theta] = 0.387, s[S::T] = 560.0, s[S::armed] = 1.0;
    m.rates(-0.8, s, ds);
    ASSERT_LT(ds[S::r], 0.0);
    EXPECT_NEAR(ds[S::theta], device::agsn::dealloying_rate(p, 0.387, s[S::r], ds[S::r]), 1e-9 * std::fabs(ds[S::theta]));
    EXPECT_GT(ds[S::theta], 0.0);
    // f_dealloy = 0 (the default): the layer keeps its composition.
    agsn_sio2_pt c;
    c.set({{"theta_max", 0.387}});
    c.rates(-0.8, s, ds);
    EXPECT_EQ(ds[S::theta], 0.0);
    // A shot-noise draw moves the layer as the integrated exchange does: thinner, richer in Sn.
    m.set({{"n_lump", 16.0}});
    device::rng g(3);
    int thinner = 0;
    for (int k = 0; k < 200; ++k) {
        auto x = s;
        m.on_event(3, -0.8, x, g);
        const double d = x[S::r] - s[S::r];
        EXPECT_NEAR(x[S::theta] - s[S::theta], device::agsn::dealloying_rate(p, 0.387, s[S::r], d), 1e-12);
        if (d < 0) {
            ++thinner;
            EXPECT_GT(x[S::theta], s[S::theta]);
        }
    }
    EXPECT_GT(thinner, 50);
}

TEST(Agsn, TipSiteEnergyMovesTheOneAtomThreshold) {
    // e_tip (eV) adds e_tip (r_min/r_tip)^2 / e to the tip's back-voltage: an open one-atom tip's
    // rate at (v, e_tip) is its rate at (v - e_tip, 0), and its growth threshold moves from
    // V_GT(r_min) to V_GT(r_min) + e_tip (the trained Vset).
    agsn_sio2_pt m;
    const auto& p = m.params();
    const double T = 300.0, h = 3.5e-9, e = 0.02;
    for (double v : {-0.5, 0.1, 0.3, 0.8}) {
        const double with = device::agsn::tip_velocity(p, v, h, p.r_min, 0.0, 3.0e-9, T, 2.5e-9, 0.0, e);
        const double shifted = device::agsn::tip_velocity(p, v - e, h, p.r_min, 0.0, 3.0e-9, T, 2.5e-9, 0.0, 0.0);
        EXPECT_NEAR(with, shifted, 1e-9 * std::fabs(shifted) + 1e-30);
    }
    // The growth threshold: the sign change of dh/dt of an open one-atom tip, by bisection.
    const auto threshold = [&](double e_tip) {
        double lo = 0.0, hi = 1.0;
        for (int i = 0; i < 60; ++i) {
            const double mid = 0.5 * (lo + hi);
            (device::agsn::tip_velocity(p, mid, h, p.r_min, 0.0, 3.0e-9, T, 2.5e-9, 0.0, e_tip) > 0 ? hi : lo) = mid;
        }
        return 0.5 * (lo + hi);
    };
    const double v_gt = device::agsn::gibbs_thomson_voltage(p, p.r_min);
    EXPECT_NEAR(threshold(0.0), v_gt, 1e-9);
    EXPECT_NEAR(threshold(e), v_gt + e, 1e-9);
    EXPECT_NEAR(threshold(-e), v_gt - e, 1e-9);
    // A contact with a thick neck (r = 1.4 nm; the tip 0.5 nm into the electrode, so that r_tip = r
    // to 1e-20): one atom's share, (r_min/r)^2 = 2 %, of it.
    const double r = 1.4e-9, w = (p.r_min / r) * (p.r_min / r), h_in = p.L + 0.5e-9;
    const double thick = device::agsn::tip_velocity(p, -0.3, h_in, r, 1.0, 3.0e-9, 500.0, 2.5e-9, 0.0, e);
    const double thick_shifted = device::agsn::tip_velocity(p, -0.3 - w * e, h_in, r, 1.0, 3.0e-9, 500.0, 2.5e-9, 0.0, 0.0);
    EXPECT_NEAR(thick, thick_shifted, 1e-9 * std::fabs(thick_shifted));
    // The neck sees the same back-voltage at its own radius: a one-atom neck in contact is the
    // tip's atom, so all of e_tip; a 1.4 nm neck one atom's share of it.
    for (const auto& [rn, share] : {std::pair{p.r_min, 1.0}, std::pair{r, w}})
        for (double v : {-0.2, 0.25, 0.3}) {
            const double with = device::agsn::neck_rate(p, v, h_in, rn, 0.5, 500.0, 0.0, e);
            const double shifted = device::agsn::neck_rate(p, v - share * e, h_in, rn, 0.5, 500.0, 0.0, 0.0);
            EXPECT_NEAR(with, shifted, 1e-9 * std::fabs(shifted) + 1e-30) << rn << " " << v;
            EXPECT_NE(with, device::agsn::neck_rate(p, v, h_in, rn, 0.5, 500.0, 0.0, 0.0));
        }
}

TEST(Agsn, StepEnergyFactorScalesTheNucleationBarrier) {
    // z_step multiplies epsilon by exp(z): the barrier (epsilon^2) by exp(2 z), the same as a model
    // whose epsilon is epsilon exp(z).
    agsn_sio2_pt a, b;
    const double z = 0.2;
    b.set({{"eps_step", a.params().eps_step * std::exp(z)}});
    for (double v_ion : {0.05, 0.1, 0.2})
        EXPECT_NEAR(device::agsn::nucleation_factor(a.params(), v_ion, 1.4e-9, 400.0, z), device::agsn::nucleation_factor(b.params(), v_ion, 1.4e-9, 400.0),
                    1e-12 * device::agsn::nucleation_factor(b.params(), v_ion, 1.4e-9, 400.0));
    // A one-atom neck has no facet: no barrier whatever z is.
    EXPECT_EQ(device::agsn::nucleation_factor(a.params(), 0.1, a.params().r_min, 400.0, z), 1.0);
}

TEST(Agsn, SetSpreadsAreDrawnFromTheirOwnStream) {
    // A breakup (hazard 2) draws e_tip ~ N(0, sigma_tip) truncated at 3 sigma for the next set, from
    // stream 2 (on_event_draw, on the state the event found). A swept reset (hazard 1) of a
    // one-atom filament keeps it; one that takes apart a neck at least one layer thicker
    // (r >= r_min + a) draws it as a breakup does. Both relaxations draw z_step from stream 3.
    auto m = std::make_shared<agsn_sio2_pt>();
    const double sigma = m->params().sigma_tip;
    ASSERT_GT(sigma, 0.0);
    const std::vector<std::size_t> tip_and_facets{2, 3}, none{};
    const auto streams = [&](std::size_t k) { const auto d = m->draw_streams(k); return std::vector<std::size_t>(d.begin(), d.end()); };
    EXPECT_EQ(streams(1), tip_and_facets);
    EXPECT_EQ(streams(2), tip_and_facets);
    EXPECT_EQ(streams(0), none);
    EXPECT_EQ(streams(3), none);
    std::vector<double> s0(m->n_states());
    m->initial_state(s0);
    EXPECT_EQ(s0[S::e_tip], 0.0);
    s0[S::e_tip] = 0.007;
    device::rng r(11);
    std::vector<double> d, swept_thick;
    const int n = 4000;
    for (int k = 0; k < n; ++k) {
        auto x = s0;
        m->on_event_draw(2, 0.0, x, 2, r);
        d.push_back(x[S::e_tip]);
        EXPECT_LE(std::fabs(x[S::e_tip]), 3.0 * sigma);
        auto y = s0;
        y[S::r] = m->params().r_min + 0.99 * m->params().a;
        m->on_event_draw(1, -1.0, y, 2, r);
        EXPECT_EQ(y[S::e_tip], 0.007);  // a one-atom filament swept: the same front, the same site
        EXPECT_EQ(y[S::z_step], 0.0);   // stream 2 draws no z_step
        auto z = s0;
        z[S::r] = m->params().r_min + m->params().a;
        m->on_event_draw(1, -2.0, z, 2, r);
        swept_thick.push_back(z[S::e_tip]);  // a thick neck swept: the front's top rebuilt
    }
    EXPECT_NEAR(analysis::statistics(swept_thick).std, 0.98658 * sigma, 4.0 * sigma / std::sqrt(2.0 * n));
    // The sd of N(0, 1) truncated at +-3: sqrt(1 - 6 phi(3) / (2 Phi(3) - 1)) = 0.98658; the sample
    // sd of n draws scatters by about sd / sqrt(2 n).
    const auto st = analysis::statistics(d);
    EXPECT_NEAR(st.mean, 0.0, 4.0 * sigma / std::sqrt(n));
    EXPECT_NEAR(st.std, 0.98658 * sigma, 4.0 * sigma / std::sqrt(2.0 * n));
    // sigma_step: z_step ~ N(0, sigma_step) at both relaxations, from stream 3, which draws no
    // e_tip: the facets' spread on or off, stream 2's e_tip draws are the same.
    agsn_sio2_pt facets;
    facets.set({{"sigma_step", 0.2}});
    std::vector<double> z;
    for (int k = 0; k < n; ++k) {
        auto x = s0;
        facets.on_event_draw(1, -2.0, x, 3, r);
        EXPECT_EQ(x[S::e_tip], 0.007);
        z.push_back(x[S::z_step]);
    }
    EXPECT_NEAR(analysis::statistics(z).std, 0.98658 * 0.2, 4.0 * 0.2 / std::sqrt(2.0 * n));
    // The breakup's own draws (f, e_path, stream 0) do not depend on sigma_tip: noise on or off, the
    // same generator gives the same relaxed state; with sigma_tip = 0 the state is that of before.
    agsn_sio2_pt off;
    off.set({{"sigma_tip", 0.0}, {"sigma_step", 0.0}});
    std::vector<double> s(m->n_states());
    m->initial_state(s);
    s[S::h] = 4.0e-9, s[S::armed] = 1.0;
    auto a = s, b = s;
    device::rng ra(3), rb(3), r2(4);
    m->on_event(2, 0.0, a, ra);
    off.on_event(2, 0.0, b, rb);
    EXPECT_EQ(a, b);
    off.on_event_draw(2, 0.0, b, 2, r2);
    off.on_event_draw(2, 0.0, b, 3, r2);
    EXPECT_EQ(a, b);
    EXPECT_EQ(b[S::e_tip], 0.0);
}
