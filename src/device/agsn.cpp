#include "memlab/device/agsn.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"

namespace memlab::device {
namespace {

constexpr double q_e = 1.602176634e-19;   // C
constexpr double k_B = 1.380649e-23;      // J/K
constexpr double G0 = 7.748091729e-5;     // S, conductance quantum 2e^2/h

constexpr std::string_view paper = "Passerini et al. (paper, Methods: stack)";
constexpr std::string_view ielmini = "W. Wang et al., IEEE TED 66 (2019), public Verilog-A port";

using P = agsn_params;
constexpr parameter<P> parameter_rows[]{
    {&P::L, "L", "m", 5e-9, {1e-10, 1e-7}, "L", "oxide (SiO2) thickness", paper},
    {&P::a, "a", "m", 0.25e-9, {1e-11, 1e-9}, "a", "ion hopping distance",
     "stated, not fitted: one hop between neighbouring sites of the SiO2 network (O-O about 0.26 nm: Mozzi and Warren, J. Appl. Cryst. 2, 164 (1969)); beta and E_Ag were fitted with it held (docs/models/agsn_sio2_pt.md, Sensitivity)"},
    {&P::nu0, "nu0", "Hz", 1e13, {0.0, 1e15}, "nu_0", "attempt frequency (0 switches all ion transport off)",
     "stated, not fitted: a lattice vibration frequency (the usual 1e13 Hz of ion hopping; docs/calibration/starting-values.md); only nu0 exp(-E/kT) is seen, and the barriers were fitted with it held"},
    {&P::e_ag, "e_ag", "eV", 0.85, {0.0, 3.0}, "E_Ag", "hopping barrier of Ag+ in SiO2",
     "calibrated with beta (step 1, docs/models/agsn_sio2_pt.md): the initial 10 nA Vset near 1 V at 1 V/s and its rise with sweep rate; checks: all-or-none threshold at 1.2 V for 100 ms, set delay 3.5 decades/V; Ag+ in a-SiO2 by MD: 0.91 +- 0.32 eV (docs/md-diffusion.md)"},
    {&P::de_sn, "de_sn", "eV", 0.50, {0.0, 3.0}, "dE_Sn", "rise of the dissolution barriers per unit Sn fraction",
     "calibrated with kappa_th on the synapse depression (2026-12-05): a full-Sn filament dissolves over E_diss + dE_Sn = 1.24 eV, slowly enough at rest (synapse.retention -0.2 % over 1e4 s) and fast enough in the Joule-heated neck at -0.8 V through 1 kOhm to thin it pulse by pulse (0.45 eV: the contact opens in the first cycle; 0.55 eV: flat) (docs/models/agsn_sio2_pt.md); starting range 0.4..0.8 eV (docs/calibration/starting-values.md)"},
    {&P::de_sn_sd, "de_sn_sd", "eV", 0.75, {0.0, 3.0}, "dE_Sn,sd", "rise of the neck's surface-diffusion barrier per unit Sn fraction (Sn at the neck's surface; dE_Sn is the barrier's rise for an atom leaving the filament, another process)",
     "calibrated on the return branch of a 1 mA neck (2026-12-06, with sigma_step): while a 1T1R cell's transistor brings the current down over the 1 V/s down-sweep, the Joule-heated neck (650-690 K) must keep the radius it was set to, as the ohmic return branch of a set filament does (its resistance fixed at the compliance; Ielmini, IEEE TED 58, 4309 (2011)): 0.5 eV (dE_Sn's value) halves it (1.69 -> 0.79 nm), 0.6 eV keeps 98 % (1.78 -> 1.74 nm), 0.7 eV all of it (1.82 -> 1.83 nm); 0.75 eV is the lowest tried at which every neck the facets' spread draws keeps its filament at seeds 1-5 (0.7 eV: one 1T1R cycle of 10 lost at seed 4) (docs/calibration/2026-12-06-neck-return-branch-and-nv-spread.md)"},
    {&P::e_sn, "e_sn", "eV", 1.0, {0.0, 3.0}, "E_Sn", "barrier for Sn uptake into the filament (Sn slower than Ag)",
     "stated, not fitted: the starting value (1.0 eV, docs/calibration/starting-values.md); above E_Ag, as the MD finds Sn slower (docs/md-diffusion.md). Since the Holm heating (a thin contact runs hot, kappa_th) the Sn uptake of a 1 mA set is fast at any value tried (0.91 and 1.0 eV give the same targets); it set the NV Vset until then (docs/models/agsn_sio2_pt.md)"},
    {&P::beta, "beta", "1", 6.0, {0.0, 100.0}, "beta", "field enhancement at the filament tip",
     "calibrated with E_Ag (step 1): so that the set delay depends on the gap as the Vset does (starting range 3..5, docs/calibration/starting-values.md)"},
    {&P::gamma, "gamma", "J/m^2", 0.42, {0.0, 10.0}, "gamma", "surface energy of the Ag filament (0: no Gibbs-Thomson drive)",
     "calibrated on the trained Vset (0.23 V): a trained device sets where the one-atom tip's back-voltage V_GT(r_min) = 0.22 V is overcome (starting value 0.3 J/m^2, docs/calibration/starting-values.md; bulk Ag about 1.2)"},
    {&P::omega, "omega", "m^3", 1.71e-29, {1e-31, 1e-27}, "Omega", "atomic volume of Ag", "CRC handbook: Ag molar volume 10.3 cm^3/mol"},
    {&P::kappa, "kappa", "1/m", 5e9, {1e8, 1e11}, "kappa", "tunnelling decay constant sqrt(2 m phi_B)/hbar",
     "stated, not fitted: sqrt(2 m_e phi_B)/hbar with a tunnel barrier phi_B = 0.95 eV (3.6..5 /nm for barriers of 0.5..1 eV)"},
    {&P::r_q, "r_q", "m", 0.166e-9, {1e-11, 1e-8}, "r_q", "radius per conduction channel, lambda_F/pi (lambda_F 0.52 nm)",
     "stated, not fitted: the free-electron Fermi wavelength of Ag, 2 pi / k_F with k_F = 1.20e10 1/m, over pi (Ashcroft and Mermin, Solid State Physics, table 2.1)"},
    {&P::r_min, "r_min", "m", 0.2e-9, {1e-11, 1e-8}, "r_min", "radius of a one-atom neck",
     "stated, not fitted: of the order of the Ag atomic radius, 0.144 nm (metallic radius); it sets V_GT(r_min), and gamma was fitted with it held"},
    {&P::rho, "rho", "Ohm m", 5e-8, {0.0, 1.0}, "rho", "resistivity of the nanofilament (about 3x bulk Ag, 1.59e-8 Ohm m)",
     "stated: 3x bulk Ag, the size effect of a wire a few nm across (surface and grain-boundary scattering); until 2026-12-04 it set the NV Vset (2e-7: 0.54 V, 1e-7: 0.47 V, 5e-8: 0.43 V, bulk: 0.40 V at E_Sn 1.0 eV), which E_Sn now does"},
    {&P::g_leak, "g_leak", "S", 1e-12, {0.0, 1.0}, "G_leak", "leakage conductance of the oxide (HRS floor)",
     "stated, not fitted: the starting value (1 pS, docs/calibration/starting-values.md); it is the fresh HRS (tunnelling across a fresh relaxed gap, 2.5 nm or more, is below 1 fS), so the HRS drop is read against it and h_s_max was fitted with it held"},
    {&P::kappa_th, "kappa_th", "W/(m K)", 17.5, {0.0, 1e4}, "kappa_th", "thermal conductivity of the metal the neck's heat spreads into: R_th(r) = 1/(2 kappa_th r) (Holm's constriction resistance between two half-spaces; 0: no heating)",
     "calibrated on the synapse (2026-12-07, with f_b = 0 and tau_th 300 ns): its potentiation, depression and their spreads hold at 17 and 17.5 W/(m K) at 4-5 of seeds 1-5 (16, 18 and 19: the depression's cycle-to-cycle std above 35 uS at 2-3 of them; the potentiation holds over 16-19), a narrow window because the dissolution is thermally activated (1.24 eV); R_th 2.0e7 K/W at r = 1.45 nm, 1.5e8 K/W at r_min, on the body's 0.19 and 0.27 of the power; a twentieth of bulk Ag (429 W/(m K)): the constriction sits in the oxide (SiO2 1.4 W/(m K)) and its heat crosses nanoscale grains and the metal/oxide interfaces. With the whole power (f_b = 1) 125-155 W/(m K) held the depression but not the potentiation (docs/calibration/2026-12-07-body-heating.md, 2026-12-07-body-heating-adopted.md)"},
    {&P::t0, "t0", "K", 300.0, {1.0, 2000.0}, "T_0", "ambient temperature", "stated: room temperature (the paper gives no stage temperature)"},
    {&P::b_sd, "b_sd", "m^4/s", 3e-26, {0.0, 1e-15}, "B", "surface-diffusion prefactor of neck shrinkage", ielmini},
    {&P::e_sd, "e_sd", "eV", 0.65, {0.0, 3.0}, "E_sd", "surface-diffusion barrier of Ag", ielmini},
    {&P::h_s_max, "h_s_max", "m", 3.0e-9, {0.0, 1e-7}, "h_s,max", "largest Sn-rich stub training can leave",
     "calibrated on the trained HRS (about 10x the initial one): a mean draw then leaves a 1.65 nm gap, HRS drop 12x (2.5 nm: 3.6x; 3.2 nm: 24x); the starting value was 3.5 nm (docs/calibration/starting-values.md)"},
    {&P::k_event, "k_event", "Hz", 1e7, {1.0, 1e12}, "k_ev", "rate at which a set is detected and a filament the reverse field has swept back to its HRS is found relaxed (a breakup takes the surface-diffusion time instead)",
     "stated (numerics): within 0.1 us, short against the 1.8 us -1 V sections of integrate-and-fire (1e5 Hz missed most spikes there); the set is detected at the same rate with a sharp window (docs/models/agsn_sio2_pt.md)"},
    {&P::f_cluster, "f_cluster", "1", 0.62, {0.0, 1.0}, "f_cl", "mean height of the relaxed cluster chain, fraction of the oxide it can occupy (L - h_s - x_relax)",
     "calibrated on the initial 10 nA Vset (0.82 V at 1 V/s, between the Fig. 4 device, 0.77 V, and the five-device mean, 1.2 V): 0.58 gave 0.85 V, 0.66 0.80 V, 0.69 (until 2026-12-04) 0.78 V with the path-barrier spread, and lost the set-delay fit (R^2 0.947) and the five-device mean (docs/models/agsn_sio2_pt.md)"},
    {&P::f_cluster_c2c, "f_cluster_c2c", "1", 0.05, {0.0, 1.0}, "sigma_f", "cycle-to-cycle spread of f_cl",
     "calibrated on the set-delay law with sigma_E (2026-12-04): the relaxed front re-forms within about one hop (0.05 x 3.5 nm = 0.18 nm); a spread of the starting gap scatters the delay more the higher the amplitude (parallel-plate field), which bends the law: 0 and 0.1 keep R^2 >= 0.95 (0.981, 0.965), 0.15 loses it (0.935) and the training (a device that no longer sets at 1.5 V), 0.29 (the value until 2026-12-04, when it carried the whole Vset spread) gave R^2 0.88"},
    {&P::h_init, "h_init", "m", 1.25e-9, {0.0, 1e-7}, "h(0)", "front of the Ag already in the oxide of a fresh (never switched) device",
     "calibrated on the all-or-none threshold (first response at 1.2 V for 100 ms pulses through 10 MOhm; 1.75 nm responded at 1.0 V, 1.0-1.25 nm at 1.2 V); below the mean relaxed front (2.4 nm): a pristine oxide holds fewer clusters than a cycled one"},
    {&P::stub_fraction, "stub_fraction", "1", 0.5, {0.0, 1.0}, "f_stub", "part of the Sn-rich filament left as stub per relaxation",
     "stated, not fitted: half; after a 1 mA cycle theta is near 1 and the stub fills as h_s,max (1 - (1 - f_stub)^n) within the first nonvolatile cycles, so the trained targets see h_s,max rather than f_stub"},
    {&P::tau_th, "tau_th", "s", 300e-9, {1e-15, 1.0}, "tau_th", "thermal time constant of the filament region",
     "stated (numerics), chosen in a window: a lag on the heating, so that Newton can follow the exp(-E/kT) loop an algebraic "
     "temperature makes; the physical time is picoseconds (r^2/D: 0.04 ps in Ag, 29 ps across the 5 nm of SiO2), and the results "
     "are not converged in it (docs/calibration/2026-12-07-thermal-lag.md, 2026-12-07-body-heating-adopted.md): at 30 ns and "
     "shorter the parasitic capacitance's discharge at a volatile set heats the one-atom contact and grows its neck (all-or-none's "
     "full response lost, integrate-and-fire on at every pulse at 1 ns); at 1 us the synapse's neck stays hot for a microsecond "
     "after each pulse and gives back most of the atoms it gained (potentiation at 2 of 5 seeds); at 200 ns integrate's "
     "conductance doubles on its second pulse and the 100 ns post pulses of STDP depress the synapses they should potentiate "
     "(validation.NetworkLearning.TwoNeuronsLearnTwoPatterns); 300 ns passes the most"},
    {&P::g_arm, "g_arm", "S", 1e-9, {1e-15, 1.0}, "G_arm", "conductance above which the device counts as set (arms the relaxation draw)",
     "stated (bookkeeping): between the relaxed HRS (below 0.1 nS) and any set state (a 10 nA set at 1 V or less is 10 nS or more)"},
    {&P::e_min, "e_min", "eV", 0.3, {0.0, 3.0}, "E_min", "lowest barrier the field can leave: drift saturates at a nu0 exp(-E_min/kT) (23 mm/s at 300 K)",
     "stated: bounds every velocity (ngspice needs it) while the set delay stays exponential up to 2.4 V (0.35 eV bent it) (docs/models/agsn_sio2_pt.md)"},
    {&P::e_res, "e_res", "eV", 0.60, {0.0, 3.0}, "E_res", "Ag migration barrier (growth) along the residual path of a full training stub (h_s = h_s,max); the same in every device",
     "calibrated: low enough that the trained Vset is the Gibbs-Thomson threshold, not kinetics (E_Ag - 0.15 eV: 0.33 V; E_Ag - 0.25 eV: 0.27 +- 0.01 V); a property of the path training writes, not of the pristine oxide, so the devices' E_Ag spread does not reach the trained Vset (Supp. Fig. 8: 0.2 +- 0.03 V over five devices; docs/calibration/2026-12-02-trained-state.md)"},
    {&P::theta_max, "theta_max", "1", 1.0, {0.0, 1.0}, "theta_max", "largest Sn fraction a filament takes up (Sn available at the AgSn interface)",
     "stated: no limit (1); 0.3..0.5 gave synapse depression but lost the nonvolatile retention (docs/models/agsn_sio2_pt.md)"},
    {&P::x_relax, "x_relax", "m", 1.5e-9, {0.0, 5e-9}, "x_relax", "smallest gap a relaxation leaves: clusters nearer the top electrode coalesce with it",
     "stated: the volatile HRS must stay at leakage level (tunnelling across 1.5 nm is 24 pS; a 1 nm gap is 2 nS, 1 nA at -0.5 V, 0.1 of a 10 nA limit); equal to the earlier bound 0.3 L of a fresh device, so its draws are unchanged (docs/models/agsn_sio2_pt.md)"},
    {&P::e_diss, "e_diss", "eV", 0.74, {0.0, 3.0}, "E_diss", "barrier for an Ag atom leaving the filament (oxidation and first hop; dissolution of tip and neck)",
     "calibrated on integrate-and-fire: the -1 V sections must undo a package's sub-threshold growth in the 100 us between packages (each package starts afresh) and reset a spiking filament: 0.85 (= E_Ag) kept it on through the sections, 0.775 forgot half a package in 100 us, 0.74 all of it; growth (Ag+ migration through the oxide) and dissolution (an atom leaving the tip) are different steps (as in JART ECM: Menzel et al., J. Appl. Phys. 111, 014501 (2012))"},
    {&P::sigma_e, "sigma_e", "eV", 0.045, {0.0, 1.0}, "sigma_E", "cycle-to-cycle spread of the Ag migration barrier along the path a set takes (drawn at each breakup)",
     "calibrated on the initial 10 nA Vset spread (0.159 V; Fig. 4a 0.22 V; tolerance 0.12..0.35): 0.03 eV gave 0.115 V, 0.06 eV 0.203 V with the set-delay fit nearer its edge (R^2 0.957 against 0.972); each set takes another percolation path through the amorphous oxide (the MD's Ag barrier scatters by tenths of an eV between glass samples, docs/md-diffusion.md); training removes it with the rest of E_Ag (E_res along the stub)"},
    {&P::eps_step, "eps_step", "J/m", 1.16e-10, {0.0, 1e-8}, "epsilon", "edge (step) energy of a two-dimensional Ag nucleus on the neck's side: lateral growth over Delta G* = pi epsilon^2 Omega^(2/3) / (e eta) (0: no nucleation barrier)",
     "stated, not fitted: the step formation energy of a close-packed metal surface is about 7 % of the cohesive energy (Feibelman, PRB 60, 11118 (1999): 0.26-0.27 eV per step atom on Cu(111)); Ag, 2.95 eV: 0.21 eV per 0.289 nm of step (docs/models/agsn_sio2_pt.md)"},

    {&P::n_lump, "n_lump", "1", 100.0, {0.0, 1e6}, "n_lump", "atoms the neck exchanges per shot-noise draw within a segment of the sources: the neck's growth and dissolution go by whole atoms, and every n_lump of them its radius takes their net Poisson spread at once; at each breakpoint (pulse edge, read, sweep vertex) the atoms counted since the last draw are drawn too (0: no shot noise)",
     "stated (numerics): the spread of the radius after N atoms is sqrt(N) whole atoms whatever n_lump is, and every read sees all of it; n_lump sets how finely a segment's draws are placed in time. 100 keeps the circuits' reproduce at 18 s (15 s at 1000, 17 s without noise, 58 s at 4, 104 s at 1 with t_lump 1 us); a synapse pulse exchanges fewer atoms than that, so its draws settle at the pulse's corners, which gives c2c stds about 30 % larger than time-resolved draws (n_lump 1) do (docs/calibration/2026-12-07-settled-shot-noise.md). The synapse after one unrecorded cycle, seeds 1-5: 21-33 uS (potentiation) and 8-37 uS (depression) between cycles, the paper's 16 and 11 (docs/calibration/2026-12-07-synapse-history-and-noise.md, 2026-12-07-body-heating-adopted.md)"},
    {&P::t_lump, "t_lump", "s", 0.0, {0.0, 1.0}, "t_lump", "time over which a fast-exchanging neck's atoms are lumped into one shot-noise draw: a draw takes n_lump + rate t_lump atoms (0: n_lump atoms whatever the rate)",
     "stated (numerics), off by default: the draws' summed variance is the atoms exchanged whatever t_lump is; at 1 us a 1 mA set (about 1e9 atoms/s) takes one draw per microsecond instead of one per n_lump atoms, where n_lump = 1 stopped the training in an event storm (docs/calibration/2026-12-07-dealloying-neck.md)"},
    {&P::heat_ballistic, "heat_ballistic", "1", 0.0, {0.0, 1.0}, "f_b", "share of the power the filament's current gives up outside its body (across the tunnel gap and in the constriction's Sharvin part, 1/G_t) that heats the neck: P = I_f^2 R_f + f_b (G v^2 - I_f^2 R_f) (1: the whole G v^2; 0: the body's I_f^2 R_f alone, electrons that cross without scattering heating the electrode beyond, Wexler 1966)",
     "stated, the ballistic limit: across a tunnel gap of a nm and a constriction a few atoms wide the electrons cross without scattering (their inelastic length in Ag is tens of nm) and give their energy up in the electrode beyond (Wexler 1966); the body is 0.19-0.27 of the contact's resistance, under 1e-4 of a gap's. Until 2026-12-07 the whole power (1) with kappa_th 135 W/(m K): the same depression, a flat potentiation (docs/calibration/2026-12-07-body-heating.md)"},
    {&P::f_dealloy, "f_dealloy", "1", 0.0, {0.0, 1.0}, "f_da", "share of the Sn that stays in the neck's outer atomic layer (one hop deep) when Ag crosses it: the neck's growth dilutes the layer's Sn and its dissolution enriches it, dtheta/dt = -f_da theta (1 - theta) (1 - r_min/r) (dr/dt) / a (1: Ag alone moves, dealloying; 0: atoms come and go with the layer's composition)",
     "stated: 0 (congruent) on the default parameter set. Sn moves more slowly than Ag (Supp. Fig. 2), which favours 1; with 1, theta_max 0.387 (the stack's 1 nm Ag / 1 nm Sn), dE_Sn,sd 1.94 eV, dE_Sn 1.19 eV and E_Sn 1.15 eV the synapse swings 10 % a cycle instead of 3 %, but the networks' held reads lose their agreement with the circuit and the depression still speeds up (docs/calibration/2026-12-07-dealloying-neck.md)"},
    {&P::sigma_tip, "sigma_tip", "eV", 0.015, {0.0, 0.2}, "sigma_tip", "cycle-to-cycle spread of the site energy of the one-atom tip's atom (the coordination of the site at the cluster front or stub where the next set's tip grows), drawn at each breakup and at each swept reset of a neck thicker than one atom: it adds e_tip (r_min/r)^2 / e to the back-voltage of the tip (r = r_tip) and of the neck (0: none)",
     "calibrated on the trained 10 nA Vset spread (Fig. 4c: 0.01 V, band 0.003..0.03 V) and the five devices' pooled trained spread (Supp. Fig. 8: 0.03 V, band 0.01..0.06 V), which only it moves: a trained set is the one-atom tip's threshold V_GT(r_min) + e_tip/e, so both stds are about sigma_tip/e (0.015 eV: 14.5 and 14.7 mV at seed 1; 0.01 eV would sit on the pooled band's lower edge). Drawn where a breakup leaves a new cluster front (with e_path), and where a reverse sweep takes apart a neck at least one layer thicker than one atom (the 1 mA filament), which rebuilds the front's top; a swept one-atom filament leaves the tip on the same front and keeps it. A thick contact does not see it (one atom's share of its cross-section). At a 1 mA set it moves the contact by e_tip/e but the Vset (the neck's Joule-heated growth to 0.9 mA) by about a third of that (NV Vset std 4 mV; docs/calibration/2026-12-06-tip-site-at-the-neck.md). No independent measure of the spread of the site energies at an amorphous front (docs/calibration/2026-12-05-set-spreads.md)"},
    {&P::sigma_step, "sigma_step", "1", 0.15, {0.0, 1.0}, "sigma_step", "cycle-to-cycle spread of the step energy on the side facets of the neck a set grows (the new contact's facets take another orientation), drawn at each relaxation for the next set: epsilon exp(z), z ~ N(0, sigma_step) (0: none)",
     "calibrated on the nonvolatile Vset spread (Fig. 4b: 0.03 V, band 0.01..0.06 V; 2026-12-06, with de_sn_sd): a 1 mA set ends where the neck's lateral growth over the 2D nucleation barrier carries 0.9 mA (a one-atom volatile neck has no facet), so the spread reaches that Vset: 0.15 gives 12-14 mV over seeds 1-5; 0.2 gives 16-20 mV, but a neck drawn with a high step energy then stays too thin to keep its filament (seven_alternations and nonvolatile_reset_gradual at 3 of 5 seeds). Drawn from its own random stream (3), so it does not redraw the volatile statistics. No independent measure of the facet-to-facet spread of the step energy (docs/calibration/2026-12-06-neck-return-branch-and-nv-spread.md)"},
};
static_assert(each_member_once(parameter_rows));

using S = agsn_state;
constexpr state<S::index> state_rows[]{
    {S::h, "h", "m", 1e-13, "filament (tip) height above the Pt; the tunnelling gap is L - h"},
    {S::r, "r", "m", 1e-13, "radius of the filament's neck"},
    {S::theta, "theta", "1", 1e-6, "Sn fraction of the filament"},
    {S::h_s, "h_s", "m", 1e-13, "height of the Sn-rich residual stub left by training (changes only at relaxation events)"},
    {S::armed, "armed", "1", 1e-6, "1 after a set, 0 after a relaxation (bookkeeping for the events)"},
    {S::h_c, "h_c", "m", 1e-13, "front of the Ag cluster chain the last relaxation left: the floor a dissolving tip stops at"},
    {S::T, "T", "K", 1e-3, "filament temperature"},
    {S::e_path, "e_path", "eV", 1e-6, "offset of the Ag migration barrier along the path the next set takes (drawn at each breakup)"},
    {S::e_tip, "e_tip", "eV", 1e-6, "site energy of the one-atom tip's atom, added to the back-voltage of a one-atom tip or neck (drawn at each breakup and swept reset of a thick neck)"},
    {S::z_step, "z_step", "1", 1e-6, "log of the factor on the step energy of the present neck's side facets (drawn at each relaxation)"}
};
static_assert(in_index_order(state_rows));
constexpr std::size_t n_agsn_states = std::size(state_rows);

// h_s_max, h_init and x_relax lie inside the oxide (L, 0).
void check(const P& c) {
    if (c.h_s_max >= c.L) throw input_error("agsn_sio2_pt.h_s_max: must be smaller than L");
    if (c.h_init > c.L) throw input_error("agsn_sio2_pt.h_init: must not exceed L");
    if (c.r_min <= 0) throw input_error("agsn_sio2_pt.r_min: must be positive");
    if (c.x_relax >= c.L) throw input_error("agsn_sio2_pt.x_relax: must be smaller than L");
}

// No retention case: the filament relaxes by random events (breakup), tested in test_agsn.cpp.
const regime typical{
    .series_resistance = 2e6,
    .slow = {2.0, -2.0, 1e2},
    .cross_check = {2.0, -1.5, 1e3, 1},
    .train = {2.0, 1.0, 50e-6, 100e-6, 5},
    .transport_off = {{"nu0", 0.0}, {"b_sd", 0.0}},
    .rtol = 1e-12,
    .atol_scale = 1e-6,
    .spice_rtol = 1e-12,
};

// The physics is written once, for double (residuals) and for Eigen's forward-mode AutoDiffScalar
// (the Jacobian, exact, in one pass instead of 2 (n + 1) central-difference evaluations).
// Derivatives: d/dv and d/ds_j of the states.
constexpr int n_derivatives = 1 + static_cast<int>(n_agsn_states);
using ad = Eigen::AutoDiffScalar<Eigen::Matrix<double, n_derivatives, 1>>;
double val(double x) { return x; }
double val(const ad& x) { return x.value(); }
double log1p_(double x) { return std::log1p(x); }
ad log1p_(const ad& x) { return ad(std::log1p(x.value()), x.derivatives() / (1.0 + x.value())); }

template <class T>
T softplus(const T& x, double w) {
    using std::exp;
    const T z = x / w;
    if (val(z) > 30) return x;
    return w * log1p_(T(exp(z)));
}
double logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }
// The derivative from the value, sigma (1 - sigma): differentiating 1/(1 + exp(-z)) through its
// parts gives inf/inf = NaN once exp(-z) overflows (|z| > 709, e.g. a steep switch far from 0).
ad logistic(const ad& z) {
    const double s = logistic(z.value());
    return ad(s, z.derivatives() * (s * (1.0 - s)));
}
template <class T>
T kT_eV(const T& T_) { return k_B * T_ / q_e; }
// Net hops per attempt of a thermally activated, field-biased jump (Mott-Gurney): forward and
// backward barriers E -/+ q kT/2, each lowered by the field at most to E_min (e_min/kT = c here).
// Beyond that the drift saturates at a nu0 exp(-E_min/kT) whatever the barrier was. (Replaces a
// saturation of q itself at 40, which bounded an Ag tip's drift at the same speed but froze a
// Sn-rich tip at -2 V: its 1.45 eV barrier then stayed at 0.93 eV, and the reset of a nonvolatile
// filament stopped 0.7 nm short. A floor at zero barrier (a nu0 = 2.5 km/s) was tried: memlab ran,
// ngspice's Newton diverged on the exported form.) min(z, -c) is taken smoothly (width 1 kT).
template <class T>
T smin0(const T& z) { return z - softplus(z, 1.0); }
template <class T>
T net_hops(const T& q, const T& e, const T& c) {
    using std::exp;
    return exp(smin0(T(0.5 * q - e + c)) - c) - exp(smin0(T(-0.5 * q - e + c)) - c);
}
template <class T>
T pos(const T& x) { return val(x) > 0 ? x : T(0.0 * x); }   // max(x, 0), derivative 0 below

constexpr double w_gap = 0.02e-9;   // m, softness of the gap's positive part
// Width (in the sinh argument q) of the switch between the growth and the dissolution windows.
constexpr double q_split = 0.01;

// Templated physics (T = double or ad). See docs/models/agsn_sio2_pt.md for the equations.

// The radius at the tip across a gap x: one atom wide for an open filament whatever the neck was;
// the neck's radius r counts only in contact.
template <class T, class X>
T tip_radius_t(const agsn_params& p, const X& x, const T& r) {
    using std::exp;
    return p.r_min + (r - p.r_min) * exp(-x / p.a);
}
// The barrier for an atom leaving the filament, raised by the Sn it has taken up.
template <class T>
T dissolution_barrier_t(const agsn_params& p, const T& theta) { return p.e_diss + p.de_sn * theta; }

// The back-voltage of the filament's atoms at radius r (the tip's r_tip, or the neck's r): the
// Gibbs-Thomson (surface-energy) term gamma Omega / (e r) plus the site energy e_tip (eV) of the
// tip's atom, weighted by one atom's share of the cross-section, (r_min / r)^2: all of it for an
// open one-atom tip or a one-atom neck (the same atom), little for a thick contact or neck.
template <class T>
T back_voltage_t(const agsn_params& p, const T& r, const T& e_tip) {
    return p.gamma * p.omega / (q_e * r) + e_tip * (p.r_min / r) * (p.r_min / r);
}

template <class T>
T conductance_t(const agsn_params& p, const T& h, const T& r) {
    using std::exp;
    const T x = softplus(T(p.L - h), w_gap);
    // Channels across the gap are set by the tip (tip_radius_t).
    const T r_tip = tip_radius_t(p, x, r);
    const T n = 1.0 + (r_tip / p.r_q) * (r_tip / p.r_q);
    const T gt = n * G0 * exp(-2.0 * p.kappa * x);
    const T rfil = p.rho * pos(h) / (M_PI * r * r);
    return p.g_leak + 1.0 / (1.0 / gt + rfil);
}

template <class T>
T tip_velocity_t(const agsn_params& p, const T& v, const T& h, const T& r, const T& theta, const T& h_floor, const T& temp, const T& h_s,
                 const T& e_path, const T& e_tip) {
    using std::exp;
    using std::sinh;
    using std::tanh;
    const T kt = kT_eV(temp);
    const T x = softplus(T(p.L - h), w_gap);
    const T r_tip = tip_radius_t(p, x, r);
    const T v_ion = v - back_voltage_t(p, r_tip, e_tip);
    const T s_diss = logistic(T(-v_ion / kt));  // 1 when dissolving, 0 when growing
    // Growth is limited by the ions' migration through the oxide to the tip, dissolution by the
    // oxidation of the filament's own atoms. Along the residual path a training stub leaves, the
    // migration barrier moves from E_Ag to E_res for a full stub (the path is pre-formed, its oxide
    // Ag/Sn-doped; docs/calibration/2026-12-02-trained-state.md): a property of the path, the same in every device. The Sn
    // taken up raises the dissolution barrier.
    const T res = p.h_s_max > 0 ? T(h_s / p.h_s_max) : T(0.0 * h_s);
    const T barrier = (p.e_ag + e_path * (1.0 - res) + (p.e_res - p.e_ag) * res) * (1.0 - s_diss) + dissolution_barrier_t(p, theta) * s_diss;
    // At a thick contact the voltage drops over the constriction, about its radius, not over one hop
    // (the "weaker field at a thick contact"; r_tip = r_min whenever the gap is open).
    const T q = p.beta * p.a * v_ion / (kt * (x + p.a + (r_tip - p.r_min)));
    const T raw = p.a * p.nu0 * net_hops(q, T(barrier / kt), T(p.e_min / kt));
    // Growth stops at contact; dissolution stops at the Sn-rich stub.
    // (1 - exp(-(h - h_floor)/a)) is zero at the floor (cluster front or stub) and restoring below.
    // Growth: tanh((L - h)/a) is zero at contact and restoring beyond the electrode.
    // The windows split the rate by its sign (raw has the sign of v_ion): a mix weighted by s_diss
    // let a slowly growing tip (v_ion near 0, s_diss near 1/2) pass the electrode by 0.2 nm, which a
    // later reset first had to undo.
    // The split is by a steep logistic in q (width 0.01, where |raw| < 1e-13 m/s), not a hard
    // max/min: a kink at raw = 0 made the exact Jacobian one-sided there and Newton cycled in
    // contact at rest (synapse.toml).
    const T grow = tanh((p.L - h) / p.a);
    const T depth = (h - h_floor) / p.a;
    const T shrink = 1.0 - exp(-(val(depth) < 50.0 ? depth : T(0.0 * depth + 50.0)));
    const T w = logistic(T(q / q_split));
    // A contact opens only where its neck is one atom: its dissolving rate in contact is weighted by
    // the share of the contact's cross-section one atom is, (r_min / r_tip)^2 (1 for an open tip).
    const T one_atom = (p.r_min / r_tip) * (p.r_min / r_tip);
    return raw * (w * grow + (1.0 - w) * shrink * one_atom);
}

// pi eps^2 Omega^(2/3) / e^2 (V^2): Delta G* / e of a 2D nucleus times its overpotential, on a full facet.
double nucleation_scale(const agsn_params& p) { return M_PI * p.eps_step * p.eps_step * std::cbrt(p.omega * p.omega) / (q_e * q_e); }

// exp(-Delta G* / kT) of a 2D nucleus on the neck's side at overpotential v_ion (see neck_rate_t).
template <class T>
T nucleation_t(const agsn_params& p, const T& v_ion, const T& r, const T& kt, const T& z_step) {
    using std::exp;
    if (!(p.eps_step > 0)) return T(0.0 * r + 1.0);
    const T facet = pos(T(1.0 - p.r_min / r));
    if (val(facet) <= 0.0) return T(0.0 * r + 1.0);  // a one-atom neck: no facet, no barrier (and no cbrt on that path)
    const T w = nucleation_scale(p) * exp(T(2.0 * z_step));  // epsilon^2: this neck's facets
    const T eta = softplus(v_ion, 1e-3);  // V, smooth positive part (growth only)
    const T z = w * facet / (eta * kt);    // Delta G* / kT
    if (!(val(z) < 600.0)) return T(0.0 * r);
    return exp(T(-z));
}
// Holm's constriction resistance between two half-spaces, 1 / (2 kappa r), for the heat of a neck
// of radius r: a one-atom contact runs hot at a power that leaves a thick filament cool.
template <class T>
T thermal_resistance_t(const agsn_params& p, const T& r) {
    return p.kappa_th > 0 ? T(1.0 / (2.0 * p.kappa_th * r)) : T(0.0 * r);
}

// The heat the neck takes. The filament's current I_f = (G - G_leak) v dissipates I_f^2 R_f in the
// ohmic body; the rest of G v^2 (across the tunnel gap and the Sharvin part of the constriction)
// is given up by electrons that cross without scattering, in the electrode beyond, over an
// inelastic length of tens of nm (Wexler 1966: ballistic plus diffusive resistance, only the
// diffusive part dissipating in the constriction); heat_ballistic is the share of it that still
// heats the neck (1: the whole G v^2).
template <class T>
T neck_power_t(const agsn_params& p, const T& h, const T& r, const T& g, const T& v) {
    const T total = g * v * v;
    if (p.heat_ballistic >= 1.0) return total;
    const T i_f = (g - p.g_leak) * v;
    const T body = i_f * i_f * p.rho * pos(h) / (M_PI * r * r);
    return body + p.heat_ballistic * (total - body);
}

// The neck's steady Joule rise above T_0, R_th(r) P. At heat_ballistic = 1 in the whole power's
// order, R_th g v v: the same bits as before heat_ballistic.
template <class T>
T joule_rise_t(const agsn_params& p, const T& h, const T& r, const T& g, const T& v) {
    const T rth = thermal_resistance_t(p, r);
    return p.heat_ballistic >= 1.0 ? T(rth * g * v * v) : T(rth * neck_power_t(p, h, r, g, v));
}

template <class T>
T neck_rate_t(const agsn_params& p, const T& v, const T& h, const T& r, const T& theta, const T& temp, const T& z_step, const T& e_tip) {
    using std::exp;
    using std::sinh;
    const T kt = kT_eV(temp);
    const T x = softplus(T(p.L - h), w_gap);
    const T contact = exp(-x / p.a);
    const T v_ion = v - back_voltage_t(p, r, e_tip);
    const T s_diss = logistic(T(-v_ion / kt));
    const T q = p.beta * p.a * v_ion / (kt * p.L);
    const T drift = contact * p.a * p.nu0 * net_hops(q, T((p.e_ag * (1.0 - s_diss) + dissolution_barrier_t(p, theta) * s_diss) / kt), T(p.e_min / kt));
    // Surface diffusion (Ielmini form B exp(-E/kT)/r^3) stops at a one-atom neck: the factor
    // (1 - r_min/r) is zero there and restoring below.
    const T diffusion = p.b_sd * exp(-(p.e_sd + p.de_sn_sd * theta) / kt) / (r * r * r) * (1.0 - p.r_min / r);
    // Lateral drift cannot thin the neck below r_min either (split by the sign of q as for the tip).
    const T w = logistic(T(q / q_split));
    // Lateral growth adds a new atomic layer to the neck's side, which starts as a two-dimensional
    // nucleus: its barrier Delta G* = pi eps^2 s / (e eta) (classical 2D nucleation, s = Omega^(2/3)
    // the area of an atom, eta = V_ion the overpotential) slows the growth ever more as the
    // circuit's load line brings eta down, so a current-limited neck approaches its size in log
    // time instead of within a microsecond. The barrier needs a facet: (1 - r_min / r) takes it
    // away from a one-atom neck, which is all kinks. Dissolution needs no nucleus.
    return drift * (w * nucleation_t(p, v_ion, r, kt, z_step) + (1.0 - w) * (1.0 - p.r_min / r)) - diffusion;
}

// Atoms per second a neck of radius r deposits or removes, net: |dr/dt| over the radius one atom
// moves it by, Omega / (2 pi r h). Near a balance of growth and dissolution (a hot neck held by
// the circuit's load line) forward and backward hops are each fast, but the load line restores
// any fluctuation as fast as it arises; what stays is the noise of the net deposit, which goes by
// whole atoms. A one-atom neck has no side facets ((1 - r_min / r) = 0): the volatile regime has
// no such events.
double neck_exchange(const agsn_params& p, double v, double h, double r, double theta, double temp, double z_step, double e_tip) {
    const double facet = std::max(1.0 - p.r_min / r, 0.0);
    if (facet <= 0.0) return 0.0;
    return std::fabs(neck_rate_t(p, v, h, r, theta, temp, z_step, e_tip)) * facet * (2.0 * M_PI * r * std::max(h, p.a) / p.omega);
}

template <class T>
T sn_uptake_rate_t(const agsn_params& p, const T& theta, const T& h, const T& temp) {
    using std::exp;
    const T x = softplus(T(p.L - h), w_gap);
    return p.nu0 * exp(-p.e_sn / kT_eV(temp)) * exp(-x / p.a) * (p.theta_max - theta);
}

// The neck's outer atomic layer (one hop, a, deep) under its Ag exchange: growth adds Ag to it and
// dilutes its Sn, dissolution takes Ag out of it and leaves a share f_dealloy of its Sn behind. Per
// unit time the layer exchanges (dr/dt) / a of itself; its Sn fraction moves by theta (1 - theta)
// of that (a pure layer does not change). A one-atom neck has no layer ((1 - r_min / r) = 0).
template <class T>
T dealloying_rate_t(const agsn_params& p, const T& theta, const T& r, const T& dr_dt) {
    return -p.f_dealloy * theta * (1.0 - theta) * (1.0 - p.r_min / r) * dr_dt / p.a;
}

// All rates at once (state order h, r, theta, h_s, armed, h_c, T).
template <class T>
void rates_t(const agsn_params& p, const T& v, const T* s, T* ds) {
    // Joule heating with a thermal time constant: tau_th dT/dt = T_ss(P) - T. (An algebraic
    // temperature made the exp(-E/kT) feedback an algebraic loop that Newton could not follow.)
    const T g = conductance_t(p, s[S::h], s[S::r]);
    ds[S::T] = (p.t0 + joule_rise_t(p, s[S::h], s[S::r], g, v) - s[S::T]) / p.tau_th;
    ds[S::h] = tip_velocity_t(p, v, s[S::h], s[S::r], s[S::theta], s[S::h_c], s[S::T], s[S::h_s], s[S::e_path], s[S::e_tip]);
    ds[S::r] = neck_rate_t(p, v, s[S::h], s[S::r], s[S::theta], s[S::T], s[S::z_step], s[S::e_tip]);
    ds[S::theta] = sn_uptake_rate_t(p, s[S::theta], s[S::h], s[S::T]);
    if (p.f_dealloy > 0) ds[S::theta] = ds[S::theta] + dealloying_rate_t(p, s[S::theta], s[S::r], ds[S::r]);
    ds[S::h_s] = T(0.0 * v);  // the stub changes only at relaxation events
    ds[S::armed] = T(0.0 * v);  // a flag, changed by events
    ds[S::h_c] = T(0.0 * v);  // the cluster front, drawn at relaxation events
    ds[S::e_path] = T(0.0 * v);  // the path's barrier offset, drawn at breakups
    ds[S::e_tip] = T(0.0 * v);  // the tip atom's site energy, drawn at breakups
    ds[S::z_step] = T(0.0 * v);  // the neck facets' step-energy factor, drawn at relaxations
}

}  // namespace

namespace agsn {

double thermal_resistance(const agsn_params& p, double r) { return thermal_resistance_t(p, r); }

double neck_power(const agsn_params& p, double v, double h, double r) { return neck_power_t(p, h, r, conductance_t(p, h, r), v); }

double temperature(const agsn_params& p, double v, double h, double r) { return p.t0 + joule_rise_t(p, h, r, conductance_t(p, h, r), v); }

double nucleation_factor(const agsn_params& p, double v_ion, double r, double T, double z_step) {
    return nucleation_t(p, v_ion, r, kT_eV(T), z_step);
}

double gibbs_thomson_voltage(const agsn_params& p, double r) { return p.gamma * p.omega / (q_e * r); }

double breakup_rate(const agsn_params& p, double T) {
    // The time the model's own surface-diffusion law (dr/dt = B exp(-E_sd/kT) / r^3) needs to move
    // a one-atom filament by its own radius: r_min^4 / (B exp(-E_sd/kT)), 4.4 ms at 300 K.
    return p.b_sd * std::exp(-p.e_sd / kT_eV(T)) / std::pow(p.r_min, 4);
}

double conductance(const agsn_params& p, double h, double r) { return conductance_t(p, h, r); }

double tip_velocity(const agsn_params& p, double v, double h, double r, double theta, double h_floor, double T, double h_s, double e_path,
                    double e_tip) {
    return tip_velocity_t(p, v, h, r, theta, h_floor, T, h_s, e_path, e_tip);
}

double neck_rate(const agsn_params& p, double v, double h, double r, double theta, double T, double z_step, double e_tip) {
    return neck_rate_t(p, v, h, r, theta, T, z_step, e_tip);
}

double sn_uptake_rate(const agsn_params& p, double theta, double h, double r, double T) {
    (void)r;
    return sn_uptake_rate_t(p, theta, h, T);
}

double dealloying_rate(const agsn_params& p, double theta, double r, double dr_dt) { return dealloying_rate_t(p, theta, r, dr_dt); }

double neck_exchange_rate(const agsn_params& p, double v, double h, double r, double theta, double T, double z_step, double e_tip) {
    return neck_exchange(p, v, h, r, theta, T, z_step, e_tip);
}

double atom_radius_step(const agsn_params& p, double h, double r) { return p.omega / (2.0 * M_PI * r * std::max(h, p.a)); }

}  // namespace agsn

agsn_sio2_pt::agsn_sio2_pt() : basic_model(parameter_rows, state_rows, check) {}

std::string_view agsn_sio2_pt::summary() const {
    return "AgSn/SiO2/Pt ECM cell (Passerini et al.): filament height, neck, Sn fraction, training stub";
}

const regime* agsn_sio2_pt::typical_regime() const { return &typical; }

void agsn_sio2_pt::initial_state(std::span<double> s) const {
    s[S::h] = p_.h_init;
    s[S::r] = p_.r_min;
    s[S::theta] = 0.0;
    s[S::h_s] = 0.0;
    s[S::armed] = 0.0;
    s[S::h_c] = p_.h_init;
    s[S::T] = p_.t0;
    s[S::e_path] = 0.0;
    s[S::e_tip] = 0.0;
    s[S::z_step] = 0.0;
}

double agsn_sio2_pt::current(double v, std::span<const double> s) const { return agsn::conductance(p_, s[S::h], s[S::r]) * v; }

void agsn_sio2_pt::rates(double v, std::span<const double> s, std::span<double> ds) const { rates_t(p_, v, s.data(), ds.data()); }

namespace {
// v and the states as AutoDiff variables: derivative 0 is d/dv, derivative 1 + j is d/ds_j.
void seed(double v, std::span<const double> s, ad& av, ad* as) {
    av = ad(v, n_derivatives, 0);
    for (std::size_t j = 0; j < n_agsn_states; ++j) as[j] = ad(s[j], n_derivatives, static_cast<int>(j + 1));
}
}  // namespace

void agsn_sio2_pt::current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const {
    ad av, as[n_agsn_states];
    seed(v, s, av, as);
    const ad i = conductance_t(p_, as[S::h], as[S::r]) * av;
    di_dv = i.derivatives()[0];
    for (std::size_t j = 0; j < n_agsn_states; ++j) di_ds[j] = i.derivatives()[static_cast<Eigen::Index>(j + 1)];
}

void agsn_sio2_pt::rates_jacobian(double v, std::span<const double> s, std::span<double> dr_dv, std::span<double> dr_ds) const {
    ad av, as[n_agsn_states], ds[n_agsn_states];
    seed(v, s, av, as);
    rates_t(p_, av, as, ds);
    for (std::size_t i = 0; i < n_agsn_states; ++i) {
        const auto& d = ds[i].derivatives();
        dr_dv[i] = d.size() ? d[0] : 0.0;
        for (std::size_t j = 0; j < n_agsn_states; ++j) dr_ds[i * n_agsn_states + j] = d.size() ? d[static_cast<Eigen::Index>(j + 1)] : 0.0;
    }
}

void agsn_sio2_pt::hazards(double v, std::span<const double> s, std::span<double> h) const {
    const double w = 0.02e-9;
    const double g = agsn::conductance(p_, s[S::h], s[S::r]);
    // Set: conductance above g_arm with the tip well clear of its floor (2 hops), so that set and
    // relaxed (within one hop of the floor) cannot both hold: a hysteresis in h as well as in G.
    h[0] = p_.k_event * std::max(1.0 - s[S::armed], 0.0) * logistic(40.0 * std::log(g / p_.g_arm)) *
           logistic((s[S::h] - s[S::h_c] - 2.0 * p_.a) / w);
    // Relaxed: the tip is back within one hop of its floor (the chain has broken into clusters),
    // or the device is back in its HRS (conductance a decade below the set threshold) with the
    // tip stranded above a low floor: a floor drawn near the Pt can leave the open tip dissolving
    // too slowly to reach it, and without a new draw every later cycle repeated the last one.
    const double back = logistic((p_.a - (s[S::h] - s[S::h_c])) / w);
    const double hrs = logistic(-4.0 * std::log(g / (0.1 * p_.g_arm)));
    // Relaxation needs the ionic drive at the tip to be dissolving (V_ion < 0), not a forward
    // field that is growing it.
    const double v_ion = v - back_voltage_t(p_, tip_radius_t(p_, std::max(p_.L - s[S::h], 0.0), s[S::r]), s[S::e_tip]);
    const double own = logistic(-v_ion / (k_B * s[S::T] / q_e));
    const double relaxed = std::max(s[S::armed], 0.0) * own * (1.0 - (1.0 - back) * (1.0 - hrs));
    // What takes the filament apart decides which of two hazards it is. Swept by the reverse field
    // (it adds more to the tip's dissolution than the surface energy does): found at k_event, as
    // soon as the device is back in its HRS. Otherwise the filament breaks up into a cluster chain
    // on its own, which takes the surface-diffusion time of a one-atom filament
    // (agsn::breakup_rate, 4.4 ms at 300 K). (Until 2026-12-03 one hazard at k_event did both and
    // the event's instant decided: at the -0.5 V base of integrate-and-fire a relaxation still
    // pending at the section's end fired in the next pulse's rising edge, between 0 V and V_GT,
    // and was taken for a breakup with a new random front.)
    // (Only an armed filament can relax: otherwise both are zero and the two tip-velocity
    // evaluations of swept_by_field, on every hazard evaluation, are skipped.)
    const bool swept = relaxed > 0.0 && swept_by_field(v, s);
    h[1] = swept ? p_.k_event * relaxed : 0.0;
    h[2] = swept || relaxed == 0.0 ? 0.0 : agsn::breakup_rate(p_, s[S::T]) * relaxed;
    // Draws of a thick neck's exchanged atoms (a counter that fires at 1): the exchange rate over
    // the atoms one draw takes, n_lump + rate t_lump.
    if (p_.n_lump > 0) {
        const double rate = exchange(v, s);
        h[3] = rate / atoms_per_draw(rate);
    }
}

namespace {
// N(mean, sd) truncated to [lo, hi]: redrawn outside, clamped after 64 misses (a mean far outside).
double truncated_normal(rng& r, double mean, double sd, double lo, double hi) {
    double x = mean + sd * r.normal();
    for (int tries = 0; tries < 64 && (x < lo || x > hi); ++tries) x = mean + sd * r.normal();
    return std::clamp(x, lo, hi);
}
}  // namespace

bool agsn_sio2_pt::swept_by_field(double v, std::span<const double> s) const {
    // The tip's dissolution speed u(v) without the floor's window: swept if v < 0 and
    // u(v) - u(0) < u(0) < 0 (the field adds more than the surface energy).
    if (v >= 0) return false;
    const double deep = s[S::h] - 50.0 * p_.a;
    const double u = agsn::tip_velocity(p_, v, s[S::h], s[S::r], s[S::theta], deep, s[S::T], s[S::h_s], s[S::e_path], s[S::e_tip]);
    const double u0 = agsn::tip_velocity(p_, 0.0, s[S::h], s[S::r], s[S::theta], deep, s[S::T], s[S::h_s], s[S::e_path], s[S::e_tip]);
    return u - u0 < u0;
}

// n atoms exchanged by the neck: their net number is Poisson about what the rates integrated, with
// variance n (forward and backward hops alike), here the difference of two Poisson counts of mean
// n/2: whole atoms, mean 0, variance n. The neck cannot be thinner than one atom. The atoms are Ag:
// they move the outer layer's Sn fraction as the integrated exchange does (dealloying_rate).
// Returns true if the neck moved.
bool agsn_sio2_pt::shot_noise(double n, std::span<double> s, rng& r) const {
    const double atoms = static_cast<double>(r.poisson(0.5 * n)) - static_cast<double>(r.poisson(0.5 * n));
    if (atoms == 0.0) return false;
    const double r0 = s[S::r];
    s[S::r] = std::max(r0 + atoms * agsn::atom_radius_step(p_, s[S::h], r0), p_.r_min);
    if (p_.f_dealloy > 0) s[S::theta] = std::clamp(s[S::theta] + agsn::dealloying_rate(p_, s[S::theta], r0, s[S::r] - r0), 0.0, 1.0);
    return s[S::r] != r0;
}

double agsn_sio2_pt::exchange(double v, std::span<const double> s) const {
    return agsn::neck_exchange_rate(p_, v, s[S::h], s[S::r], s[S::theta], s[S::T], s[S::z_step], s[S::e_tip]);
}

bool agsn_sio2_pt::on_settle(std::size_t k, double count, double v, std::span<double> s, rng& r) const {
    // count draws' worth of atoms (a fraction of one) since the last draw, at the present rate.
    return k == 3 && shot_noise(count * atoms_per_draw(exchange(v, s)), s, r);
}

void agsn_sio2_pt::on_event(std::size_t k, double v, std::span<double> s, rng& r) const {
    if (k == 0) {
        s[S::armed] = 1.0;
        return;
    }
    if (k == 3) {
        shot_noise(atoms_per_draw(exchange(v, s)), s, r);  // one draw's atoms have been exchanged
        return;
    }
    // Swept (hazard 1: the reverse field is taking the filament apart, its Ag goes back to the top
    // electrode: no new chain, the floor stays) or broken up (hazard 2: at rest, or at a forward
    // bias below V_GT, the filament breaks up into a cluster chain and a new front is drawn).
    (void)v;
    const bool swept = k == 1;
    // The Sn-rich part stays as stub (not higher than the filament it was part of).
    s[S::h_s] = std::min(s[S::h_s] + p_.stub_fraction * std::clamp(s[S::theta], 0.0, 1.0) * std::max(p_.h_s_max - s[S::h_s], 0.0), std::max(s[S::h], s[S::h_s]));
    s[S::theta] = 0.0;
    s[S::armed] = 0.0;
    s[S::r] = p_.r_min;
    if (swept) {
        // Swept back by the field: no new chain, the floor (or the stub) stays. The event is found
        // when the device is back in its HRS, with the tip still far above the floor (the reverse
        // drift slows as the gap opens); it completes that dissolution at once, to the first state
        // the tip itself would have been found relaxed in: one hop above the floor (the relaxed
        // hazard's "within one hop of the floor"), not below it if it is there already. (Until
        // 2026-12-03 it went to the floor itself: the second spike of integrate-and-fire then
        // needed the package's full 9 pulses again, pulse 18; from one hop up it comes on 13.)
        s[S::h_c] = std::max(s[S::h_c], s[S::h_s]);
        s[S::h] = std::clamp(s[S::h], s[S::h_s], s[S::h_c] + p_.a);
        return;
    }
    // Relaxed: the mobile Ag re-forms a cluster chain.
    // The front stays at least x_relax from the top electrode: clusters nearer than that coalesce
    // with it, and a chain that close would not be a relaxed state (it tunnels at nS). The chain
    // occupies a fraction f of the oxide between the stub and that limit, so the spread of the
    // starting gap shrinks as the stub grows (wide before training, narrow after).
    // f is drawn from N(f_cl, sigma_f) truncated to [0, 1] (redrawn outside; after 64 misses, e.g.
    // a mean far outside, clamped): a clamp alone put 1 % of the draws exactly at f = 0, a device
    // with no cluster chain at all.
    const double f = truncated_normal(r, p_.f_cluster, p_.f_cluster_c2c, 0.0, 1.0);
    // The chain has broken into clusters: its front is the new floor. A tip above the front drops
    // to it at once (the next set starts there); a front drawn above the tip is the floor the tip
    // is held at when it dissolves (the window restores it), never a jump up: the gap only opens at
    // the event, so the conductance can only fall. (A jump up in a trained device at 10 nA pushed
    // the SMU into compliance at the event and the consistent-IC solve failed. Capping the front at
    // the tip instead froze a filament that relaxed while still dissolving under -2 V: its floor
    // was then its own tip.)
    s[S::h_c] = s[S::h_s] + std::max(p_.L - s[S::h_s] - p_.x_relax, 0.0) * f;
    s[S::h] = std::min(s[S::h], s[S::h_c]);
    s[S::r] = p_.r_min;
    // The next set takes another path through the amorphous oxide: its migration barrier is
    // drawn, N(0, sigma_E) truncated at 3 sigma (drawn after f, so sigma_E = 0 keeps f's draws).
    if (p_.sigma_e > 0) s[S::e_path] = p_.sigma_e * truncated_normal(r, 0.0, 1.0, -3.0, 3.0);
}

void agsn_sio2_pt::on_event_draw(std::size_t k, double v, std::span<double> s, std::size_t stream, rng& r) const {
    // Drawn from streams 2 (e_tip) and 3 (z_step): on_event's draws of f and e_path on stream 0
    // stay where they were, and either spread leaves the other's draws where they were.
    (void)v;
    // Called before on_event: s is the state the event found.
    // A breakup leaves a new cluster front, and the next set's tip grows from another site of it:
    // the site energy of the tip's atom (its coordination on the amorphous front) takes another
    // value, e_tip ~ N(0, sigma_tip) truncated at 3 sigma. A swept reset that takes apart a neck
    // at least one atomic layer thicker than one atom (r >= r_min + a: the 1 mA filament of a
    // nonvolatile cycle) rebuilds the front's top, and the next tip sits on another site too; one
    // that sweeps back a one-atom filament (the -1 V sections of integrate-and-fire) leaves the
    // tip on the same front, one hop above the floor, and keeps it.
    const bool new_site = k == 2 || (k == 1 && s[S::r] >= p_.r_min + p_.a);
    if (stream == 2 && new_site && p_.sigma_tip > 0) s[S::e_tip] = p_.sigma_tip * truncated_normal(r, 0.0, 1.0, -3.0, 3.0);
    // Every relaxation takes the neck back to one atom: the next set's neck has its side facets in
    // another orientation, and the step energy of a two-dimensional nucleus on them another value:
    // epsilon exp(z), z ~ N(0, sigma_step) truncated at 3 sigma.
    if (stream == 3 && (k == 1 || k == 2) && p_.sigma_step > 0) s[S::z_step] = p_.sigma_step * truncated_normal(r, 0.0, 1.0, -3.0, 3.0);
}

spice_form agsn_sio2_pt::spice() const {
    // Lengths on the nodes in nm, T in K. Helper nodes: x (gap, nm), rt (tip radius, nm), G
    // (conductance, S), kt (kT/q, V), the ion voltages at the tip and at the neck.
    const auto n = spice_number;
    const double nm = 1e-9;
    const auto sp = [&](const std::string& z, const std::string& w) {  // softplus(z, w), branch-free
        return fmt::format("(max({0},0) + {1}*ln(1+exp(-abs({0})/{1})))", z, w);
    };
    const auto hops = [&](const std::string& q, const std::string& e) {  // net_hops(q, e, E_min/kT)
        const std::string c = fmt::format("({}/@KT)", n(p_.e_min));
        const auto smin = [&](const std::string& z) { return fmt::format("(({0}) - {1})", z, sp(z, "1")); };
        return fmt::format("(exp({} - {c}) - exp({} - {c}))", smin(fmt::format("0.5*{} - {} + {}", q, e, c)), smin(fmt::format("-0.5*{} - {} + {}", q, e, c)),
                           fmt::arg("c", c));
    };
    const std::string L = n(p_.L / nm), a = n(p_.a / nm);
    spice_form f;
    f.scale = {nm, nm, 1.0, nm, 1.0, nm, 1.0, 1.0, 1.0, 1.0};
    f.note = "deterministic form: the set and relaxation events are off (armed, h_s, h_c keep their initial values)";
    const std::string gt_w = n(p_.gamma * p_.omega / q_e / nm);  // Gibbs-Thomson voltage times radius (V nm)
    // back_voltage_t at radius node rad (nm): gamma Omega / (e rad) + e_tip (r_min / rad)^2.
    const auto back = [&](const std::string& rad) {
        return fmt::format("{0}/{1} + V(s_e_tip)*({2}/{1})*({2}/{1})", gt_w, rad, n(p_.r_min / nm));
    };
    // The neck radius in divisions and powers is floored at r_min/2: a valid solution never goes
    // there (the dynamics keep r >= r_min), but ngspice's Newton iterates may, and r^-3 then
    // overflows. memlab's own engine needs no such guard.
    // Every helper node used in a division, a power or an exponential is guarded where it is used:
    // a B-source node equals its expression only at convergence, and ngspice's Newton iterates
    // (from 0 V for every helper under uic) overflowed r^3 and (r/r_q)^2 (1e237). The guards do not
    // act on a valid solution.
    const std::string rs = fmt::format("min(max(V(s_r), {}), {})", n(0.5 * p_.r_min / nm), n(1e-6 / nm));
    const std::string xg = "max(V(h_x), 0)";
    const std::string rt = fmt::format("min(max(V(h_rt), {}), {})", n(0.5 * p_.r_min / nm), n(1e-6 / nm));
    const std::string kt = fmt::format("max(V(h_kt), {})", n(0.5 * p_.t0 * k_B / q_e));
    f.helpers = {
        fmt::format("B_x h_x 0 V = {}", sp(fmt::format("{} - V(s_h)", L), n(w_gap / nm))),
        "B_th h_th 0 V = min(max(V(s_theta), 0), 1)",  // guarded likewise: a valid solution has 0 <= theta <= 1
        fmt::format("B_rt h_rt 0 V = {0} + ({2} - {0})*exp(-{3}/{1})", n(p_.r_min / nm), a, rs, xg),
        fmt::format("B_G h_G 0 V = {gl} + 1/(1/((1 + (@RT/{rq})*(@RT/{rq}))*{g0}*exp(-{k2}*V(h_x))) + {rho}*max(V(s_h),0)/({pi}*@RS*@RS))",
                    fmt::arg("gl", n(p_.g_leak)), fmt::arg("rq", n(p_.r_q / nm)), fmt::arg("g0", n(G0)), fmt::arg("k2", n(2.0 * p_.kappa * nm)),
                    fmt::arg("rho", n(p_.rho / nm)), fmt::arg("pi", n(M_PI))),
        fmt::format("B_kt h_kt 0 V = {}*max(V(s_T), {})", n(k_B / q_e), n(0.5 * p_.t0)),  // floored likewise
        fmt::format("B_vt h_vt 0 V = V(p,n) - ({})", back("@RT")),
        fmt::format("B_vn h_vn 0 V = V(p,n) - ({})", back("@RS")),
        fmt::format("B_st h_st 0 V = 1/(1+exp(V(h_vt)/@KT))"),
        fmt::format("B_sn h_sn 0 V = 1/(1+exp(V(h_vn)/@KT))"),
        fmt::format("B_q h_q 0 V = {}*V(h_vt)/(@KT*(V(h_x) + {} + @RT - {}))", n(p_.beta * p_.a / nm), a, n(p_.r_min / nm)),
        fmt::format("B_qn h_qn 0 V = {}*V(h_vn)/(@KT*{})", n(p_.beta * p_.a / nm), L),
        fmt::format("B_raw h_raw 0 V = {}*{}", n(p_.a * p_.nu0 / nm),
                    hops("V(h_q)", fmt::format("(({} - {}*V(s_h_s) + V(s_e_path)*(1 - {}*V(s_h_s)))*(1 - V(h_st)) + ({} + {}*V(h_th))*V(h_st))/@KT", n(p_.e_ag), n(p_.h_s_max > 0 ? (p_.e_ag - p_.e_res) / (p_.h_s_max / nm) : 0.0), n(p_.h_s_max > 0 ? 1.0 / (p_.h_s_max / nm) : 0.0), n(p_.e_diss), n(p_.de_sn)))),
        fmt::format("B_dr h_dr 0 V = exp(-V(h_x)/{})*{}*{}", a, n(p_.a * p_.nu0 / nm),
                    hops("V(h_qn)", fmt::format("({}*(1 - V(h_sn)) + ({} + {}*V(h_th))*V(h_sn))/@KT", n(p_.e_ag), n(p_.e_diss), n(p_.de_sn)))),
        fmt::format("B_w h_w 0 V = 1/(1+exp(-V(h_q)/{}))", n(q_split)),
        fmt::format("B_wn h_wn 0 V = 1/(1+exp(-V(h_qn)/{}))", n(q_split)),
        // exp(-Delta G*/kT) of a 2D nucleus on the neck's side (nucleation_t), capped at exp(-600).
        fmt::format("B_nuc h_nuc 0 V = exp(-min({w}*exp(2*V(s_z_step))*max(1 - {rmin}/@RS, 0)/(max({eta}, 1e-30)*@KT), 600))",
                    fmt::arg("w", n(nucleation_scale(p_))),
                    fmt::arg("rmin", n(p_.r_min / nm)), fmt::arg("eta", sp("V(h_vn)", n(1e-3)))),
    };
    f.current = "V(p,n)*V(h_G)";
    const std::string r_rate = fmt::format("V(h_dr)*(V(h_wn)*V(h_nuc) + (1 - V(h_wn))*(1 - {rmin}/@RS)) - {b}*exp(-({esd} + {desn}*V(h_th))/@KT)/(@RS*@RS*@RS)*(1 - {rmin}/@RS)",
                                     fmt::arg("rmin", n(p_.r_min / nm)), fmt::arg("b", n(p_.b_sd / (nm * nm * nm * nm))), fmt::arg("esd", n(p_.e_sd)),
                                     fmt::arg("desn", n(p_.de_sn_sd)));
    std::string theta_rate = fmt::format("{}*exp(-{}/@KT)*exp(-V(h_x)/{})*({} - V(h_th))", n(p_.nu0), n(p_.e_sn), a, n(p_.theta_max));
    // The Sn of the neck's outer layer follows the neck's rate, guarded at a nu0 (no valid solution
    // moves faster than one hop per vibration; ngspice's Newton iterates took it to 1e167).
    if (p_.f_dealloy > 0)
        theta_rate += fmt::format(" - {}*V(h_th)*(1 - V(h_th))*(1 - {}/@RS)*min(max({}, -{c}), {c})/{}", n(p_.f_dealloy), n(p_.r_min / nm), r_rate, a,
                                  fmt::arg("c", n(p_.a * p_.nu0 / nm)));
    // neck_power_t: the whole G v^2, or the body's ((G - G_leak) v)^2 rho h / (pi r^2) and heat_ballistic of the rest.
    std::string heat = "V(h_G)*V(p,n)*V(p,n)";
    if (p_.heat_ballistic < 1.0) {
        const std::string body = fmt::format("((V(h_G) - {0})*V(p,n))*((V(h_G) - {0})*V(p,n))*{1}*max(V(s_h),0)/({2}*@RS*@RS)", n(p_.g_leak),
                                             n(p_.rho / nm), n(M_PI));
        heat = fmt::format("({0} + {1}*({2} - {0}))", body, n(p_.heat_ballistic), heat);
    }
    f.rates = {
        fmt::format("V(h_raw)*(V(h_w)*tanh(({L} - V(s_h))/{a}) + (1 - V(h_w))*(1 - exp(-min((V(s_h) - V(s_h_c))/{a}, 50)))*({rmin}/@RT)*({rmin}/@RT))",
                    fmt::arg("L", L), fmt::arg("a", a), fmt::arg("rmin", n(p_.r_min / nm))),
        r_rate,
        theta_rate,
        "0",
        "0",
        "0",
        fmt::format("({} + {}/@RS*{} - V(s_T))/{}", n(p_.t0), n(p_.kappa_th > 0 ? 1.0 / (2.0 * p_.kappa_th * nm) : 0.0), heat, n(p_.tau_th)),
        "0",
        "0",
        "0",
    };
    const auto guard = [&](std::string& e) {
        for (const auto& [mark, text] : {std::pair<std::string, std::string>{"@KT", kt}, {"@RS", rs}, {"@RT", rt}})
            for (auto pos = e.find(mark); pos != std::string::npos; pos = e.find(mark, pos + text.size())) e.replace(pos, mark.size(), text);
    };
    for (auto& e : f.helpers) guard(e);
    for (auto& e : f.rates) guard(e);
    return f;
}

}  // namespace memlab::device
