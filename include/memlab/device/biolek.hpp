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
// Defaults: Biolek et al. 2009, their SPICE listing; x_init = (R_off - R_init)/(R_off - R_on).
// Parameters: the rows in biolek.cpp (memlab describe biolek).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct biolek_params {
    double r_on, r_off, d, mu_v, p, x_init;
};
struct biolek_state {
    enum index : std::size_t { x };
};

double biolek_resistance(const biolek_params& p, double x);
double biolek_rate(const biolek_params& p, double i, double x);

class biolek final : public basic_model<biolek_params> {
public:
    biolek();
    std::string_view name() const override { return "biolek"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override { s[biolek_state::x] = p_.x_init; }
    double current(double v, std::span<const double> s) const override { return v / biolek_resistance(p_, s[biolek_state::x]); }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        ds[biolek_state::x] = biolek_rate(p_, v / biolek_resistance(p_, s[biolek_state::x]), s[biolek_state::x]);
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<biolek>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
