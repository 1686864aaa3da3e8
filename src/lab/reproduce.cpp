#include "memlab/lab/reproduce.hpp"
#include "memlab/util/names.hpp"
#include "memlab/protocol/array_file.hpp"
#include "memlab/protocol/network_file.hpp"
#include "memlab/protocol/md_file.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "markdown.hpp"
#include "memlab/error.hpp"
#include "memlab/lab/figures.hpp"
#include "memlab/lab/progress.hpp"
#include "memlab/lab/staged_folder.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/process_pool.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

using detail::kind_text;
using detail::md_cell;
using detail::paper_text;
using detail::simulated_text;

namespace {

// What a reproduce worker hands back: its step count and its targets.
nlohmann::json worker_summary(std::size_t steps, const std::vector<report::result>& targets) {
    nlohmann::json out{{"steps", steps}, {"targets", nlohmann::json::array()}};
    for (const auto& x : targets) out["targets"].push_back(x.to_json());
    return out;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::uint64_t parse_seed(const std::string& text, const std::string& where, const std::string& all) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        v = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || text[0] == '-' || text[0] == '+')
        throw input_error(fmt::format("{} '{}': '{}' is not a seed (expected e.g. 1..5 or 1,2,5)", where, all, text));
    return v;
}

// The targets that did not run, one line per reason (an --only of one experiment leaves most of
// the paper's targets out: a row each would bury the ones that ran), with the experiments that
// serve them and how many targets each, or the target ids where no experiment serves them.
std::string not_run_lines(const std::vector<report::result>& all) {
    std::vector<std::string> reasons;
    std::map<std::string, std::vector<std::pair<std::string, std::size_t>>> by_reason;  // reason -> (experiment or id, count)
    std::size_t total = 0;
    for (const auto& x : all) {
        if (!x.simulated.is_null()) continue;
        ++total;
        const std::string why = starts_with(x.note, "not run: ") ? x.note.substr(9) : x.note;
        auto& items = by_reason[why];
        if (items.empty()) reasons.push_back(why);
        const std::string what = x.experiment.empty() ? x.id : x.experiment;
        if (!items.empty() && items.back().first == what) ++items.back().second;
        else items.emplace_back(what, 1);
    }
    if (total == 0) return "";
    std::string out = fmt::format("\nNot run: {} target(s) (report.json lists each):\n\n", total);
    for (const auto& why : reasons) {
        std::vector<std::string> parts;
        std::size_t n = 0;
        for (const auto& [what, count] : by_reason[why]) {
            parts.push_back(count > 1 ? fmt::format("{} ({})", what, count) : what);
            n += count;
        }
        out += fmt::format("- {}: {} target(s): {}\n", why, n, fmt::join(parts, ", "));
    }
    return out;
}

}  // namespace

fs::path experiments_dir() {
    for (const fs::path& dir : {fs::path("experiments"), fs::path(MEMLAB_SOURCE_DIR) / "experiments"})
        if (fs::is_directory(dir)) return dir;
    throw input_error("experiments/: folder not found (run from the memlab checkout)");
}

std::string targets_markdown() {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(experiments_dir()))
        if (f.path().extension() == ".toml") files.push_back(f.path());
    const auto served = protocol::served_targets(files);
    std::string md = "| target | figure | paper | tolerance | kind | experiment |\n|---|---|---|---|---|---|\n";
    for (const auto& t : report::all_targets()) {
        report::result r;
        r.paper = t.paper;
        r.unit = t.unit;
        const auto it = served.find(t.id);
        md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", t.id, md_cell(t.source), md_cell(paper_text(r)), md_cell(t.tolerance),
                          md_cell(kind_text(t.kind, t.fit)), it == served.end() ? "-" : it->second);
    }
    return md;
}

fs::path experiment_file(const std::string& path_or_name) {
    const fs::path given(path_or_name);
    if (fs::exists(given)) return given;
    std::vector<std::string> shipped;
    fs::path dir;
    try {
        dir = experiments_dir();
    } catch (const input_error&) {
        return given;  // no shipped files here: the loader says "no such file"
    }
    for (const auto& f : fs::directory_iterator(dir))
        if (f.path().extension() == ".toml") shipped.push_back(f.path().stem().string());
    std::sort(shipped.begin(), shipped.end());
    const std::string stem = given.extension() == ".toml" ? given.stem().string() : given.filename().string();
    const bool is_shipped = std::find(shipped.begin(), shipped.end(), stem) != shipped.end();
    if (!given.has_parent_path() && is_shipped) return dir / (stem + ".toml");
    if (is_shipped)  // a path that is not there, named like a shipped file
        throw input_error(fmt::format("{}: no such file (the shipped experiment '{}' runs from any folder by its name)", path_or_name, stem));
    throw input_error(fmt::format("{}: no such file, nor a shipped experiment of that name ({})", path_or_name,
                                  util::known_names(stem, shipped)));
}

std::vector<std::uint64_t> parse_seeds(const std::string& text, const std::string& where) {
    std::vector<std::uint64_t> seeds;
    for (std::size_t start = 0; start <= text.size();) {
        const auto comma = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, comma - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        start = comma + 1;
        if (item.empty()) throw input_error(fmt::format("{} '{}': an empty seed (expected e.g. 1..5 or 1,2,5)", where, text));
        if (const auto dots = item.find(".."); dots != std::string::npos) {
            const auto lo = parse_seed(item.substr(0, dots), where, text), hi = parse_seed(item.substr(dots + 2), where, text);
            if (hi < lo) throw input_error(fmt::format("{} '{}': {} runs backwards", where, text, item));
            if (hi - lo >= 10000) throw input_error(fmt::format("{} '{}': {} is more than 10000 seeds", where, text, item));
            for (auto s = lo; s <= hi; ++s) seeds.push_back(s);
        } else {
            seeds.push_back(parse_seed(item, where, text));
        }
    }
    std::set<std::uint64_t> seen;
    for (const auto s : seeds)
        if (!seen.insert(s).second) throw input_error(fmt::format("{} '{}': seed {} is given twice", where, text, s));
    return seeds;
}

varied parse_vary(const std::string& text, const std::string& where) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 >= text.size())
        throw input_error(fmt::format("{} '{}': expected KEY=VALUE[,VALUE...], e.g. device.gamma=0.3,0.6", where, text));
    varied v{text.substr(0, eq), {}};
    const std::string rest = text.substr(eq + 1);
    for (std::size_t start = 0; start <= rest.size();) {
        const auto comma = std::min(rest.find(',', start), rest.size());
        std::string value = rest.substr(start, comma - start);
        value.erase(0, value.find_first_not_of(' '));
        value.erase(value.find_last_not_of(' ') + 1);
        if (value.empty()) throw input_error(fmt::format("{} '{}': an empty value", where, text));
        v.values.push_back(value);
        start = comma + 1;
    }
    return v;
}

reproduce_plan plan_reproduce(const reproduce_options& o, std::optional<std::uint64_t> seed, const std::string& what) {
    reproduce_plan plan{o, seed, {}, {}};
    if (plan.options.experiments.empty()) plan.options.experiments = experiments_dir();
    const auto& sets = o.sets;
    const int jobs = o.jobs;
    const bool csv = o.csv;
    auto& files = plan.files;
    for (const auto& f : fs::directory_iterator(plan.options.experiments))
        if (f.path().extension() == ".toml") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    if (!o.only.empty()) {
        // only: the experiment files' stems; an unknown name is an error, not an empty report.
        std::vector<fs::path> kept;
        for (const auto& name : o.only) {
            const auto it = std::find_if(files.begin(), files.end(), [&](const fs::path& f) { return f.stem() == name; });
            if (it == files.end()) throw input_error(fmt::format("{} --only '{}': no experiments/{}.toml", what, name, name));
            if (protocol::is_study_file(*it))
                throw input_error(fmt::format("{} --only '{}': {} is a study ([study]): run it with memlab sweep {}", what, name, it->string(), it->string()));
            kept.push_back(*it);
        }
        std::sort(kept.begin(), kept.end());
        kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
        files = kept;
    }
    // skip: leave those out (e.g. the minutes of molecular dynamics); the same check of names.
    for (const auto& name : o.skip) {
        const auto it = std::find_if(files.begin(), files.end(), [&](const fs::path& f) { return f.stem() == name; });
        if (it == files.end())
            throw input_error(fmt::format("{} --skip '{}': no experiments/{}.toml{}", what, name, name, o.only.empty() ? "" : " among --only"));
        files.erase(it);
    }
    // Studies (a [study] table: a population of devices, minutes to hours) run with memlab sweep,
    // never as part of the paper's report.
    std::erase_if(files, [](const fs::path& f) { return protocol::is_study_file(f); });
    // A seed applies to every file, circuit and MD; it would fight an experiment.seed override.
    std::vector<std::string> seed_set;
    if (seed) {
        for (const auto& kv : sets)
            if (starts_with(kv, "experiment.seed="))
                throw input_error(fmt::format("{} --set {}: the seeds come from --seeds; give one or the other", what, kv));
        seed_set.push_back(fmt::format("experiment.seed={}", *seed));
    }
    // sets apply to every file (a what-if on the whole paper, e.g. one device parameter); a key
    // that does not apply to a file is an error naming that file.
    // A device parameter (device.NAME=...) applies to the files whose model has that parameter (the
    // engine demonstrations run other models); md.* keys apply to MD files only, and the circuit
    // tables (device, circuit, stimulus, recording, solver) to circuit files only. A device
    // parameter or md.* key that applies to no selected file is an error too: a misspelt name
    // (device.tau_thh) would otherwise run the shipped calibration under the override's name.
    std::set<std::string> used, models;
    for (const auto& f : files) {
        std::vector<std::string> mine;
        if (protocol::is_md_file(f)) {
            for (const auto& kv : sets)
                if (starts_with(kv, "md.") || starts_with(kv, "experiment.")) {
                    mine.push_back(kv);
                    used.insert(kv);
                }
            mine.insert(mine.end(), seed_set.begin(), seed_set.end());
            auto e = std::make_shared<md::diffusion_experiment>(protocol::load_md(f, mine));
            const std::string span = fmt::format("{} samples x {} ions x {} MD", e->samples, e->ions.size(), units::format(e->production_time, "s"));
            plan.exps.push_back({e->name, e->file, e->figure, e->description, span, {},
                                 {{"kind", "reproduce.md"}, {"resolved", e->resolved}}, [e, jobs](const fs::path& sub, const progress_fn& progress) {
                                     const auto r = run_md_into(*e, sub, jobs, [&](const std::string& line) {
                                         if (progress) progress("  " + line);
                                     });
                                     return worker_summary(r.steps, report::evaluate(*e, r));
                                 }});
            continue;
        }
        if (protocol::is_network_file(f)) {
            // Network files: network.* and experiment.* keys; their targets are the network.* rows.
            for (const auto& kv : sets)
                if (starts_with(kv, "network.") || starts_with(kv, "experiment.")) {
                    mine.push_back(kv);
                    used.insert(kv);
                }
            mine.insert(mine.end(), seed_set.begin(), seed_set.end());
            auto e = std::make_shared<network::experiment>(protocol::load_network(f, mine));
            report::check_targets(*e);
            const std::string span = fmt::format("{} inputs x {} neurons, {}, {} simulated", e->lif.inputs, e->lif.neurons,
                                                 e->m == network::mode::lif ? std::string("LIF")
                                                                            : fmt::format("device mode, {} level", network::level_name(e->lvl)),
                                                 units::format(e->lif.duration, "s"));
            plan.exps.push_back({e->name, e->file, "", e->description, span, {},
                                 {{"kind", "reproduce.network"}, {"resolved", e->resolved}}, [e](const fs::path& sub, const progress_fn&) {
                                     const auto r = run_network_into(*e, sub);
                                     return worker_summary(static_cast<std::size_t>(r.steps), report::evaluate(*e, r));
                                 }});
            continue;
        }
        if (protocol::is_array_file(f)) {
            // Array files: array.* and the tables they share with circuit files; their targets are
            // the array.* rows (report::evaluate of an array run).
            const auto plain = protocol::load_array(f);
            const std::string model(plain.array.devices.front()->name());
            models.insert(model);
            for (const auto& kv : sets) {
                const std::string key = kv.substr(0, kv.find('='));
                if (starts_with(key, "md.") || starts_with(key, "circuit.") || starts_with(key, "stimulus.")) continue;
                if (starts_with(key, "device.") && key.find('.', 7) == std::string::npos && key != "device.model") {
                    const auto& table = plain.array.devices.front()->parameter_table();
                    const std::string name = key.substr(7);
                    if (std::none_of(table.begin(), table.end(), [&](const auto& p) { return p.name == name; })) continue;
                }
                mine.push_back(kv);
                used.insert(kv);
            }
            mine.insert(mine.end(), seed_set.begin(), seed_set.end());
            auto e = std::make_shared<array::experiment>(protocol::load_array(f, mine));
            report::check_targets(*e);
            const std::string span = fmt::format("{} x {} {} array, {} operations", e->array.rows, e->array.cols, array::cell_name(e->array.cell),
                                                 e->operations.size());
            plan.exps.push_back({e->name, e->file, e->figure, e->description, span, {},
                                 {{"kind", "reproduce.array"}, {"resolved", e->resolved}, {"csv", csv}}, [e, csv](const fs::path& sub, const progress_fn&) {
                                     const auto r = run_array_into(*e, sub, csv);
                                     return worker_summary(static_cast<std::size_t>(r.stats.steps), report::evaluate(*e, r));
                                 }});
            continue;
        }
        const auto plain = protocol::load(f);
        models.insert(std::string(plain.device->name()));
        for (const auto& kv : sets) {
            const std::string key = kv.substr(0, kv.find('='));
            if (starts_with(key, "md.") || starts_with(key, "array.") || starts_with(key, "operation")) continue;
            if (starts_with(key, "device.") && key.find('.', 7) == std::string::npos && key != "device.model") {
                const auto& table = plain.device->parameter_table();
                const std::string name = key.substr(7);
                if (std::none_of(table.begin(), table.end(), [&](const auto& p) { return p.name == name; })) continue;
            }
            mine.push_back(kv);
            used.insert(kv);
        }
        mine.insert(mine.end(), seed_set.begin(), seed_set.end());
        auto e = std::make_shared<protocol::experiment>(protocol::load(f, mine));
        report::check_targets(*e);  // a target the file names but report does not know: an error now
        plan.exps.push_back({e->name, e->file, e->figure, e->description, e->simulated_text(), e->notes,
                             {{"kind", "reproduce"}, {"resolved", e->resolved}, {"csv", csv}}, [e, csv](const fs::path& sub, const progress_fn&) {
                                 std::vector<io::memory_trace> mem;
                                 const auto r = run_into(*e, sub, csv, &mem);
                                 return worker_summary(r.stats.steps, report::evaluate(*e, mem));
                             }});
    }
    for (const auto& kv : sets)
        if (!used.count(kv)) {
            const std::string key = kv.substr(0, kv.find('='));
            if (!starts_with(key, "device.") || models.empty())
                throw input_error(fmt::format("{} --set {}: applies to none of the selected experiments", what, key));
            throw input_error(fmt::format("{} --set {}: no selected experiment's device model has a parameter '{}' (models: {}; "
                                          "memlab describe MODEL lists them)",
                                          what, key, key.substr(7), fmt::join(models, ", ")));
        }
    return plan;
}

std::vector<reproduce_plan> plan_reproduce(const reproduce_options& o) {
    std::vector<reproduce_plan> plans;
    if (o.seeds.empty()) plans.push_back(plan_reproduce(o, std::nullopt, "reproduce"));
    for (const auto s : o.seeds) plans.push_back(plan_reproduce(o, s, "reproduce"));
    return plans;
}

reproduce_outcome execute_reproduce(const reproduce_plan& plan, const fs::path& folder, const progress_fn& progress, const std::string& prefix) {
    auto say = [&](const std::string& line) {
        if (progress) progress(prefix + line);
    };
    const auto& exps = plan.exps;
    nlohmann::json report;
    report["memlab_version"] = std::string(version());
    // A report made with overrides, a subset or a chosen seed says so: it is not the shipped run.
    report["overrides"] = plan.options.sets;
    report["only"] = plan.options.only;
    report["skip"] = plan.options.skip;
    if (plan.seed) report["seed"] = *plan.seed;
    // Each experiment runs in a child process (up to `jobs` at a time): its own memory, and the
    // HDF5 library (not thread-safe) is never shared. A child writes result.json into its folder;
    // the report is assembled in experiment order, so it does not depend on `jobs`. With the
    // cache, an experiment whose inputs are stored is copied from there and not run again; one
    // that runs is written into the cache first (a kill leaves no half entry) and copied out.
    std::optional<result_cache> cache;
    if (plan.options.cache.enabled) cache.emplace(plan.options.cache);
    std::vector<std::string> keys(exps.size());
    std::size_t done = 0;
    // The figures are drawn as the runs finish (the drawer's workers take the cores the runs leave
    // idle); report.html comes last.
    std::optional<figure_stream> figures;
    if (plan.options.figures) figures.emplace(folder, plan.options.python, plan.options.jobs);
    auto draw = [&](const std::string& name) {
        if (figures) figures->add(name);
    };
    std::vector<util::process_job> children;
    std::vector<std::size_t> child_of;  // the experiment of each child
    for (std::size_t k = 0; k < exps.size(); ++k) {
        const auto& e = exps[k];
        const fs::path sub = folder / e.name;
        if (cache) {
            keys[k] = result_cache::key(e.inputs);
            if (const auto entry = cache->find(keys[k])) {
                result_cache::copy_out(*entry, sub);
                const auto res = nlohmann::json::parse(std::ifstream(sub / "result.json"));
                std::size_t passed = 0;
                for (const auto& t : res["targets"]) passed += t["pass"].get<bool>();
                say(fmt::format("[{}/{}] {} ({}): from the cache, not run again (entry {} in {}), {} of {} targets pass", ++done, exps.size(),
                                e.name, e.span, keys[k].substr(0, 12), cache->dir().string(), passed, res["targets"].size()));
                draw(e.name);
                continue;
            }
        }
        child_of.push_back(k);
        children.push_back({[&e, sub, &progress, &cache, key = keys[k]] {
            fs::path staged;
            try {
                fs::create_directories(sub);
                if (!cache) {
                    write_file(sub / "result.json", e.run(sub, progress).dump() + "\n");
                    return 0;
                }
                staged = cache->begin(key);
                write_file(staged / "result.json", e.run(staged, progress).dump() + "\n");
                result_cache::copy_out(cache->store(key, staged, e.inputs), sub);
            } catch (const std::exception& ex) {
                std::ofstream(sub / "error.txt") << ex.what() << "\n";
                if (!staged.empty()) fs::remove_all(staged);
                return 2;
            }
            return 0;
        }, std::nullopt});
    }
    std::map<std::size_t, std::string> failed;
    util::run_processes(children, plan.options.jobs, [&](std::size_t c, const util::process_exit& x) {
        const std::size_t k = child_of[c];
        ++done;
        const fs::path sub = folder / exps[k].name;
        if (!x.ok()) {
            // One experiment that cannot be simulated must not lose the others: its targets are
            // reported as not run with the error.
            std::ifstream err(sub / "error.txt");
            std::string line;
            std::getline(err, line);
            failed[k] = !line.empty() ? line
                        : x.signal   ? fmt::format("{}: worker killed by signal {}", exps[k].file, x.signal)
                                     : fmt::format("{}: worker failed (exit status {})", exps[k].file, x.status);
            say(fmt::format("[{}/{}] {}: FAILED: {}", done, exps.size(), exps[k].name, failed[k]));
            return;
        }
        const auto res = nlohmann::json::parse(std::ifstream(sub / "result.json"));
        std::size_t passed = 0;
        for (const auto& t : res["targets"]) passed += t["pass"].get<bool>();
        say(fmt::format("[{}/{}] {} ({}): {} steps, {} of {} targets pass", done, exps.size(), exps[k].name, exps[k].span,
                        res["steps"].get<long>(), passed, res["targets"].size()));
        draw(exps[k].name);
    });
    if (cache) cache->trim();
    std::map<std::string, std::string> not_run;  // experiment name -> why
    std::vector<fs::path> all_files;
    for (const auto& f : fs::directory_iterator(plan.options.experiments))
        if (f.path().extension() == ".toml") {
            all_files.push_back(f.path());
            if (std::find(plan.files.begin(), plan.files.end(), f.path()) == plan.files.end())
                not_run[f.path().stem().string()] = protocol::is_study_file(f.path()) ? fmt::format("a study: memlab sweep {}", f.path().string())
                                                                                     : "not selected (reproduce --only / --skip)";
        }
    std::vector<report::result> evaluated;
    for (std::size_t k = 0; k < exps.size(); ++k) {
        const auto& e = exps[k];
        const fs::path sub = folder / e.name;
        if (failed.count(k)) {
            report["experiments"].push_back({{"name", e.name}, {"file", e.file}, {"figure", e.figure}, {"error", failed[k]}});
            not_run[e.name] = "simulation failed: " + failed[k];
            fs::remove_all(sub);
            continue;
        }
        const auto res = nlohmann::json::parse(std::ifstream(sub / "result.json"));
        fs::remove(sub / "result.json");
        report["experiments"].push_back({{"name", e.name}, {"file", e.file}, {"figure", e.figure}, {"steps", res["steps"]}});
        for (const auto& t : res["targets"]) evaluated.push_back(report::result::from_json(t));
    }
    reproduce_outcome o;
    o.failed = failed.size();
    o.all = report::complete(evaluated, "no experiment file serves it", not_run, protocol::served_targets(all_files));
    for (const auto& x : o.all) {
        report["targets"].push_back(x.to_json());
        o.passed += x.pass;
        o.run += !x.simulated.is_null();
    }
    const auto& all = o.all;
    report["summary"] = {{"targets", all.size()}, {"run", o.run}, {"passed", o.passed}};
    // No wall time in report.json: the same seed must give the same file, byte for byte.
    write_file(folder / "report.json", report.dump(2) + "\n");
    std::ostringstream md;
    md << "# memlab reproduce\n\n"
       << fmt::format("{} targets, {} run, {} pass. Simulated values come from the analysis of simulated traces; "
                      "a target that is not run or fails is shown as such.\n\n",
                      all.size(), o.run, o.passed);
    if (!plan.options.sets.empty())
        md << fmt::format("Run with overrides (not the shipped calibration): `{}`.\n\n", fmt::join(plan.options.sets, "`, `"));
    if (plan.seed) md << fmt::format("Run at seed {} (`experiment.seed = {}` in every experiment file).\n\n", *plan.seed, *plan.seed);
    md << "Kind: `fit`, a parameter was calibrated on the target (those parameters follow); `check`, nothing was tuned on it.\n\n";
    md << "| target | kind | paper | simulated | tolerance | pass | note |\n|---|---|---|---|---|---|---|\n";
    for (const auto& x : all)
        if (!x.simulated.is_null())
            md << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", x.id, md_cell(kind_text(x.kind, x.fit)), md_cell(paper_text(x)),
                              md_cell(simulated_text(x)), md_cell(x.tolerance), x.pass ? "yes" : "**no**",
                              md_cell(x.missing.empty() ? x.note : x.note + "; **missing in the model:** " + x.missing));
    md << not_run_lines(all);
    md << "\nExperiments run:\n\n";
    for (const auto& e : exps) md << "- `" << e.name << "` (" << e.file << ", " << e.figure << "): " << e.description << "\n";
    write_file(folder / "report.md", md.str());
    say(fmt::format("targets: {} of {} run, {} pass", o.run, all.size(), o.passed));
    if (!figures) return o;
    const std::size_t to_draw = figures->added();
    // Figures and report.html are drawn by the Python layer (matplotlib, h5py). Without it the
    // data and report.md/json are complete; say so.
    if (to_draw > 0) say(fmt::format("figures: the last of {} ({} at a time) ...", to_draw, std::min<long>(plan.options.jobs, static_cast<long>(to_draw))));
    // One line per figure as it is done (those drawn while the runs went on come at once), with
    // the time and the ETA from here, when only the figures are left.
    const auto t_figures = std::chrono::steady_clock::now();
    std::size_t figures_done = 0;
    o.figures_drawn = figures->finish([&](const std::string& name) {
        figures_done = std::min(figures_done + 1, to_draw);
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_figures).count();
        say(fmt::format("figures: [{}] {}/{}, {} elapsed, ETA {}: {}", progress_bar(figures_done, to_draw), figures_done, to_draw, duration_text(elapsed),
                        duration_text(seconds_left(figures_done, to_draw, elapsed)), name));
    });
    say(o.figures_drawn ? "figures: one figure.png per experiment, report.html"
                        : "figures: not drawn (needs /usr/bin/python3 with matplotlib and h5py; see figures.log); "
                          "data, report.json and report.md are complete");
    return o;
}

namespace {

// seeds.json and seeds.md: every target over the seeds.
void write_seeds(const std::vector<reproduce_plan>& plans, const std::vector<reproduce_outcome>& outcomes,
                 const std::vector<std::string>& folders, const fs::path& out) {
    const auto& o = plans.front().options;
    std::vector<std::uint64_t> seeds;
    for (const auto& p : plans) seeds.push_back(p.seed.value_or(0));
    nlohmann::json js;
    js["memlab_version"] = std::string(version());
    js["seeds"] = seeds;
    js["overrides"] = o.sets;
    js["only"] = o.only;
    js["skip"] = o.skip;
    js["report"] = folders.front() + "/report.json";
    js["runs"] = nlohmann::json::array();
    for (std::size_t s = 0; s < plans.size(); ++s)
        js["runs"].push_back({{"seed", seeds[s]}, {"folder", folders[s]}, {"targets", outcomes[s].all.size()}, {"run", outcomes[s].run},
                              {"passed", outcomes[s].passed}, {"failed_experiments", outcomes[s].failed}});
    js["targets"] = nlohmann::json::array();
    std::ostringstream md;
    md << "# memlab reproduce over seeds\n\n"
       << fmt::format("Every target at seeds {}: one reproduce per seed with `experiment.seed = N` in every experiment file; "
                      "seedN/ holds that seed's full report, traces and figures, and report.json beside this file is seed {}'s. "
                      "Passes: the seeds at which the target passes, of those at which it ran. Bold: fails at that seed. "
                      "Varies with seed: whether the value (a number, or the text the target reports) differs between seeds.\n\n",
                      fmt::join(seeds, ", "), seeds.front());
    if (!o.sets.empty()) md << fmt::format("Run with overrides (not the shipped calibration): `{}`.\n\n", fmt::join(o.sets, "`, `"));
    md << "| target | kind | paper | tolerance | passes |";
    for (const auto s : seeds) md << " seed " << s << " |";
    md << " varies with seed |\n|---|---|---|---|---|";
    for (std::size_t s = 0; s < seeds.size(); ++s) md << "---|";
    md << "---|\n";
    std::size_t never_run = 0;
    const auto& first = outcomes.front().all;
    for (std::size_t t = 0; t < first.size(); ++t) {
        const auto& x = first[t];
        nlohmann::json simulated = nlohmann::json::array(), pass = nlohmann::json::array();
        std::size_t ran = 0, passed = 0;
        for (const auto& oc : outcomes) {
            const auto& y = oc.all[t];
            simulated.push_back(y.simulated);
            pass.push_back(y.simulated.is_null() ? nlohmann::json() : nlohmann::json(y.pass));
            ran += !y.simulated.is_null();
            passed += !y.simulated.is_null() && y.pass;
        }
        // Whether the value differs between the seeds at which it ran: numbers as numbers, text as
        // text (null: it ran at fewer than two seeds).
        nlohmann::json varies;
        if (ran >= 2) {
            std::set<std::string> values;
            for (const auto& oc : outcomes)
                if (!oc.all[t].simulated.is_null())
                    values.insert(oc.all[t].simulated.is_number() ? fmt::format("{}", oc.all[t].simulated.get<double>()) : oc.all[t].simulated.dump());
            varies = values.size() > 1;
        }
        js["targets"].push_back({{"id", x.id}, {"experiment", x.experiment}, {"kind", x.kind}, {"fit", x.fit}, {"paper", x.paper}, {"unit", x.unit},
                                 {"tolerance", x.tolerance}, {"run", ran}, {"passed", passed}, {"simulated", simulated}, {"pass", pass},
                                 {"varies", varies}});
        if (ran == 0) {
            ++never_run;
            continue;
        }
        md << fmt::format("| {} | {} | {} | {} | {} of {} |", x.id, md_cell(kind_text(x.kind, x.fit)), md_cell(paper_text(x)),
                          md_cell(x.tolerance), passed, ran);
        for (const auto& oc : outcomes) md << " " << detail::simulated_cell(oc.all[t]) << " |";
        md << " " << (varies.is_null() ? "-" : varies.get<bool>() ? "yes" : "no") << " |\n";
    }
    if (never_run) md << fmt::format("\n{} target(s) ran at no seed (not selected, or no experiment file); seeds.json lists them.\n", never_run);
    write_file(out / "seeds.md", md.str());
    write_file(out / "seeds.json", js.dump(2) + "\n");
}

}  // namespace

std::vector<reproduce_outcome> reproduce(const std::vector<reproduce_plan>& plans, const fs::path& out, const progress_fn& progress) {
    if (plans.empty() || (plans.size() > 1 && std::any_of(plans.begin(), plans.end(), [](const auto& p) { return !p.seed; })))
        throw internal_error("reproduce: one plan, or one plan per seed");
    staged_folder dir(out);
    std::vector<reproduce_outcome> outcomes;
    if (plans.size() == 1 && !plans.front().seed) {
        outcomes.push_back(execute_reproduce(plans.front(), dir.path(), progress));
        dir.commit();
        return outcomes;
    }
    std::vector<std::string> folders;
    for (std::size_t s = 0; s < plans.size(); ++s) {
        folders.push_back(fmt::format("seed{}", *plans[s].seed));
        fs::create_directories(dir.path() / folders.back());
        if (progress) progress(fmt::format("seed {} ({} of {}): folder {}", *plans[s].seed, s + 1, plans.size(), folders.back()));
        outcomes.push_back(execute_reproduce(plans[s], dir.path() / folders.back(), progress, "  "));
    }
    write_seeds(plans, outcomes, folders, dir.path());
    fs::copy_file(dir.path() / folders.front() / "report.json", dir.path() / "report.json");
    if (plans.front().options.figures) {  // seeds.html, drawn by the Python layer as report.html is
        const bool drawn = draw_seeds_page(dir.path(), plans.front().options.python);
        if (progress)
            progress(drawn ? "seeds.html: every target over the seeds, linked to each seed's report.html"
                           : "seeds.html: not drawn (see figures.log); seeds.md and seeds.json are complete");
    }
    dir.commit();
    return outcomes;
}

}  // namespace memlab::lab
