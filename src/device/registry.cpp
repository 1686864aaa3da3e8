#include "memlab/device/registry.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <map>

#include "memlab/device/agsn.hpp"
#include "memlab/device/biolek.hpp"
#include "memlab/device/diffusive.hpp"
#include "memlab/device/ielmini_ag.hpp"
#include "memlab/device/jart_ecm.hpp"
#include "memlab/device/memdiode.hpp"
#include "memlab/device/stanford_pku.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/device/yakopcic.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"

namespace memlab::device {
namespace {

using factory = std::function<std::unique_ptr<model>()>;

const std::map<std::string, factory, std::less<>>& factories() {
    static const std::map<std::string, factory, std::less<>> f{
        {"agsn_sio2_pt", [] { return std::make_unique<agsn_sio2_pt>(); }},
        {"biolek", [] { return std::make_unique<biolek>(); }},
        {"diffusive", [] { return std::make_unique<diffusive>(); }},
        {"ielmini_ag", [] { return std::make_unique<ielmini_ag>(); }},
        {"jart_ecm", [] { return std::make_unique<jart_ecm>(); }},
        {"memdiode", [] { return std::make_unique<memdiode>(); }},
        {"stanford_pku", [] { return std::make_unique<stanford_pku>(); }},
        {"vteam", [] { return std::make_unique<vteam>(); }},
        {"yakopcic", [] { return std::make_unique<yakopcic>(); }},
    };
    return f;
}

}  // namespace

std::unique_ptr<model> make_model(std::string_view name) {
    const auto& f = factories();
    const auto it = f.find(name);
    if (it == f.end()) {
        std::string known;
        for (const auto& [k, v] : f) known += (known.empty() ? "" : ", ") + k;
        throw input_error(fmt::format("device.model: unknown model '{}' (known: {})", name, known));
    }
    return it->second();
}

std::vector<std::string> model_names() {
    std::vector<std::string> out;
    for (const auto& [k, v] : factories()) out.push_back(k);
    return out;
}

std::string describe_markdown(std::string_view name) {
    const auto names = model_names();
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw input_error(fmt::format("describe: unknown model '{}' (known: {})", name, fmt::join(names, ", ")));
    const auto m = make_model(name);
    std::string out = fmt::format("## `{}`: {}\n\n| parameter | default | range | symbol | meaning | source |\n|---|---|---|---|---|---|\n", name, m->summary());
    for (const auto& p : m->parameter_table())
        out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", p.name, units::format(p.default_value, p.unit), range_text(p), p.symbol, p.meaning, p.source);
    out += "\n| state | unit | absolute tolerance |\n|---|---|---|\n";
    for (const auto& st : m->states()) out += fmt::format("| `{}` | {} | {} |\n", st.name, st.unit, units::format(st.abs_tolerance, st.unit));
    out += fmt::format("\nStochastic events: {}. SPICE export: {}.\n", m->n_hazards() > 0 ? fmt::format("{} hazard(s)", m->n_hazards()) : "none",
                       m->has_spice() ? fmt::format("yes (memlab export-spice {})", name) : "no");
    return out;
}

}  // namespace memlab::device
