// Crossbar performance: memlab against ngspice on the same 1T1R array, at equal accuracy.
//
// The array: n x n 1T1R cells (Stanford-PKU devices without kicks, gaps drawn uniformly in
// 0.8..1.4 nm; the EKV transistor at gamma = 0, which is ngspice's level-1 MOSFET in strong
// inversion, with its capacitances; 5 Ohm per line segment), the netlist of array::build and,
// for ngspice, array::spice_deck (the same elements and node names).
//
// Two operations:
// - read: every word line to 3.3 V, then every bit line to 0.2 V at once, every column sensed at
//   virtual ground; the column currents at the end of a 1 us plateau.
// - program: SET pulses (2 V, 100 ns, gate 1.5 V, the gate inhibit scheme) on `pulsed` cells of the
//   diagonal, one after another, by array::controller; ngspice replays the very same line
//   waveforms. Compared: the gaps of the pulsed cells at the end.
//
// Reads at every size come first, then memlab alone, then the program sequences (the slowest for
// ngspice); the results file is written after each, so a run stopped early keeps what it measured.
//
// Equal accuracy: a reference from memlab at rtol 1e-8; each simulator's tolerance is tightened
// from the same loosest, 1e-2, until a run lands within the target (read: worst column current
// within 1e-3 relative; program: worst gap within 1e-3 nm), and that run is timed (a tighter one is
// slower; ngspice takes minutes per run at 64 x 64). Each run is its own process: wall time and
// peak memory (max RSS) are its own. Then memlab alone (read only, at `--alone-rtol`, default 1e-4)
// from 128 x 128 upwards while the next size (4x the cells) would stay under `--limit` seconds
// (default 600) and 16 GB at linear growth; the first of these sizes is also checked against its
// own reference at rtol 1e-8.
//
//   taskset -c 0 build/release/bench/bench_array_crossbar [--reads N,..] [--alone N,..] [--programs N,..]
//       [--alone-rtol R] [--limit S] [results.json]
//       (taskset: memlab, ngspice and every child on one CPU; the CPUs are written to the results)
//       (default sizes 16,32,64 / 128,256,512,1024 / 16,32,64; results bench/results/array_crossbar.json)
//   build/release/bench/bench_array_crossbar --read N RTOL    (one memlab read alone, with the solver's counters)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#include "bench_common.hpp"
#include "memlab/array/array.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/spice/ngspice.hpp"
#include "memlab/util/rng.hpp"
#include "memlab/version.hpp"

using namespace memlab;

namespace {

constexpr double read_v = 0.2, read_gate = 3.3, read_start = 100e-9, read_width = 1e-6, edge = 10e-9;
constexpr double set_v = 2.0, set_gate = 1.5, set_width = 100e-9;

array::spec make(std::size_t n) {
    array::spec s;
    s.rows = s.cols = n;
    s.cell = array::cell_type::t1r1;
    s.bit_line_resistance = s.source_line_resistance = s.word_line_resistance = 5;
    auto m = device::make_model("stanford_pku");
    m->set({{"kicks", 0.0}});  // deterministic: the SPICE form has no random kicks
    std::shared_ptr<const device::model> shared = std::move(m);
    util::rng r(7);
    for (std::size_t i = 0; i < s.cells(); ++i) {
        s.devices.push_back(shared);
        s.initial_state.push_back({0.8e-9 + 0.6e-9 * r.uniform()});
    }
    auto fet = std::make_shared<device::mosfet>();
    fet->set({{"gamma", 0.0}});
    s.transistor = fet;
    s.transistor_capacitances = true;
    return s;
}

// The read: word lines up over the first edge, bit lines up at read_start, all held to t_end.
array::drivers read_drivers(std::size_t n) {
    array::drivers d;
    for (std::size_t r = 0; r < n; ++r) {
        auto wl = std::make_shared<array::schedule>(0.0);
        wl->ramp(0.0, read_gate, edge);
        auto bl = std::make_shared<array::schedule>(0.0);
        bl->ramp(read_start, read_v, edge);
        d.word.push_back(wl);
        d.bit.push_back(bl);
    }
    for (std::size_t c = 0; c < n; ++c) d.source.push_back(std::make_shared<array::schedule>(0.0));
    return d;
}
constexpr double read_end = read_start + edge + read_width;

std::size_t pulsed_cells(std::size_t n) { return std::min<std::size_t>(n, 8); }

struct outcome {
    std::vector<double> values;  // read: column currents (A); program: gaps of the pulsed cells (m)
    double seconds = NAN;
    long peak_kb = 0;
    long steps = 0;
    std::size_t unknowns = 0;
    std::string error;
};

circuit::solver_options options(double rtol) {
    circuit::solver_options o;
    o.rtol = rtol;
    o.atol_voltage = 1e-6;
    return o;
}

outcome memlab_read(std::size_t n, double rtol) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = make(n);
    const auto c = array::build(s, read_drivers(n));
    circuit::simulation sim(c, options(rtol));
    sim.advance(read_end);
    outcome o;
    for (std::size_t k = 0; k < n; ++k) o.values.push_back(sim.probe(fmt::format("i({})", array::tia_name(k))));
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    o.steps = sim.stats().steps;
    o.unknowns = sim.stats().unknowns;
    return o;
}

// The program sequence; `lines` receives the controller's drivers and the end time (for ngspice).
outcome memlab_program(std::size_t n, double rtol, array::drivers* lines = nullptr, double* t_end = nullptr) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = make(n);
    array::controller ses(s, options(rtol), 1, {}, nullptr);
    array::pulse_settings p;
    p.voltage = set_v, p.width = set_width, p.gate = set_gate, p.inhibit = array::scheme::gate;
    for (std::size_t k = 0; k < pulsed_cells(n); ++k) ses.pulse(k, k, p);
    ses.rest(100e-9);
    outcome o;
    for (std::size_t k = 0; k < pulsed_cells(n); ++k) o.values.push_back(ses.simulation().probe(fmt::format("{}.g", array::device_name(k, k))));
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    o.steps = ses.simulation().stats().steps;
    o.unknowns = ses.simulation().stats().unknowns;
    if (lines) *lines = ses.lines();
    if (t_end) *t_end = ses.time();
    return o;
}

// Runs f in a child process: its own wall time and peak memory. Values travel through a pipe.
template <class F>
outcome in_child(F f) {
    int fd[2];
    if (pipe(fd) != 0) std::abort();
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        outcome o;
        try {
            o = f();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "memlab: %s\n", e.what());
            _exit(1);
        }
        std::vector<double> buf{o.seconds, static_cast<double>(o.steps), static_cast<double>(o.unknowns), static_cast<double>(o.values.size())};
        buf.insert(buf.end(), o.values.begin(), o.values.end());
        const auto bytes = static_cast<ssize_t>(buf.size() * sizeof(double));
        if (write(fd[1], buf.data(), static_cast<std::size_t>(bytes)) != bytes) _exit(1);
        _exit(0);
    }
    close(fd[1]);
    std::vector<double> buf;
    double chunk[512];
    ssize_t got = 0;
    while ((got = read(fd[0], chunk, sizeof chunk)) > 0) buf.insert(buf.end(), chunk, chunk + got / static_cast<ssize_t>(sizeof(double)));
    close(fd[0]);
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    outcome o;
    o.peak_kb = ru.ru_maxrss;
    if (buf.size() < 4 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        o.error = "memlab child failed";
        return o;
    }
    o.seconds = buf[0];
    o.steps = static_cast<long>(buf[1]);
    o.unknowns = static_cast<std::size_t>(buf[2]);
    o.values.assign(buf.begin() + 4, buf.end());
    return o;
}

outcome ngspice_run(const array::spec& s, const array::drivers& d, double t_end, double reltol, const std::vector<std::string>& vectors,
                    double scale) {
    outcome o;
    try {
        const auto deck = array::spice_deck(s, d, t_end, reltol, 10e-9, vectors);
        const auto ng = spice::run_batch(deck);
        o.seconds = ng.wall_seconds;
        o.peak_kb = ng.peak_rss_kb;
        const auto& t = ng.column("time");
        if (t.empty() || std::fabs(t.back() - t_end) > 1e-12) throw std::runtime_error("stopped early");
        for (const auto& v : vectors) o.values.push_back(ng.column(v).back() * scale);
        o.steps = static_cast<long>(t.size());
    } catch (const std::exception& e) {
        o.error = e.what();
    }
    return o;
}

outcome ngspice_read(std::size_t n, double reltol) {
    std::vector<std::string> v;
    for (std::size_t c = 0; c < n; ++c) v.push_back(fmt::format("i(VSL{})", c));
    return ngspice_run(make(n), read_drivers(n), read_end, reltol, v, 1.0);
}

outcome ngspice_program(std::size_t n, const array::drivers& d, double t_end, double reltol) {
    const auto s = make(n);
    std::vector<std::string> v;
    for (std::size_t k = 0; k < pulsed_cells(n); ++k) v.push_back(fmt::format("v({}.s_g)", array::device_name(k, k)));
    return ngspice_run(s, d, t_end, reltol, v, s.devices[0]->spice().scale[0]);
}

// Worst error against the reference: relative (read currents, compared in magnitude: memlab's TIA
// input current and ngspice's i(VSL) flow in opposite senses) or absolute in nm (gaps).
double error_of(const outcome& o, const outcome& ref, bool relative) {
    if (!o.error.empty() || o.values.size() != ref.values.size()) return INFINITY;
    double w = 0;
    for (std::size_t k = 0; k < ref.values.size(); ++k) {
        const double a = std::fabs(o.values[k]), b = std::fabs(ref.values[k]);
        w = std::max(w, relative ? std::fabs(a - b) / b : std::fabs(a - b) * 1e9);
    }
    return w;
}

nlohmann::json row_of(const outcome& o, double tol, double err) {
    nlohmann::json j{{"tolerance", tol}, {"seconds", o.seconds}, {"peak_rss_kb", o.peak_kb}, {"steps_or_timepoints", o.steps}};
    if (o.unknowns) j["unknowns"] = o.unknowns;
    if (!o.error.empty()) j["error"] = o.error;
    else j["worst_error"] = err;
    return j;
}

// Least-squares slope of log(y) against log(x).
double exponent(const std::vector<double>& x, const std::vector<double>& y) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const auto m = static_cast<double>(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) {
        const double a = std::log(x[k]), b = std::log(y[k]);
        sx += a, sy += b, sxx += a * a, sxy += a * b;
    }
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "--read") {
        // One memlab read alone, in this process: n x n at rtol, with the solver's counters.
        const auto n = static_cast<std::size_t>(std::stoul(argv[2]));
        const double rtol = std::stod(argv[3]);
        const auto t0 = std::chrono::steady_clock::now();
        const auto s = make(n);
        const auto c = array::build(s, read_drivers(n));
        const double built = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        circuit::simulation sim(c, options(rtol));
        sim.advance(read_end);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const auto& st = sim.stats();
        struct rusage ru {};
        getrusage(RUSAGE_SELF, &ru);
        fmt::print("{} x {} read, rtol {:g}: {:.3f} s ({:.3f} s building), {} kB, {} unknowns, {} steps, {} residuals, {} Jacobians, "
                   "{} error-test and {} Newton failures; i(TIA0) {:.9e} A\n",
                   n, n, rtol, secs, built, ru.ru_maxrss, st.unknowns, st.steps, st.residual_evals, st.jacobian_evals, st.error_test_failures,
                   st.nonlinear_failures, sim.probe("i(TIA0)"));
        return 0;
    }
    // --reads, --alone, --programs N,N,...: the sizes of each part (default 16,32,64 / 128..1024 /
    // 16,32,64; an empty list leaves the part out); then the results file.
    std::map<std::string, std::vector<std::size_t>> sizes{{"--reads", {16, 32, 64}}, {"--alone", {128, 256, 512, 1024}}, {"--programs", {16, 32, 64}}};
    std::vector<char*> rest{argv[0]};
    double alone_rtol = 1e-4, limit_seconds = 600;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if ((a == "--alone-rtol" || a == "--limit") && k + 1 < argc) {
            (a == "--limit" ? limit_seconds : alone_rtol) = std::stod(argv[++k]);
        } else if (sizes.count(a) && k + 1 < argc) {
            auto& v = sizes[a];
            v.clear();
            const std::string list = argv[++k];
            for (std::size_t p = 0; p < list.size();) {
                const auto q = std::min(list.find(',', p), list.size());
                if (q > p) v.push_back(static_cast<std::size_t>(std::stoul(list.substr(p, q - p))));
                p = q + 1;
            }
        } else {
            rest.push_back(argv[k]);
        }
    }
    const auto arg = bench::results_path(static_cast<int>(rest.size()), rest.data(), "bench/results/array_crossbar.json");
    if (arg.exit_code) return *arg.exit_code;
    nlohmann::json doc;
    doc["benchmark"] = "1T1R crossbar read (all rows driven, all columns sensed) and program sequence: memlab vs ngspice at equal accuracy";
    doc["machine"] = bench::machine();
    {
        // The CPUs the run may use: on this machine's two virtual CPUs the same read runs 1.6x
        // apart, so a ratio is fair only with both simulators on one CPU (taskset -c 0).
        cpu_set_t set;
        CPU_ZERO(&set);
        if (sched_getaffinity(0, sizeof set, &set) == 0)
            for (int c = 0; c < CPU_SETSIZE; ++c)
                if (CPU_ISSET(c, &set)) doc["cpu_affinity"].push_back(c);
    }
    doc["date"] = bench::utc_now();
    doc["load_average_at_start"] = bench::load();
    doc["memlab_version"] = std::string(memlab::version());
    doc["array"] = "n x n 1T1R, Stanford-PKU (no kicks), gaps uniform 0.8..1.4 nm (seed 7), EKV at gamma 0 with capacitances, 5 Ohm per segment";
    doc["read"] = "word lines 0 -> 3.3 V over 10 ns, bit lines 0 -> 0.2 V at 100 ns over 10 ns, 1 us plateau; column currents at its end";
    doc["program"] = "SET pulses 2 V / 100 ns / gate 1.5 V (gate inhibit scheme) on min(n, 8) diagonal cells in turn, then 100 ns rest; their gaps";
    doc["accuracy"] = "reference: memlab at rtol 1e-8; read: worst column current within 1e-3 relative; program: worst gap within 1e-3 nm";
    const double read_target = 1e-3, program_target = 1e-3;
    // Both from the same loosest tolerance, 1e-2.
    const std::vector<double> memlab_tols{1e-2, 1e-3, 1e-4, 1e-5, 1e-6}, ngspice_tols{1e-2, 1e-3, 1e-4};
    // (cells, seconds) at equal accuracy, per simulator and operation: for the scaling exponents.
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> timed;
    auto write = [&] {
        doc["scaling_exponent_in_cells"] = nlohmann::json::object();
        for (const auto& [name, xy] : timed)
            if (xy.first.size() >= 2) doc["scaling_exponent_in_cells"][name] = exponent(xy.first, xy.second);
        doc["load_average_at_end"] = bench::load();
        std::ofstream(arg.path) << doc.dump(2) << "\n";  // after every size: as far as it got
    };
    // One size and operation, memlab against ngspice.
    auto compare = [&](std::size_t n, bool read) {
        const char* op = read ? "read" : "program";
        nlohmann::json j{{"n", n}, {"cells", n * n}};
        const outcome ref = in_child([&] { return read ? memlab_read(n, 1e-8) : memlab_program(n, 1e-8); });
        if (!ref.error.empty()) {
            j["reference"] = ref.error;
            return j;
        }
        fmt::print("{} x {} {}: reference {:.2f} s, {} steps, {} unknowns, {} kB\n", n, n, op, ref.seconds, ref.steps, ref.unknowns, ref.peak_kb);
        std::fflush(stdout);
        j.update({{"reference_seconds", ref.seconds}, {"reference_steps", ref.steps}, {"unknowns", ref.unknowns}});
        const double target = read ? read_target : program_target;
        std::optional<outcome> best_m, best_n;
        for (double tol : memlab_tols) {
            const outcome o = in_child([&] { return read ? memlab_read(n, tol) : memlab_program(n, tol); });
            const double e = error_of(o, ref, read);
            fmt::print("  memlab  rtol   {:g}: {:.3f} s, {} kB, {} steps, error {:.2e}\n", tol, o.seconds, o.peak_kb, o.steps, e);
            std::fflush(stdout);
            j["memlab"].push_back(row_of(o, tol, e));
            if (e <= target) {
                best_m = o;
                break;
            }
        }
        array::drivers lines;
        double t_end = read_end;
        if (!read) memlab_program(n, 1e-6, &lines, &t_end);  // the line waveforms ngspice replays
        for (double tol : ngspice_tols) {
            const outcome o = read ? ngspice_read(n, tol) : ngspice_program(n, lines, t_end, tol);
            const double e = error_of(o, ref, read);
            fmt::print("  ngspice reltol {:g}: {:.3f} s, {} kB, {} timepoints, error {:.2e}{}\n", tol, o.seconds, o.peak_kb, o.steps, e,
                       o.error.empty() ? "" : " (" + o.error.substr(0, 200) + ")");
            std::fflush(stdout);
            j["ngspice"].push_back(row_of(o, tol, e));
            if (e <= target) {
                best_n = o;
                break;
            }
        }
        if (best_m && best_n) {
            j["at_equal_accuracy"] = {{"memlab_seconds", best_m->seconds}, {"memlab_peak_rss_kb", best_m->peak_kb},
                                      {"ngspice_seconds", best_n->seconds}, {"ngspice_peak_rss_kb", best_n->peak_kb},
                                      {"time_ratio_ngspice_over_memlab", best_n->seconds / best_m->seconds}};
            fmt::print("  at equal accuracy: memlab {:.3f} s, ngspice {:.3f} s: ratio {:.2f}\n", best_m->seconds, best_n->seconds,
                       best_n->seconds / best_m->seconds);
            for (const auto& [who, o] : {std::pair{"memlab", &*best_m}, std::pair{"ngspice", &*best_n}}) {
                auto& [x, y] = timed[fmt::format("{}_{}", who, op)];
                x.push_back(static_cast<double>(n * n));
                y.push_back(o->seconds);
            }
        } else {
            j["at_equal_accuracy"] = fmt::format("target not reached by {}", !best_m && !best_n ? "either" : !best_m ? "memlab" : "ngspice");
        }
        return j;
    };
    // Reads first, then memlab alone on larger reads, then the program sequences (the slowest).
    for (const std::size_t n : sizes["--reads"]) {
        doc["reads"].push_back(compare(n, true));
        write();
    }
    const long limit_kb = 16L * 1024 * 1024;
    std::vector<double> big_cells, big_secs;
    for (const std::size_t n : sizes["--alone"]) {
        const outcome o = in_child([&] { return memlab_read(n, alone_rtol); });
        fmt::print("memlab read {} x {}: {:.2f} s, {} kB, {} steps, {} unknowns {}\n", n, n, o.seconds, o.peak_kb, o.steps, o.unknowns, o.error);
        std::fflush(stdout);
        nlohmann::json row{{"n", n}, {"cells", n * n}, {"rtol", alone_rtol}, {"seconds", o.seconds}, {"peak_rss_kb", o.peak_kb},
                           {"steps", o.steps}, {"unknowns", o.unknowns}, {"error", o.error}};
        if (big_secs.empty() && o.error.empty()) {
            // The first size against its own reference: is alone_rtol still within the read target?
            const outcome ref = in_child([&] { return memlab_read(n, 1e-8); });
            const double e = error_of(o, ref, true);
            fmt::print("  against rtol 1e-8 ({:.1f} s): worst column current error {:.2e}\n", ref.seconds, e);
            row["reference_seconds"] = ref.seconds;
            row["worst_error_against_reference"] = e;
        }
        doc["memlab_alone_read"].push_back(row);
        if (o.error.empty()) {
            big_cells.push_back(static_cast<double>(n * n));
            big_secs.push_back(o.seconds);
        }
        if (big_secs.size() >= 2) timed["memlab_read_alone"] = {big_cells, big_secs};
        write();
        if (!o.error.empty()) break;
        // The next size has 4x the cells: stop if it would pass the limits at linear growth.
        if (o.seconds * 4 > limit_seconds || o.peak_kb * 4 > limit_kb) {
            doc["memlab_alone_stopped"] = fmt::format("after {} x {}: the next size (4x the cells) would pass {} s or {} GB at linear growth",
                                                      n, n, limit_seconds, limit_kb / 1024 / 1024);
            break;
        }
    }
    for (const std::size_t n : sizes["--programs"]) {
        doc["programs"].push_back(compare(n, false));
        write();
    }
    write();
    fmt::print("{}\nwrote {}\n", doc["scaling_exponent_in_cells"].dump(), arg.path);
    return 0;
}
