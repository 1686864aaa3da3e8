#include "memlab/lab/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "memlab/analysis/analysis.hpp"
#include "memlab/error.hpp"
#include "memlab/io/table.hpp"
#include "memlab/lab/figures.hpp"
#include "memlab/lab/progress.hpp"
#include "memlab/lab/staged_folder.hpp"
#include "memlab/protocol/md_file.hpp"
#include "memlab/report/targets.hpp"
#include "memlab/util/work_queue.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;

namespace memlab::lab {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string key_of(const std::string& kv) { return kv.substr(0, kv.find('=')); }

// One task's row, read from its folder.
struct row {
    std::string error;
    std::map<std::string, std::pair<double, std::string>> metrics;  // name -> (value, unit)
    std::vector<report::result> targets;
};

row read_row(const fs::path& folder) {
    row r;
    const auto m = nlohmann::json::parse(std::ifstream(folder / "metrics.json"));
    for (const auto& [name, v] : m.items())
        if (name != "seed" && v.is_object() && v.contains("value") && v["value"].is_number())
            r.metrics[name] = {v["value"].get<double>(), v.value("unit", "1")};
    if (fs::exists(folder / "targets.json"))
        for (const auto& t : nlohmann::json::parse(std::ifstream(folder / "targets.json"))) r.targets.push_back(report::result::from_json(t));
    return r;
}

// The distributions of every numeric column (but task, seed and device), per set of values.
nlohmann::json distributions(const sweep_plan& plan, const io::table& t, const std::vector<std::string>& figure) {
    std::vector<std::vector<std::size_t>> rows_of(plan.tasks.empty() ? 0 : plan.tasks.back().set + 1);
    for (std::size_t k = 0; k < plan.tasks.size(); ++k) rows_of[plan.tasks[k].set].push_back(k);
    nlohmann::json js;
    js["memlab_version"] = std::string(version());
    js["quantiles"] = {0.05, 0.25, 0.5, 0.75, 0.95};
    js["groups"] = nlohmann::json::array();
    for (const auto& rows : rows_of) {
        const auto& task = plan.tasks[rows.front()];
        nlohmann::json values = nlohmann::json::object();
        std::vector<std::string> parts;
        for (std::size_t v = 0; v < plan.keys.size(); ++v) {
            values[plan.keys[v]] = task.values[v];
            parts.push_back(plan.keys[v] + "=" + task.values[v]);
        }
        js["groups"].push_back({{"label", parts.empty() ? std::string("all tasks") : fmt::format("{}", fmt::join(parts, ", "))},
                                {"values", values}, {"rows", rows.size()}});
    }
    js["metrics"] = nlohmann::json::array();
    for (const auto& col : t.columns) {
        if (col.text || col.name == "task" || col.name == "seed" || col.name == "device") continue;
        // One set of bins for every group (their outlines share an axis): about sqrt(n) per group.
        const auto n_all = analysis::statistics(col.numbers).n;
        const double per_group = static_cast<double>(n_all) / static_cast<double>(rows_of.size());
        const auto edges = analysis::histogram(col.numbers, static_cast<std::size_t>(std::clamp(std::ceil(std::sqrt(per_group)), 1.0, 30.0))).edges;
        nlohmann::json groups = nlohmann::json::array();
        for (const auto& rows : rows_of) {
            std::vector<double> x;
            for (const auto r : rows) x.push_back(col.numbers[r]);
            const auto s = analysis::statistics(x);
            const auto h = analysis::histogram(x, edges);
            nlohmann::json q = nlohmann::json::array();
            for (const double p : {0.05, 0.25, 0.5, 0.75, 0.95}) q.push_back(analysis::quantile(x, p));
            groups.push_back({{"n", s.n}, {"missing", s.missing}, {"mean", s.mean}, {"std", s.std}, {"min", analysis::quantile(x, 0)},
                              {"max", analysis::quantile(x, 1)}, {"quantiles", q}, {"histogram", {{"edges", h.edges}, {"counts", h.counts}}}});
        }
        js["metrics"].push_back({{"name", col.name}, {"unit", col.unit}, {"groups", groups}});
    }
    js["figure"] = figure;
    return js;
}

void write_distributions_md(const nlohmann::json& js, const fs::path& path) {
    std::string md;
    md += "# memlab sweep: distributions\n\n"
          "Every metric over the tasks of each set of varied values (seeds and devices pooled): mean, population standard "
          "deviation, quantiles (linear between order statistics) and range. n: tasks with a finite value. "
          "distributions.json holds the histograms; table.csv and table.h5 every value.\n";
    const auto fmtv = [](const nlohmann::json& v) { return v.is_number() ? fmt::format("{:.4g}", v.get<double>()) : std::string("-"); };
    for (const auto& m : js["metrics"]) {
        md += fmt::format("\n## {} [{}]\n\n| tasks | n | mean | std | min | 5 % | 25 % | median | 75 % | 95 % | max |\n"
                          "|---|---|---|---|---|---|---|---|---|---|---|\n",
                          m["name"].get<std::string>(), m["unit"].get<std::string>());
        for (std::size_t g = 0; g < m["groups"].size(); ++g) {
            const auto& x = m["groups"][g];
            md += fmt::format("| {} | {} | {} | {} | {} |", js["groups"][g]["label"].get<std::string>(), x["n"].get<std::size_t>(),
                              fmtv(x["mean"]), fmtv(x["std"]), fmtv(x["min"]));
            for (const auto& q : x["quantiles"]) md += " " + fmtv(q) + " |";
            md += " " + fmtv(x["max"]) + " |\n";
        }
    }
    write_file(path, md);
}

}  // namespace

std::string sweep_task::label(const std::vector<std::string>& keys) const {
    std::vector<std::string> parts;
    for (std::size_t v = 0; v < keys.size(); ++v) parts.push_back(keys[v] + "=" + values[v]);
    parts.push_back(fmt::format("seed {}", seed));
    if (experiment && experiment->devices > 1) parts.push_back(fmt::format("device {}", device + 1));
    return fmt::format("{}", fmt::join(parts, ", "));
}

sweep_plan plan_sweep(const sweep_options& o) {
    sweep_plan plan;
    plan.options = o;
    const std::string file = o.file.string();
    if (protocol::is_md_file(o.file))
        throw input_error(fmt::format("{}: sweep runs circuit experiment files; an MD file runs with memlab run (its samples in parallel)", file));
    for (const auto& kv : o.vary) {
        auto v = parse_vary(kv, "sweep --vary");
        if (std::find(plan.keys.begin(), plan.keys.end(), v.key) != plan.keys.end())
            throw input_error(fmt::format("sweep --vary {}: the key is varied twice (give its values in one --vary)", v.key));
        std::set<std::string> seen;
        for (const auto& value : v.values)
            if (!seen.insert(value).second) throw input_error(fmt::format("sweep --vary {}: value '{}' is given twice", kv, value));
        plan.keys.push_back(v.key);
        plan.values.push_back(v.values);
    }
    std::vector<std::string> fixed = o.sets;  // keys the options set themselves
    for (const auto& kv : o.sets)
        if (std::find(plan.keys.begin(), plan.keys.end(), key_of(kv)) != plan.keys.end())
            throw input_error(fmt::format("sweep --set {}: the key is also varied (--vary {})", kv, key_of(kv)));
    auto forbid = [&](const std::string& key, const std::string& option) {
        for (const auto& kv : o.sets)
            if (key_of(kv) == key) throw input_error(fmt::format("sweep --set {}: {} sets it; give one or the other", kv, option));
        if (std::find(plan.keys.begin(), plan.keys.end(), key) != plan.keys.end())
            throw input_error(fmt::format("sweep --vary {}: {} sets it; give one or the other", key, option));
    };
    if (!o.seeds.empty()) forbid("experiment.seed", "--seeds");
    if (o.devices) {
        forbid("experiment.devices", "--devices");
        if (*o.devices < 1) throw input_error("sweep --devices: at least 1");
        fixed.push_back(fmt::format("experiment.devices={}", *o.devices));
    }
    // The product of the values, the first key slowest.
    std::size_t sets = 1;
    for (const auto& v : plan.values) sets *= v.size();
    std::map<std::string, std::string> by_key;  // task key -> its label (two tasks alike are an error)
    for (std::size_t c = 0; c < sets; ++c) {
        std::vector<std::string> values(plan.keys.size()), overrides = fixed;
        for (std::size_t v = plan.keys.size(), rest = c; v-- > 0;) {
            values[v] = plan.values[v][rest % plan.values[v].size()];
            rest /= plan.values[v].size();
        }
        for (std::size_t v = 0; v < plan.keys.size(); ++v) overrides.push_back(plan.keys[v] + "=" + values[v]);
        std::vector<std::optional<std::uint64_t>> seeds(o.seeds.begin(), o.seeds.end());
        if (seeds.empty()) seeds.push_back(std::nullopt);
        for (const auto& seed : seeds) {
            auto with = overrides;
            if (seed) with.push_back(fmt::format("experiment.seed={}", *seed));
            auto e = std::make_shared<const protocol::experiment>(protocol::load(o.file, with));
            report::check_targets(*e);
            if (c == 0) {
                plan.name = e->name;
                if (seed || plan.seeds.empty()) plan.seeds.push_back(e->seed);
                plan.devices = e->devices;
            }
            for (std::size_t d = 0; d < e->devices; ++d) {
                sweep_task t{values, e->seed, d, c, {}, {}, e};
                t.inputs = {{"kind", "sweep"}, {"resolved", e->resolved}, {"seed", e->seed}, {"device", d}};
                t.key = result_cache::key(t.inputs);
                const auto [it, fresh] = by_key.emplace(t.key, t.label(plan.keys));
                if (!fresh)
                    throw input_error(fmt::format("{}: sweep: tasks '{}' and '{}' are the same experiment (the values resolve alike)", file,
                                                  it->second, t.label(plan.keys)));
                plan.tasks.push_back(std::move(t));
            }
        }
    }
    return plan;
}

sweep_outcome sweep(const sweep_plan& plan, const fs::path& out, const progress_fn& progress) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    const auto& o = plan.options;
    const int jobs = o.jobs > 0 ? o.jobs : util::mpi_ranks() > 1 ? 1 : 2;
    fs::path staging = out;
    staging += ".partial";
    cache_options copts = o.cache;
    if (!copts.enabled) copts = {.enabled = true, .dir = staging / ".cache", .max_bytes = UINTMAX_MAX};
    const fs::path errors = staging / ".errors";
    // A task: run into a staged cache entry, stored in one rename; a failure leaves its message.
    auto body = [&](std::size_t k) -> int {
        const auto& t = plan.tasks[k];
        fs::path staged;
        try {
            result_cache cache(copts);
            staged = cache.begin(t.key);
            const bool evaluate = !t.experiment->targets.empty();
            std::vector<io::memory_trace> mem(evaluate ? 1 : 0);
            run_device_into(*t.experiment, t.device, staged, evaluate ? &mem[0] : nullptr);
            if (evaluate) {
                nlohmann::json targets = nlohmann::json::array();
                for (const auto& x : report::evaluate(*t.experiment, mem)) targets.push_back(x.to_json());
                write_file(staged / "targets.json", targets.dump(2) + "\n");
            }
            cache.store(t.key, staged, t.inputs);
        } catch (const std::exception& ex) {
            std::error_code ec;
            fs::create_directories(errors, ec);
            std::ofstream(errors / fmt::format("{}.txt", k)) << ex.what() << "\n";
            if (!staged.empty()) fs::remove_all(staged, ec);
            return 2;
        }
        return 0;
    };
    if (util::mpi_rank() != 0) {
        util::run_queue({}, body, jobs, {});
        return {};
    }
    staged_folder dir(out);
    result_cache cache(copts);
    sweep_outcome outcome;
    std::vector<std::size_t> pending;
    for (std::size_t k = 0; k < plan.tasks.size(); ++k)
        if (!cache.find(plan.tasks[k].key)) pending.push_back(k);
    outcome.cached = plan.tasks.size() - pending.size();
    const int ranks = util::mpi_ranks();
    say(fmt::format("{} tasks: {} from the cache ({}), {} to run, {} at a time{}", plan.tasks.size(), outcome.cached,
                    o.cache.enabled ? cache.dir().string() : "none: --no-cache", pending.size(), jobs * ranks,
                    ranks > 1 ? fmt::format(" ({} MPI ranks x {})", ranks, jobs) : ""));
    std::map<std::size_t, std::string> failed;
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t done = 0;
    util::run_queue(pending, body, jobs, [&](std::size_t k, const util::process_exit& x) {
        ++done;
        if (!x.ok()) {
            std::ifstream err(errors / fmt::format("{}.txt", k));
            std::string line;
            std::getline(err, line);
            failed[k] = !line.empty() ? line : x.signal ? fmt::format("task killed by signal {}", x.signal)
                                                        : fmt::format("task failed (exit status {})", x.status);
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double left = seconds_left(done, pending.size(), elapsed);
        say(fmt::format("[{}] {}/{} ({:.0f} %), {} elapsed, ETA {}: task {} ({}){}{}", progress_bar(done, pending.size()), done, pending.size(),
                        100.0 * static_cast<double>(done) / static_cast<double>(pending.size()), duration_text(elapsed), duration_text(left),
                        k + 1, plan.tasks[k].label(plan.keys), ranks > 1 ? fmt::format(" on rank {}", x.rank) : "",
                        x.ok() ? "" : ": FAILED: " + failed[k]));
    });
    outcome.failed = failed.size();
    outcome.computed = pending.size() - failed.size();
    // The rows, in task order, from the stored entries.
    std::vector<row> rows(plan.tasks.size());
    for (std::size_t k = 0; k < plan.tasks.size(); ++k) {
        const auto& t = plan.tasks[k];
        const auto entry = cache.find(t.key);
        if (!entry) {
            rows[k].error = failed.count(k) ? failed[k] : "no result stored (the cache was cleared meanwhile?)";
            continue;
        }
        result_cache::copy_out(*entry, dir.path() / t.folder());
        rows[k] = read_row(dir.path() / t.folder());
    }
    std::error_code ec;
    fs::remove_all(errors, ec);
    // The table: task, folder, the varied values, seed, device, error, the metrics, the targets.
    io::table table;
    auto number = [&](const std::string& name, const std::string& unit) -> io::table_column& {
        table.columns.push_back({name, unit.empty() ? "1" : unit, false, std::vector<double>(plan.tasks.size(), std::nan("")), {}});
        return table.columns.back();
    };
    auto text = [&](const std::string& name) -> io::table_column& {
        table.columns.push_back({name, "", true, {}, std::vector<std::string>(plan.tasks.size())});
        return table.columns.back();
    };
    {
        auto& c = number("task", "1");
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) c.numbers[k] = static_cast<double>(k + 1);
    }
    {
        auto& c = text("folder");
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) c.texts[k] = plan.tasks[k].folder();
    }
    for (std::size_t v = 0; v < plan.keys.size(); ++v) {
        auto& c = text(plan.keys[v]);
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) c.texts[k] = plan.tasks[k].values[v];
    }
    {
        auto& s = number("seed", "1");
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) s.numbers[k] = static_cast<double>(plan.tasks[k].seed);
        auto& d = number("device", "1");
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) d.numbers[k] = static_cast<double>(plan.tasks[k].device + 1);
        auto& e = text("error");
        for (std::size_t k = 0; k < plan.tasks.size(); ++k) e.texts[k] = rows[k].error;
    }
    std::map<std::string, std::string> metric_units;  // sorted by name
    for (const auto& r : rows)
        for (const auto& [name, vu] : r.metrics) metric_units.emplace(name, vu.second);
    for (const auto& [name, unit] : metric_units) {
        auto& c = number(name, unit);
        for (std::size_t k = 0; k < rows.size(); ++k)
            if (const auto it = rows[k].metrics.find(name); it != rows[k].metrics.end()) c.numbers[k] = it->second.first;
    }
    std::vector<std::pair<std::string, std::string>> targets;  // (id, unit), in the order evaluated
    std::set<std::string> numeric;
    for (const auto& r : rows)
        for (const auto& x : r.targets) {
            if (std::none_of(targets.begin(), targets.end(), [&](const auto& p) { return p.first == x.id; })) targets.emplace_back(x.id, x.unit);
            if (x.simulated.is_number()) numeric.insert(x.id);
        }
    for (const auto& [id, unit] : targets) {
        auto* value = numeric.count(id) ? &number("target." + id, unit) : nullptr;
        auto& pass = number("target." + id + ".pass", "1");
        for (std::size_t k = 0; k < rows.size(); ++k)
            for (const auto& x : rows[k].targets) {
                if (x.id != id || x.simulated.is_null()) continue;
                if (value && x.simulated.is_number()) value->numbers[k] = x.simulated.get<double>();
                pass.numbers[k] = x.pass ? 1.0 : 0.0;
            }
    }
    io::write_csv(table, dir.path() / "table.csv");
    io::write_hdf5(table, dir.path() / "table.h5", "sweep");
    // Distributions, and the columns the figure draws: those asked for, else up to six that vary
    // (targets first).
    std::vector<std::string> figure;
    // A study's own columns ([study] metrics) when none are asked for.
    const auto& asked = !o.metrics.empty() || plan.tasks.empty() ? o.metrics : plan.tasks.front().experiment->study_metrics;
    for (const auto& name : asked) {
        if (std::none_of(table.columns.begin(), table.columns.end(), [&](const auto& c) { return c.name == name && !c.text; })) {
            say(fmt::format("note: {} {}: the table has no such numeric column (memlab sweep: see table.csv's header); not drawn",
                            o.metrics.empty() ? "study.metrics" : "--metric", name));
            continue;
        }
        figure.push_back(name);
    }
    if (asked.empty()) {
        std::vector<const io::table_column*> candidates;
        for (const auto& c : table.columns)
            if (!c.text && starts_with(c.name, "target.") && !c.name.ends_with(".pass")) candidates.push_back(&c);
        for (const auto& c : table.columns)
            if (!c.text && metric_units.count(c.name)) candidates.push_back(&c);
        for (const auto* c : candidates) {
            const auto [lo, hi] = std::minmax_element(c->numbers.begin(), c->numbers.end());
            // Varies: by more than rounding (1e-9 of its size).
            if (figure.size() < 6 && std::isfinite(*lo) && std::isfinite(*hi) && *hi - *lo > 1e-9 * std::max(std::fabs(*lo), std::fabs(*hi)))
                figure.push_back(c->name);
        }
    }
    const auto dist = distributions(plan, table, figure);
    write_file(dir.path() / "distributions.json", dist.dump(2) + "\n");
    write_distributions_md(dist, dir.path() / "distributions.md");
    // The plan, so that the table can be read without the command line.
    nlohmann::json js;
    js["memlab_version"] = std::string(version());
    js["file"] = o.file.string();
    js["experiment"] = plan.name;
    js["set"] = o.sets;
    js["vary"] = nlohmann::json::array();
    for (std::size_t v = 0; v < plan.keys.size(); ++v) js["vary"].push_back({{"key", plan.keys[v]}, {"values", plan.values[v]}});
    js["seeds"] = plan.seeds;
    js["devices"] = plan.devices;
    js["tasks"] = nlohmann::json::array();
    for (std::size_t k = 0; k < plan.tasks.size(); ++k) {
        const auto& t = plan.tasks[k];
        js["tasks"].push_back({{"task", k + 1}, {"folder", t.folder()}, {"values", t.values}, {"seed", t.seed}, {"device", t.device + 1},
                               {"key", t.key}, {"error", rows[k].error}});
    }
    write_file(dir.path() / "sweep.json", js.dump(2) + "\n");
    if (o.figure && !figure.empty()) outcome.figure_drawn = draw_sweep_figure(dir.path(), o.python);
    if (!o.cache.enabled) fs::remove_all(dir.path() / ".cache", ec);
    dir.commit();
    if (o.cache.enabled) cache.trim();
    return outcome;
}

}  // namespace memlab::lab
