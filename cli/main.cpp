// The memlab command line. Errors a user can fix are one line on stderr and exit status 2;
// nothing is left half written (outputs go to a temporary folder that is renamed at the end).
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <numeric>
#include <set>
#include <sys/wait.h>
#include <unistd.h>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/error.hpp"
#include "memlab/io/hdf5_trace.hpp"
#include "memlab/md/diffusion.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/protocol/ngspice_engine.hpp"
#include "memlab/report/targets.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/units/units.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;
using namespace memlab;

namespace {

// A folder written under a temporary name and renamed into place by commit().
class staged_folder {
public:
    explicit staged_folder(fs::path final_path) : final_(std::move(final_path)) {
        if (fs::exists(final_) && !fs::is_directory(final_))
            throw input_error(fmt::format("--out {}: exists and is not a folder", final_.string()));
        tmp_ = final_;
        tmp_ += ".partial";
        fs::remove_all(tmp_);
        fs::create_directories(tmp_);
    }
    ~staged_folder() {
        if (!committed_) {
            std::error_code ec;
            fs::remove_all(tmp_, ec);
        }
    }
    const fs::path& path() const { return tmp_; }
    void commit() {
        fs::remove_all(final_);
        fs::rename(tmp_, final_);
        committed_ = true;
    }

private:
    fs::path final_, tmp_;
    bool committed_ = false;
};

fs::path experiments_dir();

void cmd_list() {
    fmt::print("Device models:\n");
    for (const auto& name : device::model_names()) {
        const auto m = device::make_model(name);
        fmt::print("  {:<16} {}\n", name, m->summary());
    }
    fmt::print("\nExperiments shipped (experiments/*.toml):\n");
    for (const auto& f : fs::directory_iterator(experiments_dir()))
        if (f.path().extension() == ".toml") fmt::print("  {}\n", f.path().string());
    fmt::print("  (the circuit experiments run with any model: --set device.model=NAME; demo_* are engine demonstrations;\n"
               "   md_diffusion is molecular dynamics in LAMMPS, docs/md-diffusion.md)\n");
    fmt::print("\nProbes (in recordings):\n"
               "  v(node), v(a,b)   node voltage, or difference\n"
               "  i(element)        element current (sources and SMUs: current delivered)\n"
               "  element.state     a state variable, e.g. M1.w\n");
}

// A model's parameters and states as Markdown tables (the docs pages include this output).
void cmd_describe(const std::string& name) {
    std::unique_ptr<device::model> m;
    try {
        m = device::make_model(name);
    } catch (const input_error&) {
        throw input_error(fmt::format("describe: unknown model '{}' (known: {})", name, fmt::join(device::model_names(), ", ")));
    }
    fmt::print("## `{}`: {}\n\n| parameter | default | symbol | meaning | source |\n|---|---|---|---|---|\n", name, m->summary());
    for (const auto& p : m->parameter_table())
        fmt::print("| `{}` | {} | {} | {} | {} |\n", p.name, units::format(p.default_value, p.unit), p.symbol, p.meaning, p.source);
    fmt::print("\n| state | unit | absolute tolerance |\n|---|---|---|\n");
    for (const auto& st : m->states()) fmt::print("| `{}` | {} | {} |\n", st.name, st.unit, units::format(st.abs_tolerance, st.unit));
    fmt::print("\nStochastic events: {}. SPICE export: {}.\n", m->n_hazards() > 0 ? fmt::format("{} hazard(s)", m->n_hazards()) : "none",
               m->has_spice() ? "yes (memlab export-spice " + name + ")" : "no");
}

fs::path experiments_dir() {
    for (const fs::path& dir : {fs::path("experiments"), fs::path(MEMLAB_SOURCE_DIR) / "experiments"})
        if (fs::is_directory(dir)) return dir;
    throw input_error("experiments/: folder not found (run from the memlab checkout)");
}

// Runs one experiment into `folder` (which must exist): traces.h5 (and traces.csv), metrics.json,
// config.json. Shared by run and reproduce so both write the same files.
// With several devices (experiment.devices), each device is a group of its own in traces.h5
// ("NAME_device1", ...), metrics carry a "deviceN." prefix, and traces.csv holds device 1.
protocol::run_result run_into(const protocol::experiment& e, const fs::path& folder, bool csv,
                              std::vector<io::memory_trace>* memories = nullptr, bool ngspice = false) {
    auto group = [&](std::size_t j) { return e.devices == 1 ? e.name : fmt::format("{}_device{}", e.name, j + 1); };
    io::hdf5_trace h5((folder / "traces.h5").string(), group(0));
    std::optional<io::csv_trace> csvs;
    if (csv) csvs.emplace((folder / "traces.csv").string());
    io::null_trace none;
    if (memories) memories->assign(e.devices, {});
    protocol::run_result total;
    for (std::size_t j = 0; j < e.devices; ++j) {
        if (j > 0) h5.set_group(group(j));
        io::tee_trace files(h5, csvs && j == 0 ? static_cast<io::trace_sink&>(*csvs) : none);
        io::tee_trace sink(files, memories ? static_cast<io::trace_sink&>((*memories)[j]) : none);
        auto r = ngspice ? protocol::run_ngspice(e, sink, j) : protocol::run(e, sink, j);
        if (e.devices == 1) {
            total = std::move(r);
        } else {
            for (auto& [k, v] : r.metrics.items()) total.metrics[fmt::format("device{}.{}", j + 1, k)] = v;
            total.stats.steps += r.stats.steps;
        }
    }
    h5.commit();
    if (ngspice) std::ofstream(folder / "deck.cir") << protocol::ngspice_deck(e) << "\n";
    total.metrics["experiment"] = e.name;
    std::ofstream(folder / "metrics.json") << total.metrics.dump(2) << "\n";
    std::ofstream(folder / "config.json") << e.resolved.dump(2) << "\n";
    return total;
}

// Runs an MD experiment into `folder`: the LAMMPS inputs, logs and trajectories (sampleN/...),
// traces.h5 (one group per ion and sample: the ion's displacement and the glass's MSD),
// metrics.json and config.json.
md::diffusion_result run_md_into(const md::diffusion_experiment& e, const fs::path& folder, int jobs) {
    auto r = md::run(e, folder, jobs, [](const std::string& line) {
        fmt::print("  {}\n", line);
        std::fflush(stdout);
    });
    io::hdf5_trace h5((folder / "traces.h5").string(), "none");
    for (const auto& x : r.runs) {
        h5.set_group(fmt::format("{}_{}_sample{}", e.name, e.run_name(x.ion, x.temperature), x.sample));
        h5.begin({{"time", "s"}, {"x", "m"}, {"y", "m"}, {"z", "m"}, {"msd_Si", "m^2"}, {"msd_O", "m^2"}});
        for (std::size_t k = 0; k < x.t.size(); ++k) {
            const double row[] = {x.t[k], x.x[k], x.y[k], x.z[k], x.msd_si[k], x.msd_o[k]};
            h5.append(row);
        }
        h5.finish();
    }
    h5.commit();
    r.metrics["experiment"] = e.name;
    std::ofstream(folder / "metrics.json") << r.metrics.dump(2) << "\n";
    std::ofstream(folder / "config.json") << e.resolved.dump(2) << "\n";
    return r;
}

// What a reproduce worker hands back: its step count and its targets.
nlohmann::json worker_summary(std::size_t steps, const std::vector<report::result>& targets) {
    nlohmann::json out{{"steps", steps}, {"targets", nlohmann::json::array()}};
    for (const auto& x : targets) out["targets"].push_back(x.to_json());
    return out;
}

// One file of a reproduce run, circuit or MD: what the progress lines and the report say of it,
// and how to run it into its folder (returns {"steps", "targets"}).
struct entry {
    std::string name, file, figure, description, span;
    std::vector<std::string> notes;
    std::function<nlohmann::json(const fs::path&)> run;
};

// Runs the Python layer's plot.py (matplotlib, h5py) with `args`; false, with its output kept in
// `log`, when it cannot (no /usr/bin/python3, no matplotlib): the data files are complete anyway.
bool python_plot(const std::string& args, const fs::path& log) {
    const fs::path plot = fs::path(MEMLAB_SOURCE_DIR) / "python" / "memlab" / "plot.py";
    const std::string cmd = fmt::format("/usr/bin/python3 '{}' {} > '{}' 2>&1", plot.string(), args, log.string());
    if (fs::exists(plot) && fs::exists("/usr/bin/python3") && std::system(cmd.c_str()) == 0) {
        fs::remove(log);
        return true;
    }
    return false;
}

// The figure of one run (DESIGN: `memlab run` writes it), drawn into the staged folder.
void run_figure(const fs::path& folder, bool figure) {
    if (!figure) return;
    if (!python_plot(fmt::format("--draw '{}' '{}'", folder.string(), (folder / "figure.png").string()), folder / "figure.log"))
        fmt::print(stderr, "memlab: note: figure not drawn (needs /usr/bin/python3 with matplotlib and h5py; see figure.log)\n");
}

// A Markdown table cell: '|' would end it.
std::string md_cell(std::string text) {
    for (auto pos = text.find('|'); pos != std::string::npos; pos = text.find('|', pos + 2)) text.replace(pos, 1, "\\|");
    return text;
}

// A target's simulated value as the reports print it ("not run" when it did not run).
std::string simulated_text(const report::result& x) {
    return x.simulated.is_null() ? "not run" : x.simulated.is_string() ? x.simulated.get<std::string>() : x.simulated.dump();
}

// The same as a Markdown cell, in bold where the target ran and failed.
std::string simulated_cell(const report::result& x) {
    const std::string text = md_cell(simulated_text(x));
    return x.simulated.is_null() || x.pass ? text : "**" + text + "**";
}

// What one reproduce run holds: the experiment files chosen by --only / --skip, each loaded with the
// --set overrides that apply to it. Everything is loaded before anything runs: a bad file or key
// stops the run before a file is written.
struct reproduce_plan {
    std::vector<std::string> sets, only, skip;
    std::vector<fs::path> files;
    std::vector<entry> exps;
};

// `what` names the command in error messages (reproduce, sensitivity).
reproduce_plan plan_reproduce(const std::vector<std::string>& sets, const std::vector<std::string>& only,
                              const std::vector<std::string>& skip, int jobs, bool csv, const std::string& what) {
    reproduce_plan plan{sets, only, skip, {}, {}};
    auto& files = plan.files;
    for (const auto& f : fs::directory_iterator(experiments_dir()))
        if (f.path().extension() == ".toml") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    if (!only.empty()) {
        // --only NAME: the experiment files' stems; an unknown name is an error, not an empty report.
        std::vector<fs::path> kept;
        for (const auto& name : only) {
            const auto it = std::find_if(files.begin(), files.end(), [&](const fs::path& f) { return f.stem() == name; });
            if (it == files.end()) throw input_error(fmt::format("{} --only '{}': no experiments/{}.toml", what, name, name));
            kept.push_back(*it);
        }
        std::sort(kept.begin(), kept.end());
        kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
        files = kept;
    }
    // --skip NAME: leave those out (e.g. the minutes of molecular dynamics); the same check of names.
    for (const auto& name : skip) {
        const auto it = std::find_if(files.begin(), files.end(), [&](const fs::path& f) { return f.stem() == name; });
        if (it == files.end()) throw input_error(fmt::format("{} --skip '{}': no experiments/{}.toml{}", what, name, name, only.empty() ? "" : " among --only"));
        files.erase(it);
    }
    // --set applies to every file (a what-if on the whole paper, e.g. one device parameter); a key
    // that does not apply to a file is an error naming that file.
    // A device parameter (device.NAME=...) applies to the files whose model has that parameter (the
    // engine demonstrations run other models); md.* keys apply to MD files only, and the circuit
    // tables (device, circuit, stimulus, recording, solver) to circuit files only. A device
    // parameter or md.* key that applies to no selected file is an error too: a misspelt name
    // (device.tau_thh) would otherwise run the shipped calibration under the override's name.
    std::set<std::string> used, models;
    for (const auto& f : files) {
        std::vector<std::string> mine;
        if (md::is_md_file(f)) {
            for (const auto& kv : sets)
                if (kv.rfind("md.", 0) == 0 || kv.rfind("experiment.", 0) == 0) {
                    mine.push_back(kv);
                    used.insert(kv);
                }
            auto e = std::make_shared<md::diffusion_experiment>(md::load(f, mine));
            const std::string span = fmt::format("{} samples x {} ions x {} MD", e->samples, e->ions.size(), units::format(e->production_time, "s"));
            plan.exps.push_back({e->name, e->file, e->figure, e->description, span, {}, [e, jobs](const fs::path& sub) {
                                     const auto r = run_md_into(*e, sub, jobs);
                                     return worker_summary(r.steps, report::evaluate(*e, r));
                                 }});
            continue;
        }
        const auto plain = protocol::load(f);
        models.insert(std::string(plain.device->name()));
        for (const auto& kv : sets) {
            const auto eq = kv.find('=');
            const std::string key = kv.substr(0, eq);
            if (key.rfind("md.", 0) == 0) continue;
            if (key.rfind("device.", 0) == 0 && key.find('.', 7) == std::string::npos && key != "device.model") {
                const auto& table = plain.device->parameter_table();
                const std::string name = key.substr(7);
                if (std::none_of(table.begin(), table.end(), [&](const auto& p) { return p.name == name; })) continue;
            }
            mine.push_back(kv);
            used.insert(kv);
        }
        auto e = std::make_shared<protocol::experiment>(protocol::load(f, mine));
        plan.exps.push_back({e->name, e->file, e->figure, e->description, units::format(e->duration, "s") + " simulated", e->notes,
                             [e, csv](const fs::path& sub) {
                                 std::vector<io::memory_trace> mem;
                                 const auto r = run_into(*e, sub, csv, &mem);
                                 return worker_summary(r.stats.steps, report::evaluate(*e, mem));
                             }});
    }
    for (const auto& kv : sets)
        if (!used.count(kv)) {
            const std::string key = kv.substr(0, kv.find('='));
            if (key.rfind("device.", 0) != 0 || models.empty())
                throw input_error(fmt::format("{} --set {}: applies to none of the selected experiments", what, key));
            throw input_error(fmt::format("{} --set {}: no selected experiment's device model has a parameter '{}' (models: {}; "
                                          "memlab describe MODEL lists them)",
                                          what, key, key.substr(7), fmt::join(models, ", ")));
        }
    return plan;
}

// What a reproduce run found.
struct reproduce_outcome {
    std::vector<report::result> all;  // every target of TARGETS.md, run or not
    std::size_t passed = 0, run = 0, failed = 0;  // failed: experiments that could not be simulated
};

// Runs a plan into `folder` (which exists): a folder per experiment, report.json, report.md and,
// with `figures`, the figures and report.html. Progress lines start with `prefix`.
reproduce_outcome execute_reproduce(const reproduce_plan& plan, const fs::path& folder, int jobs, bool figures, const std::string& prefix) {
    const auto& exps = plan.exps;
    nlohmann::json report;
    report["memlab_version"] = std::string(version());
    // A report made with overrides or a subset says so: it is not the shipped calibration.
    report["overrides"] = plan.sets;
    report["only"] = plan.only;
    report["skip"] = plan.skip;
    std::vector<report::result> evaluated;
    // Each experiment runs in a child process (up to --jobs at a time): its own memory, and the
    // HDF5 library (not thread-safe) is never shared. A child writes result.json into its folder;
    // the report is assembled in experiment order, so it does not depend on --jobs.
    auto run_one = [&](std::size_t k) {
        const fs::path sub = folder / exps[k].name;
        std::ofstream(sub / "result.json") << exps[k].run(sub).dump() << "\n";
    };
    std::size_t next = 0, done = 0;
    std::map<pid_t, std::size_t> running;
    std::map<std::size_t, std::string> failed;
    while (done < exps.size()) {
        while (next < exps.size() && running.size() < static_cast<std::size_t>(std::max(jobs, 1))) {
            fs::create_directories(folder / exps[next].name);
            std::fflush(stdout);
            const pid_t pid = fork();
            if (pid == 0) {
                int code = 0;
                try {
                    run_one(next);
                } catch (const std::exception& ex) {
                    std::ofstream(folder / exps[next].name / "error.txt") << ex.what() << "\n";
                    code = 2;
                }
                std::fflush(stdout);
                _exit(code);
            }
            if (pid < 0) throw input_error("reproduce: cannot start a worker process");
            running[pid] = next++;
        }
        if (running.empty()) break;
        int status = 0;
        const pid_t pid = wait(&status);
        const std::size_t k = running.at(pid);
        running.erase(pid);
        ++done;
        const fs::path sub = folder / exps[k].name;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            // One experiment that cannot be simulated must not lose the others: its targets are
            // reported as not run with the error, and reproduce exits 1.
            std::ifstream err(sub / "error.txt");
            std::string line;
            std::getline(err, line);
            failed[k] = line.empty() ? fmt::format("{}: worker failed (status {})", exps[k].file, status) : line;
            fmt::print("{}[{}/{}] {}: FAILED: {}\n", prefix, done, exps.size(), exps[k].name, failed[k]);
            continue;
        }
        const auto res = nlohmann::json::parse(std::ifstream(sub / "result.json"));
        std::size_t passed = 0;
        for (const auto& x : res["targets"]) passed += x["pass"].get<bool>();
        fmt::print("{}[{}/{}] {} ({}): {} steps, {} of {} targets pass\n", prefix, done, exps.size(), exps[k].name, exps[k].span,
                   res["steps"].get<long>(), passed, res["targets"].size());
    }
    std::map<std::string, std::string> not_run;  // experiment name -> why
    for (const auto& f : fs::directory_iterator(experiments_dir()))
        if (f.path().extension() == ".toml" && std::find(plan.files.begin(), plan.files.end(), f.path()) == plan.files.end())
            not_run[f.path().stem().string()] = "not selected (reproduce --only / --skip)";
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
        for (const auto& x : res["targets"]) evaluated.push_back(report::result::from_json(x));
    }
    reproduce_outcome o;
    o.failed = failed.size();
    o.all = report::complete(evaluated, "its experiment file is not written yet", not_run);
    for (const auto& x : o.all) {
        report["targets"].push_back(x.to_json());
        o.passed += x.pass;
        o.run += !x.simulated.is_null();
    }
    const auto& all = o.all;
    report["summary"] = {{"targets", all.size()}, {"run", o.run}, {"passed", o.passed}};
    // No wall time in report.json: the same seed must give the same file, byte for byte.
    std::ofstream(folder / "report.json") << report.dump(2) << "\n";
    std::ofstream md(folder / "report.md");
    md << "# memlab reproduce\n\n"
       << fmt::format("{} targets, {} run, {} pass. Simulated values come from the analysis of simulated traces; "
                      "a target that is not run or fails is shown as such.\n\n",
                      all.size(), o.run, o.passed);
    if (!plan.sets.empty()) md << fmt::format("Run with overrides (not the shipped calibration): `{}`.\n\n", fmt::join(plan.sets, "`, `"));
    md << "| target | paper | simulated | tolerance | pass | note |\n|---|---|---|---|---|---|\n";
    for (const auto& x : all)
        md << fmt::format("| {} | {} | {} | {} | {} | {} |\n", x.id, x.paper.is_string() ? x.paper.get<std::string>() : x.paper.dump(),
                          md_cell(simulated_text(x)), md_cell(x.tolerance), x.simulated.is_null() ? "-" : x.pass ? "yes" : "**no**", md_cell(x.note));
    md << "\nExperiments run:\n\n";
    for (const auto& e : exps) md << "- `" << e.name << "` (" << e.file << ", " << e.figure << "): " << e.description << "\n";
    md.close();
    fmt::print("{}targets: {} of {} run, {} pass\n", prefix, o.run, all.size(), o.passed);
    if (!figures) return o;
    // Figures and report.html are drawn by the Python layer (matplotlib, h5py). Without it the
    // data and report.md/json are complete; say so.
    if (python_plot(fmt::format("'{}'", folder.string()), folder / "figures.log")) {
        fmt::print("{}figures: one figure.png per experiment, report.html\n", prefix);
    } else {
        fmt::print("{}figures: not drawn (needs /usr/bin/python3 with matplotlib and h5py; see figures.log); "
                   "data, report.json and report.md are complete\n", prefix);
    }
    return o;
}

void print_notes(const reproduce_plan& plan) {
    for (const auto& e : plan.exps)
        for (const auto& n : e.notes) fmt::print(stderr, "memlab: note: {}: {}\n", e.name, n);
}

// Runs every experiment file in experiments/, evaluates the paper's targets from the simulated
// traces, and writes the report (every target: pass, fail, or not run and why).
int cmd_reproduce(const std::string& out, bool strict, int jobs, bool csv, const std::vector<std::string>& sets,
                  const std::vector<std::string>& only, const std::vector<std::string>& skip) {
    const auto plan = plan_reproduce(sets, only, skip, jobs, csv, "reproduce");
    fmt::print("memlab reproduce: {} experiment files; targets without an experiment file are reported as not run.\n",
               plan.exps.size());
    print_notes(plan);
    staged_folder dir(out);
    const auto t0 = std::chrono::steady_clock::now();
    const auto o = execute_reproduce(plan, dir.path(), jobs, true, "");
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    dir.commit();
    fmt::print("wrote {} in {:.2f} s\n", out, secs);
    if (o.failed) {
        fmt::print(stderr, "memlab: error: {} experiment(s) failed to simulate; their targets are reported as not run\n", o.failed);
        return 1;
    }
    return strict && o.passed < o.all.size() ? 1 : 0;
}

// memlab sensitivity: the paper's targets with the shipped parameters and with one override at a
// time (--vary KEY=V1,V2,...: one full reproduce per value), side by side: how many pass, which are
// lost or gained, and how far every simulated value moves. It shows which observables pin which
// parameter and which parameters the targets do not see (docs/models/agsn_sio2_pt.md, "Sensitivity").
int cmd_sensitivity(const std::string& out, int jobs, const std::vector<std::string>& vary, const std::vector<std::string>& base_sets,
                    const std::vector<std::string>& only, const std::vector<std::string>& skip) {
    std::vector<std::string> variants;  // "key=value", one run each
    for (const auto& kv : vary) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 >= kv.size())
            throw input_error(fmt::format("sensitivity --vary '{}': expected KEY=VALUE[,VALUE...], e.g. device.gamma=0.3,0.6", kv));
        const std::string key = kv.substr(0, eq);
        std::string rest = kv.substr(eq + 1);
        for (std::size_t start = 0; start <= rest.size();) {
            const auto comma = std::min(rest.find(',', start), rest.size());
            std::string value = rest.substr(start, comma - start);
            value.erase(0, value.find_first_not_of(' '));
            value.erase(value.find_last_not_of(' ') + 1);
            if (value.empty()) throw input_error(fmt::format("sensitivity --vary '{}': an empty value", kv));
            variants.push_back(key + "=" + value);
            start = comma + 1;
        }
    }
    if (variants.empty()) throw input_error("sensitivity: nothing to vary (give --vary KEY=V1,V2, e.g. device.gamma=0.3,0.6)");
    // Every run is planned (its files loaded with its override) before the first one starts.
    // --set: overrides of every run, the baseline included (a sensitivity about a what-if).
    const std::string base_label = base_sets.empty() ? "shipped parameters" : fmt::format("baseline ({})", fmt::join(base_sets, ", "));
    std::vector<reproduce_plan> plans{plan_reproduce(base_sets, only, skip, jobs, false, "sensitivity")};
    for (const auto& v : variants) {
        auto sets = base_sets;
        sets.push_back(v);
        plans.push_back(plan_reproduce(sets, only, skip, jobs, false, "sensitivity"));
    }
    fmt::print("memlab sensitivity: {} runs of {} experiment files (the {}, then {} override(s))\n", plans.size(),
               plans[0].exps.size(), base_label, variants.size());
    print_notes(plans[0]);
    staged_folder dir(out);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<reproduce_outcome> outcomes;
    std::vector<std::string> folders;
    for (std::size_t k = 0; k < plans.size(); ++k) {
        folders.push_back(k == 0 ? "baseline" : fmt::format("{:02d}", k));
        fs::create_directories(dir.path() / folders.back());
        const std::string label = k == 0 ? base_label : variants[k - 1];
        fmt::print("run {}/{}: {} (folder {})\n", k + 1, plans.size(), label, folders.back());
        outcomes.push_back(execute_reproduce(plans[k], dir.path() / folders.back(), jobs, false, "  "));
    }
    const auto& base = outcomes[0].all;
    nlohmann::json js;
    js["memlab_version"] = std::string(version());
    js["only"] = only;
    js["skip"] = skip;
    js["baseline"] = {{"folder", folders[0]}, {"set", base_sets}, {"run", outcomes[0].run}, {"passed", outcomes[0].passed}};
    js["variants"] = nlohmann::json::array();
    std::ofstream md(dir.path() / "sensitivity.md");
    md << "# memlab sensitivity\n\n"
       << fmt::format("Every target with the {} and with one override at a time (one `memlab reproduce` per run; "
                      "its folder holds the full report and traces). Bold: the target fails.\n\n", base_label);
    md << "| run | folder | targets pass | lost | gained |\n|---|---|---|---|---|\n";
    md << fmt::format("| {} | {} | {} of {} | | |\n", md_cell(base_label), folders[0], outcomes[0].passed, outcomes[0].run);
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
        fmt::print("{}: {} of {} pass (baseline {}){}{}\n", variants[k - 1], outcomes[k].passed, outcomes[k].run, outcomes[0].passed,
                   lost.empty() ? "" : fmt::format("; lost {}", fmt::join(lost, ", ")),
                   gained.empty() ? "" : fmt::format("; gained {}", fmt::join(gained, ", ")));
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
    md.close();
    std::ofstream(dir.path() / "sensitivity.json") << js.dump(2) << "\n";
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    dir.commit();
    fmt::print("wrote {} (sensitivity.md, sensitivity.json, one reproduce folder per run) in {:.1f} s\n", out, secs);
    const std::size_t failed = std::accumulate(outcomes.begin(), outcomes.end(), std::size_t{0}, [](std::size_t n, const auto& o) { return n + o.failed; });
    if (failed) {
        fmt::print(stderr, "memlab: error: {} experiment run(s) failed to simulate; their targets are reported as not run\n", failed);
        return 1;
    }
    return 0;
}

// memlab run on an MD file: progress per LAMMPS run, then D per ion.
int cmd_run_md(const std::string& file, const std::string& out, const std::vector<std::string>& overrides, bool csv,
               const std::string& engine, int jobs, bool figure) {
    const auto e = md::load(file, overrides);
    if (engine != "memlab") throw input_error(fmt::format("{}: --engine {}: an MD experiment runs in LAMMPS only", file, engine));
    if (csv) fmt::print(stderr, "memlab: note: --csv: an MD experiment writes traces.h5 and metrics.json only\n");
    const fs::path target = out.empty() ? fs::path("out") / e.name : fs::path(out);
    staged_folder dir(target);
    std::vector<std::string> temps;
    for (double t : e.temperatures) temps.push_back(fmt::format("{:g} K", t));
    fmt::print("memlab run {}: {} ({} samples x {} ions x {} at {}, {} LAMMPS processes at a time)\n", file, e.name, e.samples,
               e.ions.size(), units::format(e.production_time, "s"), fmt::join(temps, ", "), jobs);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_md_into(e, dir.path(), jobs);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run_figure(dir.path(), figure);
    dir.commit();
    for (const auto& a : r.ions)
        for (std::size_t k = 0; k < a.temperature.size(); ++k)
            fmt::print("  {} at {:g} K: D = {:.3g} +- {:.2g} m^2/s (mean +- sd over {} samples)\n", a.ion, a.temperature[k], a.d_mean[k],
                       a.d_std[k], e.samples);
    if (e.temperatures.size() > 1)
        for (const auto& a : r.ions)
            fmt::print("  {}: E_a = {:.3g} +- {:.2g} eV, D0 = {:.3g} m^2/s (Arrhenius fit of the means over {} temperatures)\n", a.ion,
                       a.fit.activation_energy, a.fit.activation_energy_se, a.fit.prefactor, a.fit.n);
    fmt::print("done in {:.1f} s ({} MD steps); wrote {}\n", secs, r.steps, target.string());
    return 0;
}

int cmd_run(const std::string& file, const std::string& out, std::optional<std::uint64_t> seed,
            const std::vector<std::string>& sets, bool csv, const std::string& engine, int jobs, bool figure) {
    std::vector<std::string> overrides = sets;
    if (seed) overrides.push_back(fmt::format("experiment.seed={}", *seed));
    if (md::is_md_file(file)) return cmd_run_md(file, out, overrides, csv, engine, jobs, figure);
    const protocol::experiment e = protocol::load(file, overrides);
    for (const auto& n : e.notes) fmt::print(stderr, "memlab: note: {}\n", n);
    const bool ngspice = engine == "ngspice";
    if (ngspice && e.device->n_hazards() > 0)
        fmt::print(stderr, "memlab: note: ngspice runs '{}' in its deterministic form (no stochastic events)\n", e.device->name());
    const fs::path target = out.empty() ? fs::path("out") / e.name : fs::path(out);
    staged_folder dir(target);
    fmt::print("memlab run {}: {} ({} simulated{}) ... ", file, e.name, units::format(e.duration, "s"), ngspice ? ", by ngspice" : "");
    std::fflush(stdout);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_into(e, dir.path(), csv, nullptr, ngspice);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run_figure(dir.path(), figure);
    dir.commit();
    fmt::print("done in {:.2f} s ({} steps); wrote {}\n", secs, r.stats.steps, target.string());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"memlab: a virtual lab for filamentary memristors"};
    app.set_version_flag("--version", fmt::format("memlab {}", version()));
    app.require_subcommand(1);
    auto* list = app.add_subcommand("list", "List device models, shipped experiments and probes");
    auto* repro = app.add_subcommand("reproduce", "Run every paper experiment and report target by target");
    std::string out = "reproduce-out";
    bool strict = false;
    int jobs = 2;
    repro->add_option("--out", out, "Output folder")->capture_default_str();
    repro->add_option("--jobs", jobs, "Experiments run in parallel (worker processes)")->capture_default_str()->check(CLI::PositiveNumber);
    repro->add_flag("--strict", strict, "Exit 1 if any target fails");
    bool repro_csv = false;
    repro->add_flag("--csv", repro_csv, "Also write traces.csv for every experiment (device 1)");
    std::vector<std::string> repro_sets, repro_only;
    repro->add_option("--set", repro_sets, "key=value override applied to every experiment file, e.g. device.f_cluster=0.4");
    repro->add_option("--only", repro_only, "Run only these experiments (file names without .toml); the rest are reported as not run");
    std::vector<std::string> repro_skip;
    repro->add_option("--skip", repro_skip, "Leave these experiments out (e.g. md_diffusion, minutes of LAMMPS); reported as not run");
    auto* sens = app.add_subcommand("sensitivity", "Run reproduce with the shipped parameters and with one override at a time; "
                                                    "tabulate which targets each value passes and how far each moves");
    std::string sens_out = "sensitivity-out";
    int sens_jobs = 2;
    std::vector<std::string> sens_vary, sens_sets, sens_only, sens_skip;
    sens->add_option("--vary", sens_vary, "KEY=V1,V2,...: one run per value, e.g. device.gamma=0.3,0.6 or device.tau_th='0.1 us,10 us'")->required();
    sens->add_option("--set", sens_sets, "key=value override of every run, the baseline included (a sensitivity about a what-if)");
    sens->add_option("--out", sens_out, "Output folder")->capture_default_str();
    sens->add_option("--jobs", sens_jobs, "Experiments run in parallel (worker processes)")->capture_default_str()->check(CLI::PositiveNumber);
    sens->add_option("--only", sens_only, "Run only these experiments (file names without .toml)");
    sens->add_option("--skip", sens_skip, "Leave these experiments out (e.g. md_diffusion)");
    auto* run = app.add_subcommand("run", "Run one experiment file");
    std::string run_file, run_out;
    std::optional<std::uint64_t> run_seed;
    std::vector<std::string> run_sets;
    bool run_csv = false;
    run->add_option("file", run_file, "Experiment file (TOML)")->required();
    run->add_option("--out", run_out, "Output folder (default out/NAME)");
    run->add_option("--seed", run_seed, "Seed (overrides experiment.seed)");
    run->add_option("--set", run_sets, "key=value override, e.g. circuit.series_resistance='10 MOhm'");
    run->add_flag("--csv", run_csv, "Also write traces.csv");
    std::string run_engine = "memlab";
    bool run_no_figure = false;
    run->add_flag("--no-figure", run_no_figure, "Do not draw figure.png (the Python layer)");
    int run_jobs = 2;
    run->add_option("--jobs", run_jobs, "LAMMPS processes at a time (MD experiments)")->capture_default_str()->check(CLI::PositiveNumber);
    run->add_option("--engine", run_engine, "memlab (default) or ngspice (libngspice, the device's deterministic form)")
        ->check(CLI::IsMember({"memlab", "ngspice"}));
    auto* exp = app.add_subcommand("export-spice", "Write a model as an ngspice subcircuit (B-sources) to stdout");
    std::string exp_model;
    std::vector<std::string> exp_sets;
    exp->add_option("model", exp_model, "Device model")->required();
    exp->add_option("--set", exp_sets, "name=value parameter override, e.g. r_on='2 kOhm'");
    auto* desc = app.add_subcommand("describe", "Print a device model's parameters and states (Markdown tables)");
    std::string desc_model;
    desc->add_option("model", desc_model, "Device model")->required();
    auto* show = app.add_subcommand("show-config", "Print the resolved experiment (defaults filled in) as JSON");
    std::string show_file;
    std::vector<std::string> show_sets;
    show->add_option("file", show_file, "Experiment file (TOML)")->required();
    show->add_option("--set", show_sets, "key=value override");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (*list) cmd_list();
        if (*desc) cmd_describe(desc_model);
        if (*repro) return cmd_reproduce(out, strict, jobs, repro_csv, repro_sets, repro_only, repro_skip);
        if (*sens) return cmd_sensitivity(sens_out, sens_jobs, sens_vary, sens_sets, sens_only, sens_skip);
        if (*run) return cmd_run(run_file, run_out, run_seed, run_sets, run_csv, run_engine, run_jobs, !run_no_figure);
        if (*show && md::is_md_file(show_file)) {
            const auto e = md::load(show_file, show_sets);
            fmt::print("{}\n", e.resolved.dump(2));
        } else if (*show) {
            const auto e = protocol::load(show_file, show_sets);
            for (const auto& n : e.notes) fmt::print(stderr, "memlab: note: {}\n", n);
            fmt::print("{}\n", e.resolved.dump(2));
        }
        if (*exp) {
            auto m = device::make_model(exp_model);
            std::map<std::string, std::string> values;
            for (const auto& kv : exp_sets) {
                const auto eq = kv.find('=');
                if (eq == std::string::npos) throw input_error(fmt::format("--set '{}': expected name=value", kv));
                values[kv.substr(0, eq)] = kv.substr(eq + 1);
            }
            m->set_text(values, "--set");
            if (!m->has_spice()) {
                std::vector<std::string> have;
                for (const auto& n : device::model_names())
                    if (device::make_model(n)->has_spice()) have.push_back(n);
                throw input_error(fmt::format("export-spice: model '{}' has no SPICE export (available: {})", exp_model,
                                              fmt::join(have, ", ")));
            }
            fmt::print("* exported by memlab {}\n{}", version(), spice::subcircuit(*m, exp_model));
        }
    } catch (const input_error& e) {
        fmt::print(stderr, "memlab: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "memlab: internal error: {}\n", e.what());
        return 3;
    }
    return 0;
}
