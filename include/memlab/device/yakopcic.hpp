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
// Parameters (defaults: the paper's fit to the Oblea et al. Ag-chalcogenide device, as in the
// authors' published SPICE listing):
//   name     default   unit  symbol   meaning
//   a1       0.17      A     a_1      current scale, positive voltage
//   a2       0.17      A     a_2      current scale, negative voltage
//   b        0.05      1/V   b        I-V nonlinearity
//   v_p      0.16      V     V_p      positive threshold
//   v_n      0.15      V     V_n      negative threshold (magnitude)
//   a_p      4000      1/s   A_p      state-motion magnitude, positive
//   a_n      4000      1/s   A_n      state-motion magnitude, negative
//   x_p      0.3       1     x_p      where positive motion starts to slow down
//   x_n      0.5       1     x_n      where negative motion starts to slow down
//   alpha_p  1         1     alpha_p  decay of positive motion
//   alpha_n  5         1     alpha_n  decay of negative motion
//   x_init   0.11      1     x_0      initial state
#include "memlab/device/model.hpp"

namespace memlab::device {

struct yakopcic_params {
    double a1, a2, b, v_p, v_n, a_p, a_n, x_p, x_n, alpha_p, alpha_n, x_init;
};

double yakopcic_current(const yakopcic_params& p, double v, double x);
double yakopcic_rate(const yakopcic_params& p, double v, double x);

class yakopcic final : public model {
public:
    yakopcic();
    std::string_view name() const override { return "yakopcic"; }
    std::string_view summary() const override;
    const std::vector<parameter_info>& parameter_table() const override;
    const std::vector<state_info>& states() const override;
    void initial_state(std::span<double> s) const override { s[0] = p_.x_init; }
    double current(double v, std::span<const double> s) const override { return yakopcic_current(p_, v, s[0]); }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override { ds[0] = yakopcic_rate(p_, v, s[0]); }
    std::unique_ptr<model> clone() const override { return std::make_unique<yakopcic>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const yakopcic_params& params() const { return p_; }

protected:
    void check(const std::vector<double>& values) const override;
    void lower(const std::vector<double>& values) override;

private:
    yakopcic_params p_{};
};

}  // namespace memlab::device
