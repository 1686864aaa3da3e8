#include "memlab/md/diffusion.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/process_pool.hpp"
#include "memlab/util/rng.hpp"

namespace fs = std::filesystem;

namespace memlab::md {

const std::vector<pedone_species>& pedone_table() {
    // Pedone, Malavasi, Menziani, Cormack and Segre, J. Phys. Chem. B 110, 11780 (2006), Table 1:
    // charges and the pair with O (D in eV, a in 1/A, r0 in A, C in eV A^12). Masses: IUPAC
    // standard atomic weights.
    static const std::vector<pedone_species> t{
        {"O", -1.2, 15.999, 0.042395, 1.379316, 3.618701, 22.0},
        {"Si", 2.4, 28.085, 0.340554, 2.006700, 2.100000, 1.0},
        {"Ag", 0.6, 107.8682, 0.088423, 3.439162, 2.265956, 1.0},
        {"Cu", 0.6, 63.546, 0.090720, 3.802168, 2.055405, 1.0},
        {"Sn", 2.4, 118.710, 0.079400, 2.156770, 2.633076, 3.0},
    };
    return t;
}

const pedone_species& pedone(const std::string& name, const std::string& where) {
    for (const auto& s : pedone_table())
        if (s.name == name) return s;
    std::vector<std::string> known;
    for (const auto& s : pedone_table())
        if (s.name != "O" && s.name != "Si") known.push_back(s.name);
    throw input_error(fmt::format("{}: unknown ion '{}' (known: {})", where, name, fmt::join(known, ", ")));
}

double pedone_short_range(const pedone_species& s, double r) {
    const double m = 1.0 - std::exp(-s.a * (r - s.r0));
    return s.D * (m * m - 1.0) + s.C / std::pow(r, 12);
}

std::size_t diffusion_experiment::steps(double time) const {
    return static_cast<std::size_t>(std::llround(time / timestep));
}

namespace {
// "Ag" with one temperature, "Ag<sep>1300K" with several.
std::string ion_label(const diffusion_experiment& e, const std::string& ion, double t, char sep) {
    return e.temperatures.size() > 1 ? fmt::format("{}{}{:g}K", ion, sep, t) : ion;
}
}  // namespace

std::string diffusion_experiment::run_name(const std::string& ion, double t) const { return ion_label(*this, ion, t, '_'); }

std::string diffusion_experiment::metric_prefix(const std::string& ion, double t) const { return ion_label(*this, ion, t, '.'); }

namespace {

constexpr double angstrom = 1e-10, picosecond = 1e-12;
// Fixed stages of the inputs (numerical start-ups, not physics): the random start's first steps
// with limited displacements, the inserted ion's first push, its hold before the trajectory; and
// how often LAMMPS prints its thermo line.
constexpr double start_time = 2e-12, settle_time = 0.5e-12, hold_time = 2e-12, thermo_interval = 1e-12;

// The random start of one sample: LAMMPS's seeds for the melt's initial velocities (`velocity
// create`) and the ion's site (`fix deposit`, the same for every ion of the sample), and the
// melt's random structure. All from one memlab generator (util::rng) per sample, in this order,
// so that a seed gives the same start on every build and platform: the seeds first (two draws),
// then the order of Si and O (a Fisher-Yates shuffle), then the positions (uniform, by rejection).
struct sample_start {
    int velocity_seed = 0, site_seed = 0;  // 1 .. 2^31 - 2 (LAMMPS takes positive 32-bit seeds)
    std::string structure;                 // the LAMMPS data file of the melt's start
};

// The sample's generator: the experiment seed in the low 32 bits (the loader keeps it below 2^31)
// and the sample (1-based) in the high ones, so every (seed, sample) has its own 64-bit seed. Not
// seed + step * sample with splitmix64's own step: the generator's four state words are splitmix64
// at seed + step, + 2 step, ..., so neighbouring samples would share three of them.
util::rng sample_rng(std::uint64_t seed, std::size_t sample) { return util::rng((static_cast<std::uint64_t>(sample) << 32) ^ seed); }

int lammps_seed(util::rng& r) { return 1 + static_cast<int>(r.below(2147483646u)); }

// A random structure at the density with no two atoms closer than the packing distance (a
// start for the melt, not a glass): Si and O in a shuffled order, placed by rejection. Written
// with fixed digits (fmt's, exact for a given double): the text depends only on the draws and on
// the cell's edge (libm's cbrt).
sample_start random_start(const diffusion_experiment& e, std::size_t sample) {
    const auto& si = pedone("Si", ""), &o = pedone("O", "");
    const std::size_t n = 3 * e.formula_units;
    const double cell = std::cbrt(static_cast<double>(e.formula_units) * (si.mass + 2 * o.mass) * 1e-3 / 6.02214076e23 / e.density) / angstrom;
    util::rng r = sample_rng(e.seed, sample);
    sample_start out;
    out.velocity_seed = lammps_seed(r);
    out.site_seed = lammps_seed(r);
    std::vector<int> type(n, 2);
    std::fill(type.begin(), type.begin() + static_cast<long>(e.formula_units), 1);
    util::shuffle(std::span<int>(type), r);
    const double dmin = e.packing_distance / angstrom, dmin2 = dmin * dmin;
    std::vector<std::array<double, 3>> pos;
    pos.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t attempt = 0;; ++attempt) {
            if (attempt == 100000)
                throw input_error(fmt::format("{}: md.packing_distance: cannot place {} atoms {} apart in the cell", e.file, n,
                                              units::format(e.packing_distance, "m")));
            std::array<double, 3> p{};
            for (double& c : p) c = cell * r.uniform();
            const bool clear = std::none_of(pos.begin(), pos.end(), [&](const auto& q) {
                double d2 = 0;
                for (int c = 0; c < 3; ++c) {
                    double d = p[c] - q[c];
                    d -= cell * std::round(d / cell);
                    d2 += d * d;
                }
                return d2 < dmin2;
            });
            if (clear) {
                pos.push_back(p);
                break;
            }
        }
    }
    out.structure = fmt::format("memlab md: random SiO2 start, sample {}\n\n{} atoms\n3 atom types\n\n0 {:.10f} xlo xhi\n0 {:.10f} ylo yhi\n"
                                "0 {:.10f} zlo zhi\n\nMasses\n\n1 {}\n2 {}\n3 1.0\n\nAtoms # charge\n\n",
                                sample, n, cell, cell, cell, si.mass, o.mass);
    for (std::size_t k = 0; k < n; ++k)
        out.structure += fmt::format("{} {} {} {:.10f} {:.10f} {:.10f}\n", k + 1, type[k], type[k] == 1 ? si.charge : o.charge, pos[k][0],
                                     pos[k][1], pos[k][2]);
    return out;
}

std::string header(const diffusion_experiment& e) {
    return fmt::format("# written by memlab for {} ({})\nunits metal\natom_style charge\nboundary p p p\n", e.file, e.name);
}

// An ion's trajectory at a temperature other than the glass's starts with a reheat.
bool reheated(const diffusion_experiment& e, double t) { return t != e.temperature; }

// MD steps of each input below, stage by stage (the progress lines count them).
std::size_t melt_steps(const diffusion_experiment& e) {
    return e.steps(start_time) + e.steps(e.melt_time) + e.steps(e.quench_time) + e.steps(e.equilibration_time);
}
std::size_t ion_steps(const diffusion_experiment& e, double t) {
    // 1: fix deposit's insertion step.
    return 1 + (reheated(e, t) ? e.steps(e.equilibration_time) : 0) + e.steps(settle_time) + e.steps(hold_time) + e.steps(e.production_time);
}

std::string melt_input(const diffusion_experiment& e, const sample_start& start) {
    const double dt = e.timestep / picosecond;
    const double tm = e.melt_temperature, t = e.temperature;
    // The random start has close pairs: 2 ps with displacements limited to 0.05 A per step and
    // a Berendsen thermostat before the Nose-Hoover melt (a numerical start-up, not physics).
    return header(e) + "read_data structure.data\n" + potential_commands(e, "") +
           fmt::format("neighbor 2.0 bin\nneigh_modify every 1 delay 0 check yes\ntimestep {:.10g}\nthermo {}\nthermo_style custom step temp pe press\n"
                       "velocity all create {} {} dist gaussian mom yes\n"
                       "fix start all nve/limit 0.05\nfix heat all temp/berendsen {} {} 0.1\nrun {}\nunfix start\nunfix heat\n"
                       "fix melt all nvt temp {} {} 0.1\nrun {}\nunfix melt\n"
                       "fix quench all nvt temp {} {} 0.1\nrun {}\nunfix quench\n"
                       "fix hold all nvt temp {} {} 0.1\nrun {}\n"
                       "write_data glass.data\n",
                       dt, std::max<std::size_t>(e.steps(thermo_interval), 1), tm, start.velocity_seed, tm, tm, e.steps(start_time), tm, tm,
                       e.steps(e.melt_time), tm, t, e.steps(e.quench_time), t, t, e.steps(e.equilibration_time));
}

std::string ion_input(const diffusion_experiment& e, const sample_start& start, const std::string& ion, double t) {
    const auto& s = pedone(ion, e.file);
    const double dt = e.timestep / picosecond;
    // At a temperature other than the glass's: rescaled, then equilibration_time at it first.
    const std::string reheat = !reheated(e, t) ? std::string()
                                               : fmt::format("velocity all scale {}\nfix reheat all nvt temp {} {} 0.1\nrun {}\nunfix reheat\n", t, t, t,
                                                             e.steps(e.equilibration_time));
    const std::size_t every = std::max<std::size_t>(e.steps(e.sample_interval), 1);
    // The site: fix deposit's random point at least insertion_distance from every atom; the same
    // seed for every ion of a sample puts each at the same site of the same glass. Then 0.5 ps with
    // displacements limited to 0.1 A per step (the new ion's first push) and 2 ps of Nose-Hoover
    // before the trajectory starts (reset to step 0).
    return header(e) + "read_data ../glass.data\n" + fmt::format("mass 3 {}\n", s.mass) + potential_commands(e, ion) +
           fmt::format("neighbor 2.0 bin\nneigh_modify every 1 delay 0 check yes\ntimestep {:.10g}\n{}"
                       "region cell block EDGE EDGE EDGE EDGE EDGE EDGE\n"
                       "fix put all deposit 1 3 1 {} region cell near {:.10g} attempt 10000 id max\nrun 1\nunfix put\n"
                       "group ion type 3\nvariable n_ion equal count(ion)\n"
                       "if \"${{n_ion}} != 1\" then \"print 'memlab: ERROR: the ion could not be inserted'\" \"quit 3\"\n"
                       "set type 3 charge {}\n"
                       "group si type 1\ngroup ox type 2\ngroup glass subtract all ion\n"
                       "fix settle all nve/limit 0.1\nfix calm all temp/berendsen {} {} 0.1\nrun {}\nunfix settle\nunfix calm\n"
                       "fix hold all nvt temp {} {} 0.1\nfix still all momentum 10 linear 1 1 1\nrun {}\nreset_timestep 0\n"
                       "compute msd_si si msd\ncompute msd_o ox msd\n"
                       "variable ix equal xcm(ion,x)\nvariable iy equal xcm(ion,y)\nvariable iz equal xcm(ion,z)\n"
                       "variable gx equal xcm(glass,x)\nvariable gy equal xcm(glass,y)\nvariable gz equal xcm(glass,z)\n"
                       "thermo {}\nthermo_style custom step temp pe c_msd_si[4]\n"
                       "fix out all print {} \"$(step) $(v_ix:%.8f) $(v_iy:%.8f) $(v_iz:%.8f) $(v_gx:%.8f) $(v_gy:%.8f) $(v_gz:%.8f) "
                       "$(c_msd_si[4]:%.8f) $(c_msd_o[4]:%.8f)\" file trajectory.txt screen no\n"
                       "run {}\n",
                       dt, reheat, start.site_seed, e.insertion_distance / angstrom, s.charge, t, t, e.steps(settle_time), t, t,
                       e.steps(hold_time), std::max<std::size_t>(e.steps(thermo_interval), 1), every, e.steps(e.production_time));
}

// A program by name on PATH, or by path; input_error naming the key (and the Debian package) when it is not there.
fs::path find_program(const diffusion_experiment& e, const std::string& name, const char* key, const char* package) {
    auto runnable = [](const fs::path& p) { return fs::is_regular_file(p) && ::access(p.c_str(), X_OK) == 0; };
    if (name.find('/') != std::string::npos) {
        if (runnable(name)) return name;
    } else if (const char* path = std::getenv("PATH")) {
        std::stringstream ss(path);
        for (std::string dir; std::getline(ss, dir, ':');)
            if (!dir.empty() && runnable(fs::path(dir) / name)) return fs::path(dir) / name;
    }
    throw input_error(fmt::format("{}: {}: '{}' not found{} (Debian: apt-get install {})", e.file, key, name,
                                  name.find('/') == std::string::npos ? " on PATH" : "", package));
}

// The command of every LAMMPS run: the launcher's words (its program found), then LAMMPS.
std::vector<std::string> lammps_command(const diffusion_experiment& e) {
    std::vector<std::string> cmd;
    if (!e.launcher.empty()) {
        cmd.push_back(find_program(e, e.launcher[0], "md.launcher", "openmpi-bin").string());
        cmd.insert(cmd.end(), e.launcher.begin() + 1, e.launcher.end());
    }
    cmd.push_back(find_program(e, e.lammps, "md.lammps", "lammps").string());
    for (const char* a : {"-in", "in.lammps", "-log", "log.lammps", "-nocite"}) cmd.emplace_back(a);
    return cmd;
}

// The first ERROR line of a LAMMPS run (its log, then its screen output).
std::string lammps_error(const fs::path& dir) {
    for (const char* f : {"log.lammps", "screen.txt"}) {
        std::ifstream in(dir / f);
        for (std::string line; std::getline(in, line);)
            if (line.find("ERROR") != std::string::npos) return line;
    }
    return "no ERROR line in its log";
}

struct task {
    fs::path dir;
    std::string label;
    long after = -1;  // index of the task that must finish first
    std::size_t steps = 0;
};

// Runs the LAMMPS tasks in child processes (util::run_processes), a sample's ion runs after its
// melt-quench; the first failure stops the others and is an input_error with LAMMPS's ERROR line.
void run_tasks(const std::vector<std::string>& cmd, const std::vector<task>& tasks, int jobs, const diffusion_experiment& e,
               const std::function<void(const std::string&)>& progress) {
    std::vector<char*> argv;
    for (const auto& a : cmd) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // Each LAMMPS run gets OpenMPI's temporary directory (orte_tmpdir_base) of its own. Runs that
    // start at once (two jobs, or two memlab processes) otherwise race to create the shared one
    // under /tmp, and the loser stops with an ORTE_ERROR_LOG from orte/util. The path is short:
    // OpenMPI puts its sockets there.
    char base_name[] = "/tmp/memlab_mpi_XXXXXX";
    if (!::mkdtemp(base_name)) throw std::runtime_error(fmt::format("{}: cannot create a directory under /tmp for OpenMPI", e.file));
    const struct remove_on_exit {
        fs::path dir;
        ~remove_on_exit() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } base{base_name};
    std::vector<std::string> tmpdir;
    for (std::size_t k = 0; k < tasks.size(); ++k) {
        tmpdir.push_back((base.dir / std::to_string(k)).string());
        fs::create_directory(tmpdir.back());
    }
    std::vector<util::process_job> children;
    for (std::size_t k = 0; k < tasks.size(); ++k) {
        const auto& t = tasks[k];
        const std::string& tmp = tmpdir[k];
        children.push_back({[&argv, &t, &tmp] {
                                if (::chdir(t.dir.c_str()) != 0) return 126;
                                const int fd = ::open("screen.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
                                if (fd >= 0) {
                                    ::dup2(fd, 1);
                                    ::dup2(fd, 2);
                                    ::close(fd);
                                }
                                ::setenv("OMP_NUM_THREADS", "1", 1);
                                ::setenv("OMPI_MCA_orte_tmpdir_base", tmp.c_str(), 1);
                                ::execv(argv[0], argv.data());
                                return 127;
                            },
                            t.after >= 0 ? std::optional<std::size_t>(static_cast<std::size_t>(t.after)) : std::nullopt});
    }
    std::size_t done = 0;
    util::run_processes(children, jobs, [&](std::size_t k, const util::process_exit& x) {
        if (!x.ok()) {
            const std::string why = x.status == 127 ? fmt::format("cannot execute {}", cmd.front()) : lammps_error(tasks[k].dir);
            throw input_error(fmt::format("{}: LAMMPS failed in {}: {} (see {})", e.file, tasks[k].label, why, (tasks[k].dir / "log.lammps").string()));
        }
        ++done;
        if (progress) progress(fmt::format("{}: {} done ({} of {} LAMMPS runs)", e.name, tasks[k].label, done, tasks.size()));
    });
}

// Reads trajectory.txt: step, ion x y z, glass centre of mass x y z, Si and O msd (A, A^2).
ion_run read_trajectory(const diffusion_experiment& e, const fs::path& file, const std::string& ion, std::size_t sample, double t) {
    ion_run r;
    r.ion = ion;
    r.sample = sample;
    r.temperature = t;
    std::ifstream in(file);
    if (!in) throw input_error(fmt::format("{}: LAMMPS wrote no {}", e.file, file.string()));
    double x0 = 0, y0 = 0, z0 = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ss(line);
        double step = 0, v[8];
        ss >> step;
        for (double& x : v) ss >> x;
        if (!ss) throw input_error(fmt::format("{}: cannot read line '{}'", file.string(), line));
        for (double x : v)
            if (!std::isfinite(x)) throw input_error(fmt::format("{}: non-finite value at step {} of {}", e.file, step, file.string()));
        const double x = v[0] - v[3], y = v[1] - v[4], z = v[2] - v[5];
        if (r.t.empty()) x0 = x, y0 = y, z0 = z;
        r.t.push_back(step * e.timestep);
        r.x.push_back((x - x0) * angstrom);
        r.y.push_back((y - y0) * angstrom);
        r.z.push_back((z - z0) * angstrom);
        r.msd_si.push_back(v[6] * angstrom * angstrom);
        r.msd_o.push_back(v[7] * angstrom * angstrom);
    }
    if (r.t.size() < 20) throw input_error(fmt::format("{}: {} holds {} samples (fewer than 20)", e.file, file.string(), r.t.size()));
    const std::size_t max_lag = r.t.size() / 2;
    const auto lags = analysis::log_spaced_lags(max_lag, 40);
    const double dt = r.t[1] - r.t[0];
    r.msd = analysis::mean_squared_displacement(r.x, r.y, r.z, lags);
    for (const auto l : lags) r.lag.push_back(static_cast<double>(l) * dt);
    const double from = e.fit_from * e.production_time, to = e.fit_to * e.production_time;
    r.fit = analysis::diffusion_coefficient(r.lag, r.msd, from, to);
    r.network_fit = analysis::diffusion_coefficient(r.t, r.msd_si, from, to);
    return r;
}

// Writes every LAMMPS run's input (and each sample's random start) into `folder`; the tasks that
// run them, a sample's melt-quench before its ions.
std::vector<task> write_tasks(const diffusion_experiment& e, const fs::path& folder) {
    std::vector<task> tasks;
    for (std::size_t s = 1; s <= e.samples; ++s) {
        const fs::path dir = folder / fmt::format("sample{}", s);
        fs::create_directories(dir);
        const sample_start start = random_start(e, s);
        std::ofstream(dir / "structure.data") << start.structure;
        std::ofstream(dir / "in.lammps") << melt_input(e, start);
        const long melt = static_cast<long>(tasks.size());
        tasks.push_back({dir, fmt::format("sample {} melt-quench", s), -1, melt_steps(e)});
        for (const auto& ion : e.ions)
            for (double t : e.temperatures) {
                const fs::path sub = dir / e.run_name(ion, t);
                fs::create_directories(sub);
                std::ofstream(sub / "in.lammps") << ion_input(e, start, ion, t);
                tasks.push_back({sub, fmt::format("sample {} {}{}", s, ion, e.temperatures.size() > 1 ? fmt::format(" at {:g} K", t) : ""), melt,
                                 ion_steps(e, t)});
            }
    }
    return tasks;
}

}  // namespace

std::vector<fs::path> write_inputs(const diffusion_experiment& e, const fs::path& folder) {
    std::vector<fs::path> files;
    for (const auto& t : write_tasks(e, folder)) {
        if (t.after < 0) files.push_back(t.dir / "structure.data");
        files.push_back(t.dir / "in.lammps");
    }
    return files;
}

std::string potential_commands(const diffusion_experiment& e, const std::string& ion) {
    const auto& o = pedone("O", e.file), &si = pedone("Si", e.file);
    // Types: 1 Si, 2 O, 3 the ion (no atoms of type 3 in the melt). Short-range pairs only with O.
    // C/r^12 is LAMMPS's Mie potential with exponents 12 and 0: eps (sigma/r)^12 - eps, whose
    // constant -eps the shift removes (the force is exactly C/r^12's).
    std::string s = fmt::format("pair_style hybrid/overlay coul/dsf {:.10g} {:.10g} morse {:.10g} mie/cut {:.10g}\n", e.coulomb_damping * angstrom,
                                e.coulomb_cutoff / angstrom, e.short_cutoff / angstrom, e.short_cutoff / angstrom);
    s += "pair_coeff * * coul/dsf\npair_coeff * * morse 0.0 1.0 1.0\npair_coeff * * mie/cut 0.0 1.0 12.0 0.0\n";
    auto with_oxygen = [&](const char* types, const pedone_species& p) {
        s += fmt::format("pair_coeff {} morse {} {} {}\npair_coeff {} mie/cut {} 1.0 12.0 0.0\n", types, p.D, p.a, p.r0, types, p.C);
    };
    with_oxygen("1 2", si);
    with_oxygen("2 2", o);
    if (!ion.empty()) with_oxygen("2 3", pedone(ion, e.file));
    s += "pair_modify shift yes\n";
    return s;
}

diffusion_result run(const diffusion_experiment& e, const fs::path& folder, int jobs,
                     const std::function<void(const std::string&)>& progress) {
    const auto cmd = lammps_command(e);
    const std::vector<task> tasks = write_tasks(e, folder);
    run_tasks(cmd, tasks, jobs, e, progress);
    diffusion_result out;
    out.lammps_runs = tasks.size();
    for (const auto& t : tasks) out.steps += t.steps;
    auto& m = out.metrics;
    auto put = [&](const std::string& k, nlohmann::json v, const char* unit) { m[k] = {{"value", std::move(v)}, {"unit", unit}}; };
    for (std::size_t s = 1; s <= e.samples; ++s)
        for (const auto& ion : e.ions)
            for (double t : e.temperatures) {
                auto r = read_trajectory(e, folder / fmt::format("sample{}", s) / e.run_name(ion, t) / "trajectory.txt", ion, s, t);
                const std::string k = fmt::format("{}.sample{}", e.metric_prefix(ion, t), s);
                put(k + ".D", r.fit.coefficient, "m^2/s");
                put(k + ".D_fit_r2", r.fit.r2, "1");
                put(k + ".cage_msd", r.fit.intercept, "m^2");
                put(k + ".network_D", r.network_fit.coefficient, "m^2/s");
                put(k + ".lag", r.lag, "s");
                put(k + ".msd", r.msd, "m^2");
                out.runs.push_back(std::move(r));
            }
    for (const auto& ion : e.ions) {
        ion_summary a;
        a.ion = ion;
        for (double t : e.temperatures) {
            std::vector<double> d;
            for (const auto& r : out.runs)
                if (r.ion == ion && r.temperature == t) d.push_back(r.fit.coefficient);
            const auto st = analysis::statistics(d);
            const std::string k = e.metric_prefix(ion, t);
            put(k + ".D_mean", st.mean, "m^2/s");
            put(k + ".D_std", st.std, "m^2/s");
            put(k + ".samples", st.n, "1");
            a.temperature.push_back(t);
            a.d_mean.push_back(st.mean);
            a.d_std.push_back(st.std);
            a.d_se.push_back(analysis::standard_error(st));
        }
        if (e.temperatures.size() > 1) {
            // Weighted by the samples' scatter when every temperature has one (two samples or more).
            const bool errors = std::all_of(a.d_se.begin(), a.d_se.end(), [](double x) { return std::isfinite(x) && x > 0; });
            a.fit = analysis::arrhenius(a.temperature, a.d_mean, errors ? std::span<const double>(a.d_se) : std::span<const double>());
            put(ion + ".E_a", a.fit.activation_energy, "eV");
            put(ion + ".E_a_se", a.fit.activation_energy_se, "eV");
            put(ion + ".D0", a.fit.prefactor, "m^2/s");
        }
        out.ions.push_back(std::move(a));
    }
    put("lammps_runs", out.lammps_runs, "1");
    put("md_steps", out.steps, "1");
    put("seed", e.seed, "1");
    return out;
}

}  // namespace memlab::md
