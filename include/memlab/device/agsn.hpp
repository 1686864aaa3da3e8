#pragma once
// agsn_sio2_pt: a physics-based compact model of the alloyed electrochemical-metallization cell
// Pt / 5 nm SiO2 / AgSn of Passerini et al. (see docs/models/agsn_sio2_pt.md for the equations,
// the parameter table with sources, and the calibration status).
//
// States (SI):  h      filament height above the Pt electrode (m); the tunnelling gap is L - h
//               r      radius of the filament's neck (m)
//               theta  Sn fraction of the filament (1)
//               h_s    height of the Sn-rich residual stub left by training (m)
//               armed  1 after a SET, 0 after the filament has relaxed (a flag for the draws)
//               h_c    front of the Ag cluster chain left by the last relaxation (m): a relaxing
//                      filament dissolves down to it, not further (clusters are metastable)
//               T      filament temperature (K), Joule-heated with time constant tau_th
//               e_path offset of the Ag migration barrier along the path the next set takes (eV),
//                      drawn at each breakup (N(0, sigma_e)); a training stub removes it with E_Ag
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
//               3  "atoms": a counter, not a Poisson hazard: the number of atoms a thick neck
//                  exchanges with its surroundings (forward plus backward hops onto and off its
//                  side facets); each time n_lump of them have gone, the neck radius takes the
//                  shot noise of those whole-atom events, N(0, n_lump) atoms of Omega / (2 pi r h)
//                  each, drawn from a random stream of its own (stream 1).
//
// Nothing selects "volatile" or "nonvolatile": the neck radius reached under the circuit's
// current limit sets the Gibbs-Thomson back-voltage and the surface-diffusion rate, and Sn taken
// up while the filament is Joule-heated raises the dissolution barrier.
#include "memlab/device/model.hpp"

namespace memlab::device {

struct agsn_params {
    // Every parameter in SI: unit, symbol, meaning, and where its default comes from (paper; literature;
    // stated = chosen for the reason given, not fitted; fit = calibrated on that paper observation).
    // parameter_table() (memlab describe agsn_sio2_pt) has the full source text, the calibration
    // order and the measured sensitivities are in docs/models/agsn_sio2_pt.md; ctest
    // unit.Agsn.HeaderTableMatchesTheParameterTable keeps the three in step.
    //      name            unit     symbol     meaning | source
    double L;              // m        L          oxide (SiO2) thickness | paper (Methods: 5 nm ALD SiO2)
    double a;              // m        a          ion hopping distance | stated (SiO2 site spacing)
    double nu0;            // Hz       nu_0       attempt frequency (0: ion transport off) | stated (lattice vibration)
    double e_ag;           // eV       E_Ag       Ag+ hopping barrier in SiO2 (growth) | fit: initial 10 nA Vset, its rate dependence
    double de_sn;          // eV       dE_Sn      rise of the dissolution barriers per Sn fraction | fit: synapse depression (with kappa_th)
    double e_sn;           // eV       E_Sn       barrier for Sn uptake into the filament | stated (MODEL-NOTES s.3: 1.0 eV)
    double beta;           // 1        beta       field enhancement at the tip | fit: with E_Ag
    double gamma;          // J/m^2    gamma      surface energy (Gibbs-Thomson drive) | fit: trained Vset (0.23 V)
    double omega;          // m^3      Omega      atomic volume of Ag | literature (Ag molar volume)
    double kappa;          // 1/m      kappa      tunnelling decay sqrt(2 m phi_B)/hbar | stated (phi_B = 0.95 eV)
    double r_q;            // m        r_q        radius per conduction channel, lambda_F/pi | stated (Ag Fermi wavelength)
    double r_min;          // m        r_min      radius of a one-atom neck | stated (Ag atomic radius)
    double rho;            // Ohm m    rho        resistivity of the nanofilament | stated (3x bulk Ag, size effect)
    double g_leak;         // S        G_leak     oxide leakage (HRS floor) | stated (MODEL-NOTES s.3)
    double kappa_th;       // W/(m K)  kappa_th   heat conduction from the neck, R_th(r) = 1/(2 kappa_th r) (Holm) | fit: synapse depression
    double t0;             // K        T_0        ambient temperature | stated (room temperature)
    double b_sd;           // m^4/s    B          surface-diffusion prefactor of neck shrinkage | literature (Wang et al., IEEE TED 66, 2019)
    double e_sd;           // eV       E_sd       surface-diffusion barrier of Ag | literature (Wang et al., IEEE TED 66, 2019)
    double h_s_max;        // m        h_s,max    largest Sn-rich stub training leaves | fit: trained HRS drop (~10x)
    double k_event;        // Hz       k_ev       set detection and swept-relaxation rate | stated (numerics: within 0.1 us)
    double f_cluster;      // 1        f_cl       mean relaxed cluster front (fraction of free oxide) | fit: initial 10 nA Vset
    double f_cluster_c2c;  // 1        sigma_f    cycle-to-cycle spread of f_cl | fit: set-delay law (with sigma_E)
    double h_init;         // m        h(0)       Ag front of a fresh device | fit: all-or-none threshold (1.2 V)
    double stub_fraction;  // 1        f_stub     part of the Sn-rich filament kept as stub | stated (targets see h_s,max)
    double tau_th;         // s        tau_th     thermal time constant | stated (shorter than any heating pulse)
    double g_arm;          // S        G_arm      conductance counted as set | stated (bookkeeping)
    double e_min;          // eV       E_min      lowest field-lowered barrier (drift bound) | stated (numerics; delay exponential to 2.4 V)
    double e_res;          // eV       E_res      growth barrier along a full stub's residual path | fit: trained Vset (Gibbs-Thomson, not kinetics)
    double theta_max;      // 1        theta_max  largest Sn fraction a filament takes up | stated (no limit)
    double x_relax;        // m        x_relax    smallest gap a relaxation leaves | stated (volatile HRS at leakage level)
    double e_diss;         // eV       E_diss     barrier for an atom leaving the filament | fit: integrate-and-fire (-1 V sections reset)
    double sigma_e;        // eV       sigma_E    cycle-to-cycle spread of the path's migration barrier | fit: initial Vset spread
    double eps_step;       // J/m      epsilon    step energy of a 2D nucleus on the neck (lateral growth) | literature (7 % of cohesive energy, Feibelman 1999)
    double n_lump;         // 1        n_lump     atoms exchanged by the neck per shot-noise draw (0: no shot noise) | stated (numerics)
};

// Pure physics (used by the model, the tests and the docs).
namespace agsn {
double thermal_resistance(const agsn_params& p, double r);          // K/W, Holm constriction 1/(2 kappa_th r)
double temperature(const agsn_params& p, double v, double g, double r);  // K, steady-state Joule heating of a neck of radius r
double nucleation_factor(const agsn_params& p, double v_ion, double r, double T);  // exp(-Delta G*/kT) of lateral growth
double gibbs_thomson_voltage(const agsn_params& p, double r);       // V
double breakup_rate(const agsn_params& p, double T);                // 1/s, one-atom filament into clusters
double conductance(const agsn_params& p, double h, double r);       // S
double tip_velocity(const agsn_params& p, double v, double h, double r, double theta, double h_floor, double T,
                    double h_s = 0.0, double e_path = 0.0);  // m/s
double neck_rate(const agsn_params& p, double v, double h, double r, double theta, double T);  // m/s
double sn_uptake_rate(const agsn_params& p, double theta, double h, double r, double T);  // 1/s
// Atoms per second a neck of radius r exchanges through its side facets (forward plus backward hops
// and surface diffusion; zero for a one-atom neck, which has no facets) and the radius one atom
// moves it by, Omega / (2 pi r h).
double neck_exchange_rate(const agsn_params& p, double v, double h, double r, double theta, double T);
double atom_radius_step(const agsn_params& p, double h, double r);
}  // namespace agsn

class agsn_sio2_pt final : public model {
public:
    agsn_sio2_pt();
    std::string_view name() const override { return "agsn_sio2_pt"; }
    std::string_view summary() const override;
    const std::vector<parameter_info>& parameter_table() const override;
    const std::vector<state_info>& states() const override;
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
    double hazard_threshold(std::size_t k, rng& r) const override { return k == 3 ? p_.n_lump : r.exponential(); }
    void hazards(double v, std::span<const double> s, std::span<double> h) const override;
    void on_event(std::size_t k, double v, std::span<double> s, rng& r) const override;
    // The reverse field adds more to the tip's dissolution than its surface energy (v < 0).
    bool swept_by_field(double v, std::span<const double> s) const;
    std::unique_ptr<model> clone() const override { return std::make_unique<agsn_sio2_pt>(*this); }
    // Deterministic form: no set/relaxation events, so armed, h_s and h_c stay where they start.
    bool has_spice() const override { return true; }
    spice_form spice() const override;
    const agsn_params& params() const { return p_; }

protected:
    void check(const std::vector<double>& values) const override;
    void lower(const std::vector<double>& values) override;

private:
    agsn_params p_{};
};

}  // namespace memlab::device
