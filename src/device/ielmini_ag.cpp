#include "memlab/device/ielmini_ag.hpp"

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
constexpr double big = std::numeric_limits<double>::max();
constexpr double eps_g = 1e-11;   // m, regularisation of the square-root law at g = g_a
constexpr double w_g = 1e-11;     // m, softness of the bound g <= L
constexpr double w_phi = 5e-12;   // m, width of the broken/bridged switch
constexpr std::string_view va = "W. Wang et al., IEEE TED 66, 3802 (2019); value of the public Verilog-A port (wei_model.va)";
constexpr std::string_view law = "W. Wang et al. 2019: gap reopens as 1 nm sqrt(t / 1 s)";
constexpr std::string_view mine = "memlab choice (continuous reading), docs/models/ielmini_ag.md";

using P = ielmini_ag_params;
constexpr parameter<P> parameter_rows[]{
    {&P::a_drift, "a_drift", "m/s", 1e2, {0.0, big}, "A", "drift-growth prefactor (0: no growth)", va},
    {&P::b_sd, "b_sd", "m^4/s", 3e-26, {0.0, 1e-15}, "B", "surface-diffusion shrink prefactor (0: nonvolatile)", va},
    {&P::alpha, "alpha", "1", 0.28, {0.0, 10.0}, "alpha", "barrier lowering per volt across the gap (in kT/q)", va},
    {&P::ea0, "ea0", "eV", 0.99, {0.0, 5.0}, "E_a0", "drift barrier at zero field", va},
    {&P::ea1, "ea1", "eV", 0.65, {0.0, 5.0}, "E_a1", "surface-diffusion barrier", va},
    {&P::phi_a, "phi_a", "m", 0.1e-9, {1e-12, 1e-8}, "phi_a", "one-atom filament diameter", va},
    {&P::g_a, "g_a", "m", 0.2e-9, {0.0, 1e-8}, "g_a", "smallest gap", va},
    {&P::phi_m, "phi_m", "m", 2e-9, {1e-11, 1e-7}, "phi_m", "largest filament diameter (and stub diameter)", va},
    {&P::L, "L", "m", 5e-9, {1e-10, 1e-6}, "L", "switching-layer thickness", va},
    {&P::rho_m0, "rho_m0", "Ohm m", 2e-6, {1e-12, 1.0}, "rho_m0", "filament resistivity scale", va},  // 0: G_CF infinite (fuzz_spice)
    {&P::l_f, "l_f", "m", 28e-9, {1e-10, 1e-6}, "l_f", "electron mean free path", va},
    {&P::p_spec, "p_spec", "1", 0.5, {0.0, 0.99}, "p", "specularity of surface scattering", va},
    {&P::rho_ox0, "rho_ox0", "Ohm m", 2e4, {1e-6, 1e12}, "rho_ox0", "oxide resistivity at zero field", va},
    {&P::gamma_ox, "gamma_ox", "m/V", 55e-9, {0.0, 1e-3}, "gamma_ox", "field lowering of the oxide resistivity", va},
    {&P::t0, "t0", "K", 300.0, {1.0, 2000.0}, "T_0", "ambient temperature", va},
    {&P::r_th, "r_th", "K/W", 1e5, {0.0, 1e9}, "R_th", "thermal resistance of the filament region", mine},
    {&P::d_g, "d_g", "m^2/s", 1e-18, {0.0, 1e-9}, "D_g", "gap reopening constant (g - g_a)^2 = D_g t", law},
    {&P::k_c, "k_c", "1/s", 1e6, {1e-3, 1e12}, "k_c", "rate at which the gap closes once the filament bridges", mine},
    {&P::phi_init, "phi_init", "m", 0.0, {0.0, 1e-7}, "phi(0)", "initial filament diameter", va},
    {&P::g_init, "g_init", "m", 5e-9, {0.0, 1e-6}, "g(0)", "initial gap (L: pristine HRS)", va},
};
static_assert(each_member_once(parameter_rows));

using S = ielmini_ag_state;
constexpr state<S::index> state_rows[]{{S::phi, "phi", "m", 1e-14, "diameter of the Ag filament"}, {S::g, "g", "m", 1e-14, "gap between the filament tip and the electrode"}};
static_assert(in_index_order(state_rows));

void check(const P& c) {
    if (c.g_init > c.L) throw input_error("ielmini_ag.g_init: must not exceed L");
    if (c.g_a >= c.L) throw input_error("ielmini_ag.g_a: must be smaller than L");
    if (c.phi_init > c.phi_m) throw input_error("ielmini_ag.phi_init: must not exceed phi_m");
}

const regime typical{
    .series_resistance = 1e3,
    .slow = {2.0, -2.0, 10.0},
    .cross_check = {3.0, -3.0, 100.0, 2},
    .train = {2.0, 2.0, 1e-3, 5e-3, 5},
    .retention = regime::set_and_hold{2.5, 1e-3, 10.0, true},  // surface diffusion, seconds
    .transport_off = {{"a_drift", 0.0}, {"b_sd", 0.0}},         // the diameter; the gap still follows it
};

double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

namespace ielmini {

electrical resistances(const ielmini_ag_params& p, double v, double phi, double g) {
    const double phi_e = std::max(phi, p.phi_a);
    const double size = p.rho_m0 * (1.0 - p.p_spec) * p.l_f / (1.0 + p.p_spec);
    const double g_cf = M_PI * phi * phi / (4.0 * size / phi_e * g);
    const double rho_ox = p.rho_ox0 / (1.0 + p.gamma_ox * std::fabs(v) / p.L);
    const double r_gap = rho_ox * g / (M_PI * std::max(p.phi_m * p.phi_m - phi * phi, 0.01 * p.phi_m * p.phi_m) / 4.0);
    const double r_stub = size / p.phi_m * (p.L - g) / (M_PI * p.phi_m * p.phi_m / 4.0);
    return {r_stub + 1.0 / (g_cf + 1.0 / r_gap), r_stub, g_cf, r_gap};
}

double current(const ielmini_ag_params& p, double v, double phi, double g) { return v / resistances(p, v, phi, g).r; }

void rates(const ielmini_ag_params& p, double v, double phi, double g, double& dphi, double& dg) {
    const electrical e = resistances(p, v, phi, g);
    const double i = v / e.r;
    const double T = p.t0 + p.r_th * std::fabs(v * i);
    const double kt = k_B * T / q_e;  // eV
    const double v_gap = v * (e.r - e.r_stub) / e.r;
    const double phi_e = std::max(phi, p.phi_a);
    const double grow = p.a_drift * std::exp(-p.ea0 / kt) * std::exp(p.alpha * std::fabs(v_gap) / kt) * (1.0 - phi / p.phi_m);
    const double shrink = p.b_sd * std::exp(-p.ea1 / kt) / (phi_e * phi_e * phi_e) * std::min(phi / p.phi_a, 1.0);
    dphi = grow - shrink;
    const double o = logistic((p.phi_a - phi) / w_phi);
    const double dgap = g - p.g_a;
    dg = o * p.d_g / (2.0 * std::sqrt(dgap * dgap + eps_g * eps_g)) * (1.0 - std::exp(-(p.L - g) / w_g)) - (1.0 - o) * p.k_c * dgap;
}

}  // namespace ielmini

ielmini_ag::ielmini_ag() : basic_model(parameter_rows, state_rows, check) {}

std::string_view ielmini_ag::summary() const {
    return "volatile Ag filament (W. Wang, Ielmini et al. 2019): diameter and gap, drift vs surface diffusion";
}
const regime* ielmini_ag::typical_regime() const { return &typical; }

spice_form ielmini_ag::spice() const {
    // Nodes in nm; helper nodes: R (h_r), R_stub (h_rs), temperature (h_T).
    const auto n = spice_number;
    const double nm = 1e-9;
    const double size = p_.rho_m0 * (1.0 - p_.p_spec) * p_.l_f / (1.0 + p_.p_spec);
    spice_form f;
    f.scale = {nm, nm};
    const std::string phi = "V(s_phi)", g = "V(s_g)";
    const std::string phie = fmt::format("max({},{})", phi, n(p_.phi_a / nm));
    // Conductances and resistances with lengths in nm: G_CF = pi phi^2 nm^2 phi_e nm / (4 size g nm).
    const std::string gcf = fmt::format("({}*{}*{}*{}/({}*{}))", n(M_PI * nm * nm / (4.0 * size)), phi, phi, phie, "1", g);
    const std::string rgap = fmt::format("({}/(1+{}*abs(V(p,n)))*{}/max({}-{}*{},{}))", n(p_.rho_ox0 * 4.0 / (M_PI * nm)),
                                         n(p_.gamma_ox / p_.L), g, n(p_.phi_m * p_.phi_m / (nm * nm)), phi, phi,
                                         n(0.01 * p_.phi_m * p_.phi_m / (nm * nm)));
    f.helpers = {
        fmt::format("B_rs h_rs 0 V = {}*({}-{})", n(size / p_.phi_m * nm * 4.0 / (M_PI * p_.phi_m * p_.phi_m)), n(p_.L / nm), g),
        fmt::format("B_r h_r 0 V = V(h_rs) + 1/({} + 1/{})", gcf, rgap),
        fmt::format("B_T h_T 0 V = {} + {}*abs(V(p,n)*V(p,n)/V(h_r))", n(p_.t0), n(p_.r_th)),
    };
    f.current = "V(p,n)/V(h_r)";
    const double qk = q_e / k_B;
    f.rates = {
        fmt::format("{A}*exp(-{e0}/V(h_T))*exp({al}*abs(V(p,n)*(V(h_r)-V(h_rs))/V(h_r))/V(h_T))*(1-{phi}/{pm})"
                    " - {B}*exp(-{e1}/V(h_T))/({pe}*{pe}*{pe})*min({phi}/{pa},1)",
                    fmt::arg("A", n(p_.a_drift / nm)), fmt::arg("e0", n(p_.ea0 * qk)), fmt::arg("al", n(p_.alpha * qk)),
                    fmt::arg("phi", phi), fmt::arg("pm", n(p_.phi_m / nm)), fmt::arg("B", n(p_.b_sd / (nm * nm * nm * nm))),
                    fmt::arg("e1", n(p_.ea1 * qk)), fmt::arg("pe", phie), fmt::arg("pa", n(p_.phi_a / nm))),
        fmt::format("1/(1+exp(-({pa}-{phi})/{wp}))*{D}/(2*sqrt(({g}-{ga})*({g}-{ga})+{eps2}))*(1-exp(-({L}-{g})/{wg}))"
                    " - (1-1/(1+exp(-({pa}-{phi})/{wp})))*{kc}*({g}-{ga})",
                    fmt::arg("pa", n(p_.phi_a / nm)), fmt::arg("phi", phi), fmt::arg("wp", n(w_phi / nm)), fmt::arg("D", n(p_.d_g / (nm * nm))),
                    fmt::arg("g", g), fmt::arg("ga", n(p_.g_a / nm)), fmt::arg("eps2", n(eps_g * eps_g / (nm * nm))), fmt::arg("L", n(p_.L / nm)),
                    fmt::arg("wg", n(w_g / nm)), fmt::arg("kc", n(p_.k_c))),
    };
    return f;
}

}  // namespace memlab::device
