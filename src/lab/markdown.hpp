#pragma once
// Markdown cells of the lab's reports (report.md, seeds.md, sensitivity.md).
#include <string>

#include "memlab/report/targets.hpp"

namespace memlab::lab::detail {

// A Markdown table cell: '|' would end it.
inline std::string md_cell(std::string text) {
    for (auto pos = text.find('|'); pos != std::string::npos; pos = text.find('|', pos + 2)) text.replace(pos, 1, "\\|");
    return text;
}

// A JSON value as the reports print it: text as is, numbers as JSON writes them.
inline std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// A target's simulated value as the reports print it ("not run" when it did not run).
inline std::string simulated_text(const report::result& x) { return x.simulated.is_null() ? "not run" : value_text(x.simulated); }

// The same as a Markdown cell, in bold where the target ran and failed.
inline std::string simulated_cell(const report::result& x) {
    const std::string text = md_cell(simulated_text(x));
    return x.simulated.is_null() || x.pass ? text : "**" + text + "**";
}

// A target's kind: "fit: p1, p2" (the parameters calibrated on it) or "check".
inline std::string kind_text(const std::string& kind, const std::vector<std::string>& fit) {
    if (kind.empty()) return "-";
    std::string s = kind;
    for (std::size_t k = 0; k < fit.size(); ++k) s += (k == 0 ? ": " : ", ") + fit[k];
    return s;
}

}  // namespace memlab::lab::detail
