#include "memlab/device/stanford_pku.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr double q_e = 1.602176634e-19;
constexpr double k_B = 1.380649e-23;
constexpr double w_bound = 1e-11;  // m, softness of the gap bounds
constexpr double big = std::numeric_limits<double>::max();
constexpr std::string_view card = "Stanford RRAM model v1.0.0 default card (Jiang & Wong 2014; Guan et al., IEEE EDL 33, 1405 (2012))";
constexpr std::string_view mine = "memlab: event-driven form of the published per-step noise (docs/models/stanford_pku.md)";

using P = stanford_pku_params;
constexpr parameter<P> parameter_rows[]{
    {&P::i0, "i0", "A", 1e-3, {0.0, big}, "I_0", "current scale", card},
    {&P::g0, "g0", "m", 0.25e-9, {1e-12, 1e-7}, "g_0", "gap decay length of the current", card},
    {&P::v0, "v0", "V", 0.25, {1e-3, 100.0}, "V_0", "I-V nonlinearity", card},
    {&P::vel0, "vel0", "m/s", 10.0, {0.0, big}, "v_0", "gap velocity prefactor (0: no switching)", card},
    {&P::ea, "ea", "eV", 0.6, {0.0, 5.0}, "E_a", "activation energy of vacancy generation/recombination", card},
    {&P::a0, "a0", "m", 0.25e-9, {1e-12, 1e-7}, "a_0", "atomic hopping distance", card},
    {&P::gamma0, "gamma0", "1", 16.0, {0.0, 1000.0}, "gamma_0", "local field enhancement", card},
    {&P::beta, "beta", "1", 0.8, {0.0, 1000.0}, "beta", "decrease of the enhancement with the gap", card},
    {&P::alpha, "alpha", "1", 3.0, {0.0, 20.0}, "alpha", "exponent of the enhancement's gap dependence", card},
    {&P::f_min, "f_min", "V/m", 1.4e9, {0.0, 1e12}, "F_min", "field below which the gap does not move", card},
    {&P::t_ox, "t_ox", "m", 12e-9, {1e-10, 1e-5}, "t_ox", "oxide thickness", card},
    {&P::r_th, "r_th", "K/W", 2.1e3, {0.0, 1e9}, "R_th", "thermal resistance", card},
    {&P::t0, "t0", "K", 298.0, {1.0, 2000.0}, "T_0", "ambient temperature", card},
    {&P::g_min, "g_min", "m", 0.2e-9, {0.0, 1e-7}, "g_min", "smallest gap (LRS)", card},
    {&P::g_max, "g_max", "m", 1.7e-9, {1e-12, 1e-7}, "g_max", "largest gap (HRS)", card},
    {&P::g_init, "g_init", "m", 0.2e-9, {0.0, 1e-7}, "g(0)", "initial gap", card},
    {&P::sigma_g, "sigma_g", "m", 0.05e-9, {0.0, 1e-8}, "sigma_g", "spread of one random gap kick", mine},
    {&P::kicks, "kicks", "1", 1.0, {0.0, 1e3}, "n_kick", "random gap kicks per hopping distance a_0 the gap moves, when hot (0: deterministic)", mine},
    {&P::t_crit, "t_crit", "K", 450.0, {1.0, 5000.0}, "T_crit", "temperature above which the kicks set in", card},
    {&P::t_smth, "t_smth", "K", 500.0, {1.0, 5000.0}, "T_smth", "width of that onset", card},
};
static_assert(each_member_once(parameter_rows));

using S = stanford_pku_state;
constexpr state<S::index> state_rows[]{{S::g, "g", "m", 1e-14, "tunnelling gap between the filament tip and the electrode (SET closes it, RESET opens it)"}};
static_assert(in_index_order(state_rows));

void check(const P& c) {
    if (!(c.g_max > c.g_min)) throw input_error("stanford_pku.g_max: must be larger than g_min");
    if (c.g_init < c.g_min || c.g_init > c.g_max) throw input_error("stanford_pku.g_init: must lie in [g_min, g_max]");
}

const regime typical{
    .set = {{"g_init", 1.7e-9}, {"kicks", 0.0}},  // from the HRS, deterministic
    .series_resistance = 1e3,
    .slow = {2.0, -2.0, 1e2},
    .cross_check = {2.0, -2.0, 1e5, 2},
    .train = {2.0, 2.5, 1e-6, 2e-6, 10},
    .retention = regime::set_and_hold{2.0, 1e-6, 10.0, false},
    .transport_off = {{"vel0", 0.0}, {"kicks", 0.0}},
    .rtol = 1e-12,
    .atol_scale = 1e-6,
    .spice_rtol = 1e-12,
};

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

namespace stanford {

double current(const stanford_pku_params& p, double v, double g) { return p.i0 * std::exp(-g / p.g0) * std::sinh(v / p.v0); }

double temperature(const stanford_pku_params& p, double v, double g) { return p.t0 + std::fabs(v * current(p, v, g)) * p.r_th; }

double gap_rate(const stanford_pku_params& p, double v, double g) {
    const double T = temperature(p, v, g);
    const double kt = k_B * T;
    const double gamma = p.gamma0 - p.beta * std::pow(std::max(g, 0.0) / 1e-9, p.alpha);
    const double gate = logistic((gamma * std::fabs(v) / p.t_ox - p.f_min) / (0.02 * p.f_min));
    const double u = p.vel0 * std::exp(-p.ea * q_e / kt) * std::sinh(gamma * gate * p.a0 * q_e * v / (p.t_ox * kt));
    // u > 0 closes the gap (SET), u < 0 opens it (RESET).
    return -std::max(u, 0.0) * (1.0 - std::exp(-(g - p.g_min) / w_bound)) + std::max(-u, 0.0) * (1.0 - std::exp(-(p.g_max - g) / w_bound));
}

}  // namespace stanford

stanford_pku::stanford_pku() : basic_model(parameter_rows, state_rows, check) {}

std::string_view stanford_pku::summary() const {
    return "Stanford-PKU oxide RRAM (Guan/Yu/Wong 2012): gap, sinh kinetics, Joule heating, hot-gated gap kicks";
}
const regime* stanford_pku::typical_regime() const { return &typical; }

void stanford_pku::hazards(double v, std::span<const double> s, std::span<double> h) const {
    // Kicks come with ion motion: n_kick per hopping distance the gap moves, gated by temperature.
    const double T = stanford::temperature(p_, v, s[S::g]);
    h[0] = p_.kicks * std::fabs(stanford::gap_rate(p_, v, s[S::g])) / p_.a0 * logistic((T - p_.t_crit) / p_.t_smth);
}

void stanford_pku::on_event(std::size_t, double, std::span<double> s, rng& r) const {
    s[S::g] = std::clamp(s[S::g] + p_.sigma_g * r.normal(), p_.g_min, p_.g_max);
}

spice_form stanford_pku::spice() const {
    const auto n = spice_number;
    const double nm = 1e-9;
    spice_form f;
    f.scale = {nm};
    f.note = "deterministic form: the random gap kicks (kicks, sigma_g) are off";
    const std::string i = fmt::format("{}*exp(-V(s_g)/{})*sinh(V(p,n)/{})", n(p_.i0), n(p_.g0 / nm), n(p_.v0));
    f.current = i;
    // Helper nodes: temperature and the field-enhancement factor gamma * gate.
    f.helpers = {
        fmt::format("B_T h_T 0 V = {} + abs(V(p,n)*{})*{}", n(p_.t0), i, n(p_.r_th)),
        fmt::format("B_gam h_gam 0 V = ({} - {}*pow(max(V(s_g),0),{})) / (1 + exp(-(({} - {}*pow(max(V(s_g),0),{}))*abs(V(p,n))/{} - {})/{}))",
                    n(p_.gamma0), n(p_.beta), n(p_.alpha), n(p_.gamma0), n(p_.beta), n(p_.alpha), n(p_.t_ox), n(p_.f_min),
                    n(0.02 * p_.f_min)),
        fmt::format("B_u h_u 0 V = {}*exp(-{}/V(h_T))*sinh(V(h_gam)*{}*V(p,n)/V(h_T))", n(p_.vel0 / nm), n(p_.ea * q_e / k_B),
                    n(p_.a0 * q_e / (p_.t_ox * k_B))),
    };
    f.rates = {fmt::format("-max(V(h_u),0)*(1-exp(-(V(s_g)-{})/{})) + max(-V(h_u),0)*(1-exp(-({}-V(s_g))/{}))", n(p_.g_min / nm),
                           n(w_bound / nm), n(p_.g_max / nm), n(w_bound / nm))};
    return f;
}

}  // namespace memlab::device
