#include "memlab/device/memdiode.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr std::string_view card =
    "Aguirre et al., Micromachines 13, 330 (2022): public DMM SPICE card with finite T0r (volatile), memdiode2";
constexpr std::string_view form = "Miranda & Sune, IEEE TNANO 19, 837 (2020)";

using P = memdiode_params;
constexpr parameter<P> parameter_rows[]{
    {&P::t0s, "t0s", "s", 1.796e6, {1e-15, 1e30}, "T_0s", "SET time constant at 0 V", card},
    {&P::v0s, "v0s", "V", 0.0899, {1e-4, 100.0}, "V_0s", "SET time constant: voltage per e-fold", card},
    {&P::t0r, "t0r", "s", 132.0, {1e-15, 1e30}, "T_0r", "RESET (relaxation) time constant at 0 V; large: nonvolatile", card},
    {&P::v0r, "v0r", "V", 0.1905, {1e-4, 100.0}, "V_0r", "RESET time constant: voltage per e-fold", card},
    {&P::i_min, "i_min", "A", 1.8e-6, {0.0, 1.0}, "I_0,min", "diode current scale at lambda = 0 (HRS)", card},
    {&P::i_max, "i_max", "A", 1.23e-3, {0.0, 1.0}, "I_0,max", "diode current scale at lambda = 1 (LRS)", card},
    {&P::a_min, "a_min", "1/V", 3.0, {1e-3, 100.0}, "A_min", "diode exponent factor at lambda = 0", card},
    {&P::a_max, "a_max", "1/V", 3.8, {1e-3, 100.0}, "A_max", "diode exponent factor at lambda = 1", card},
    {&P::rs_min, "rs_min", "Ohm", 117.0, {1e-3, 1e12}, "R_s,min", "series resistance at lambda = 0", card},
    {&P::rs_max, "rs_max", "Ohm", 256.0, {1e-3, 1e12}, "R_s,max", "series resistance at lambda = 1", card},
    {&P::beta, "beta", "1", 0.308, {0.0, 1.0}, "beta", "asymmetry of the diode law", form},
    {&P::lambda_init, "lambda_init", "1", 0.0, {0.0, 1.0}, "lambda(0)", "initial memory state", card},
};
static_assert(each_member_once(parameter_rows));

using S = memdiode_state;
constexpr state<S::index> state_rows[]{{S::lambda, "lambda", "1", 1e-9, "memory state: the formed fraction of the filament's constriction (0 HRS, 1 LRS)"}};
static_assert(in_index_order(state_rows));

const regime typical{
    .series_resistance = 100.0,
    .slow = {1.6, -1.6, 2.0},
    .cross_check = {1.6, -1.6, 2.0, 2},
    .train = {1.5, 1.5, 50e-3, 100e-3, 10},
    .retention = regime::set_and_hold{1.6, 1.0, 1000.0, true},  // finite T_0r = 132 s
};

double lerp(double lo, double hi, double x) { return hi * x + lo * (1.0 - x); }

struct diode {
    double i, g, di_dl;  // current, dI/dv_d, dI/dlambda at fixed v_d
};

diode diode_law(const memdiode_params& p, double vd, double l) {
    const double i0 = lerp(p.i_min, p.i_max, l), a = lerp(p.a_min, p.a_max, l);
    const double ep = std::exp(p.beta * a * vd), en = std::exp(-(1.0 - p.beta) * a * vd);
    const double i = i0 * (ep - en);
    const double g = i0 * a * (p.beta * ep + (1.0 - p.beta) * en);
    const double di_da = i0 * vd * (p.beta * ep + (1.0 - p.beta) * en);
    return {i, g, (p.i_max - p.i_min) * (ep - en) + di_da * (p.a_max - p.a_min)};
}

}  // namespace

namespace memdiode_eq {

double diode_voltage(const memdiode_params& p, double v, double l) {
    // f(vd) = vd + R_s I(vd) - v is increasing; the root lies between 0 and v.
    const double rs = lerp(p.rs_min, p.rs_max, l);
    double lo = std::min(0.0, v), hi = std::max(0.0, v);
    double vd = v;
    for (int it = 0; it < 200; ++it) {
        const diode d = diode_law(p, vd, l);
        const double f = vd + rs * d.i - v;
        if (f > 0) hi = vd;
        else lo = vd;
        double next = vd - f / (1.0 + rs * d.g);
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (std::fabs(next - vd) <= 1e-15 * (std::fabs(v) + 1e-3) || hi - lo <= 1e-15 * (std::fabs(v) + 1e-3)) return next;
        vd = next;
    }
    return vd;
}

double current(const memdiode_params& p, double v, double l) {
    const double vd = diode_voltage(p, v, l);
    // (v - vd)/R_s equals I(vd) at the root; the diode law is the better conditioned of the two.
    return diode_law(p, vd, l).i;
}

double rate(const memdiode_params& p, double v, double l) {
    const double tau_s = p.t0s * std::exp(-v / p.v0s);
    const double tau_r = p.t0r * std::exp(v / p.v0r);
    return (1.0 - l) / tau_s - l / tau_r;
}

}  // namespace memdiode_eq

memdiode::memdiode() : basic_model(parameter_rows, state_rows) {}

std::string_view memdiode::summary() const {
    return "dynamic memdiode model (Miranda & Sune 2020): lambda balance, diode I-V with series R";
}
const regime* memdiode::typical_regime() const { return &typical; }

void memdiode::current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const {
    // i = I(vd, l), vd = v - i R_s(l): di (1 + g R_s) = g dv + (dI/dl - g i R_s') dl.
    const double l = s[S::lambda];
    const double vd = memdiode_eq::diode_voltage(p_, v, l);
    const diode d = diode_law(p_, vd, l);
    const double rs = lerp(p_.rs_min, p_.rs_max, l);
    const double den = 1.0 + d.g * rs;
    di_dv = d.g / den;
    di_ds[S::lambda] = (d.di_dl - d.g * d.i * (p_.rs_max - p_.rs_min)) / den;
}

spice_form memdiode::spice() const {
    const auto n = spice_number;
    spice_form f;
    f.scale = {1.0};
    f.current = "";  // the path p -> d -> n is written in the helpers
    const std::string l = "V(s_lambda)";
    f.helpers = {
        fmt::format("B_rs p d I = V(p,d)/({} + {}*{})", n(p_.rs_min), n(p_.rs_max - p_.rs_min), l),
        fmt::format("B_d d n I = ({i0} + {di}*{l})*(exp({b}*({a0} + {da}*{l})*V(d,n)) - exp(-{b1}*({a0} + {da}*{l})*V(d,n)))",
                    fmt::arg("i0", n(p_.i_min)), fmt::arg("di", n(p_.i_max - p_.i_min)), fmt::arg("l", l), fmt::arg("b", n(p_.beta)),
                    fmt::arg("a0", n(p_.a_min)), fmt::arg("da", n(p_.a_max - p_.a_min)), fmt::arg("b1", n(1.0 - p_.beta))),
    };
    f.rates = {fmt::format("(1-{l})/({t0s}*exp(-V(p,n)/{v0s})) - {l}/({t0r}*exp(V(p,n)/{v0r}))", fmt::arg("l", l),
                           fmt::arg("t0s", n(p_.t0s)), fmt::arg("v0s", n(p_.v0s)), fmt::arg("t0r", n(p_.t0r)), fmt::arg("v0r", n(p_.v0r)))};
    return f;
}

}  // namespace memlab::device
