#pragma once
// Yakopcic generalized memristor model: C. Yakopcic, T. M. Taha, G. Subramanyam, R. E. Pino and
// S. Rogers, IEEE Electron Device Lett. 32, 1436 (2011); generalized in IEEE TCAD 32, 1201 (2013).
//
//   i = a1 x sinh(b v)  (v >= 0),   a2 x sinh(b v)  (v < 0)
//   dx/dt = g(v) f(x, v)
//   g(v) =  A_p (e^v - e^{V_p})    for v >  V_p
//        = -A_n (e^{-v} - e^{V_n}) for v < -V_n,   0 in between      (v in volts)
//   f = e^{-alpha_p (x - x_p)} w_p(x)  for v > 0 and x >= x_p,  w_p = (x_p - x)/(1 - x_p) + 1
//     = e^{ alpha_n (x + x_n - 1)} w_n(x)  for v < 0 and x <= 1 - x_n,  w_n = x / (1 - x_n)
//     = 1 otherwise
// Every branch is written with max/min, so rate and current are continuous (the branches meet).
// The direction parameter eta of the paper is fixed at +1 (swap the terminals for -1).
//
// Defaults: the paper's fit to the Oblea et al. Ag-chalcogenide device, as in the authors'
// published SPICE listing. Parameters: the rows in yakopcic.cpp (memlab describe yakopcic).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct yakopcic_params {
    double a1, a2, b, v_p, v_n, a_p, a_n, x_p, x_n, alpha_p, alpha_n, x_init;
};
struct yakopcic_state {
    enum index : std::size_t { x };
};

double yakopcic_current(const yakopcic_params& p, double v, double x);
double yakopcic_rate(const yakopcic_params& p, double v, double x);

class yakopcic final : public basic_model<yakopcic_params> {
public:
    yakopcic();
    std::string_view name() const override { return "yakopcic"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override { s[yakopcic_state::x] = p_.x_init; }
    double current(double v, std::span<const double> s) const override { return yakopcic_current(p_, v, s[yakopcic_state::x]); }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        ds[yakopcic_state::x] = yakopcic_rate(p_, v, s[yakopcic_state::x]);
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<yakopcic>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
