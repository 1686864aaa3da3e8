#include "memlab/protocol/md_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "toml_reader.hpp"

namespace fs = std::filesystem;

namespace memlab::protocol {

using detail::reader;

bool is_md_file(const fs::path& file) { return detail::file_has_table(file, "md"); }

md::diffusion_experiment load_md(const fs::path& path, const std::vector<std::string>& overrides) {
    md::diffusion_experiment e;
    e.file = path.string();
    toml::table root = detail::parse_file(path, overrides);
    reader top(&root, "", e.file, e.resolved);
    reader ex = top.sub("experiment");
    // `targets`: the ones it serves (protocol::served_targets), evaluated by report. LAMMPS seeds are
    // 32-bit.
    auto h = detail::read_header(ex, path, detail::header_figure | detail::header_targets, std::numeric_limits<std::int32_t>::max());
    e.name = std::move(h.name), e.description = std::move(h.description), e.figure = std::move(h.figure);
    e.seed = h.seed;
    ex.finish();

    reader m = top.sub("md");
    e.lammps = m.string("lammps", "lmp");
    // "mpirun -np 4": split into words at spaces (no shell: no quotes, no variables).
    {
        std::istringstream words(m.string("launcher", ""));
        for (std::string w; words >> w;) e.launcher.push_back(w);
    }
    e.samples = static_cast<std::size_t>(m.integer("samples", 5, 1, 1000));
    e.formula_units = static_cast<std::size_t>(m.integer("formula_units", 135, 8, 20000));  // the random start is O(N^2)
    e.ions = m.strings("ions", {"Ag", "Sn"});
    if (e.ions.empty()) m.fail("ions", "needs at least one ion");
    for (std::size_t k = 0; k < e.ions.size(); ++k) {
        const auto& s = md::pedone(e.ions[k], fmt::format("{}: md.ions[{}]", e.file, k + 1));
        if (s.name == "O" || s.name == "Si") m.fail("ions", fmt::format("'{}' is part of the glass, not an ion to insert", s.name));
        if (std::count(e.ions.begin(), e.ions.end(), e.ions[k]) > 1) m.fail("ions", fmt::format("'{}' is listed twice", e.ions[k]));
    }
    // Density in g/cm^3 as one writes it; kg/m^3 inside.
    e.density = 1000.0 * units::positive(m.quantity("density", "g/cm^3", 2.2), e.file + ": md.density");
    auto pos = [&](std::string_view k, std::string_view unit, double def) {
        const double v = m.quantity(k, unit, def);
        if (!(v > 0)) m.fail(k, "must be positive");
        return v;
    };
    e.timestep = pos("timestep", "s", 2e-15);
    if (e.timestep > 5e-15) m.fail("timestep", "above 5 fs the Si-O vibration (about 30 fs) is not resolved");
    e.melt_temperature = pos("melt_temperature", "K", 4000);
    e.melt_time = pos("melt_time", "s", 10e-12);
    e.quench_time = pos("quench_time", "s", 10e-12);
    e.temperature = pos("temperature", "K", 1500);
    if (m.has("temperatures")) {
        e.temperatures = m.quantities("temperatures", "K");
        for (std::size_t k = 0; k < e.temperatures.size(); ++k) {
            if (!(e.temperatures[k] > 0)) m.fail("temperatures", fmt::format("element {} must be positive", k + 1));
            if (std::count(e.temperatures.begin(), e.temperatures.end(), e.temperatures[k]) > 1)
                m.fail("temperatures", fmt::format("{:g} K is listed twice", e.temperatures[k]));
        }
    } else {
        e.temperatures = {e.temperature};
    }
    e.equilibration_time = pos("equilibration_time", "s", 5e-12);
    e.production_time = pos("production_time", "s", 40e-12);
    e.sample_interval = pos("sample_interval", "s", 0.1e-12);
    e.packing_distance = pos("packing_distance", "m", 0.16e-9);
    e.insertion_distance = pos("insertion_distance", "m", 0.2e-9);
    e.coulomb_cutoff = pos("coulomb_cutoff", "m", 0.8e-9);
    e.coulomb_damping = pos("coulomb_damping", "1/m", 2.5e9);
    e.short_cutoff = pos("short_cutoff", "m", 0.55e-9);
    e.fit_from = m.quantity("fit_from", "1", 0.1);
    e.fit_to = m.quantity("fit_to", "1", 0.5);
    if (!(e.fit_from >= 0 && e.fit_from < e.fit_to && e.fit_to <= 1)) m.fail("fit_to", "the fit window needs 0 <= fit_from < fit_to <= 1");
    if (e.sample_interval < e.timestep) m.fail("sample_interval", "is shorter than the timestep");
    const std::size_t per_sample = e.steps(e.production_time) / std::max<std::size_t>(e.steps(e.sample_interval), 1);
    if (per_sample < 20) m.fail("production_time", fmt::format("gives {} trajectory samples; at least 20 are needed for an MSD", per_sample));
    const double cell = std::cbrt(static_cast<double>(e.formula_units) * 60.0843e-3 / 6.02214076e23 / e.density);
    if (e.short_cutoff > cell / 2) m.fail("short_cutoff", fmt::format("is more than half the cell ({} wide): use more formula_units", units::format(cell, "m")));
    m.finish();
    top.finish();
    // Shown as one writes them (units::format would give "1.5 kK" and "200 pm").
    auto& shown = e.resolved["md"];
    shown["melt_temperature"] = fmt::format("{:g} K", e.melt_temperature);
    shown["temperature"] = fmt::format("{:g} K", e.temperature);
    shown["temperatures"] = nlohmann::json::array();
    for (double t : e.temperatures) shown["temperatures"].push_back(fmt::format("{:g} K", t));
    for (auto [k, v] : {std::pair{"packing_distance", e.packing_distance}, std::pair{"insertion_distance", e.insertion_distance},
                        std::pair{"coulomb_cutoff", e.coulomb_cutoff}, std::pair{"short_cutoff", e.short_cutoff}})
        shown[k] = fmt::format("{:g} nm", v * 1e9);
    shown["coulomb_damping"] = fmt::format("{:g} 1/nm", e.coulomb_damping * 1e-9);
    return e;
}

}  // namespace memlab::protocol
