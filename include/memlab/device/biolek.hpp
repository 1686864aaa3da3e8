#pragma once
// Linear ion drift (the HP TiO2 memristor, Strukov et al., Nature 453, 80 (2008)) with the Biolek
// window: Z. Biolek, D. Biolek and V. Biolkova, "SPICE model of memristor with nonlinear dopant
// drift", Radioengineering 18, 210 (2009).
//
//   R(x) = R_on x + R_off (1 - x),   i = v / R(x)   (x clipped to [0, 1] in R: an overshoot of a
//   loose step must not make the resistance negative)
//   dx/dt = (mu_v R_on / D^2) i f(x, i),   f = 1 - (x - stp(-i))^(2p)
// stp(-i) picks the window side by the sign of the current; memlab writes the product as
//   k [max(i, 0) (1 - x^(2p)) + min(i, 0) (1 - (x - 1)^(2p))],
// identical for i != 0 and continuous at i = 0 (where the rate is zero either way).
//
// Parameters (defaults: Biolek et al. 2009, their SPICE listing: Ron 100, Roff 16k, Rinit 11k,
// D 10n, uv 10f, p 10; x_init = (R_off - R_init)/(R_off - R_on)):
//   name    default        unit      symbol  meaning
//   r_on    100 Ohm        Ohm       R_on    resistance of the fully doped film
//   r_off   16 kOhm        Ohm       R_off   resistance of the undoped film
//   d       10 nm          m         D       film thickness
//   mu_v    1e-14 m^2/Vs   m^2/(V s) mu_v    dopant mobility
//   p       10             1         p       window exponent (window is 1 - (.)^(2p))
//   x_init  0.3145         1         x_0     initial state (R_init = 11 kOhm)
#include "memlab/device/model.hpp"

namespace memlab::device {

struct biolek_params {
    double r_on, r_off, d, mu_v, p, x_init;
};

double biolek_resistance(const biolek_params& p, double x);
double biolek_rate(const biolek_params& p, double i, double x);

class biolek final : public model {
public:
    biolek();
    std::string_view name() const override { return "biolek"; }
    std::string_view summary() const override;
    const std::vector<parameter_info>& parameter_table() const override;
    const std::vector<state_info>& states() const override;
    void initial_state(std::span<double> s) const override { s[0] = p_.x_init; }
    double current(double v, std::span<const double> s) const override { return v / biolek_resistance(p_, s[0]); }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        ds[0] = biolek_rate(p_, v / biolek_resistance(p_, s[0]), s[0]);
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<biolek>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const biolek_params& params() const { return p_; }

protected:
    void check(const std::vector<double>& values) const override;
    void lower(const std::vector<double>& values) override;

private:
    biolek_params p_{};
};

}  // namespace memlab::device
