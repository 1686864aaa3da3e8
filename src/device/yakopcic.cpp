#include "memlab/device/yakopcic.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr double big = std::numeric_limits<double>::max();
constexpr std::string_view src = "Yakopcic et al., IEEE EDL 32, 1436 (2011): fit to the Oblea et al. device";

using P = yakopcic_params;
constexpr parameter<P> parameter_rows[]{
    {&P::a1, "a1", "A", 0.17, {0.0, big}, "a_1", "current scale, positive voltage", src},
    {&P::a2, "a2", "A", 0.17, {0.0, big}, "a_2", "current scale, negative voltage", src},
    {&P::b, "b", "1/V", 0.05, {1e-9, 100.0}, "b", "I-V nonlinearity", src},
    {&P::v_p, "v_p", "V", 0.16, {0.0, 100.0}, "V_p", "positive threshold", src},
    {&P::v_n, "v_n", "V", 0.15, {0.0, 100.0}, "V_n", "negative threshold (magnitude)", src},
    {&P::a_p, "a_p", "1/s", 4000.0, {0.0, big}, "A_p", "state-motion magnitude, positive voltage", src},
    {&P::a_n, "a_n", "1/s", 4000.0, {0.0, big}, "A_n", "state-motion magnitude, negative voltage", src},
    {&P::x_p, "x_p", "1", 0.3, {0.0, 0.999}, "x_p", "state above which positive motion slows down", src},
    {&P::x_n, "x_n", "1", 0.5, {0.0, 0.999}, "x_n", "1 - x_n: state below which negative motion slows down", src},
    {&P::alpha_p, "alpha_p", "1", 1.0, {0.0, 100.0}, "alpha_p", "decay of positive motion beyond x_p", src},
    {&P::alpha_n, "alpha_n", "1", 5.0, {0.0, 100.0}, "alpha_n", "decay of negative motion below 1 - x_n", src},
    {&P::x_init, "x_init", "1", 0.11, {0.0, 1.0}, "x_0", "initial state", src},
};
static_assert(each_member_once(parameter_rows));

using S = yakopcic_state;
constexpr state<S::index> state_rows[]{{S::x, "x", "1", 1e-9, "state variable between 0 and 1 (fraction of the conducting region)"}};
static_assert(in_index_order(state_rows));

const regime typical{
    .series_resistance = 100.0,
    .slow = {1.2, -1.2, 1e3},
    .cross_check = {1.2, -1.2, 1e4, 2},
    .train = {1.0, 1.0, 10e-6, 20e-6, 10},
    .retention = regime::set_and_hold{1.0, 100e-6, 1.0, false},
    .transport_off = {{"a_p", 0.0}, {"a_n", 0.0}},
};

}  // namespace

double yakopcic_current(const yakopcic_params& p, double v, double x) {
    const double s = std::sinh(p.b * v);
    return x * (p.a1 * std::max(s, 0.0) + p.a2 * std::min(s, 0.0));
}

double yakopcic_rate(const yakopcic_params& p, double v, double x) {
    const double gp = p.a_p * std::max(std::exp(v) - std::exp(p.v_p), 0.0);
    const double gn = p.a_n * std::max(std::exp(-v) - std::exp(p.v_n), 0.0);
    // Windows: 1 inside, the published decaying forms beyond x_p (positive) / below 1 - x_n (negative).
    const double fp = std::exp(-p.alpha_p * std::max(x - p.x_p, 0.0)) * ((p.x_p - std::max(x, p.x_p)) / (1.0 - p.x_p) + 1.0);
    const double fn = std::exp(p.alpha_n * std::min(x + p.x_n - 1.0, 0.0)) * std::min(x, 1.0 - p.x_n) / (1.0 - p.x_n);
    return gp * fp - gn * fn;
}

yakopcic::yakopcic() : basic_model(parameter_rows, state_rows) {}

std::string_view yakopcic::summary() const {
    return "Yakopcic generalized model (2011): sinh I-V, exponential thresholds, decaying windows";
}
const regime* yakopcic::typical_regime() const { return &typical; }

spice_form yakopcic::spice() const {
    const auto n = spice_number;
    spice_form f;
    f.scale = {1.0};
    f.current = fmt::format("V(s_x)*({}*max(sinh({}*V(p,n)),0) + {}*min(sinh({}*V(p,n)),0))", n(p_.a1), n(p_.b), n(p_.a2), n(p_.b));
    f.rates = {fmt::format(
        "{ap}*max(exp(V(p,n))-{evp},0)*exp(-{alp}*max(V(s_x)-{xp},0))*(({xp}-max(V(s_x),{xp}))/{oxp}+1)"
        " - {an}*max(exp(-V(p,n))-{evn},0)*exp({aln}*min(V(s_x)-{oxn},0))*min(V(s_x),{oxn})/{oxn}",
        fmt::arg("ap", n(p_.a_p)), fmt::arg("evp", n(std::exp(p_.v_p))), fmt::arg("alp", n(p_.alpha_p)), fmt::arg("xp", n(p_.x_p)),
        fmt::arg("oxp", n(1.0 - p_.x_p)), fmt::arg("an", n(p_.a_n)), fmt::arg("evn", n(std::exp(p_.v_n))),
        fmt::arg("aln", n(p_.alpha_n)), fmt::arg("oxn", n(1.0 - p_.x_n)))};
    return f;
}

}  // namespace memlab::device
