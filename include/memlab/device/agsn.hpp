#pragma once
// agsn_sio2_pt: a physics-based compact model of the alloyed electrochemical-metallization cell
// Pt / 5 nm SiO2 / AgSn of Passerini et al. (see docs/models/agsn_sio2_pt.md for the equations,
// the parameter table with sources, and the calibration status).
//
// States: agsn_state below.
// Hazards:      0  "set": fires (rate k_event) once the conductance passes g_arm; arms the flag
//               1  "swept": under a reverse field that adds more to the tip's dissolution than
//                  the surface energy, fires (rate k_event) once the tip is back within one hop
//                  of its floor or the device is back in its HRS (g_arm / 10): the floor stays
//                  and the tip goes to one hop above it
//               2  "broken up": the same relaxed condition under the surface energy's own drive
//                  (at rest, or forward bias below V_GT), at the surface-diffusion breakup rate
//                  of a one-atom filament (agsn::breakup_rate): the next starting height is drawn
//                  from the Ag clusters left in the free oxide, and the next path's barrier offset
//                  e_path (cycle-to-cycle variability)
//               In both the Sn-rich part of the filament stays (h_s grows by stub_fraction * theta
//               of its remaining room, theta returns to 0).
//               Further draws, each from a random stream of its own: at a breakup the site energy
//               e_tip of the atom the next set's tip grows from (sigma_tip, stream 2), at both the
//               step energy of the next neck's side facets (sigma_step, stream 3).
//               3  "atoms": a counter, not a Poisson hazard: the number of atoms a thick neck
//                  exchanges with its surroundings (forward plus backward hops onto and off its
//                  side facets); each time n_lump of them have gone, the neck radius takes the
//                  shot noise of those whole-atom events, N(0, n_lump) atoms of Omega / (2 pi r h)
//                  each, drawn from a random stream of its own (stream 1). With t_lump > 0 a draw
//                  takes n_lump + rate t_lump atoms (fewer draws while the neck exchanges fast).
//                  The net atoms of a draw are whole: the difference of two Poisson counts. At each
//                  breakpoint of the circuit's sources the atoms counted so far are drawn too
//                  (on_settle), so every read sees the noise of every atom exchanged before it.
//
// Nothing selects "volatile" or "nonvolatile": the neck radius reached under the circuit's
// current limit sets the Gibbs-Thomson back-voltage and the surface-diffusion rate, and Sn taken
// up while the filament is Joule-heated raises the dissolution barrier.
#include "memlab/device/descriptor.hpp"

namespace memlab::device {

// SI; each parameter's unit, default, range, symbol, meaning and source are its row in agsn.cpp.
struct agsn_params {
    double L, a, nu0, e_ag, de_sn, e_sn, beta, gamma, omega, kappa, r_q, r_min, rho, g_leak, kappa_th, t0, b_sd, e_sd, h_s_max,
        k_event, f_cluster, f_cluster_c2c, h_init, stub_fraction, tau_th, g_arm, e_min, e_res, theta_max, x_relax, e_diss, sigma_e,
        eps_step, n_lump, sigma_tip, sigma_step, de_sn_sd, f_dealloy, t_lump, heat_ballistic;
};
// The state vector, in this order (SI; units and tolerances in agsn.cpp).
struct agsn_state {
    enum index : std::size_t {
        h,       // filament height above the Pt electrode (m); the tunnelling gap is L - h
        r,       // radius of the filament's neck (m)
        theta,   // Sn fraction of the filament (1)
        h_s,     // height of the Sn-rich residual stub left by training (m)
        armed,   // 1 after a SET, 0 after the filament has relaxed (a flag for the draws)
        h_c,     // front of the Ag cluster chain left by the last relaxation (m): a relaxing filament
                 // dissolves down to it, not further (clusters are metastable)
        T,       // filament temperature (K), Joule-heated with time constant tau_th
        e_path,  // offset of the Ag migration barrier along the path the next set takes (eV), drawn
                 // at each breakup (N(0, sigma_e)); a training stub removes it with E_Ag
        e_tip,   // site energy of the one-atom tip's atom (eV): it adds e_tip (r_min/r_tip)^2 / e to the
                 // tip's back-voltage; drawn at each breakup for the next set (N(0, sigma_tip),
                 // random stream 2)
        z_step,  // log of the factor on the step energy epsilon of the present neck's side facets (1):
                 // drawn at each relaxation for the next set (N(0, sigma_step), random stream 3)
    };
};

// Pure physics (used by the model, the tests and the docs).
namespace agsn {
double thermal_resistance(const agsn_params& p, double r);          // K/W, Holm constriction 1/(2 kappa_th r)
double neck_power(const agsn_params& p, double v, double h, double r);   // W, the heat the neck takes (see heat_ballistic)
double temperature(const agsn_params& p, double v, double h, double r);  // K, steady state of that heat through R_th(r)
double nucleation_factor(const agsn_params& p, double v_ion, double r, double T, double z_step = 0.0);  // exp(-Delta G*/kT) of lateral growth
double gibbs_thomson_voltage(const agsn_params& p, double r);       // V
double breakup_rate(const agsn_params& p, double T);                // 1/s, one-atom filament into clusters
double conductance(const agsn_params& p, double h, double r);       // S
double tip_velocity(const agsn_params& p, double v, double h, double r, double theta, double h_floor, double T,
                    double h_s = 0.0, double e_path = 0.0, double e_tip = 0.0);  // m/s
double neck_rate(const agsn_params& p, double v, double h, double r, double theta, double T, double z_step = 0.0, double e_tip = 0.0);  // m/s
double sn_uptake_rate(const agsn_params& p, double theta, double h, double r, double T);  // 1/s
// dtheta/dt of the neck's outer layer from its Ag exchange (dealloying): Ag crosses the layer, a
// share f_dealloy of its Sn stays: -f_dealloy theta (1 - theta) (1 - r_min / r) (dr/dt) / a.
double dealloying_rate(const agsn_params& p, double theta, double r, double dr_dt);  // 1/s
// Atoms per second a neck of radius r exchanges through its side facets (forward plus backward hops
// and surface diffusion; zero for a one-atom neck, which has no facets) and the radius one atom
// moves it by, Omega / (2 pi r h).
double neck_exchange_rate(const agsn_params& p, double v, double h, double r, double theta, double T, double z_step = 0.0, double e_tip = 0.0);
double atom_radius_step(const agsn_params& p, double h, double r);
}  // namespace agsn

class agsn_sio2_pt final : public basic_model<agsn_params> {
public:
    agsn_sio2_pt();
    std::string_view name() const override { return "agsn_sio2_pt"; }
    std::string_view summary() const override;
    void initial_state(std::span<double> s) const override;
    double current(double v, std::span<const double> s) const override;
    void rates(double v, std::span<const double> s, std::span<double> ds) const override;
    // Exact derivatives by forward-mode automatic differentiation (Eigen AutoDiff) of the same code.
    void current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const override;
    void rates_jacobian(double v, std::span<const double> s, std::span<double> dr_dv, std::span<double> dr_ds) const override;
    // The shot-noise counter exists only when it counts (n_lump > 0): without it the integrator
    // sees exactly the model it saw before the counter was added.
    std::size_t n_hazards() const override { return p_.n_lump > 0 ? 4 : 3; }
    std::size_t hazard_stream(std::size_t k) const override { return k == 3 ? 1 : 0; }
    // The counter counts draws: its hazard is the exchange rate over the atoms of one draw,
    // n_lump + rate t_lump, so it fires at 1.
    double hazard_threshold(std::size_t k, rng& r) const override { return k == 3 ? 1.0 : r.exponential(); }
    void hazards(double v, std::span<const double> s, std::span<double> h) const override;
    void on_event(std::size_t k, double v, std::span<double> s, rng& r) const override;
    // Relaxations (1, 2) draw the tip's site energy from stream 2 and the facets' step energy from
    // stream 3 (the neck's atoms, hazard 3, draw from stream 1).
    std::span<const std::size_t> draw_streams(std::size_t k) const override {
        static constexpr std::size_t relaxation[]{2, 3};
        return k == 1 || k == 2 ? std::span<const std::size_t>(relaxation) : std::span<const std::size_t>();
    }
    void on_event_draw(std::size_t k, double v, std::span<double> s, std::size_t stream, rng& r) const override;
    // The shot-noise counter settles at breakpoints: the atoms of a pulse are drawn by its end.
    bool settles(std::size_t k) const override { return k == 3; }
    bool on_settle(std::size_t k, double count, double v, std::span<double> s, rng& r) const override;
    // The reverse field adds more to the tip's dissolution than its surface energy (v < 0).
    bool swept_by_field(double v, std::span<const double> s) const;
    std::unique_ptr<model> clone() const override { return std::make_unique<agsn_sio2_pt>(*this); }
    // Deterministic form: no set/relaxation events, so armed, h_s and h_c stay where they start.
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const regime* typical_regime() const override;

private:
    double exchange(double v, std::span<const double> s) const;  // atoms/s: agsn::neck_exchange_rate at this state
    // The atoms one shot-noise draw takes at an exchange of `rate` atoms/s: n_lump + rate t_lump.
    double atoms_per_draw(double rate) const { return p_.n_lump + rate * p_.t_lump; }
    bool shot_noise(double n, std::span<double> s, rng& r) const;  // n atoms' net whole-atom spread: true if r moved
};

}  // namespace memlab::device
