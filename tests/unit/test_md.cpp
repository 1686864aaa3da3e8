// The MD experiment's file reader and potential table (no LAMMPS needed here; the runs are in
// tests/validation/test_md_lammps.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "memlab/error.hpp"
#include "memlab/md/diffusion.hpp"
#include "memlab/protocol/md_file.hpp"

using namespace memlab;
namespace fs = std::filesystem;

namespace {

fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = fs::temp_directory_path() / name;
    std::ofstream(p) << text;
    return p;
}

std::string load_error(const std::string& text, const std::vector<std::string>& sets = {}) {
    const auto p = write("memlab_md_bad.toml", text);
    try {
        protocol::load_md(p, sets);
    } catch (const input_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Md, ShippedFileLoadsWithThePapersSettings) {
    const auto e = protocol::load_md(fs::path(MEMLAB_SOURCE_DIR) / "experiments" / "md_diffusion.toml");
    EXPECT_EQ(e.name, "md_diffusion");
    EXPECT_EQ(e.samples, 5u);  // Methods: five samples
    EXPECT_EQ(e.ions, (std::vector<std::string>{"Ag", "Sn"}));
    EXPECT_DOUBLE_EQ(e.temperature, 1500);  // Methods: 1500 K
    EXPECT_DOUBLE_EQ(e.melt_temperature, 4000);
    EXPECT_NEAR(e.density, 2200, 1e-9);  // 2.2 g/cm^3
    EXPECT_NEAR(e.timestep, 2e-15, 1e-30);
    EXPECT_EQ(e.steps(e.production_time), 20000u);
    EXPECT_EQ(e.resolved["md"]["temperature"], "1500 K");
    EXPECT_EQ(e.resolved["md"]["insertion_distance"], "0.2 nm");
    EXPECT_TRUE(protocol::is_md_file(fs::path(MEMLAB_SOURCE_DIR) / "experiments" / "md_diffusion.toml"));
    EXPECT_FALSE(protocol::is_md_file(fs::path(MEMLAB_SOURCE_DIR) / "experiments" / "training.toml"));
}

TEST(Md, BadInputNamesTheFileAndKey) {
    EXPECT_NE(load_error("[md]\nions = [\"Ag\", \"Xe\"]\n").find("md.ions[2]: unknown ion 'Xe'"), std::string::npos);
    EXPECT_NE(load_error("[md]\nions = [\"Si\"]\n").find("part of the glass"), std::string::npos);
    EXPECT_NE(load_error("[md]\nsamplez = 3\n").find("md.samplez: unknown key"), std::string::npos);
    EXPECT_NE(load_error("[md]\ntimestep = \"2\"\n").find("md.timestep"), std::string::npos);
    EXPECT_NE(load_error("[md]\ntemperature = \"-5 K\"\n").find("md.temperature: must be positive"), std::string::npos);
    EXPECT_NE(load_error("[md]\nfit_from = 0.6\n").find("fit window"), std::string::npos);
    EXPECT_NE(load_error("[md]\nformula_units = 20\n").find("half the cell"), std::string::npos);
    EXPECT_NE(load_error("[md]\nproduction_time = \"1 ps\"\n").find("at least 20"), std::string::npos);
    EXPECT_NE(load_error("[md]\n", {"md.density=2.2"}).find("md.density"), std::string::npos);  // no unit
    EXPECT_NE(load_error("[md]\n[solver]\nrtol = 1e-6\n").find("solver: unknown key"), std::string::npos);
    EXPECT_NE(load_error("[md]\ntemperatures = [\"1300 K\", \"1300 K\"]\n").find("listed twice"), std::string::npos);
    EXPECT_NE(load_error("[md]\ntemperatures = [\"1300 K\", \"-4 K\"]\n").find("md.temperatures"), std::string::npos);
}

TEST(Md, TemperaturesNameTheRunsWhenThereAreSeveral) {
    const auto one = protocol::load_md(write("memlab_md_one.toml", "[md]\n"));
    EXPECT_EQ(one.temperatures, std::vector<double>{1500});
    EXPECT_EQ(one.run_name("Ag", 1500), "Ag");
    EXPECT_EQ(one.metric_prefix("Ag", 1500), "Ag");
    const auto three = protocol::load_md(write("memlab_md_three.toml", "[md]\ntemperatures = [\"1300 K\", \"1500 K\", \"1.7 kK\"]\n"));
    EXPECT_EQ(three.temperatures, (std::vector<double>{1300, 1500, 1700}));
    EXPECT_EQ(three.run_name("Sn", 1700), "Sn_1700K");
    EXPECT_EQ(three.metric_prefix("Sn", 1300), "Sn.1300K");
    EXPECT_EQ(three.resolved["md"]["temperatures"][2], "1700 K");
}

TEST(Md, PedonePairHasItsWellAtR0AndTheTabulatedDepth) {
    // U(r0) = -D + C/r0^12 (the Morse minimum); U falls to its cutoff value from below.
    for (const auto* name : {"Si", "O", "Ag", "Sn", "Cu"}) {
        const auto& s = md::pedone(name, "test");
        EXPECT_NEAR(md::pedone_short_range(s, s.r0), -s.D + s.C / std::pow(s.r0, 12), 1e-14) << name;
        const double h = 1e-6;
        const double slope = (md::pedone_short_range(s, s.r0 + h) - md::pedone_short_range(s, s.r0 - h)) / (2 * h);
        EXPECT_NEAR(slope, -12 * s.C / std::pow(s.r0, 13), 1e-6) << name;  // the Morse part is flat there
    }
    // Sn is a network former like Si (charge +2.4), Ag a modifier (+0.6): the paper's premise.
    EXPECT_DOUBLE_EQ(md::pedone("Sn", "t").charge, 2.4);
    EXPECT_DOUBLE_EQ(md::pedone("Ag", "t").charge, 0.6);
    EXPECT_THROW(md::pedone("Xe", "t"), input_error);
}

TEST(Md, PotentialCommandsPairEverySpeciesWithOxygenOnly) {
    const auto e = protocol::load_md(fs::path(MEMLAB_SOURCE_DIR) / "experiments" / "md_diffusion.toml");
    const std::string s = md::potential_commands(e, "Sn");
    EXPECT_NE(s.find("pair_style hybrid/overlay coul/dsf 0.25 8 morse 5.5 mie/cut 5.5"), std::string::npos) << s;
    EXPECT_NE(s.find("pair_coeff 1 2 morse 0.340554 2.0067 2.1"), std::string::npos) << s;
    EXPECT_NE(s.find("pair_coeff 2 3 morse 0.0794 2.15677 2.633076"), std::string::npos) << s;
    EXPECT_NE(s.find("pair_coeff 2 3 mie/cut 3 1.0 12.0 0.0"), std::string::npos) << s;
    EXPECT_EQ(md::potential_commands(e, "").find("2 3"), std::string::npos);  // the melt has no ion
}
