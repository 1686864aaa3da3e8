// The PMMCS potential as memlab writes it for LAMMPS, checked against the closed form: two atoms
// (one species and O, with their partial charges) in a large cell, LAMMPS's energy and force at
// several distances against U(r) = q_i q_j e^2/(4 pi eps0) [damped shifted Coulomb] + D[(1 -
// exp(-a(r - r0)))^2 - 1] + C/r^12 (differences between distances, so that LAMMPS's constant
// self-energy of the DSF sum and the cutoff shifts drop out of the comparison).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "memlab/md/diffusion.hpp"
#include "memlab/protocol/md_file.hpp"

using namespace memlab;
namespace fs = std::filesystem;

namespace {

constexpr double coulomb = 14.399645;  // e^2/(4 pi eps0) in eV A (LAMMPS metal units' qqr2e)

// Damped shifted force Coulomb (Fennell and Gezelter 2006) for a pair, as LAMMPS coul/dsf
// without its per-atom self term.
double dsf(double qq, double r, double alpha, double rc) {
    const double pi = std::acos(-1.0);
    const double shift = std::erfc(alpha * rc) / rc;
    const double fshift = -(shift + 2 * alpha / std::sqrt(pi) * std::exp(-alpha * alpha * rc * rc)) / rc;
    return coulomb * qq * (std::erfc(alpha * r) / r - shift - (r - rc) * fshift);
}

struct sample {
    double e, fx;
};

std::map<double, sample> lammps_pair(const md::diffusion_experiment& e, const std::string& species, const std::vector<double>& rs) {
    const fs::path dir = fs::temp_directory_path() / fmt::format("memlab_md_pair_{}", species);
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto& s = md::pedone(species, "test"), &o = md::pedone("O", "test");
    // Types: 1 Si, 2 O, 3 the ion; the species under test is type 1 (Si) or 3 (an ion), O is type 2.
    const int type = species == "Si" ? 1 : species == "O" ? 2 : 3;
    std::ofstream(dir / "pair.data") << fmt::format(
        "two atoms\n\n2 atoms\n3 atom types\n\n0 40 xlo xhi\n0 40 ylo yhi\n0 40 zlo zhi\n\nMasses\n\n1 28.085\n2 15.999\n3 {}\n\n"
        "Atoms # charge\n\n1 2 {} 10 20 20\n2 {} {} 12 20 20\n",
        s.mass, o.charge, type, s.charge);
    std::string in = "units metal\natom_style charge\natom_modify map array\nboundary p p p\nread_data pair.data\n" +
                     md::potential_commands(e, type == 3 ? species : "") + "neighbor 1.0 bin\n";
    for (double r : rs)
        in += fmt::format("set atom 2 x {:.10f}\nrun 0\nprint \"{:.10f} $(pe:%.15g) $(fx[2]:%.15g)\" append pairs.txt screen no\n", 10 + r, r);
    std::ofstream(dir / "in.lammps") << in;
    const std::string cmd = fmt::format("cd '{}' && '{}' -in in.lammps -log log.lammps -screen none -nocite", dir.string(), LAMMPS_EXECUTABLE);
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "LAMMPS failed, see " << (dir / "log.lammps");
    std::map<double, sample> out;
    std::ifstream f(dir / "pairs.txt");
    for (double r, en, fx; f >> r >> en >> fx;) out[r] = {en, fx};
    return out;
}

}  // namespace

TEST(MdLammps, PairEnergiesAndForcesMatchTheClosedFormForEverySpecies) {
    auto e = protocol::load_md(fs::path(MEMLAB_SOURCE_DIR) / "experiments" / "md_diffusion.toml");
    const double alpha = e.coulomb_damping * 1e-10, rc = e.coulomb_cutoff / 1e-10, rs = e.short_cutoff / 1e-10;
    const std::vector<double> rs_list{1.5, 1.8, 2.1, 2.4, 3.0, 4.0, 5.0, 6.0, 7.5};
    for (const auto* name : {"Si", "O", "Ag", "Sn", "Cu"}) {
        const auto& s = md::pedone(name, "test"), &o = md::pedone("O", "test");
        const auto got = lammps_pair(e, name, rs_list);
        ASSERT_EQ(got.size(), rs_list.size()) << name;
        auto closed = [&](double r) {
            const double sr = r < rs ? md::pedone_short_range(s, r) - md::pedone_short_range(s, rs) : 0.0;
            return dsf(s.charge * o.charge, r, alpha, rc) + sr;
        };
        const double ref = 4.0;
        for (double r : rs_list) {
            const double expected = closed(r) - closed(ref);
            const double measured = got.at(r).e - got.at(ref).e;
            EXPECT_NEAR(measured, expected, 1e-6 * (1 + std::abs(expected))) << name << " at r = " << r << " A";
            // Force on atom 2 along +x is -dU/dr.
            const double h = 1e-5;
            const double force = -(closed(r + h) - closed(r - h)) / (2 * h);
            EXPECT_NEAR(got.at(r).fx, force, 1e-4 * (1 + std::abs(force))) << name << " force at r = " << r << " A";
        }
    }
}
