#include "memlab/device/mosfet.hpp"

#include <cmath>
#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::device {
namespace {

constexpr double q_e = 1.602176634e-19;
constexpr double k_B = 1.380649e-23;
constexpr double eps_ox = 3.9 * 8.8541878128e-12;  // F/m, SiO2
// The smoothing widths: |V_DS| in the channel-length modulation, and the floor of V_G' (below 0
// the channel is depleted; the current there is exp(-V_P/U_T) below any use).
constexpr double abs_width = 1e-3;   // V
constexpr double vg_floor = 1e-3;    // V

constexpr std::string_view razavi =
    "Razavi, Design of Analog CMOS Integrated Circuits (McGraw-Hill 2001), Table 2.1: level-1 NMOS of a 0.5 um CMOS process";
constexpr std::string_view razavi_kp =
    "Razavi (2001) Table 2.1: mu_n C_ox with u0 = 350 cm^2/(V s), tox = 9 nm (C_ox = 3.84 mF/m^2)";
constexpr std::string_view razavi_lambda = "Razavi (2001) Table 2.1: lambda = 0.1 /V at L = 0.5 um, as lambda L";
constexpr std::string_view sized =
    "memlab: W/L = 10 at L = 2 um (lambda = 0.025 /V): a long-channel access device; 10 nA at V_G = 0.526 V, 1 mA at 2.02 V (drain at 1.5 V)";
constexpr std::string_view stated = "memlab: stated (room temperature)";
constexpr std::string_view diffusion =
    "memlab: stated, a drain diffusion 1 um long (the set gives cj per area, not the layout)";

using P = mosfet_params;
constexpr parameter<P> parameter_rows[]{
    {&P::vt0, "vt0", "V", 0.7, {-5.0, 5.0}, "V_T0", "threshold voltage at V_SB = 0", razavi},
    {&P::kp, "kp", "A/V^2", 134.29e-6, {1e-9, 1.0}, "KP", "transconductance parameter mu_n C_ox", razavi_kp},
    {&P::gamma, "gamma", "V^0.5", 0.45, {0.0, 5.0}, "gamma", "body-effect coefficient (0: level-1 reduction, n = 1)", razavi},
    {&P::phi, "phi", "V", 0.9, {0.1, 2.0}, "phi", "surface potential in strong inversion, 2 phi_F", razavi},
    {&P::lambda_l, "lambda_l", "m/V", 0.05e-6, {0.0, 1e-3}, "lambda L", "channel-length modulation times L (lambda = lambda_l / L)", razavi_lambda},
    {&P::w, "w", "m", 20e-6, {1e-9, 1.0}, "W", "channel width (effective)", sized},
    {&P::l, "l", "m", 2e-6, {1e-9, 1.0}, "L", "channel length (effective)", sized},
    {&P::temperature, "temperature", "K", 300.0, {1.0, 1000.0}, "T", "temperature of U_T = k T / q", stated},
    {&P::tox, "tox", "m", 9e-9, {1e-10, 1e-6}, "t_ox", "gate oxide thickness (gate capacitance)", razavi},
    {&P::cgdo, "cgdo", "F/m", 0.4e-9, {0.0, 1e-6}, "C_GDO", "gate-drain (and gate-source) overlap capacitance per width", razavi},
    {&P::cj, "cj", "F/m^2", 0.56e-3, {0.0, 1.0}, "C_j", "junction capacitance per area at zero bias", razavi},
    {&P::l_diff, "l_diff", "m", 1e-6, {0.0, 1e-3}, "l_diff", "drain and source diffusion length (junction area W l_diff)", diffusion},
};
static_assert(each_member_once(parameter_rows));

// softplus(x) = ln(1 + e^x) and the logistic function, without overflow.
double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double logistic(double x) { return x > 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x)); }

// F(x) = ln^2(1 + e^(x/2)) and F'(x) = ln(1 + e^(x/2)) / (1 + e^(-x/2)).
double interp(double x) {
    const double s = softplus(0.5 * x);
    return s * s;
}
double interp_slope(double x) { return softplus(0.5 * x) * logistic(0.5 * x); }

}  // namespace

mosfet::mosfet() : basic_parameters(parameter_rows, nullptr) {}

double mosfet::thermal_voltage() const { return k_B * p_.temperature / q_e; }

mosfet_point mosfet::point(double vd, double vg, double vs, double vb) const {
    const auto& p = p_;
    const double ut = thermal_voltage();
    const double g2 = 0.5 * p.gamma;
    const double vgp_raw = vg - vb - p.vt0 + p.phi + p.gamma * std::sqrt(p.phi);
    const double vgp = 0.5 * (vgp_raw + std::sqrt(vgp_raw * vgp_raw + vg_floor * vg_floor));
    const double s = std::sqrt(vgp + g2 * g2) - g2;  // sqrt(V_P + phi)
    const double vp = s * s - p.phi;
    const double n = p.gamma > 0 ? 1.0 + g2 / s : 1.0;
    const double ispec = 2.0 * n * p.kp * (p.w / p.l) * ut * ut;
    return {vp, n, ispec, interp((vp - (vs - vb)) / ut), interp((vp - (vd - vb)) / ut)};
}

mosfet_current mosfet::current(double vd, double vg, double vs, double vb) const {
    const auto& p = p_;
    const double ut = thermal_voltage();
    const double g2 = 0.5 * p.gamma;
    const double beta = p.kp * (p.w / p.l);
    // Pinch-off voltage and its derivative with respect to V_GB.
    const double vgp_raw = vg - vb - p.vt0 + p.phi + p.gamma * std::sqrt(p.phi);
    const double root = std::sqrt(vgp_raw * vgp_raw + vg_floor * vg_floor);
    const double vgp = 0.5 * (vgp_raw + root);
    const double dvgp = 0.5 * (1.0 + vgp_raw / root);
    const double r = std::sqrt(vgp + g2 * g2);
    const double s = r - g2;
    const double vp = s * s - p.phi;
    const double dvp = dvgp * s / r;  // dV_P/dV_GB = s / (s + gamma/2) = 1/n (times the floor's slope)
    // Slope factor and the specific current.
    const double n = p.gamma > 0 ? 1.0 + g2 / s : 1.0;
    const double dn = p.gamma > 0 ? -g2 / (s * s) * dvgp / (2.0 * r) : 0.0;  // dn/dV_GB
    const double ispec = 2.0 * n * beta * ut * ut;
    const double dispec = 2.0 * dn * beta * ut * ut;
    // Forward and reverse currents.
    const double xf = (vp - (vs - vb)) / ut, xr = (vp - (vd - vb)) / ut;
    const double ff = interp(xf), fr = interp(xr);
    const double sf = interp_slope(xf) / ut, sr = interp_slope(xr) / ut;  // d/dV of F(x)
    const double i0 = ispec * (ff - fr);
    // Channel-length modulation, symmetric in drain and source.
    const double lambda = p.lambda_l / p.l;
    const double vds = vd - vs;
    const double a_root = std::sqrt(vds * vds + abs_width * abs_width);
    const double m = 1.0 + lambda * (a_root - abs_width);
    const double dm = lambda * vds / a_root;  // dM/dV_DS
    mosfet_current c;
    c.id = i0 * m;
    c.d_vg = m * (dispec * (ff - fr) + ispec * (sf - sr) * dvp);
    c.d_vs = m * ispec * (-sf) - i0 * dm;
    c.d_vd = m * ispec * sr + i0 * dm;
    c.d_vb = -(c.d_vg + c.d_vs + c.d_vd);
    return c;
}

double mosfet::gate_for(double i, double vd) const {
    units::positive(i, "transistor: current");
    double lo = -1.0, hi = 10.0;
    if (!(limit(lo, vd) < i && limit(hi, vd) > i))
        throw input_error(fmt::format("transistor: {} at V_D = {} is out of reach of a gate in [-1 V, 10 V]", units::format(i, "A"),
                                      units::format(vd, "V")));
    for (int k = 0; k < 200 && hi - lo > 1e-12; ++k) {
        const double mid = 0.5 * (lo + hi);
        (limit(mid, vd) < i ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double mosfet::c_gd() const { return p_.cgdo * p_.w; }
double mosfet::c_gs() const { return p_.cgdo * p_.w + 2.0 / 3.0 * eps_ox / p_.tox * p_.w * p_.l; }
double mosfet::c_junction() const { return p_.cj * p_.w * p_.l_diff; }

}  // namespace memlab::device
