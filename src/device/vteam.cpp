#include "memlab/device/vteam.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr double big = std::numeric_limits<double>::max();
constexpr std::string_view calib = "memlab engine-test calibration (not a device fit)";
constexpr std::string_view kvat = "form: Kvatinsky et al., IEEE TCAS-II 62, 786 (2015)";

using P = vteam_params;
constexpr parameter<P> parameter_rows[]{
    {&P::r_on, "r_on", "Ohm", 1e3, {1e-3, 1e15}, "R_on", "resistance at w = w_on", calib},
    {&P::r_off, "r_off", "Ohm", 1e5, {1e-3, 1e15}, "R_off", "resistance at w = w_off", calib},
    {&P::w_on, "w_on", "m", 0.0, {-1e-6, 1e-6}, "w_on", "state bound on the ON side", calib},
    {&P::w_off, "w_off", "m", 3e-9, {-1e-6, 1e-6}, "w_off", "state bound on the OFF side", calib},
    {&P::w_c, "w_c", "m", 1e-10, {1e-15, 1e-6}, "w_c", "softness of the Kvatinsky window", kvat},
    {&P::k_on, "k_on", "m/s", -3e-4, {-big, 0.0}, "k_on", "ON rate prefactor (negative)", calib},
    {&P::k_off, "k_off", "m/s", 3e-4, {0.0, big}, "k_off", "OFF rate prefactor (positive)", calib},
    {&P::alpha_on, "alpha_on", "1", 3.0, {1.0, 20.0}, "alpha_on", "ON exponent (>= 1 keeps the rate continuous)", calib},
    {&P::alpha_off, "alpha_off", "1", 3.0, {1.0, 20.0}, "alpha_off", "OFF exponent", calib},
    {&P::v_on, "v_on", "V", -0.5, {-big, -1e-9}, "v_on", "ON threshold voltage (negative)", calib},
    {&P::v_off, "v_off", "V", 0.5, {1e-9, big}, "v_off", "OFF threshold voltage (positive)", calib},
    {&P::w_init, "w_init", "m", 1.5e-9, {-1e-6, 1e-6}, "w(0)", "initial state", calib},
};
static_assert(each_member_once(parameter_rows));

using S = vteam_state;
constexpr state<S::index> state_rows[]{{S::w, "w", "m", 1e-14, "state variable (width of the conducting region) between w_on and w_off"}};
static_assert(in_index_order(state_rows));

void check(const P& c) {
    if (!(c.w_off > c.w_on)) throw input_error(fmt::format("vteam.w_off: must be larger than w_on"));
    if (!(c.r_off > c.r_on)) throw input_error(fmt::format("vteam.r_off: must be larger than r_on"));
}

const regime typical{
    .series_resistance = 1e3,
    .slow = {1.2, -1.2, 1e4},
    .cross_check = {1.2, -1.2, 1e5, 2},
    .train = {1.0, 1.0, 1e-6, 2e-6, 20},
    .retention = regime::set_and_hold{1.0, 20e-6, 1.0, false},
    .transport_off = {{"k_on", 0.0}, {"k_off", 0.0}},
};

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

vteam::vteam() : basic_model(parameter_rows, state_rows, check) {}

std::string_view vteam::summary() const {
    return "VTEAM threshold model (Kvatinsky 2015), linear R(w); engine reference device";
}

const regime* vteam::typical_regime() const { return &typical; }

void vteam::initial_state(std::span<double> s) const { s[S::w] = p_.w_init; }

double vteam::current(double v, std::span<const double> s) const { return v / vteam_resistance(p_, s[S::w]); }

void vteam::current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const {
    const double r = vteam_resistance(p_, s[S::w]);
    di_dv = 1.0 / r;
    di_ds[S::w] = -v / (r * r) * (p_.r_off - p_.r_on) / (p_.w_off - p_.w_on);
}

void vteam::rates(double v, std::span<const double> s, std::span<double> ds) const { ds[S::w] = vteam_rate(p_, v, s[S::w]); }

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

}  // namespace memlab::device
