#include "memlab/lab/sensitivity.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "markdown.hpp"
#include "memlab/error.hpp"
#include "memlab/lab/staged_folder.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

using detail::md_cell;
using detail::simulated_cell;
using detail::simulated_text;

sensitivity_plan plan_sensitivity(const sensitivity_options& o) {
    sensitivity_plan plan{o, {}, {}, {}};
    for (const auto& kv : o.vary) {
        const auto v = parse_vary(kv, "sensitivity --vary");
        for (const auto& value : v.values) plan.variants.push_back(v.key + "=" + value);
    }
    if (plan.variants.empty()) throw input_error("sensitivity: nothing to vary (give --vary KEY=V1,V2, e.g. device.gamma=0.3,0.6)");
    plan.baseline = o.sets.empty() ? "shipped parameters" : fmt::format("baseline ({})", fmt::join(o.sets, ", "));
    reproduce_options r{.sets = o.sets, .only = o.only, .skip = o.skip, .seeds = {}, .jobs = o.jobs, .csv = false, .figures = false,
                        .experiments = o.experiments, .python = {}, .cache = o.cache};
    plan.plans.push_back(plan_reproduce(r, std::nullopt, "sensitivity"));
    for (const auto& v : plan.variants) {
        auto with = r;
        with.sets.push_back(v);
        plan.plans.push_back(plan_reproduce(with, std::nullopt, "sensitivity"));
    }
    return plan;
}

sensitivity_outcome sensitivity(const sensitivity_plan& plan, const fs::path& out, const progress_fn& progress) {
    const auto& variants = plan.variants;
    const auto& plans = plan.plans;
    staged_folder dir(out);
    sensitivity_outcome result;
    auto& outcomes = result.runs;
    std::vector<std::string> folders;
    for (std::size_t k = 0; k < plans.size(); ++k) {
        folders.push_back(k == 0 ? "baseline" : fmt::format("{:02d}", k));
        fs::create_directories(dir.path() / folders.back());
        const std::string label = k == 0 ? plan.baseline : variants[k - 1];
        if (progress) progress(fmt::format("run {}/{}: {} (folder {})", k + 1, plans.size(), label, folders.back()));
        outcomes.push_back(execute_reproduce(plans[k], dir.path() / folders.back(), progress, "  "));
        result.failed += outcomes.back().failed;
    }
    const auto& base = outcomes[0].all;
    auto& js = result.summary;
    js["memlab_version"] = std::string(version());
    js["only"] = plan.options.only;
    js["skip"] = plan.options.skip;
    js["baseline"] = {{"folder", folders[0]}, {"set", plan.options.sets}, {"run", outcomes[0].run}, {"passed", outcomes[0].passed}};
    js["variants"] = nlohmann::json::array();
    std::ostringstream md;
    md << "# memlab sensitivity\n\n"
       << fmt::format("Every target with the {} and with one override at a time (one `memlab reproduce` per run; "
                      "its folder holds the full report and traces). Bold: the target fails.\n\n", plan.baseline);
    md << "| run | folder | targets pass | lost | gained |\n|---|---|---|---|---|\n";
    md << fmt::format("| {} | {} | {} of {} | | |\n", md_cell(plan.baseline), folders[0], outcomes[0].passed, outcomes[0].run);
    std::vector<std::string> moved_lines;  // "What moved", one line per run
    for (std::size_t k = 1; k < outcomes.size(); ++k) {
        const auto& all = outcomes[k].all;
        std::vector<std::string> lost, gained, items;
        nlohmann::json moved = nlohmann::json::object();
        for (std::size_t t = 0; t < all.size(); ++t) {
            if (base[t].pass && !all[t].pass) lost.push_back(all[t].id);
            if (!base[t].pass && all[t].pass) gained.push_back(all[t].id);
            if (base[t].simulated == all[t].simulated) continue;
            moved[all[t].id] = {{"from", base[t].simulated}, {"to", all[t].simulated}};
            items.push_back(fmt::format("{} {} -> {}", all[t].id, md_cell(simulated_text(base[t])), simulated_cell(all[t])));
        }
        moved_lines.push_back(fmt::format("- `{}`: {}\n", variants[k - 1], items.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(items, "; "))));
        js["variants"].push_back({{"set", variants[k - 1]}, {"folder", folders[k]}, {"run", outcomes[k].run}, {"passed", outcomes[k].passed},
                                  {"failed_experiments", outcomes[k].failed}, {"lost", lost}, {"gained", gained}, {"moved", moved}});
        md << fmt::format("| `{}` | {} | {} of {} | {} | {} |\n", variants[k - 1], folders[k], outcomes[k].passed, outcomes[k].run,
                          md_cell(fmt::format("{}", fmt::join(lost, ", "))), md_cell(fmt::format("{}", fmt::join(gained, ", "))));
    }
    // What moved, run by run (every target whose simulated value changed; bold: it fails there).
    md << "\nWhat moved (baseline -> with the override; bold: fails):\n\n";
    for (const auto& line : moved_lines) md << line;
    // Side by side, where it fits on a page.
    if (variants.size() <= 6) {
        md << "\n| target | baseline |";
        for (const auto& v : variants) md << " `" << md_cell(v) << "` |";
        md << "\n|---|---|";
        for (std::size_t k = 0; k < variants.size(); ++k) md << "---|";
        md << "\n";
        for (std::size_t t = 0; t < base.size(); ++t) {
            if (std::all_of(outcomes.begin(), outcomes.end(), [&](const auto& o) { return o.all[t].simulated.is_null(); })) continue;
            md << "| " << base[t].id << " |";
            for (const auto& o : outcomes) md << " " << simulated_cell(o.all[t]) << " |";
            md << "\n";
        }
    }
    write_file(dir.path() / "sensitivity.md", md.str());
    write_file(dir.path() / "sensitivity.json", js.dump(2) + "\n");
    dir.commit();
    return result;
}

}  // namespace memlab::lab
