#include "memlab/device/diffusive.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr double big = std::numeric_limits<double>::max();
constexpr double ramp = 0.01;  // width of the bound on f + r
constexpr std::string_view card = "public LTspice model of Z. Wang et al., Nat. Mater. 16, 101 (2017) (TongWang-USC, testbench values)";

using P = diffusive_params;
constexpr parameter<P> parameter_rows[]{
    {&P::alpha, "alpha", "1", 0.1, {1e-6, 100.0}, "alpha", "drive saturation (drive ~ 1/(alpha + 1 - f - r))", card},
    {&P::lambda, "lambda", "1", 0.1, {1e-3, 10.0}, "lambda", "steepness of R(s) (HRS to LRS)", card},
    {&P::r_on, "r_on", "Ohm", 1.7e4, {1e-3, 1e15}, "R_on", "resistance with a full filament (s = 1)", card},
    {&P::r_off, "r_off", "Ohm", 1e10, {1e-3, 1e18}, "R_off", "resistance without filament (s = 0)", card},
    {&P::mu, "mu", "1/(V s)", 16.0, {0.0, big}, "mu", "drive per volt (ion mobility term)", card},
    {&P::beta, "beta", "1/s", 0.35, {0.0, big}, "beta", "conversion of mobile filament into residual", card},
    {&P::gamma1, "gamma1", "1/s", 50.0, {0.0, big}, "gamma_1", "diffusive decay of the mobile filament", card},
    {&P::gamma2, "gamma2", "1/s", 0.42, {0.0, big}, "gamma_2", "decay of the residual", card},
    {&P::eta, "eta", "1", 0.01, {0.0, 1.0}, "eta", "fraction of f lost in one stochastic shrink event", card},
    {&P::kappa, "kappa", "1/s", 200.0, {0.0, big}, "kappa", "shrink-event rate at f = 1 (0: deterministic)", card},
    {&P::m, "m", "1", 2.0, {0.0, 10.0}, "m", "exponent of the event rate in f", card},
    {&P::f_init, "f_init", "1", 0.0, {0.0, 1.0}, "f(0)", "initial mobile filament", card},
    {&P::r_init, "r_init", "1", 0.0, {0.0, 1.0}, "r(0)", "initial residual", card},
};
static_assert(each_member_once(parameter_rows));

using S = diffusive_state;
constexpr state<S::index> state_rows[]{{S::f, "f", "1", 1e-9, "mobile Ag filament (short-term memory; dissolves in tens of ms)"}, {S::r, "r", "1", 1e-9, "residual the filament leaves (long-term memory; decays in seconds)"}};
static_assert(in_index_order(state_rows));

void check(const P& c) {
    if (!(c.r_off > c.r_on)) throw input_error("diffusive.r_off: must be larger than r_on");
    if (c.f_init + c.r_init > 1.0) throw input_error("diffusive.f_init: f_init + r_init must not exceed 1");
}

const regime typical{
    .set = {{"kappa", 0.0}},  // deterministic
    .series_resistance = 1e3,
    .slow = {1.0, -1.0, 1.0},
    .cross_check = {1.0, -1.0, 10.0, 2},
    .train = {1.0, 1.0, 50e-3, 100e-3, 10},
    .retention = regime::set_and_hold{1.0, 0.2, 10.0, true},  // the residual decays in 1/gamma2 = 2.4 s
};

}  // namespace

namespace diffusive_eq {

double resistance(const diffusive_params& p, double s) {
    const double c = std::min(std::max(s, 0.0), 1.0);
    // r_off (e^((1-c)/lambda) - 1) / (e^(1/lambda) - 1), written so that no term overflows: at the
    // range's lambda = 1e-3, e^(1/lambda) is infinite and the quotient was NaN (found by fuzz_spice,
    // tests/fuzz/regressions/spice/diffusive-small-lambda).
    return p.r_on * c + p.r_off * std::exp(-c / p.lambda) * -std::expm1(-(1.0 - c) / p.lambda) / -std::expm1(-1.0 / p.lambda);
}

void rates(const diffusive_params& p, double v, double f, double r, double& df, double& dr) {
    const double room = 1.0 - f - r;
    const double w = std::min(std::max(room / ramp, 0.0), 1.0);
    df = std::fabs(v) * p.mu / (p.alpha + std::max(room, 0.0)) * w - (p.gamma1 + p.beta) * f;
    dr = p.beta * f - p.gamma2 * r;
}

}  // namespace diffusive_eq

diffusive::diffusive() : basic_model(parameter_rows, state_rows, check) {}

std::string_view diffusive::summary() const {
    return "diffusive two-state model (Z. Wang et al. 2017): mobile filament and residual, Poisson shrink events";
}
const regime* diffusive::typical_regime() const { return &typical; }

void diffusive::hazards(double, std::span<const double> s, std::span<double> h) const {
    h[0] = p_.kappa * std::pow(std::clamp(s[S::f], 0.0, 1.0), p_.m);
}

void diffusive::on_event(std::size_t, double, std::span<double> s, rng&) const { s[S::f] -= p_.eta * std::max(s[S::f], 0.0); }

spice_form diffusive::spice() const {
    const auto n = spice_number;
    spice_form f;
    f.scale = {1.0, 1.0};
    f.note = "deterministic form: the Poisson shrink events (kappa, eta) are off";
    f.helpers = {"B_c h_c 0 V = min(max(V(s_f)+V(s_r),0),1)"};
    f.current = fmt::format("V(p,n)/({}*V(h_c) + {}*exp(-V(h_c)/{})*(1-exp(-(1-V(h_c))/{}))/{})", n(p_.r_on), n(p_.r_off), n(p_.lambda),
                            n(p_.lambda), n(-std::expm1(-1.0 / p_.lambda)));
    f.rates = {fmt::format("abs(V(p,n))*{mu}/({a} + max(1-V(s_f)-V(s_r),0))*min(max((1-V(s_f)-V(s_r))/{w},0),1) - {g}*V(s_f)",
                           fmt::arg("mu", n(p_.mu)), fmt::arg("a", n(p_.alpha)), fmt::arg("w", n(ramp)), fmt::arg("g", n(p_.gamma1 + p_.beta))),
               fmt::format("{}*V(s_f) - {}*V(s_r)", n(p_.beta), n(p_.gamma2))};
    return f;
}

}  // namespace memlab::device
