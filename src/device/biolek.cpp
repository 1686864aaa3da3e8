#include "memlab/device/biolek.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr std::string_view src = "Biolek, Biolek and Biolkova, Radioengineering 18, 210 (2009), SPICE listing";
constexpr std::string_view hp = "Strukov et al., Nature 453, 80 (2008); value as in Biolek et al. 2009";

using P = biolek_params;
constexpr parameter<P> parameter_rows[]{
    {&P::r_on, "r_on", "Ohm", 100.0, {1e-3, 1e15}, "R_on", "resistance of the fully doped film", hp},
    {&P::r_off, "r_off", "Ohm", 16e3, {1e-3, 1e15}, "R_off", "resistance of the undoped film", hp},
    {&P::d, "d", "m", 10e-9, {1e-10, 1e-5}, "D", "film thickness", hp},
    {&P::mu_v, "mu_v", "m^2/(V s)", 1e-14, {0.0, 1e-6}, "mu_v", "dopant mobility (0: a fixed resistor)", hp},
    {&P::p, "p", "1", 10.0, {1.0, 50.0}, "p", "window exponent, window 1 - (x - stp(-i))^(2p)", src},
    {&P::x_init, "x_init", "1", 0.31446540880503143, {0.0, 1.0}, "x_0", "initial state (R_init = 11 kOhm)", src},
};
static_assert(each_member_once(parameter_rows));

using S = biolek_state;
constexpr state<S::index> state_rows[]{{S::x, "x", "1", 1e-9, "doped (low-resistance) fraction of the film: R = R_on x + R_off (1 - x)"}};
static_assert(in_index_order(state_rows));

void check(const P& c) {
    if (!(c.r_off > c.r_on)) throw input_error("biolek.r_off: must be larger than r_on");
}

const regime typical{
    .series_resistance = 100.0,
    .slow = {1.0, -1.0, 0.4},
    .cross_check = {1.0, -1.0, 4.0, 2},
    .train = {1.0, 1.0, 50e-3, 100e-3, 10},
    .retention = regime::set_and_hold{1.0, 1.0, 10.0, false},
    .transport_off = {{"mu_v", 0.0}},
};

}  // namespace

// x is clipped to [0, 1] here: the window restores an overshoot, but a loose step can put x a
// little past 1, where the linear law would give a negative resistance.
double biolek_resistance(const biolek_params& p, double x) {
    const double c = std::min(std::max(x, 0.0), 1.0);
    return p.r_on * c + p.r_off * (1.0 - c);
}

double biolek_rate(const biolek_params& p, double i, double x) {
    const double k = p.mu_v * p.r_on / (p.d * p.d);
    const double up = 1.0 - std::pow(x * x, p.p);
    const double down = 1.0 - std::pow((x - 1.0) * (x - 1.0), p.p);
    return k * (std::max(i, 0.0) * up + std::min(i, 0.0) * down);
}

biolek::biolek() : basic_model(parameter_rows, state_rows, check) {}

std::string_view biolek::summary() const { return "HP linear ion drift with the Biolek window (2009)"; }
const regime* biolek::typical_regime() const { return &typical; }

spice_form biolek::spice() const {
    const auto n = spice_number;
    spice_form f;
    f.scale = {1.0};
    const std::string r = fmt::format("({}*min(max(V(s_x),0),1) + {}*(1-min(max(V(s_x),0),1)))", n(p_.r_on), n(p_.r_off));
    f.current = fmt::format("V(p,n)/{}", r);
    f.rates = {fmt::format("{k}*(max(V(p,n)/{r},0)*(1-pow(V(s_x)*V(s_x),{p})) + min(V(p,n)/{r},0)*(1-pow((V(s_x)-1)*(V(s_x)-1),{p})))",
                           fmt::arg("k", n(p_.mu_v * p_.r_on / (p_.d * p_.d))), fmt::arg("r", r), fmt::arg("p", n(p_.p)))};
    return f;
}

}  // namespace memlab::device
