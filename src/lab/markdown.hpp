#pragma once
// Markdown cells of the lab's reports (report.md, seeds.md, sensitivity.md).
#include <cmath>
#include <string>

#include "memlab/report/targets.hpp"
#include "memlab/units/units.hpp"

namespace memlab::lab::detail {

// A Markdown table cell: '|' would end it.
inline std::string md_cell(std::string text) {
    for (auto pos = text.find('|'); pos != std::string::npos; pos = text.find('|', pos + 2)) text.replace(pos, 1, "\\|");
    return text;
}

// A JSON value as the reports print it: text as is, numbers as JSON writes them with the target's
// unit ("0.77 V"; an SI prefix below 1e-3 or from 1e4 on, "15.97 uS"; an ordinal "#pulse" as
// "pulse 6").
inline std::string value_text(const nlohmann::json& v, const std::string& unit = "") {
    if (v.is_string()) return v.get<std::string>();
    if (!v.is_number() || unit.empty()) return v.dump();
    if (unit.front() == '#') return unit.substr(1) + " " + v.dump();
    const double x = v.get<double>(), mag = std::fabs(x);
    return mag != 0 && (mag < 1e-3 || mag >= 1e4) ? units::format(x, unit, 4) : v.dump() + " " + unit;
}

// A target's paper value as the reports print it, with its unit.
inline std::string paper_text(const report::result& x) { return value_text(x.paper, x.unit); }

// A target's simulated value as the reports print it ("not run" when it did not run).
inline std::string simulated_text(const report::result& x) { return x.simulated.is_null() ? "not run" : value_text(x.simulated, x.unit); }

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
