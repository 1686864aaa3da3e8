#pragma once
// Volatile Ag filament after W. Wang, ..., D. Ielmini, "Volatile resistive switching memory based
// on Ag ion drift/diffusion - Part II: Compact modeling", IEEE Trans. Electron Devices 66, 3802
// (2019): a filament of diameter phi grows by field-driven drift and shrinks by surface diffusion;
// once thinner than one atom the gap g reopens as g_a + 1 nm sqrt(t / 1 s).
//
//   dphi/dt = A exp(-E_a0/kT) exp(alpha q |V_gap|/kT) (1 - phi/phi_m)
//             - B exp(-E_a1/kT) / phi_e^3 * min(phi/phi_a, 1),          phi_e = max(phi, phi_a)
//   dg/dt   = o(phi) D_g / (2 sqrt((g - g_a)^2 + eps^2)) (1 - exp(-(L - g)/w))
//             - (1 - o(phi)) k_c (g - g_a),                              o = sigma((phi_a - phi)/w_phi)
//   R = R_stub + 1 / (G_CF + 1/R_gap)
//   G_CF  = pi phi^2 / (4 rho_m g),  rho_m = rho_m0 (1 - p) l_f / ((1 + p) phi_e)   (size effect)
//   R_gap = rho_ox g / (pi (phi_m^2 - phi^2)/4),  rho_ox = rho_ox0 / (1 + gamma_ox |v|/L)
//   R_stub = rho_m0 (1 - p) l_f / ((1 + p) phi_m) (L - g) / (pi phi_m^2 / 4)
//   V_gap = v (R - R_stub)/R,   T = T_0 + R_th |v i|
// memlab's continuous reading of the published model: the public Verilog-A port keeps a timer
// since the filament broke and sets the gap algebraically; here the square-root law is its ODE
// (d(g - g_a)/dt = D_g / (2 (g - g_a)), D_g = 1 nm^2/s), regularised at g = g_a by eps = 0.01 nm,
// and the gap closes at rate k_c once the filament is thicker than phi_a. The drift parameters are
// the positive-polarity ones for both polarities; the port's local Joule heating (J^2 terms) is
// replaced by one thermal resistance R_th.
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

struct ielmini_ag_params {
    double a_drift, b_sd, alpha, ea0, ea1, phi_a, g_a, phi_m, L, rho_m0, l_f, p_spec, rho_ox0, gamma_ox, t0, r_th, d_g, k_c,
        phi_init, g_init;
};
struct ielmini_ag_state {
    enum index : std::size_t { phi, g };
};

namespace ielmini {
struct electrical {
    double r, r_stub, g_cf, r_gap;
};
electrical resistances(const ielmini_ag_params& p, double v, double phi, double g);
double current(const ielmini_ag_params& p, double v, double phi, double g);
void rates(const ielmini_ag_params& p, double v, double phi, double g, double& dphi, double& dg);
}  // namespace ielmini

class ielmini_ag final : public basic_model<ielmini_ag_params> {
public:
    ielmini_ag();
    std::string_view name() const override { return "ielmini_ag"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override {
        s[ielmini_ag_state::phi] = p_.phi_init;
        s[ielmini_ag_state::g] = p_.g_init;
    }
    double current(double v, std::span<const double> s) const override {
        return ielmini::current(p_, v, s[ielmini_ag_state::phi], s[ielmini_ag_state::g]);
    }
    void rates(double v, std::span<const double> s, std::span<double> ds) const override {
        using S = ielmini_ag_state;
        ielmini::rates(p_, v, s[S::phi], s[S::g], ds[S::phi], ds[S::g]);
    }
    std::unique_ptr<model> clone() const override { return std::make_unique<ielmini_ag>(*this); }
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;
};

}  // namespace memlab::device
