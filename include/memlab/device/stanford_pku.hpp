#pragma once
// Stanford-PKU metal-oxide RRAM model: X. Guan, S. Yu and H.-S. P. Wong, IEEE Electron Device
// Lett. 33, 1405 (2012); the Stanford RRAM Verilog-A model v1.0.0 (Z. Jiang, H.-S. P. Wong, 2014,
// doi:10.4231/D37H1DN48), whose default card is used here.
//
//   i = I_0 exp(-g/g_0) sinh(v/V_0)
//   dg/dt = -v_0 exp(-E_a/kT) sinh(gamma a_0 q v / (t_ox k T)) + (random gap kicks, below)
//   gamma = gamma_0 - beta (g / 1 nm)^alpha, switched off below the field F_min:
//           gamma_eff = gamma * sigma((gamma |v|/t_ox - F_min) / (0.02 F_min))   (sigma: logistic)
//   T = T_0 + |v i| R_th
// Bounds g_min <= g <= g_max: the published model clips g; memlab multiplies the closing rate by
// 1 - exp(-(g - g_min)/w) and the opening rate by 1 - exp(-(g_max - g)/w) (w = 0.01 nm), smooth.
// The published F_min switch is a hard if; memlab's logistic over 2 % of F_min is the smooth form.
//
// Temperature-gated variability: the published model adds N(0,1) delta_g0 / (1 + exp((T_crit -
// T)/T_smth)) to dg/dt at every time step, which depends on the step size. memlab keeps error
// control: random kicks g += sigma_g N(0,1) arrive as a Poisson process of rate
//   n_kick |dg/dt| / a_0 / (1 + exp((T_crit - T)/T_smth))
// i.e. n_kick kicks per hopping distance the gap moves (none at rest, as in the published model,
// which adds noise only under bias), so the number of kicks per switching event does not depend
// on how long the protocol is.
// The SPICE export is the deterministic form (kicks off).
//
// Parameters: the rows in stanford_pku.cpp (memlab describe stanford_pku, docs/models/stanford_pku.md).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct stanford_pku_params {
    double i0, g0, v0, vel0, ea, a0, gamma0, beta, alpha, f_min, t_ox, r_th, t0, g_min, g_max, g_init, sigma_g, kicks,
        t_crit, t_smth;
};
struct stanford_pku_state {
    enum index : std::size_t { g };
};

namespace stanford {
double current(const stanford_pku_params& p, double v, double g);
double temperature(const stanford_pku_params& p, double v, double g);
double gap_rate(const stanford_pku_params& p, double v, double g);
}  // namespace stanford

class stanford_pku final : public basic_model<stanford_pku_params> {
public:
    stanford_pku();
    std::string_view name() const override { return "stanford_pku"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override { s[stanford_pku_state::g] = p_.g_init; }
    double current(double v, std::span<const double> s) const override {
        return stanford::current(p_, v, s[stanford_pku_state::g]);
    }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        ds[stanford_pku_state::g] = stanford::gap_rate(p_, v, s[stanford_pku_state::g]);
    }
    std::size_t n_hazards() const override { return p_.kicks > 0 && p_.sigma_g > 0 ? 1 : 0; }
    void hazards(double v, std::span<const double> s, std::span<double> h) const override;
    void on_event(std::size_t k, double v, std::span<double> s, rng& r) const override;
    std::unique_ptr<model> clone() const override { return std::make_unique<stanford_pku>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
