#pragma once
// Ion diffusion in amorphous SiO2 by molecular dynamics, the paper's "Atomic diffusion simulations"
// (Methods; Supp. Fig. 2): melt-quenched a-SiO2 samples, one charged Ag or Sn ion put at a random
// site of each, its trajectory at 1500 K, its mean-squared displacement and diffusion coefficient.
//
// memlab writes the LAMMPS inputs, runs LAMMPS (Debian's `lmp`, one process per run, several at
// a time) and analyses the trajectories with the analysis layer. The interatomic potential is
// PMMCS (Pedone et al., J. Phys. Chem. B 110, 11780 (2006)), as in the paper:
//   U_ij(r) = q_i q_j e^2 / (4 pi eps0 r) + D_ij [(1 - exp(-a_ij (r - r0_ij)))^2 - 1] + C_ij / r^12
// with partial charges (O -1.2, Si +2.4, Sn +2.4, Ag +0.6, Cu +0.6) and the short-range pair only
// between a species and oxygen (and O-O). Coulomb by the damped shifted force sum (Fennell and
// Gezelter, J. Chem. Phys. 124, 234104 (2006)), the usual cheap choice for this potential.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlab/analysis/analysis.hpp"

namespace memlab::md {

// One species of the PMMCS potential with its pair to oxygen (for O itself: the O-O pair).
// LAMMPS metal units, as the source tabulates them.
struct pedone_species {
    std::string name;  // "Si", "O", "Ag", "Sn", "Cu"
    double charge;     // e (partial charge)
    double mass;       // g/mol (IUPAC standard atomic weight)
    double D;          // eV: Morse well depth of the pair with O
    double a;          // 1/Angstrom: Morse stiffness
    double r0;         // Angstrom: Morse equilibrium distance
    double C;          // eV Angstrom^12: repulsion at short range
};

// The species memlab knows (Pedone et al. 2006, Table 1).
const std::vector<pedone_species>& pedone_table();
// One species by name; input_error naming `where` if unknown.
const pedone_species& pedone(const std::string& name, const std::string& where);

// The short-range pair energy (Morse + C/r^12) of `s` with O at distance r (Angstrom), in eV.
double pedone_short_range(const pedone_species& s, double r);

// An MD diffusion experiment, read from a TOML file with an [md] table. SI inside (K, s, m,
// kg/m^3); the file takes units ("1500 K", "2 fs", "0.16 nm", "2.2 g/cm^3").
struct diffusion_experiment {
    std::string file, name, description, figure;
    std::uint64_t seed = 1;
    std::string lammps = "lmp";        // the LAMMPS executable (a name on PATH or a path)
    std::vector<std::string> launcher; // words run before it, e.g. {"mpirun", "-np", "4"}: LAMMPS on MPI ranks
                                       // (empty: one process; its first word a name on PATH or a path)
    std::size_t samples = 5;           // independent glasses (each gets every ion, at one site)
    std::size_t formula_units = 135;   // SiO2 units per sample (3 atoms each)
    std::vector<std::string> ions;     // inserted species, one run each per sample
    double density = 2200;             // kg/m^3 (cubic cell at fixed volume)
    double timestep = 2e-15;           // s
    double melt_temperature = 4000;    // K
    double melt_time = 10e-12;         // s
    double quench_time = 10e-12;       // s: linear ramp melt_temperature -> temperature
    double temperature = 1500;         // K: the quench's end and the glass's equilibration
    std::vector<double> temperatures;  // K: the trajectories' temperatures (default: temperature);
                                       // more than one gives an Arrhenius fit per ion
    double equilibration_time = 5e-12; // s: the glass at `temperature` before the ion is put in
    double production_time = 40e-12;   // s: the trajectory analysed
    double sample_interval = 0.1e-12;  // s: trajectory output
    double packing_distance = 0.16e-9; // m: smallest distance in the random start of the melt
    double insertion_distance = 0.2e-9;// m: the ion's smallest distance to any atom of the glass
    double coulomb_cutoff = 0.8e-9;    // m
    double coulomb_damping = 0.25e10;  // 1/m (DSF alpha)
    double short_cutoff = 0.55e-9;     // m: Morse and C/r^12
    double fit_from = 0.1, fit_to = 0.5; // lag window of the MSD fit, fractions of production_time
    nlohmann::json resolved;

    std::size_t steps(double time) const;  // timesteps in `time`
    // The folder of one ion's run in a sample ("Ag", or "Ag_1300K" with several temperatures) and
    // the prefix of its metrics ("Ag", or "Ag.1300K").
    std::string run_name(const std::string& ion, double t) const;
    std::string metric_prefix(const std::string& ion, double t) const;
};

// MD experiment files are read by protocol (memlab/protocol/md_file.hpp: is_md_file, load_md).

// One ion in one sample: the trajectory relative to the glass's centre of mass, the MSD against
// lag time (averaged over time origins) and its fit, and the glass network's own MSD.
struct ion_run {
    std::string ion;
    std::size_t sample = 0;  // 1-based
    double temperature = 0;  // K
    std::vector<double> t, x, y, z;       // s, m (displacement from the start)
    std::vector<double> msd_si, msd_o;    // m^2: Si and O of the glass, from the start
    std::vector<double> lag, msd;         // s, m^2
    analysis::diffusion_fit fit;          // of msd over the lag window
    analysis::diffusion_fit network_fit;  // Si's msd(t) over the same window (single origin)
};

// D(T) of one ion over the file's temperatures: the mean over samples at each temperature and its
// standard error, and (with more than one temperature; NaN otherwise) the Arrhenius fit of the
// means, weighted by those errors.
struct ion_summary {
    std::string ion;
    std::vector<double> temperature, d_mean, d_std, d_se;  // K, m^2/s (std: over the samples)
    analysis::arrhenius_fit fit{NAN, NAN, NAN, 0};
};

struct diffusion_result {
    std::vector<ion_run> runs;  // sample-major, then ions in the file's order, then temperatures
    std::vector<ion_summary> ions;  // per ion, in the file's order
    nlohmann::json metrics;     // flat names -> {value, unit}
    std::size_t lammps_runs = 0;
    std::size_t steps = 0;      // MD timesteps, all runs
};

// Runs every sample and ion in `folder` (inputs, logs and trajectories stay there: sampleN/...),
// up to `jobs` LAMMPS processes at a time; `progress` hears one line per finished LAMMPS run.
// A LAMMPS failure is an input_error with its ERROR line and the log's path.
diffusion_result run(const diffusion_experiment& e, const std::filesystem::path& folder, int jobs,
                     const std::function<void(const std::string&)>& progress = {});

// Writes the inputs of every LAMMPS run into `folder` without running LAMMPS (run() starts with
// them): sampleN/structure.data (the melt's random start: Si and O at random positions),
// sampleN/in.lammps (the melt-quench) and sampleN/RUN/in.lammps (each ion and temperature, RUN =
// run_name()). Every random choice of the start -- the order and positions of the atoms, and
// LAMMPS's seeds for the initial velocities and for the ion's site -- is drawn from the experiment
// seed with memlab's own generator (util::rng), so a seed writes the same files on every build and
// platform. Returns the files written, a sample's structure and melt first, then its ions.
std::vector<std::filesystem::path> write_inputs(const diffusion_experiment& e, const std::filesystem::path& folder);

// The LAMMPS input for the pair potential of the glass and `ion` (exposed for tests).
std::string potential_commands(const diffusion_experiment& e, const std::string& ion);

}  // namespace memlab::md
