// The memlab command line: argument parsing and printing over the library (the runs, reports and
// output folders are the lab layer's). Errors a user can fix are one line on stderr and exit
// status 2; a simulation that fails, an output that cannot be written, an interrupt each have their
// own (memlab::exit_status, the README's table); nothing is left half written (outputs go to a
// temporary folder renamed at the end).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <optional>

#include "memlab/device/registry.hpp"
#include "memlab/error.hpp"
#include "memlab/lab/fit.hpp"
#include "memlab/lab/reproduce.hpp"
#include "memlab/lab/run.hpp"
#include "memlab/lab/sensitivity.hpp"
#include "memlab/lab/sweep.hpp"
#include "memlab/md/diffusion.hpp"
#include "memlab/protocol/array_file.hpp"
#include "memlab/protocol/md_file.hpp"
#include "memlab/protocol/network_file.hpp"
#include "memlab/protocol/experiment.hpp"
#include "memlab/protocol/fit_file.hpp"
#include "memlab/protocol/ngspice_engine.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/units/units.hpp"
#include "memlab/util/work_queue.hpp"
#include "memlab/util/interrupt.hpp"
#include "memlab/version.hpp"

namespace fs = std::filesystem;
using namespace memlab;

namespace {

// Progress lines on stdout, flushed (child processes print too).
void say(const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point t0) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

void cmd_list() {
    fmt::print("Device models:\n");
    for (const auto& name : device::model_names()) fmt::print("  {:<16} {}\n", name, device::make_model(name)->summary());
    fmt::print("\nExperiments shipped ({}; run one by name from any folder: memlab run synapse):\n", lab::experiments_dir().string());
    std::vector<fs::path> shipped;
    for (const auto& f : fs::directory_iterator(lab::experiments_dir()))
        if (f.path().extension() == ".toml") shipped.push_back(f.path());
    std::sort(shipped.begin(), shipped.end());
    for (const auto& f : shipped) fmt::print("  {}\n", f.stem().string());
    fmt::print("  (the circuit experiments run with any model: --set device.model=NAME; demo_* are engine demonstrations;\n"
               "   md_diffusion is molecular dynamics in LAMMPS, docs/md-diffusion.md)\n");
    fmt::print("\nProbes (in recordings):\n"
               "  v(node), v(a,b)   node voltage, or difference\n"
               "  i(element)        element current (sources and SMUs: current delivered)\n"
               "  element.state     a state variable, e.g. M1.w\n");
}

// export-spice --experiment FILE: the deck `memlab run FILE --engine ngspice` hands to ngspice (the
// whole circuit, the device in its deterministic form, memlab's options and .tran).
void cmd_export_experiment_deck(const std::string& name, const std::vector<std::string>& sets) {
    const std::string file = lab::experiment_file(name).string();
    if (protocol::is_md_file(file) || protocol::is_array_file(file) || protocol::is_network_file(file))
        throw input_error(fmt::format("export-spice: {}: only a single-device circuit experiment has an ngspice deck", file));
    const auto e = protocol::load(file, sets);
    if (!e.device->has_spice()) throw input_error(fmt::format("export-spice: {}: model '{}' has no SPICE export", file, e.device->name()));
    std::string deck = protocol::ngspice_deck(e);
    // The title line stays first; then how to run it (-r: batch mode writes every vector to a raw
    // file, and the exit status says whether the run got through).
    deck.insert(deck.find('\n') + 1,
                fmt::format("* exported by memlab export-spice --experiment {0}: the deck that memlab run --engine ngspice\n"
                            "* runs (the file's first device). Saved as {1}.cir: ngspice -b -r {1}.raw {1}.cir writes every\n"
                            "* node and state (in the units of the subcircuit's state comments) to {1}.raw.\n",
                            file, e.name));
    fmt::print("{}", deck);
}

void cmd_export_spice(const std::string& model, const std::vector<std::string>& sets) {
    const auto d = protocol::load_device(model, sets, "export-spice");
    if (!d.model->has_spice()) {
        std::vector<std::string> have;
        for (const auto& n : device::model_names())
            if (device::make_model(n)->has_spice()) have.push_back(n);
        throw input_error(fmt::format("export-spice: model '{}' has no SPICE export (available: {})", model, fmt::join(have, ", ")));
    }
    fmt::print("{}", spice::export_file(*d.model, model, d.initial_state));
}

void cmd_show_config(const std::string& name, const std::vector<std::string>& sets) {
    const std::string file = lab::experiment_file(name).string();
    if (protocol::is_md_file(file)) return fmt::print("{}\n", protocol::load_md(file, sets).resolved.dump(2));
    if (protocol::is_array_file(file)) return fmt::print("{}\n", protocol::load_array(file, sets).resolved.dump(2));
    if (protocol::is_network_file(file)) return fmt::print("{}\n", protocol::load_network(file, sets).resolved.dump(2));
    const auto e = protocol::load(file, sets);
    for (const auto& n : e.notes) fmt::print(stderr, "memlab: note: {}\n", n);
    fmt::print("{}\n", e.resolved.dump(2));
}

void figure_note(bool wanted, bool drawn) {
    if (wanted && !drawn) fmt::print(stderr, "memlab: note: figure not drawn (needs /usr/bin/python3 with matplotlib and h5py; see figure.log)\n");
}

int cmd_run(const std::string& name, std::string out, std::optional<std::uint64_t> seed, std::vector<std::string> sets,
            const std::string& engine, lab::run_options o) {
    if (seed) sets.push_back(fmt::format("experiment.seed={}", *seed));
    const std::string file = lab::experiment_file(name).string();
    if (protocol::is_md_file(file)) {
        const auto e = protocol::load_md(file, sets);
        if (engine != "memlab") throw input_error(fmt::format("{}: --engine {}: an MD experiment runs in LAMMPS only", file, engine));
        if (o.csv) fmt::print(stderr, "memlab: note: --csv: an MD experiment writes traces.h5 and metrics.json only\n");
        out = out.empty() ? (fs::path("out") / e.name).string() : out;
        std::vector<std::string> temps;
        for (double t : e.temperatures) temps.push_back(fmt::format("{:g} K", t));
        say(fmt::format("memlab run {}: {} ({} samples x {} ions x {} at {}, {} LAMMPS processes at a time{})", file, e.name, e.samples,
                        e.ions.size(), units::format(e.production_time, "s"), fmt::join(temps, ", "), o.jobs,
                        e.launcher.empty() ? "" : fmt::format(", each under '{}'", fmt::join(e.launcher, " "))));
        const auto r = lab::run(e, out, o, [](const std::string& line) { say("  " + line); });
        figure_note(o.figure, r.figure_drawn);
        for (const auto& a : r.result.ions)
            for (std::size_t k = 0; k < a.temperature.size(); ++k)
                fmt::print("  {} at {:g} K: D = {:.3g} +- {:.2g} m^2/s (mean +- sd over {} samples)\n", a.ion, a.temperature[k],
                           a.d_mean[k], a.d_std[k], e.samples);
        for (const auto& a : r.result.ions)
            if (e.temperatures.size() > 1)
                fmt::print("  {}: E_a = {:.3g} +- {:.2g} eV, D0 = {:.3g} m^2/s (Arrhenius fit of the means over {} temperatures)\n", a.ion,
                           a.fit.activation_energy, a.fit.activation_energy_se, a.fit.prefactor, a.fit.n);
        fmt::print("done in {:.1f} s ({} MD steps); wrote {}\n", r.seconds, r.result.steps, out);
        return 0;
    }
    if (protocol::is_array_file(file)) {
        const auto e = protocol::load_array(file, sets);
        if (engine != "memlab") throw input_error(fmt::format("{}: --engine {}: an array experiment runs on memlab's engine only", file, engine));
        if (out.empty()) out = (fs::path("out") / e.name).string();
        fmt::print("memlab run {}: {} ({} x {} {} array, {} operations) ... ", file, e.name, e.array.rows, e.array.cols,
                   array::cell_name(e.array.cell), e.operations.size());
        std::fflush(stdout);
        const auto r = lab::run(e, out, o);
        figure_note(o.figure, r.figure_drawn);
        fmt::print("done in {:.2f} s ({} steps); wrote {}\n", r.seconds, r.result.stats.steps, out);
        return 0;
    }
    if (protocol::is_network_file(file)) {
        const auto e = protocol::load_network(file, sets);
        if (engine != "memlab") throw input_error(fmt::format("{}: --engine {}: a network runs on memlab only", file, engine));
        if (out.empty()) out = (fs::path("out") / e.name).string();
        const bool lif = e.m == network::mode::lif;
        const std::string head = fmt::format("memlab run {}: {} ({} inputs x {} neurons, {}, {} simulated)", file, e.name, e.lif.inputs,
                                             e.lif.neurons, lif ? std::string("LIF") : fmt::format("device mode, {} level", network::level_name(e.lvl)),
                                             units::format(e.lif.duration, "s"));
        // A LIF run takes a second: one line; a device run says how far it is (bar, elapsed, ETA).
        if (lif) {
            fmt::print("{} ... ", head);
            std::fflush(stdout);
        } else {
            say(head);
        }
        const auto r = lif ? lab::run(e, out, o) : lab::run(e, out, o, [](const std::string& line) { say("  " + line); });
        figure_note(o.figure, r.figure_drawn);
        if (lif)
            fmt::print("done in {:.2f} s (simulation {:.4f} s; {} output spikes, {} synaptic events); wrote {}\n", r.seconds,
                       r.result.seconds, r.result.out.size(), r.result.lif.synaptic_events, out);
        else if (e.learning)
            fmt::print("done in {:.2f} s (simulation {:.2f} s; {} post pulses, {} test spikes, {} solver steps in {} cell runs; accuracy {:.4f}); wrote {}\n",
                       r.seconds, r.result.seconds, r.result.learning.post_pulses, r.result.out.size(), r.result.learning.steps,
                       r.result.learning.cell_runs, r.result.learning.accuracy, out);
        else
            fmt::print("done in {:.2f} s (simulation {:.2f} s; {} output spikes, {} solver steps in {} simulations); wrote {}\n", r.seconds,
                       r.result.seconds, r.result.out.size(), r.result.device.steps, r.result.device.simulations, out);
        return 0;
    }
    const auto e = protocol::load(file, sets);
    for (const auto& n : e.notes) fmt::print(stderr, "memlab: note: {}\n", n);
    o.ngspice = engine == "ngspice";
    if (o.ngspice && e.device->n_hazards() > 0)
        fmt::print(stderr, "memlab: note: ngspice runs '{}' in its deterministic form (no stochastic events)\n", e.device->name());
    if (out.empty()) out = (fs::path("out") / e.name).string();
    fmt::print("memlab run {}: {} ({}{}) ... ", file, e.name, e.simulated_text(), o.ngspice ? ", by ngspice" : "");
    std::fflush(stdout);
    const auto r = lab::run(e, out, o);
    figure_note(o.figure, r.figure_drawn);
    fmt::print("done in {:.2f} s ({} steps); wrote {}\n", r.seconds, r.result.stats.steps, out);
    return 0;
}

void print_notes(const lab::reproduce_plan& plan) {
    for (const auto& e : plan.exps) for (const auto& n : e.notes) fmt::print(stderr, "memlab: note: {}: {}\n", e.name, n);
}

int cmd_reproduce(const std::string& out, bool strict, const std::string& seeds, lab::reproduce_options o) {
    if (!seeds.empty()) o.seeds = lab::parse_seeds(seeds);
    const auto plans = lab::plan_reproduce(o);
    say(fmt::format("memlab reproduce: {} experiment files{}; targets without an experiment file are reported as not run.", plans[0].exps.size(),
                    o.seeds.empty() ? "" : fmt::format(" x {} seeds ({})", o.seeds.size(), seeds)));
    print_notes(plans[0]);
    const auto t0 = std::chrono::steady_clock::now();
    const auto outcomes = lab::reproduce(plans, out, say);
    std::size_t failed = 0, failing = 0;
    for (const auto& oc : outcomes) failed += oc.failed, failing += oc.all.size() - oc.passed;
    fmt::print("wrote {}{} in {:.2f} s\n", out, o.seeds.empty() ? "" : " (seeds.md, seeds.json, one folder per seed)", seconds_since(t0));
    if (failed) fmt::print(stderr, "memlab: error: {} experiment(s) failed to simulate; their targets are reported as not run\n", failed);
    return failed ? exit_status::experiments_lost : strict && failing ? exit_status::targets_fail : exit_status::ok;
}

int cmd_sensitivity(const std::string& out, const lab::sensitivity_options& o) {
    const auto plan = lab::plan_sensitivity(o);
    say(fmt::format("memlab sensitivity: {} runs of {} experiment files (the {}, then {} override(s))", plan.plans.size(),
                    plan.plans[0].exps.size(), plan.baseline, plan.variants.size()));
    print_notes(plan.plans[0]);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = lab::sensitivity(plan, out, say);
    for (const auto& v : r.summary["variants"]) {
        const auto lost = v["lost"].get<std::vector<std::string>>(), gained = v["gained"].get<std::vector<std::string>>();
        fmt::print("{}: {} of {} pass (baseline {}){}{}\n", v["set"].get<std::string>(), v["passed"].get<std::size_t>(), v["run"].get<std::size_t>(),
                   r.runs[0].passed, lost.empty() ? "" : fmt::format("; lost {}", fmt::join(lost, ", ")),
                   gained.empty() ? "" : fmt::format("; gained {}", fmt::join(gained, ", ")));
    }
    fmt::print("wrote {} (sensitivity.md, sensitivity.json, one reproduce folder per run) in {:.1f} s\n", out, seconds_since(t0));
    if (r.failed) fmt::print(stderr, "memlab: error: {} experiment run(s) failed to simulate; their targets are reported as not run\n", r.failed);
    return r.failed ? exit_status::experiments_lost : exit_status::ok;
}

int cmd_sweep(const std::string& out, const std::string& seeds, lab::sweep_options o) {
    if (!seeds.empty()) o.seeds = lab::parse_seeds(seeds, "sweep --seeds");
    const bool root = util::mpi_rank() == 0;
    const auto plan = lab::plan_sweep(o);
    if (root) {
        std::vector<std::string> parts;
        for (std::size_t v = 0; v < plan.keys.size(); ++v) parts.push_back(fmt::format("{} values of {}", plan.values[v].size(), plan.keys[v]));
        parts.push_back(fmt::format("{} seed(s)", plan.seeds.size()));
        if (plan.devices > 1) parts.push_back(fmt::format("{} devices", plan.devices));
        say(fmt::format("memlab sweep {}: {} ({})", o.file.string(), plan.name, fmt::join(parts, " x ")));
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = lab::sweep(plan, out, root ? lab::progress_fn(say) : lab::progress_fn());
    if (!root) return 0;
    figure_note(o.figure, r.figure_drawn);
    fmt::print("wrote {} (table.csv, table.h5, distributions.md, one folder per task in tasks/) in {:.1f} s: {} run, {} from the cache, {} failed\n",
               out, seconds_since(t0), r.computed, r.cached, r.failed);
    if (r.failed) fmt::print(stderr, "memlab: error: {} task(s) failed; table.csv gives each one's error\n", r.failed);
    return r.failed ? exit_status::experiments_lost : exit_status::ok;
}

int cmd_fit(const std::string& file, const std::string& out, const std::vector<std::string>& sets, const std::string& data,
            std::optional<int> max_evaluations, const lab::fit_options& o) {
    auto spec = protocol::load_fit(file, sets, data);
    if (max_evaluations) spec.max_evaluations = *max_evaluations;
    const bool root = util::mpi_rank() == 0;
    if (root) {
        std::vector<std::string> free;
        for (const auto& p : spec.parameters)
            free.push_back(fmt::format("{} in [{}, {}]", p.key, units::format(p.min, p.unit), units::format(p.max, p.unit)));
        say(fmt::format("memlab fit {}: {} against {} (loss {}, {}, seeds {}): {}", file, spec.experiment.string(), spec.data.string(), spec.loss,
                        spec.algorithm, fmt::join(spec.seeds, ","), fmt::join(free, "; ")));
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = lab::fit(spec, out, o, root ? lab::progress_fn(say) : lab::progress_fn());
    if (!root) return 0;
    figure_note(o.figure, r.figure_drawn);
    for (const auto& p : r.parameters)
        fmt::print("  {} = {}   {:.0f} % interval [{}, {}]{}\n", p.key, units::format(p.value, p.unit), 100 * spec.confidence,
                   units::format(p.low, p.unit), units::format(p.high, p.unit), p.at_bound ? "  (at a bound of the search)" : "");
    fmt::print("loss {:.6g} over {} residuals; {} evaluations, {} model runs; wrote {} (fit.json, fitted.toml, curves.csv, figure.png) in {:.1f} s\n",
               r.loss, r.residuals, r.evaluations, r.simulations, out, seconds_since(t0));
    return 0;
}

int cmd_cache(const std::string& action, const lab::cache_options& o) {
    const lab::result_cache cache(o);
    const auto u = action == "clear" ? cache.clear() : cache.measure();
    fmt::print("{} {}: {} entries, {:.1f} MB{}\n", action == "clear" ? "cleared" : "cache", cache.dir().string(), u.entries, double(u.bytes) / 1e6,
               action == "clear" ? " removed" : fmt::format(" (bound {:.1f} GB)", double(cache.max_bytes()) / 1e9));
    return 0;
}

// --jobs: a whole number of processes, 1 or more.
const CLI::Validator at_least_one([](std::string& s) -> std::string {
    std::size_t used = 0;
    try { if (std::stoi(s, &used) >= 1 && used == s.size()) return ""; } catch (const std::exception&) {}
    return fmt::format("must be a whole number of processes, 1 or more (got '{}')", s);
}, "N>=1");

// A repeatable option takes one value per use (--set a=1 --set b=2), so that an option given
// before the file does not swallow it.
CLI::Option* one_per_use(CLI::Option* o) { return o->allow_extra_args(false); }

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"memlab: a virtual lab for filamentary memristors"};
    app.set_version_flag("--version", fmt::format("memlab {}", version()));
    app.require_subcommand(1);
    auto* list = app.add_subcommand("list", "List device models, shipped experiments and probes");
    auto* repro = app.add_subcommand("reproduce", "Run every paper experiment and report target by target");
    lab::reproduce_options ro;
    std::string out = "reproduce-out", seeds;
    bool strict = false;
    repro->add_option("--out", out, "Output folder")->capture_default_str();
    repro->add_option("--jobs", ro.jobs, "Experiments run in parallel (worker processes), and figures drawn in parallel")->capture_default_str()->check(at_least_one);
    repro->add_flag("--strict", strict, "Exit 1 if any target fails");
    repro->add_flag("--csv", ro.csv, "Also write traces.csv for every experiment (device 1)");
    one_per_use(repro->add_option("--set", ro.sets, "key=value override applied to every experiment file, e.g. device.f_cluster=0.4"));
    one_per_use(repro->add_option("--only", ro.only, "Run only these experiments (file names without .toml); the rest are reported as not run"));
    one_per_use(repro->add_option("--skip", ro.skip, "Leave these experiments out (e.g. md_diffusion, minutes of LAMMPS); reported as not run"));
    repro->add_option("--seeds", seeds, "Run once per seed, e.g. 1..5 or 1,2,5 (experiment.seed of every file): OUT/seedN/, "
                                        "OUT/seeds.{json,md}; OUT/report.json is the first seed's");
    std::string cache_dir;
    bool no_cache = false;
    repro->add_option("--cache", cache_dir, "Result cache folder (default $MEMLAB_CACHE, $XDG_CACHE_HOME/memlab or ~/.cache/memlab)");
    repro->add_flag("--no-cache", no_cache, "Run every experiment, neither reading nor storing results");
    auto* sens = app.add_subcommand("sensitivity", "Run reproduce with the shipped parameters and with one override at a time; "
                                                    "tabulate which targets each value passes and how far each moves");
    lab::sensitivity_options so;
    std::string sens_out = "sensitivity-out";
    one_per_use(sens->add_option("--vary", so.vary, "KEY=V1,V2,...: one run per value, e.g. device.gamma=0.3,0.6 or device.tau_th='0.1 us,10 us'")->required());
    one_per_use(sens->add_option("--set", so.sets, "key=value override of every run, the baseline included (a sensitivity about a what-if)"));
    sens->add_option("--out", sens_out, "Output folder")->capture_default_str();
    sens->add_option("--jobs", so.jobs, "Experiments run in parallel (worker processes)")->capture_default_str()->check(at_least_one);
    one_per_use(sens->add_option("--only", so.only, "Run only these experiments (file names without .toml)"));
    one_per_use(sens->add_option("--skip", so.skip, "Leave these experiments out (e.g. md_diffusion)"));
    auto* sw = app.add_subcommand("sweep", "Run one experiment file over values x seeds x devices (locally, or over MPI ranks "
                                            "under mpirun): one table of metrics per task, distributions, cached results");
    lab::sweep_options wo;
    std::string sweep_out = "sweep-out", sweep_seeds, sweep_file;
    std::size_t sweep_devices = 0;
    sw->add_option("file", sweep_file, "Experiment file (TOML), or a shipped experiment by name")->required();
    one_per_use(sw->add_option("--vary", wo.vary, "KEY=V1,V2,...: the tasks are the product over every --vary, e.g. device.e_ag='0.83 eV,0.87 eV'"));
    sw->add_option("--seeds", sweep_seeds, "Seeds of every set of values, e.g. 1..20 or 1,2,5 (default: the file's experiment.seed)");
    sw->add_option("--devices", sweep_devices, "Devices per seed (experiment.devices), drawn from [device.d2d]; one task each")
        ->check(at_least_one);
    one_per_use(sw->add_option("--set", wo.sets, "key=value override of every task"));
    sw->add_option("--out", sweep_out, "Output folder")->capture_default_str();
    sw->add_option("--jobs", wo.jobs, "Tasks at a time (default 2; under mpirun 1 per rank)")->check(at_least_one);
    one_per_use(sw->add_option("--metric", wo.metrics, "A column of the table to draw in distributions.png (default: up to six that vary)"));
    sw->add_option("--cache", wo.cache.dir, "Result cache folder (default $MEMLAB_CACHE, $XDG_CACHE_HOME/memlab or ~/.cache/memlab)");
    bool sweep_no_cache = false, sweep_no_figure = false;
    sw->add_flag("--no-cache", sweep_no_cache, "Store results only for this run (no resume after a kill)");
    sw->add_flag("--no-figure", sweep_no_figure, "Do not draw distributions.png (the Python layer)");
    auto* fitcmd = app.add_subcommand("fit", "Fit chosen model parameters to measured traces (a fit file: docs/fitting.md): "
                                              "values, intervals, overlay figure, TOML snippet");
    std::string fit_file, fit_out = "fit-out", fit_data;
    std::vector<std::string> fit_sets;
    std::optional<int> fit_max;
    lab::fit_options fo;
    bool fit_no_figure = false;
    fitcmd->add_option("file", fit_file, "Fit file (TOML: [fit], [data], [loss], [optimizer], [[parameter]])")->required();
    fitcmd->add_option("--out", fit_out, "Output folder")->capture_default_str();
    fitcmd->add_option("--data", fit_data, "Measured data file (replaces data.file)");
    one_per_use(fitcmd->add_option("--set", fit_sets, "key=value override of the experiment (after fit.set)"));
    fitcmd->add_option("--jobs", fo.jobs, "Model runs at a time (default 2; under mpirun 1 per rank)")->check(at_least_one);
    fitcmd->add_option("--max-evaluations", fit_max, "Replaces optimizer.max_evaluations")->check(at_least_one);
    fitcmd->add_flag("--no-figure", fit_no_figure, "Do not draw figure.png (the Python layer)");
    auto* cachecmd = app.add_subcommand("cache", "The result cache of sweep and reproduce: `memlab cache info`, `memlab cache clear`");
    std::string cache_action;
    lab::cache_options co;
    cachecmd->add_option("action", cache_action, "info (entries and size) or clear (remove every entry)")
        ->required()->check(CLI::IsMember({"info", "clear"}));
    cachecmd->add_option("--cache", co.dir, "Cache folder (default $MEMLAB_CACHE, $XDG_CACHE_HOME/memlab or ~/.cache/memlab)");
    auto* run = app.add_subcommand("run", "Run one experiment file");
    std::string run_file, run_out, run_engine = "memlab";
    std::optional<std::uint64_t> run_seed;
    std::vector<std::string> run_sets;
    lab::run_options rn;
    bool no_figure = false;
    run->add_option("file", run_file, "Experiment file (TOML), or a shipped experiment by name (memlab list)")->required();
    run->add_option("--out", run_out, "Output folder (default out/NAME)");
    run->add_option("--seed", run_seed, "Seed (overrides experiment.seed)");
    one_per_use(run->add_option("--set", run_sets, "key=value override, e.g. circuit.series_resistance='10 MOhm'"));
    run->add_flag("--csv", rn.csv, "Also write traces.csv");
    run->add_flag("--no-figure", no_figure, "Do not draw figure.png (the Python layer)");
    run->add_option("--jobs", rn.jobs, "LAMMPS processes at a time (MD experiments)")->capture_default_str()->check(at_least_one);
    run->add_option("--engine", run_engine, "memlab (default) or ngspice (libngspice, the device's deterministic form)")
        ->check(CLI::IsMember({"memlab", "ngspice"}));
    auto* exp = app.add_subcommand("export-spice", "Write a model as an ngspice subcircuit (B-sources) to stdout");
    std::string exp_model, desc_model, show_file;
    std::vector<std::string> exp_sets, show_sets;
    std::string exp_file;
    auto* exp_model_opt = exp->add_option("model", exp_model, "Device model");
    auto* exp_file_opt = exp->add_option("--experiment", exp_file,
                                         "Instead of a model: an experiment file (or shipped name); writes the whole circuit's deck that "
                                         "`memlab run FILE --engine ngspice` runs (the device in its deterministic form)");
    exp_model_opt->excludes(exp_file_opt);
    one_per_use(exp->add_option("--set", exp_sets, "key=value override as for run, e.g. device.r_on='2 kOhm' or device.initial_state.w='3 nm' (device. may be left out; with --experiment, keys of the file)"));
    auto* targets = app.add_subcommand("targets", "Print the paper's targets that reproduce checks (Markdown table; docs/targets.md)");
    auto* desc = app.add_subcommand("describe", "Print a device model's (or the access transistor nmos_ekv's) states and parameters (defaults, ranges, meanings)");
    bool desc_markdown = false;
    desc->add_option("model", desc_model, "Device model")->required();
    desc->add_flag("--markdown", desc_markdown, "Markdown tables with symbols and sources (as in docs/models)");
    auto* show = app.add_subcommand("show-config", "Print the resolved experiment (defaults filled in) as JSON");
    show->add_option("file", show_file, "Experiment file (TOML), or a shipped experiment by name")->required();
    one_per_use(show->add_option("--set", show_sets, "key=value override"));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        // A misspelt option or a bad value is bad input like any other: one line, status 2.
        fmt::print(stderr, "memlab: error: {} (memlab --help)\n", e.what());
        return 2;
    }
    // Under mpirun, `memlab sweep` spreads its tasks over the ranks (every rank runs this program;
    // rank 0 prints and writes).
    std::optional<util::mpi_session> mpi;
    if (*sw || *fitcmd) mpi.emplace(argc, argv);
    const bool root = util::mpi_rank() == 0;
    // SIGINT / SIGTERM stop the work at its next step and unwind (no output folder is left); a file
    // that outgrows `ulimit -f` fails its write (EFBIG) instead of killing the process.
    util::catch_interrupts();
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        if (*list) cmd_list();
        if (*targets) fmt::print("{}", lab::targets_markdown());
        if (*desc) fmt::print("{}", desc_markdown ? device::describe_markdown(desc_model) : device::describe_text(desc_model));
        if (*repro) {
            ro.cache = {.enabled = !no_cache, .dir = cache_dir, .max_bytes = 0};
            return cmd_reproduce(out, strict, seeds, ro);
        }
        if (*sw) {
            wo.file = lab::experiment_file(sweep_file);
            if (sweep_devices) wo.devices = sweep_devices;
            wo.cache.enabled = !sweep_no_cache;
            wo.figure = !sweep_no_figure;
            return cmd_sweep(sweep_out, sweep_seeds, wo);
        }
        if (*cachecmd) return cmd_cache(cache_action, co);
        if (*fitcmd) {
            fo.figure = !fit_no_figure;
            return cmd_fit(fit_file, fit_out, fit_sets, fit_data, fit_max, fo);
        }
        if (*sens) return cmd_sensitivity(sens_out, so);
        rn.figure = !no_figure;
        if (*run) return cmd_run(run_file, run_out, run_seed, run_sets, run_engine, rn);
        if (*show) cmd_show_config(show_file, show_sets);
        if (*exp) {
            if (exp_model.empty() && exp_file.empty()) throw input_error("export-spice: give a model (memlab list) or --experiment FILE");
            exp_file.empty() ? cmd_export_spice(exp_model, exp_sets) : cmd_export_experiment_deck(exp_file, exp_sets);
        }
    } catch (const interrupted& e) {
        if (root) fmt::print(stderr, "memlab: {}; stopped, no output left\n", e.what());
        return 128 + e.signal();
    } catch (const solver_error& e) {
        if (root) fmt::print(stderr, "memlab: error: {}\n", e.what());
        return exit_status::of(e.kind());
    } catch (const write_error& e) {
        if (root) fmt::print(stderr, "memlab: error: {}\n", e.what());
        return exit_status::write_failed;
    } catch (const input_error& e) {
        if (root) fmt::print(stderr, "memlab: error: {}\n", e.what());
        return exit_status::input;
    } catch (const std::exception& e) {
        if (root) fmt::print(stderr, "memlab: internal error: {}\n", e.what());
        return exit_status::internal;
    }
    return 0;
}
