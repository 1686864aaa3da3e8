#include "memlab/device/registry.hpp"
#include "memlab/util/names.hpp"

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
#include "memlab/device/mosfet.hpp"
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
    if (it == f.end())
        throw input_error(fmt::format("device.model: unknown model '{}' ({})", name, util::known_names(std::string(name), model_names())));
    return it->second();
}

std::vector<std::string> model_names() {
    std::vector<std::string> out;
    for (const auto& [k, v] : factories()) out.push_back(k);
    return out;
}

namespace {

// The access transistor is described like the device models, though it is no memristor model.
constexpr std::string_view transistor_name = "nmos_ekv";

std::unique_ptr<model> described(std::string_view name) {
    auto names = model_names();
    names.emplace_back(transistor_name);
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw input_error(fmt::format("describe: unknown model '{}' ({})", name, util::known_names(std::string(name), names)));
    return make_model(name);
}

std::string transistor_use() {
    return "Used as: [circuit.transistor] (a 1T1R cell) and [array.transistor] (1T1R arrays), any parameter by name with its unit "
           "(docs/arrays.md). SPICE: a level-1 MOSFET (VTO, KP, GAMMA, PHI, LAMBDA = lambda_l / L) in array decks and with --engine ngspice, "
           "where the two agree: gamma = 0 and every gate >= vt0 + 0.5 V (strong inversion).\n";
}

std::string events_and_spice(const model& m, std::string_view name) {
    return fmt::format("Stochastic events: {}. SPICE export: {}.\n", m.n_hazards() > 0 ? fmt::format("{} hazard(s)", m.n_hazards()) : "none",
                       m.has_spice() ? fmt::format("yes (memlab export-spice {})", name) : "no");
}

// `text` after a first column of `indent` characters, wrapped at `width`.
std::string wrapped(const std::string& first, std::size_t indent, const std::string& text, std::size_t width = 100) {
    std::string out = first + std::string(indent > first.size() ? indent - first.size() : 1, ' ');
    std::size_t col = std::max(indent, first.size() + 1);
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        const auto word = text.substr(start, end - start);
        if (col + word.size() > width && col > indent) {
            while (!out.empty() && out.back() == ' ') out.pop_back();
            out += "\n" + std::string(indent, ' ');
            col = indent;
        }
        out += word + " ";
        col += word.size() + 1;
        start = end + 1;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
}

// The parameter rows, for a terminal and as a Markdown table (a device model's or the transistor's).
std::string parameters_text(const std::vector<parameter_info>& table, std::string_view name) {
    std::string out = fmt::format("Parameters ({}): name, default, range, meaning (sources: memlab describe {} --markdown)\n", table.size(), name);
    for (const auto& p : table)
        out += wrapped(fmt::format("  {:<12} {:<12} {}", p.name, units::format(p.default_value, p.unit), range_text(p)), 48, p.meaning);
    return out;
}
std::string parameters_markdown(const std::vector<parameter_info>& table, std::string_view name, std::string_view summary) {
    std::string out = fmt::format("## `{}`: {}\n\n| parameter | default | range | symbol | meaning | source |\n|---|---|---|---|---|---|\n", name, summary);
    for (const auto& p : table)
        out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", p.name, units::format(p.default_value, p.unit), range_text(p), p.symbol, p.meaning, p.source);
    return out;
}

}  // namespace

std::string describe_text(std::string_view name) {
    if (name == transistor_name) {
        const mosfet t;
        const std::string use = transistor_use();  // "Used as: ...\n", wrapped after its first word
        return wrapped(std::string(name) + ":", 0, std::string(t.summary())) + "\n" + parameters_text(t.parameter_table(), name) + "\n" +
               wrapped("Used", 0, use.substr(5, use.size() - 6));
    }
    const auto m = described(name);
    std::string out = wrapped(std::string(name) + ":", 0, std::string(m->summary())) + "\n";
    out += fmt::format("States ({}):\n", m->n_states());
    for (const auto& st : m->states()) out += wrapped(fmt::format("  {:<8} {:<3}", st.name, st.unit), 15, st.meaning);
    out += "\n" + parameters_text(m->parameter_table(), name);
    return out + "\n" + events_and_spice(*m, name);
}

std::string describe_markdown(std::string_view name) {
    if (name == transistor_name) {
        const mosfet t;
        return parameters_markdown(t.parameter_table(), name, t.summary()) + "\nNo states (an element without memory; its optional capacitances are constant).\n" + transistor_use();
    }
    const auto m = described(name);
    std::string out = parameters_markdown(m->parameter_table(), name, m->summary());
    out += "\n| state | unit | absolute tolerance | meaning |\n|---|---|---|---|\n";
    for (const auto& st : m->states())
        out += fmt::format("| `{}` | {} | {} | {} |\n", st.name, st.unit, units::format(st.abs_tolerance, st.unit), st.meaning);
    return out + "\n" + events_and_spice(*m, name);
}

}  // namespace memlab::device
