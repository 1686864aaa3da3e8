#include "memlab/device/model.hpp"
#include "memlab/util/names.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::device {

// ---- default derivatives by central differences ----
namespace {
double fd_step(double x, double scale) { return 1e-6 * std::max(std::fabs(x), scale); }
}  // namespace

void model::current_jacobian(double v, std::span<const double> s, double& di_dv, std::span<double> di_ds) const {
    const double hv = fd_step(v, 1e-3);
    di_dv = (current(v + hv, s) - current(v - hv, s)) / (2 * hv);
    std::vector<double> x(s.begin(), s.end());
    const auto& info = states();
    for (std::size_t j = 0; j < x.size(); ++j) {
        const double h = fd_step(x[j], 1e3 * info[j].abs_tolerance);
        const double x0 = x[j];
        x[j] = x0 + h;
        const double ip = current(v, x);
        x[j] = x0 - h;
        const double im = current(v, x);
        x[j] = x0;
        di_ds[j] = (ip - im) / (2 * h);
    }
}

void model::rates_jacobian(double v, std::span<const double> s, std::span<double> dr_dv, std::span<double> dr_ds) const {
    const std::size_t n = s.size();
    std::vector<double> x(s.begin(), s.end()), rp(n), rm(n);
    const double hv = fd_step(v, 1e-3);
    rates(v + hv, x, rp);
    rates(v - hv, x, rm);
    for (std::size_t i = 0; i < n; ++i) dr_dv[i] = (rp[i] - rm[i]) / (2 * hv);
    const auto& info = states();
    for (std::size_t j = 0; j < n; ++j) {
        const double h = fd_step(x[j], 1e3 * info[j].abs_tolerance);
        const double x0 = x[j];
        x[j] = x0 + h;
        rates(v, x, rp);
        x[j] = x0 - h;
        rates(v, x, rm);
        x[j] = x0;
        for (std::size_t i = 0; i < n; ++i) dr_ds[i * n + j] = (rp[i] - rm[i]) / (2 * h);
    }
}

std::string spice_number(double x) {
    // A coefficient that overflowed would be written "inf" and read by ngspice as a node name.
    if (!std::isfinite(x)) throw input_error(fmt::format("SPICE export: a coefficient is {} (the parameters overflow a double)", x));
    return x < 0 ? fmt::format("({:.17g})", x) : fmt::format("{:.17g}", x);
}

spice_form model::spice() const {
    throw input_error(fmt::format("model '{}' has no SPICE export", name()));
}

void model::hazards(double, std::span<const double>, std::span<double>) const {}
void model::on_event(std::size_t, double, std::span<double>, rng&) const {}
void model::on_event_draw(std::size_t, double, std::span<double>, std::size_t, rng&) const {}

// ---- parameters ----
std::string range_text(const parameter_info& p) {
    constexpr double big = std::numeric_limits<double>::max();
    const std::string lo = p.min <= -big ? "(-inf" : "[" + units::format(p.min, p.unit);
    const std::string hi = p.max >= big ? "inf)" : units::format(p.max, p.unit) + "]";
    return lo + ", " + hi;
}

void parameter_set::init_parameters() {
    const auto& table = parameter_table();
    values_.clear();
    for (const auto& p : table) values_.push_back(p.default_value);
    commit(values_);
}

std::size_t parameter_set::index_of(std::string_view pname) const {
    const auto& table = parameter_table();
    for (std::size_t k = 0; k < table.size(); ++k)
        if (table[k].name == pname) return k;
    std::vector<std::string> known;
    for (const auto& p : table) known.push_back(p.name);
    throw input_error(fmt::format("{}: unknown parameter '{}' ({})", name(), pname, util::known_names(std::string(pname), known)));
}

double parameter_set::get(std::string_view pname) const { return values_[index_of(pname)]; }

void parameter_set::set(const std::map<std::string, double>& values) {
    std::vector<double> candidate = values_;
    const auto& table = parameter_table();
    for (const auto& [k, v] : values) {
        const std::size_t i = index_of(k);
        const auto& info = table[i];
        const std::string key = fmt::format("{}.{}", name(), k);
        units::finite(v, key);
        if (v < info.min || v > info.max)
            throw input_error(fmt::format("{}: {} is outside the allowed range {}", key, units::format(v, info.unit), range_text(info)));
        candidate[i] = v;
    }
    commit(candidate);
    values_ = std::move(candidate);
}

void parameter_set::set_text(const std::map<std::string, std::string>& values, std::string_view where) {
    std::map<std::string, double> si;
    const auto& table = parameter_table();
    for (const auto& [k, text] : values) {
        const std::size_t i = index_of(k);
        si[k] = units::parse(text, table[i].unit, fmt::format("{}.{}", where, k));
    }
    set(si);
}

nlohmann::json parameter_set::describe() const {
    nlohmann::json j;
    j["model"] = std::string(name());
    const auto& table = parameter_table();
    for (std::size_t k = 0; k < table.size(); ++k) j["parameters"][table[k].name] = units::format(values_[k], table[k].unit);
    return j;
}

std::map<std::string, double> d2d_normals(const model& nominal, const std::map<std::string, double>& spread, std::uint64_t seed,
                                          std::size_t index) {
    rng r(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL * (index + 1));
    std::map<std::string, double> z;
    for (const auto& p : nominal.parameter_table())
        if (spread.count(p.name)) z[p.name] = r.normal();
    return z;
}

std::unique_ptr<model> draw_device(const model& nominal, const std::map<std::string, double>& spread,
                                   const std::map<std::string, double>& normals) {
    auto m = nominal.clone();
    std::map<std::string, double> drawn;
    for (const auto& p : m->parameter_table()) {
        const auto it = spread.find(p.name);
        if (it == spread.end()) continue;
        drawn[p.name] = std::clamp(m->get(p.name) + it->second * normals.at(p.name), p.min, p.max);
    }
    m->set(drawn);
    return m;
}

std::unique_ptr<model> draw_device(const model& nominal, const std::map<std::string, double>& spread, std::uint64_t seed,
                                   std::size_t index) {
    return draw_device(nominal, spread, d2d_normals(nominal, spread, seed, index));
}

std::vector<std::map<std::string, double>> matched_normals(const model& nominal, const std::map<std::string, double>& spread,
                                                           const std::vector<std::uint64_t>& seeds, std::size_t devices) {
    std::vector<std::map<std::string, double>> z;
    for (const auto seed : seeds)
        for (std::size_t j = 0; j < devices; ++j) z.push_back(d2d_normals(nominal, spread, seed, j));
    if (z.size() < 2) return z;
    const double n = static_cast<double>(z.size());
    for (const auto& [name, first] : z[0]) {
        (void)first;
        double mean = 0, ss = 0;
        for (const auto& d : z) mean += d.at(name);
        mean /= n;
        for (const auto& d : z) ss += (d.at(name) - mean) * (d.at(name) - mean);
        const double sd = std::sqrt(ss / (n - 1));
        if (!(sd > 0)) continue;  // every device drew the same value: nothing to scale
        for (auto& d : z) d[name] = (d[name] - mean) / sd;
    }
    return z;
}

}  // namespace memlab::device
