#include "memlab/spice/ngspice.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include "memlab/circuit/simulation.hpp"
#include "memlab/device/regime.hpp"
#include "memlab/error.hpp"
#include "memlab/units/units.hpp"
#include "memlab/version.hpp"

namespace memlab::spice {

std::string pwl_source(const std::string& name, const std::string& p, const std::string& n, const stimulus::waveform& w,
                       double t_end, double min_edge) {
    std::vector<double> t{0.0}, v{w.value(0.0)};
    for (double b = w.next_breakpoint(0.0); b <= t_end; b = w.next_breakpoint(b)) {
        // A step at b is seen on either side of it: a rising step is right-continuous (the value
        // at b is already the new level), a fall of zero length is left-continuous (the value at
        // b is still the plateau and the base begins just after b). (Only the left side was
        // checked before, and a zero-length fall was written as a ramp to the next breakpoint.)
        const double before = w.value(std::nextafter(b, -INFINITY));
        const double at = w.value(b);
        const double after = w.value(std::nextafter(b, INFINITY));
        // The waveform is linear between breakpoints, so within an ulp of a breakpoint it can
        // differ from the breakpoint's value by a ramp's slope times that ulp (1.6e-9 V at the
        // end of a 10 MV/s edge at t = 0.5 s, 4e-9 V at the start of a fall at t = 2 s, where the
        // ramp's own start rounds a few ulps away): that is not a step. (Treated as one, it wrote
        // a 1 ps edge of a few nV, two PWL points closer than ngspice's smallest step, and
        // ngspice stopped with "timestep too small" there.)
        const auto slope = [&](double lo, double hi) {
            if (!std::isfinite(hi) || hi <= lo) return 0.0;
            const double q1 = lo + 0.25 * (hi - lo), q3 = lo + 0.75 * (hi - lo);
            return std::fabs(w.value(q3) - w.value(q1)) / (q3 - q1);
        };
        const double ulp = std::nextafter(b, INFINITY) - b;
        const double ramp = 8.0 * (slope(t.back(), b) + slope(b, w.next_breakpoint(b))) * ulp;
        const auto step = [&](double x, double y) { return std::fabs(x - y) > 1e-12 * (std::fabs(y) + 1) + ramp; };
        const double from = step(before, at) ? before : at;
        const double to = step(before, at) ? at : after;
        if (step(from, to)) {  // a step: give it an edge
            t.push_back(b);
            v.push_back(from);
            t.push_back(b + min_edge);
            v.push_back(to);
        } else if (b > t.back()) {
            t.push_back(b);
            v.push_back(at);
        }
    }
    if (t.back() < t_end) {
        t.push_back(t_end);
        v.push_back(w.value(t_end));
    }
    std::string out = fmt::format("{} {} {} PWL(", name, p, n);
    // Shortest form that reads back as the same double.
    for (std::size_t k = 0; k < t.size(); ++k) out += fmt::format("{}{} {}", k ? " " : "", t[k], v[k]);
    out += ")\n";
    return out;
}

namespace {
std::vector<double> start_state(const device::model& m, std::span<const double> initial_state) {
    std::vector<double> s0(m.n_states());
    if (initial_state.empty()) m.initial_state(s0);
    else {
        if (initial_state.size() != s0.size())
            throw input_error(fmt::format("export-spice: {} states given, model '{}' has {}", initial_state.size(), m.name(), s0.size()));
        std::copy(initial_state.begin(), initial_state.end(), s0.begin());
    }
    return s0;
}
}  // namespace

std::string initial_conditions(const device::model& m, const std::string& instance, std::span<const double> initial_state) {
    const device::spice_form f = m.spice();
    const auto& st = m.states();
    const auto s0 = start_state(m, initial_state);
    std::string out = ".ic";
    for (std::size_t k = 0; k < st.size(); ++k) out += fmt::format(" v({}.s_{})={}", instance, st[k].name, s0[k] / f.scale[k]);
    return out + "\n";
}

std::string subcircuit(const device::model& m, const std::string& name, std::span<const double> initial_state) {
    const device::spice_form f = m.spice();
    const auto& st = m.states();
    const auto s0 = start_state(m, initial_state);
    std::string out = fmt::format(".subckt {} p n\n* memlab model '{}': {}\n", name, m.name(), m.summary());
    out += "* parameters (SI):";
    const auto& table = m.parameter_table();
    for (const auto& p : table) out += fmt::format(" {}={:.6g}", p.name, m.get(p.name));
    out += "\n* states: node s_<name> holds state/scale; a 1 F capacitor integrates d(node)/dt\n";
    for (std::size_t k = 0; k < st.size(); ++k)
        out += fmt::format("*   s_{} = {} / {:.6g} {} (initial {:.6g})\n", st[k].name, st[k].name, f.scale[k], st[k].unit, s0[k] / f.scale[k]);
    if (!f.note.empty()) out += fmt::format("* note: {}\n", f.note);
    // A state node sees only its capacitor and its rate: in an operating point or a DC sweep (the
    // capacitor open) nothing sets its voltage, and ngspice stopped with "singular matrix" (then
    // crashed). The source rates_on is 0 V there (its DC value) and 1 V in a transient (SIN with
    // no amplitude: no breakpoints): the rates act in .tran only, and without them each state is
    // tied to its initial value through 1 S.
    out += "* rates_on: 0 V in .op, .dc and a transient's operating point (each state held at its initial value), 1 V in .tran\n"
           "V_rates_on rates_on 0 DC 0 SIN(1 0 1)\n";
    for (const auto& h : f.helpers) out += h + "\n";
    if (!f.current.empty()) out += fmt::format("Bi p n I = {}\n", f.current);
    for (std::size_t k = 0; k < st.size(); ++k) {
        const std::string s0k = device::spice_number(s0[k] / f.scale[k]);
        out += fmt::format("C_{0} s_{0} 0 1 IC={1}\n", st[k].name, s0k);
        out += fmt::format("B_{0} 0 s_{0} I = V(rates_on)*({1}) + (1 - V(rates_on))*({2} - V(s_{0}))\n", st[k].name, f.rates[k], s0k);
    }
    out += fmt::format(".ends {}\n", name);
    return out;
}

std::string options(double reltol, double abstol, double vntol) {
    return fmt::format(".options reltol={} abstol={} vntol={} chgtol=1e-22 method=gear maxord=5 itl4=50 rshunt=1e15\n", reltol, abstol, vntol);
}

std::string level1_model(const device::mosfet& m, const std::string& model_name) {
    const auto& p = m.params();
    return fmt::format(".model {} NMOS LEVEL=1 VTO={:.17g} KP={:.17g} GAMMA={:.17g} PHI={:.17g} LAMBDA={:.17g}\n", model_name, p.vt0, p.kp, p.gamma,
                       p.phi, p.lambda_l / p.l);
}

std::string level1_instance(const device::mosfet& m, const std::string& name, const std::string& d, const std::string& g, const std::string& s,
                            const std::string& b, const std::string& model_name, bool capacitances) {
    std::string out = fmt::format("M{} {} {} {} {} {} W={:.17g} L={:.17g}\n", name, d, g, s, b, model_name, m.params().w, m.params().l);
    if (!capacitances) return out;
    const auto cap = [&](const char* what, const std::string& x, const std::string& y, double c) {
        if (x != y && !(x == "0" && y == "0")) out += fmt::format("C{}{} {} {} {:.17g}\n", what, name, x, y, c);
    };
    cap("GD", g, d, m.c_gd());
    cap("GS", g, s, m.c_gs());
    if (d != b) cap("DB", d, b, m.c_junction());
    if (s != b) cap("SB", s, b, m.c_junction());
    return out;
}

std::string tran(double t_end, double max_step) {
    return fmt::format(".tran {} {} 0 {}\n", t_end / 1e5, t_end, max_step > 0 ? max_step : t_end / 1000.0);
}

std::string export_file(const device::model& m, const std::string& name, std::span<const double> initial_state) {
    const auto& st = m.states();
    const std::string ic = initial_conditions(m, "x1", initial_state);
    const circuit::solver_options tol;
    const std::string opts = options(tol.rtol, tol.atol_current, tol.atol_voltage);
    std::string out = fmt::format("* exported by memlab {}\n* memlab model '{}': {}\n*\n", version(), m.name(), m.summary());
    out += fmt::format(
        "* pins: p n (the device current flows from p to n inside; V(p,n) is the device voltage).\n"
        "* instance: X1 top 0 {0}   (device from node top to ground; its states are then the nodes\n"
        "*   x1.s_<state>, in the node units listed in the subcircuit below)\n"
        "* initial state (as exported; change it here, in node units):\n* {1}"
        "* options memlab's own ngspice runs use (memlab run --engine ngspice):\n* {2}"
        "*\n"
        "* .tran: without uic. The operating point holds each state at its initial value (the .ic\n"
        "*   line, or the values in the subcircuit) and solves the helper nodes from them. With uic\n"
        "*   ngspice skips it and starts the helper nodes at 0 V: Newton can then run to a false\n"
        "*   solution and report success (agsn_sio2_pt: v(x1.s_h) = -1.6e91, the device at its leak).\n"
        "* .op, .dc: every state stays at its initial value (the rates act in .tran only): .dc gives\n"
        "*   the I-V of the device frozen in that state.\n",
        name, ic, opts);
    if (const auto* g = m.typical_regime()) {
        // The example starts where the model's regime starts its runs: the states its overrides
        // (device::regime::set) move, e.g. stanford_pku from its high-resistance state; the others
        // as exported.
        auto start = start_state(m, initial_state);
        std::string moved;
        if (!g->set.empty()) {
            const auto r = m.clone();
            r->set(g->set);
            std::vector<double> own(st.size()), there(st.size());
            m.initial_state(own);
            r->initial_state(there);
            for (std::size_t k = 0; k < st.size(); ++k)
                if (there[k] != own[k]) {
                    start[k] = there[k];
                    moved += fmt::format(" {}", st[k].name);
                }
        }
        const std::string example_ic = moved.empty() ? ic : initial_conditions(m, "x1", start);
        const auto& sw = g->slow;
        const double t_end = 2.0 * (sw.v_max - sw.v_min) / sw.rate;
        const auto wave = stimulus::triangle_sweep({0.0, sw.v_max, sw.v_min, 0.0}, sw.rate, 1);
        std::string print = "v(top) i(V1)";
        for (const auto& s : st) print += fmt::format(" v(x1.s_{})", s.name);
        const std::string deck = fmt::format(
            "memlab example: {0} swept 0 -> {1} -> {2} -> 0 at {3} through {4}\n"
            ".include {0}.sub\n{5}R1 in top {6}\nX1 top 0 {0}\n{11}{7}{8}{9}.print tran {10}\n.end\n",
            name, units::format(sw.v_max, "V"), units::format(sw.v_min, "V"), units::format(sw.rate, "V/s"), units::format(g->series_resistance, "Ohm"), pwl_source("V1", "in", "0", *wave, t_end),
            device::spice_number(g->series_resistance), example_ic, opts, tran(t_end), print,
            moved.empty() ? "" : fmt::format("* from the state the model's regime starts in ({} as memlab's regime sets it)\n", moved.substr(1)));
        out += fmt::format(
            "*\n* example deck: a triangular sweep through a series resistor, in which the device switches.\n"
            "* Save this output as {0}.sub and the deck beside it as deck.cir (the lines between the\n"
            "* marks, without their \"* \"), then run ngspice -b deck.cir: it prints the sweep as a table.\n"
            "*   sed -n '/^\\* ---- deck.cir ----$/,/^\\* ---- end of deck.cir ----$/p' {0}.sub | sed '1d;$d;s/^\\* //' > deck.cir\n"
            "* ---- deck.cir ----\n",
            name);
        std::istringstream lines(deck);
        for (std::string l; std::getline(lines, l);) out += "* " + l + "\n";
        out += "* ---- end of deck.cir ----\n";
    }
    return out + subcircuit(m, name, initial_state);
}

std::string device_deck(const device::model& m, const stimulus::waveform& w, double rs, double t_end, double reltol, double tstep,
                        double tmax) {
    std::string wr = "v(in) v(a)";
    for (const auto& st : m.states()) wr += fmt::format(" v(X1.s_{})", st.name);
    return fmt::format(
        "memlab device deck\n{}R1 in a {}\nX1 a 0 dut\n{}{}{}"
        ".control\nset wr_singlescale\nset wr_vecnames\noption numdgt=15\n"
        "tran {} {} 0 {}\nwrdata out.txt {}\n.endc\n.end\n",
        pwl_source("V1", "in", "0", w, t_end), rs, subcircuit(m, "dut"), initial_conditions(m, "x1"), options(reltol, 1e-15, 1e-12), tstep,
        t_end, tmax, wr);
}

const std::vector<double>& batch_result::column(const std::string& name) const {
    for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == name) return columns[k];
    throw input_error(fmt::format("ngspice output has no vector '{}'", name));
}

batch_result run_batch(const std::string& netlist, const std::string& output_file, const std::string& ngspice,
                       const std::map<std::string, std::string>& files) {
    namespace fs = std::filesystem;
    char tmpl[] = "/tmp/memlab_ngspice_XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) throw input_error("ngspice: cannot create a temporary directory");
    const fs::path d(dir);
    {
        std::ofstream f(d / "deck.cir");
        f << netlist;
    }
    for (const auto& [name, text] : files) std::ofstream(d / name) << text;
    batch_result r;
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        const int fd = open("log.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execlp(ngspice.c_str(), ngspice.c_str(), "-b", "deck.cir", static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    struct rusage ru {};
    wait4(pid, &status, 0, &ru);
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.peak_rss_kb = ru.ru_maxrss;
    {
        std::ifstream lf(d / "log.txt");
        std::stringstream ss;
        ss << lf.rdbuf();
        r.log = ss.str();
    }
    r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (output_file.empty()) {
        fs::remove_all(d);
        return r;
    }
    std::ifstream in(d / output_file);
    // ngspice's exit status is 1 after a .control run without .print lines: judge by the output file.
    if (!WIFEXITED(status) || !in) {
        fs::remove_all(d);
        throw input_error(fmt::format("ngspice failed (status {}): {}", status, r.log.substr(0, 400)));
    }
    std::string header;
    std::getline(in, header);
    std::istringstream hs(header);
    for (std::string name; hs >> name;) r.names.push_back(name);
    r.columns.resize(r.names.size());
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        for (auto& c : r.columns) {
            double x = 0;
            ls >> x;
            c.push_back(x);
        }
    }
    fs::remove_all(d);
    return r;
}

}  // namespace memlab::spice
