// memlab vs ngspice on the same circuit: a bipolar pulse train (+1 V / -1 V alternating, 1 us
// plateau, 10 ns edges, 2 us period) through 1 kOhm into a VTEAM device, with 200 and with
// 10,000 pulses.
//
// memlab runs twice, side by side: with the first step after each breakpoint taken from the step in
// use before it (the engine's default, restart_step::last) and with IDA's own cautious first step
// (1/1000 of the distance, then doubling: the engine before that change, restart_step::cautious).
//
// Equal accuracy: a reference final state comes from memlab at rtol 1e-10. For each simulator the
// relative tolerance is swept, and the loosest setting whose final state lies within `target` of
// the reference (as a fraction of the state range w_off - w_on) is the one timed. Each run is a
// child process, so its wall time and peak memory (max RSS) are its own. ngspice gets the circuit
// in its native form (two PULSE sources in series, the VTEAM B-source subcircuit memlab exports).
// Every timed run is repeated (`repeats`) and the fastest is kept: the machine may be shared.
//
// Usage: bench_engine_vs_ngspice [results.json]   (default bench/results/engine_vs_ngspice.json)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/vteam.hpp"
#include "memlab/io/hdf5_trace.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/version.hpp"
#include "bench_common.hpp"

using namespace memlab;

namespace {

constexpr double period = 2e-6, width = 1e-6, edge = 1e-8, rs = 1e3;

struct result {
    double w_final = NAN;
    double seconds = NAN;
    long peak_kb = 0;
    long steps = 0;
    long error_test_failures = 0;
};

constexpr int repeats = 3;

result run_memlab_inprocess(std::size_t pulses, double rtol, double atol_scale, circuit::restart_step first,
                            const std::string& h5 = "") {
    stimulus::train_spec s;
    for (std::size_t k = 0; k < pulses; ++k) s.levels.push_back(k % 2 == 0 ? 1.0 : -1.0);
    s.width = width;
    s.rise = s.fall = edge;
    s.period = period;
    auto model = std::make_shared<device::vteam>();
    circuit::circuit c;
    c.add_voltage_source("V1", "in", "0", stimulus::pulse_train(s));
    c.add_resistor("R1", "in", "a", rs);
    c.add_memristor("M1", "a", "0", model);
    circuit::solver_options o;
    o.rtol = rtol;
    o.state_atol_scale = atol_scale;  // one knob: absolute tolerances shrink with rtol
    o.first_step = first;
    const auto t0 = std::chrono::steady_clock::now();
    circuit::simulation sim(c, o);
    if (h5.empty()) {
        sim.advance(static_cast<double>(pulses) * period);
    } else {  // record like an oscilloscope (10 ns) into HDF5: memory must not grow with the run
        io::hdf5_trace sink(h5, "run");
        sim.run(static_cast<double>(pulses) * period, {{"v(in)", "i(M1)", "M1.w"}, 1e-8}, sink);
        sink.commit();
    }
    result r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.w_final = sim.probe("M1.w");
    r.steps = sim.stats().steps;
    r.error_test_failures = sim.stats().error_test_failures;
    return r;
}

// The same in a child process, for its own peak memory.
result run_memlab_once(std::size_t pulses, double rtol, double atol_scale, circuit::restart_step first, const std::string& h5 = "") {
    int fd[2];
    if (pipe(fd) != 0) std::abort();
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        const result r = run_memlab_inprocess(pulses, rtol, atol_scale, first, h5);
        const double buf[4] = {r.w_final, r.seconds, static_cast<double>(r.steps), static_cast<double>(r.error_test_failures)};
        if (write(fd[1], buf, sizeof buf) != sizeof buf) _exit(1);
        _exit(0);
    }
    close(fd[1]);
    double buf[4] = {NAN, NAN, 0, 0};
    if (read(fd[0], buf, sizeof buf) != sizeof buf) std::fprintf(stderr, "memlab child failed\n");
    close(fd[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    return {buf[0], buf[1], ru.ru_maxrss, static_cast<long>(buf[2]), static_cast<long>(buf[3])};
}

// The fastest of `repeats` runs (the results are deterministic; only the time varies).
template <class F>
result fastest_of(F run) {
    result best = run();
    for (int k = 1; k < repeats; ++k) {
        const result r = run();
        if (r.seconds < best.seconds) best.seconds = r.seconds, best.peak_kb = r.peak_kb;
    }
    return best;
}

result run_memlab(std::size_t pulses, double rtol, double atol_scale, circuit::restart_step first) {
    return fastest_of([&] { return run_memlab_once(pulses, rtol, atol_scale, first); });
}

result run_ngspice(std::size_t pulses, double reltol) {
    const device::vteam model;
    const double t_end = static_cast<double>(pulses) * period;
    // +1 V pulses at 0, 2P, 4P...; -1 V pulses at P, 3P, ...: two PULSE sources in series.
    const std::string deck = fmt::format(
        "memlab benchmark\n"
        "Vp in mid PULSE(0 1 0 {e} {e} {w} {T2})\n"
        "Vn mid 0 PULSE(0 -1 {P} {e} {e} {w} {T2})\n"
        "R1 in a {rs}\nX1 a 0 vteam\n{sub}.save v(X1.s_w)\n"
        ".options reltol={rt} abstol=1e-15 vntol=1e-9 chgtol=1e-22 method=gear\n"
        ".control\ntran {step} {tend} 0 {maxstep} uic\nmeas tran xf find v(X1.s_w) at={tend}\nrusage tranpoints\n"
        "echo \"$&xf\" > out.txt\n.endc\n.end\n",
        fmt::arg("e", edge), fmt::arg("w", width), fmt::arg("T2", 2 * period), fmt::arg("P", period),
        fmt::arg("rs", rs), fmt::arg("sub", spice::subcircuit(model, "vteam")),
        fmt::arg("rt", reltol), fmt::arg("step", period / 100), fmt::arg("tend", t_end), fmt::arg("maxstep", period));
    result r;
    try {
        const auto ng = spice::run_batch(deck);
        r.seconds = ng.wall_seconds;
        r.peak_kb = ng.peak_rss_kb;
        r.w_final = std::stod(ng.names.at(0)) * 1e-9;  // one number, read as the "header"
        const auto pos = ng.log.find("Transient timepoints");
        if (pos != std::string::npos) r.steps = std::atol(ng.log.c_str() + ng.log.find('=', pos) + 1);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ngspice reltol %g: %s\n", reltol, e.what());
    }
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const auto arg = bench::results_path(argc, argv, "bench/results/engine_vs_ngspice.json");
    if (arg.exit_code) return *arg.exit_code;
    const std::string& out_path = arg.path;
    const std::vector<double> targets{1e-2, 1e-3};  // final-state error, fraction of the state range
    const device::vteam model;
    const double range = model.params().w_off - model.params().w_on;
    using circuit::restart_step;
    // The simulators compared: memlab as it is, memlab with the cautious restart, ngspice.
    const std::vector<std::string> names{"memlab", "memlab_cautious_restart", "ngspice"};
    nlohmann::json doc;
    doc["benchmark"] = "VTEAM bipolar pulse train through 1 kOhm: memlab vs ngspice at equal final-state accuracy";
    doc["machine"] = bench::machine();
    doc["date"] = bench::utc_now();
    doc["load_average_at_start"] = bench::load();
    doc["memlab_version"] = std::string(memlab::version());
    doc["accuracy_targets"] = "|w_final - w_ref| <= target x (w_off - w_on); w_ref: memlab at rtol 1e-10, cautious restart";
    doc["memlab"] = "first step after a breakpoint without a jump: the step in use before it (restart_step::last)";
    doc["memlab_cautious_restart"] = "first step after every breakpoint: IDA's own, 1/1000 of the distance (restart_step::cautious)";
    doc["timing"] = fmt::format("fastest of {} runs, each in its own process", repeats);
    const std::vector<double> tols{1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7};
    for (std::size_t pulses : {std::size_t{200}, std::size_t{10000}}) {
        const auto np = static_cast<double>(pulses);
        const result ref = run_memlab_once(pulses, 1e-10, 1e-4, restart_step::cautious);  // rtol 1e-10, state atol 1e-18 m
        const result ref_last = run_memlab_once(pulses, 1e-10, 1e-4, restart_step::last);
        fmt::print("{} pulses: reference w_final = {:.9g} nm ({} steps); with restart_step::last {:.9g} nm\n", pulses,
                   ref.w_final * 1e9, ref.steps, ref_last.w_final * 1e9);
        nlohmann::json entry;
        entry["pulses"] = pulses;
        entry["reference_w_final_nm"] = ref.w_final * 1e9;
        entry["reference_restart_last_w_final_nm"] = ref_last.w_final * 1e9;
        std::vector<std::vector<result>> all(names.size());
        auto err = [&](const result& r) { return std::fabs(r.w_final - ref.w_final) / range; };
        for (double tol : tols) {
            const std::vector<result> rs{run_memlab(pulses, tol, tol / 1e-6, restart_step::last),
                                         run_memlab(pulses, tol, tol / 1e-6, restart_step::cautious),
                                         fastest_of([&] { return run_ngspice(pulses, tol); })};
            nlohmann::json row{{"tolerance", tol}};
            fmt::print("  tol {:g}:", tol);
            for (std::size_t k = 0; k < names.size(); ++k) {
                const result& r = rs[k];
                const double e = err(r);
                const bool ng = names[k] == "ngspice";
                fmt::print(" | {} {:.4f} s, {:.1f} {}/pulse, err {:.2e}", names[k], r.seconds, static_cast<double>(r.steps) / np,
                           ng ? "timepoints" : "steps", e);
                nlohmann::json j{{"seconds", r.seconds},
                                 {ng ? "timepoints" : "steps", r.steps},
                                 {ng ? "timepoints_per_pulse" : "steps_per_pulse", static_cast<double>(r.steps) / np},
                                 {"final_state_error", std::isfinite(e) ? nlohmann::json(e) : nlohmann::json("failed")},
                                 {"peak_rss_kb", r.peak_kb}};
                if (!ng) j["error_test_failures_per_pulse"] = static_cast<double>(r.error_test_failures) / np;
                row[names[k]] = j;
                all[k].push_back(r);
            }
            fmt::print("\n");
            entry["sweep"].push_back(row);
        }
        // For each accuracy target: the fastest run of each simulator that meets it.
        for (double target : targets) {
            nlohmann::json eq{{"target", target}};
            std::vector<std::optional<std::size_t>> best(names.size());
            for (std::size_t k = 0; k < names.size(); ++k) {
                for (std::size_t m = 0; m < tols.size(); ++m) {
                    const double e = err(all[k][m]);
                    if (std::isfinite(e) && e <= target && (!best[k] || all[k][m].seconds < all[k][*best[k]].seconds)) best[k] = m;
                }
                if (!best[k]) {
                    eq[names[k]] = "not reached";
                    continue;
                }
                const result& r = all[k][*best[k]];
                const bool ng = names[k] == "ngspice";
                eq[names[k]] = {{"tolerance", tols[*best[k]]},
                                {"seconds", r.seconds},
                                {ng ? "timepoints_per_pulse" : "steps_per_pulse", static_cast<double>(r.steps) / np},
                                {"final_state_error", err(r)},
                                {"peak_rss_kb", r.peak_kb}};
            }
            fmt::print("  target {:g}:", target);
            for (std::size_t k = 0; k + 1 < names.size(); ++k) {
                if (best[k] && best.back()) {
                    const double ratio = all.back()[*best.back()].seconds / all[k][*best[k]].seconds;
                    eq["time_ratio_ngspice_over_" + names[k]] = ratio;
                    fmt::print(" ngspice/{} {:.2f} ({:.1f} steps/pulse)", names[k], ratio,
                               static_cast<double>(all[k][*best[k]].steps) / np);
                } else {
                    fmt::print(" {}: not reached by {}", names[k], best[k] ? "ngspice" : names[k]);
                }
            }
            fmt::print("\n");
            entry["at_equal_accuracy"].push_back(eq);
        }
        doc["runs"].push_back(entry);
    }
    // Flat memory with recording on: the same runs streamed to HDF5 (3 probes every 10 ns).
    for (std::size_t pulses : {std::size_t{200}, std::size_t{10000}}) {
        const std::string h5 = fmt::format("/tmp/memlab_bench_{}.h5", pulses);
        const result m = run_memlab_once(pulses, 1e-4, 1e-4 / 1e-6, restart_step::last, h5);
        std::error_code ec;
        const auto bytes = std::filesystem::file_size(h5, ec);
        std::filesystem::remove(h5, ec);
        fmt::print("recording to HDF5, {} pulses: {:.3f} s, peak RSS {} kB, file {:.1f} MB\n", pulses, m.seconds, m.peak_kb,
                   static_cast<double>(bytes) / 1e6);
        doc["recording_to_hdf5"].push_back({{"pulses", pulses}, {"rows", static_cast<long>(static_cast<double>(pulses) * period / 1e-8) + 1},
                                            {"seconds", m.seconds}, {"peak_rss_kb", m.peak_kb}, {"file_bytes", bytes}});
    }
    doc["load_average_at_end"] = bench::load();
    std::ofstream(out_path) << doc.dump(2) << "\n";
    fmt::print("wrote {}\n", out_path);
    return 0;
}
