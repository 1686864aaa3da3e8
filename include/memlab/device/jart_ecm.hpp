#pragma once
// An ECM cell in the style of the JART ECM v1 model: S. Menzel, U. Boettger and R. Waser, J. Appl.
// Phys. 111, 014501 (2012); S. Menzel et al., Phys. Chem. Chem. Phys. 15, 6945 (2013).
// States: the tunnelling gap x between filament tip and active electrode, and the nucleation
// progress n (0: no stable nucleus, 1: nucleated).
//
//   j_et  = j_0 [exp((1 - a_et) z v / V_T) - exp(-a_et z v / V_T)]                (Butler-Volmer)
//   j_hop = 2 z q c a nu_0 exp(-W_A/kT) sinh(a z v / (2 x V_T))                      (ion hopping)
//   j     = j_et |j_hop| / (|j_et| + |j_hop|)          (the two steps in series: the slower limits)
//   u     = M / (z F rho_m) j / (1 + |j|/j_lim)          (tip velocity; j_lim: ion supply limit)
//   1/t_nuc = exp(-dG/kT) exp((N_c + a_et) z max(v, 0)/V_T) / t_0, at most 1e12/s    (nucleation)
//   dn/dt = (1 - n)/t_nuc - n max(-u, 0)/x_w exp(-(x_max - x)/x_w)  (the nucleus goes with the filament)
//   dx/dt = -max(u, 0) n (1 - exp(-(x - x_min)/x_w)) + max(-u, 0) (1 - exp(-(x_max - x)/x_w))
//   i = v [G_leak + exp(-x/x_0) / (R_t0 + R_el exp(-x/x_0))]   (tunnelling in series with the filament)
// memlab's reduction: the published model splits the cell voltage implicitly between the
// electron-transfer, hopping and filament overpotentials and uses Simmons tunnelling; here each
// ionic step sees the whole cell voltage and they combine as series rates, tunnelling is linear
// (low-voltage Simmons), and the temperature is fixed (no Joule heating).
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct jart_ecm_params {
    double j0, a_et, z, c_ion, a_hop, nu0, w_a, m_molar, rho_m, t0_nuc, dg_nuc, n_c, x_min, x_max, x0, r_t0, r_el, g_leak, temp,
        j_lim, x_init, n_init;
};
struct jart_ecm_state {
    enum index : std::size_t { x, nuc };
};

namespace jart {
double velocity(const jart_ecm_params& p, double v, double x);  // tip velocity u (m/s), > 0 grows
double conductance(const jart_ecm_params& p, double x);
void rates(const jart_ecm_params& p, double v, double x, double n, double& dx, double& dn);
}  // namespace jart

class jart_ecm final : public basic_model<jart_ecm_params> {
public:
    jart_ecm();
    std::string_view name() const override { return "jart_ecm"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override {
        s[jart_ecm_state::x] = p_.x_init;
        s[jart_ecm_state::nuc] = p_.n_init;
    }
    double current(double v, std::span<const double> s) const override { return v * jart::conductance(p_, s[jart_ecm_state::x]); }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        using S = jart_ecm_state;
        jart::rates(p_, v, s[S::x], s[S::nuc], ds[S::x], ds[S::nuc]);
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<jart_ecm>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
