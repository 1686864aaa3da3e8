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

#include "memlab/error.hpp"

namespace memlab::spice {

std::string pwl_source(const std::string& name, const std::string& p, const std::string& n, const stimulus::waveform& w,
                       double t_end, double min_edge) {
    std::vector<double> t{0.0}, v{w.value(0.0)};
    for (double b = w.next_breakpoint(0.0); b <= t_end; b = w.next_breakpoint(b)) {
        const double before = w.value(std::nextafter(b, -1.0));
        const double at = w.value(b);
        if (std::fabs(before - at) > 1e-12 * (std::fabs(at) + 1)) {  // a step: give it an edge
            t.push_back(b);
            v.push_back(before);
            t.push_back(b + min_edge);
            v.push_back(at);
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
    for (std::size_t k = 0; k < t.size(); ++k) out += fmt::format("{}{:.17g} {:.17g}", k ? " " : "", t[k], v[k]);
    out += ")\n";
    return out;
}

std::string vteam_subcircuit(const device::vteam_params& p, const std::string& name) {
    const double nm = 1e-9;
    // Everything in the state node is in nm (ngspice's absolute tolerances are meant for volts).
    return fmt::format(
        ".subckt {name} p n\n"
        "* VTEAM (Kvatinsky et al. 2015), exported by memlab; state w/nm on node x\n"
        "* initial state: .ic v(<instance>.x)={winit:.17g}  (and tran ... uic)\n"
        "Bi p n I = V(p,n)/({ron:.17g} + ({roff:.17g}-{ron:.17g})*(V(x)-({won:.17g}))/(({woff:.17g})-({won:.17g})))\n"
        "Cx x 0 1\n"
        "Bx 0 x I = {koff:.17g}*pow(max(V(p,n)/{voff:.17g}-1,0),{aoff:.17g})*exp(-exp((V(x)-({woff:.17g}))/{wc:.17g}))"
        " + ({kon:.17g})*pow(max(V(p,n)/({von:.17g})-1,0),{aon:.17g})*exp(-exp(-(V(x)-({won:.17g}))/{wc:.17g}))\n"
        ".ends {name}\n",
        fmt::arg("name", name), fmt::arg("ron", p.r_on), fmt::arg("roff", p.r_off), fmt::arg("won", p.w_on / nm),
        fmt::arg("woff", p.w_off / nm), fmt::arg("wc", p.w_c / nm), fmt::arg("koff", p.k_off / nm),
        fmt::arg("kon", p.k_on / nm), fmt::arg("voff", p.v_off), fmt::arg("von", p.v_on), fmt::arg("aoff", p.alpha_off),
        fmt::arg("aon", p.alpha_on), fmt::arg("winit", p.w_init / nm));
}

const std::vector<double>& batch_result::column(const std::string& name) const {
    for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == name) return columns[k];
    throw input_error(fmt::format("ngspice output has no vector '{}'", name));
}

batch_result run_batch(const std::string& netlist, const std::string& output_file, const std::string& ngspice) {
    namespace fs = std::filesystem;
    char tmpl[] = "/tmp/memlab_ngspice_XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) throw input_error("ngspice: cannot create a temporary directory");
    const fs::path d(dir);
    {
        std::ofstream f(d / "deck.cir");
        f << netlist;
    }
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
