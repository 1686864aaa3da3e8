#include "memlab/device/jart_ecm.hpp"

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
constexpr double faraday = 96485.33212;  // C/mol
constexpr double x_w = 1e-11;            // m, softness of the gap bounds
constexpr double q_cap = 40.0;           // cap on the hopping sinh argument (only reached for x -> 0)
constexpr double ln_nuc_max = 27.631021115928547;  // ln(1e12/s): nucleation never faster than 1 ps
constexpr double big = std::numeric_limits<double>::max();
constexpr std::string_view jart = "order of magnitude of JART ECM v1 (Menzel et al., JAP 111, 014501 (2012)); memlab default, not a fit";
constexpr std::string_view handbook = "CRC handbook (Ag)";
constexpr std::string_view mine = "memlab default (docs/models/jart_ecm.md)";

using P = jart_ecm_params;
constexpr parameter<P> parameter_rows[]{
    {&P::j0, "j0", "A/m^2", 3.2e5, {0.0, big}, "j_0", "exchange current density of Ag/Ag+ (0: no switching)", jart},
    {&P::a_et, "a_et", "1", 0.3, {0.01, 0.99}, "alpha_et", "charge-transfer coefficient", jart},
    {&P::z, "z", "1", 1.0, {1.0, 4.0}, "z", "charge number of the mobile ion", jart},
    {&P::c_ion, "c_ion", "1/m^3", 2e26, {0.0, 1e30}, "c", "mobile ion concentration", jart},
    {&P::a_hop, "a_hop", "m", 0.25e-9, {1e-11, 1e-8}, "a", "hopping distance", jart},
    {&P::nu0, "nu0", "Hz", 1e13, {0.0, 1e15}, "nu_0", "attempt frequency", jart},
    {&P::w_a, "w_a", "eV", 0.32, {0.0, 3.0}, "W_A", "hopping barrier", jart},
    {&P::m_molar, "m_molar", "kg/mol", 0.1079, {1e-3, 1.0}, "M", "molar mass of the filament metal", handbook},
    {&P::rho_m, "rho_m", "kg/m^3", 10490.0, {1.0, 1e5}, "rho_m", "mass density of the filament metal", handbook},
    {&P::t0_nuc, "t0_nuc", "s", 2e-8, {1e-20, 1e10}, "t_0", "nucleation time prefactor", jart},
    {&P::dg_nuc, "dg_nuc", "eV", 0.8, {0.0, 5.0}, "dG_nuc", "nucleation barrier", jart},
    {&P::n_c, "n_c", "1", 3.0, {0.0, 100.0}, "N_c", "atoms in the critical nucleus", jart},
    {&P::x_min, "x_min", "m", 0.1e-9, {0.0, 1e-6}, "x_min", "smallest tunnelling gap (LRS)", jart},
    {&P::x_max, "x_max", "m", 30e-9, {1e-10, 1e-5}, "x_max", "largest gap: the insulating layer without filament", jart},
    {&P::x0, "x0", "m", 0.1e-9, {1e-12, 1e-8}, "x_0", "tunnelling decay length of the gap conductance", mine},
    {&P::r_t0, "r_t0", "Ohm", 12906.4, {1e-3, 1e15}, "R_t0", "tunnelling resistance at zero gap (h/2e^2)", mine},
    {&P::r_el, "r_el", "Ohm", 1e3, {0.0, 1e15}, "R_el", "electronic series resistance of filament and electrodes", mine},
    {&P::g_leak, "g_leak", "S", 1e-12, {0.0, 1.0}, "G_leak", "leakage conductance of the insulator", mine},
    {&P::temp, "temp", "K", 293.0, {1.0, 2000.0}, "T", "device temperature (no Joule heating)", jart},
    {&P::j_lim, "j_lim", "A/m^2", 8e10, {1.0, 1e20}, "j_lim", "limiting ionic current density (ion supply): z q c a nu_0, every ion hopping at every attempt", mine},
    {&P::x_init, "x_init", "m", 30e-9, {0.0, 1e-5}, "x(0)", "initial gap (x_max: no filament)", mine},
    {&P::n_init, "n_init", "1", 0.0, {0.0, 1.0}, "n(0)", "initial nucleation progress", mine},
};
static_assert(each_member_once(parameter_rows));

using S = jart_ecm_state;
constexpr state<S::index> state_rows[]{{S::x, "x", "m", 1e-14, "tunnelling gap between the filament tip and the active electrode"}, {S::nuc, "nuc", "1", 1e-9, "nucleation progress (0: none, 1: nucleated)"}};
static_assert(in_index_order(state_rows));

void check(const P& c) {
    if (!(c.x_max > c.x_min)) throw input_error("jart_ecm.x_max: must be larger than x_min");
    if (c.x_init < c.x_min || c.x_init > c.x_max) throw input_error("jart_ecm.x_init: must lie in [x_min, x_max]");
}

const regime typical{
    .series_resistance = 1e8,
    .slow = {1.0, -1.0, 10.0},
    .cross_check = {1.0, -1.0, 100.0, 2},
    .train = {1.0, 1.0, 1e-3, 2e-3, 10},
    .retention = regime::set_and_hold{1.0, 10e-3, 10.0, false},
    .transport_off = {{"j0", 0.0}, {"c_ion", 0.0}},  // the gap; nucleation is not transport
    .rtol = 1e-11,
    .spice_rtol = 1e-11,
};

}  // namespace

namespace jart {

double velocity(const jart_ecm_params& p, double v, double x) {
    const double vt = k_B * p.temp / q_e;
    const double j_et = p.j0 * (std::exp((1.0 - p.a_et) * p.z * v / vt) - std::exp(-p.a_et * p.z * v / vt));
    const double arg = std::clamp(p.a_hop * p.z * v / (2.0 * std::max(x, x_w) * vt), -q_cap, q_cap);
    const double j_hop = 2.0 * p.z * q_e * p.c_ion * p.a_hop * p.nu0 * std::exp(-p.w_a / vt) * std::sinh(arg);
    const double j = j_et * std::fabs(j_hop) / (std::fabs(j_et) + std::fabs(j_hop) + 1e-300);
    // Supply-limited: no more ions arrive than hop at every attempt (the Butler-Volmer exponential
    // alone reaches absurd rates above a few hundred mV).
    return p.m_molar / (p.z * faraday * p.rho_m) * j / (1.0 + std::fabs(j) / p.j_lim);
}

double conductance(const jart_ecm_params& p, double x) {
    const double e = std::exp(-x / p.x0);
    return p.g_leak + e / (p.r_t0 + p.r_el * e);
}

void rates(const jart_ecm_params& p, double v, double x, double n, double& dx, double& dn) {
    const double vt = k_B * p.temp / q_e;
    const double u = velocity(p, v, x);
    const double nuc = std::exp(std::min(-p.dg_nuc / vt - std::log(p.t0_nuc) + (p.n_c + p.a_et) * p.z * std::max(v, 0.0) / vt, ln_nuc_max));
    dn = (1.0 - n) * nuc - n * std::max(-u, 0.0) / x_w * std::exp(-(p.x_max - x) / x_w);
    dx = -std::max(u, 0.0) * n * (1.0 - std::exp(-(x - p.x_min) / x_w)) + std::max(-u, 0.0) * (1.0 - std::exp(-(p.x_max - x) / x_w));
}

}  // namespace jart

jart_ecm::jart_ecm() : basic_model(parameter_rows, state_rows, check) {}

std::string_view jart_ecm::summary() const {
    return "JART-style ECM cell (Menzel et al. 2012): Butler-Volmer + hopping in series, nucleation, tunnelling gap";
}
const regime* jart_ecm::typical_regime() const { return &typical; }

spice_form jart_ecm::spice() const {
    const auto n = spice_number;
    const double nm = 1e-9;
    const double vt = k_B * p_.temp / q_e;
    spice_form f;
    f.scale = {nm, 1.0};
    const std::string x = "V(s_x)", nu = "V(s_nuc)";
    const double kv = p_.m_molar / (p_.z * faraday * p_.rho_m) / nm;  // (nm/s) per (A/m^2)
    f.helpers = {
        fmt::format("B_et h_et 0 V = {}*(exp({}*V(p,n)) - exp(-{}*V(p,n)))", n(p_.j0 * kv), n((1.0 - p_.a_et) * p_.z / vt),
                    n(p_.a_et * p_.z / vt)),
        fmt::format("B_hop h_hop 0 V = {}*sinh(min(max({}*V(p,n)/max({},{}),-{}),{}))",
                    n(2.0 * p_.z * q_e * p_.c_ion * p_.a_hop * p_.nu0 * std::exp(-p_.w_a / vt) * kv),
                    n(p_.a_hop / nm * p_.z / (2.0 * vt)), x, n(x_w / nm), n(q_cap), n(q_cap)),
        fmt::format("B_js h_js 0 V = V(h_et)*abs(V(h_hop))/(abs(V(h_et))+abs(V(h_hop))+1e-300)"),
        fmt::format("B_u h_u 0 V = V(h_js)/(1 + abs(V(h_js))/{})", n(p_.j_lim * kv)),
    };
    f.current = fmt::format("V(p,n)*({} + exp(-{}/{})/({} + {}*exp(-{}/{})))", n(p_.g_leak), x, n(p_.x0 / nm), n(p_.r_t0), n(p_.r_el), x,
                            n(p_.x0 / nm));
    f.rates = {
        fmt::format("-max(V(h_u),0)*{nu}*(1-exp(-({x}-{xmin})/{w})) + max(-V(h_u),0)*(1-exp(-({xmax}-{x})/{w}))", fmt::arg("nu", nu),
                    fmt::arg("x", x), fmt::arg("xmin", n(p_.x_min / nm)), fmt::arg("w", n(x_w / nm)), fmt::arg("xmax", n(p_.x_max / nm))),
        fmt::format("(1-{nu})*exp(min({a}+{b}*max(V(p,n),0),{cap})) - {nu}*max(-V(h_u),0)/{w}*exp(-({xmax}-{x})/{w})", fmt::arg("nu", nu),
                    fmt::arg("a", n(-p_.dg_nuc / vt - std::log(p_.t0_nuc))), fmt::arg("b", n((p_.n_c + p_.a_et) * p_.z / vt)),
                    fmt::arg("w", n(x_w / nm)), fmt::arg("xmax", n(p_.x_max / nm)), fmt::arg("x", x), fmt::arg("cap", n(ln_nuc_max))),
    };
    return f;
}

}  // namespace memlab::device
