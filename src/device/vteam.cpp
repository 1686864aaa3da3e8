#include "memlab/device/vteam.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr double big = std::numeric_limits<double>::max();
const std::string calib = "memlab engine-test calibration (not a device fit)";
const std::string kvat = "form: Kvatinsky et al., IEEE TCAS-II 62, 786 (2015)";

const std::vector<parameter_info> table{
    {"r_on", "Ohm", 1e3, 1e-3, 1e15, "R_on", "resistance at w = w_on", calib},
    {"r_off", "Ohm", 1e5, 1e-3, 1e15, "R_off", "resistance at w = w_off", calib},
    {"w_on", "m", 0.0, -1e-6, 1e-6, "w_on", "state bound on the ON side", calib},
    {"w_off", "m", 3e-9, -1e-6, 1e-6, "w_off", "state bound on the OFF side", calib},
    {"w_c", "m", 1e-10, 1e-15, 1e-6, "w_c", "softness of the Kvatinsky window", kvat},
    {"k_on", "m/s", -3e-4, -big, 0.0, "k_on", "ON rate prefactor (negative)", calib},
    {"k_off", "m/s", 3e-4, 0.0, big, "k_off", "OFF rate prefactor (positive)", calib},
    {"alpha_on", "1", 3.0, 1.0, 20.0, "alpha_on", "ON exponent (>= 1 keeps the rate continuous)", calib},
    {"alpha_off", "1", 3.0, 1.0, 20.0, "alpha_off", "OFF exponent", calib},
    {"v_on", "V", -0.5, -big, -1e-9, "v_on", "ON threshold voltage (negative)", calib},
    {"v_off", "V", 0.5, 1e-9, big, "v_off", "OFF threshold voltage (positive)", calib},
    {"w_init", "m", 1.5e-9, -1e-6, 1e-6, "w(0)", "initial state", calib},
};

const std::vector<state_info> state_table{{"w", "m", 1e-14}};

}  // namespace

double vteam_resistance(const vteam_params& p, double w) {
    return p.r_on + (p.r_off - p.r_on) * (w - p.w_on) / (p.w_off - p.w_on);
}

double vteam_rate(const vteam_params& p, double v, double w) {
    double rate = 0;
    const double off = std::max(v / p.v_off - 1.0, 0.0);
    if (off > 0) rate += p.k_off * std::pow(off, p.alpha_off) * std::exp(-std::exp((w - p.w_off) / p.w_c));
    const double on = std::max(v / p.v_on - 1.0, 0.0);
    if (on > 0) rate += p.k_on * std::pow(on, p.alpha_on) * std::exp(-std::exp(-(w - p.w_on) / p.w_c));
    return rate;
}

vteam::vteam() { init_parameters(); }

std::string_view vteam::summary() const {
    return "VTEAM threshold model (Kvatinsky 2015), linear R(w); engine reference device";
}

const std::vector<parameter_info>& vteam::parameter_table() const { return table; }
const std::vector<state_info>& vteam::states() const { return state_table; }

void vteam::initial_state(std::span<double> s) const { s[0] = p_.w_init; }

double vteam::current(double v, std::span<const double> s) const { return v / vteam_resistance(p_, s[0]); }

void vteam::current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const {
    const double r = vteam_resistance(p_, s[0]);
    di_dv = 1.0 / r;
    di_ds[0] = -v / (r * r) * (p_.r_off - p_.r_on) / (p_.w_off - p_.w_on);
}

void vteam::rates(double v, std::span<const double> s, std::span<double> ds) const { ds[0] = vteam_rate(p_, v, s[0]); }

spice_form vteam::spice() const {
    // The state in nm on its node (ngspice's absolute tolerances are meant for volts).
    const double nm = 1e-9;
    const auto n = spice_number;
    spice_form f;
    f.scale = {nm};
    f.current = fmt::format("V(p,n)/({} + {}*(V(s_w)-{})/{})", n(p_.r_on), n(p_.r_off - p_.r_on), n(p_.w_on / nm),
                            n((p_.w_off - p_.w_on) / nm));
    f.rates = {fmt::format("{}*pow(max(V(p,n)/{}-1,0),{})*exp(-exp((V(s_w)-{})/{}))"
                           " + {}*pow(max(V(p,n)/{}-1,0),{})*exp(-exp(-(V(s_w)-{})/{}))",
                           n(p_.k_off / nm), n(p_.v_off), n(p_.alpha_off), n(p_.w_off / nm), n(p_.w_c / nm),
                           n(p_.k_on / nm), n(p_.v_on), n(p_.alpha_on), n(p_.w_on / nm), n(p_.w_c / nm))};
    return f;
}

void vteam::check(const std::vector<double>& x) const {
    // order of the table: r_on r_off w_on w_off w_c k_on k_off alpha_on alpha_off v_on v_off w_init
    if (!(x[3] > x[2])) throw input_error(fmt::format("vteam.w_off: must be larger than w_on"));
    if (!(x[1] > x[0])) throw input_error(fmt::format("vteam.r_off: must be larger than r_on"));
}

void vteam::lower(const std::vector<double>& x) {
    p_ = {x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11]};
}

}  // namespace memlab::device
