// SPICE export of random valid parameter sets: the first byte picks a model of the registry (one
// with a SPICE form), the following bytes set its parameters, each within its range (two bytes
// per parameter: 0 keeps the default, else a point of the range, log-spaced over a wide one; an
// open end stands for a million times the default). A
// set the model's consistency check accepts must export: every number in the subcircuit finite.
// With MEMLAB_FUZZ_NGSPICE=ngspice (the replay of a corpus, tests/fuzz/CMakeLists.txt), the
// subcircuit is also read by ngspice in a deck of its own: no line of ngspice's output may be an
// error.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "memlab/device/registry.hpp"
#include "memlab/spice/ngspice.hpp"

using namespace memlab;

namespace {

const std::vector<std::string>& exportable() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& n : device::model_names())
            if (device::make_model(n)->has_spice()) out.push_back(n);
        return out;
    }();
    return names;
}

double pick(const device::parameter_info& p, unsigned code) {
    // An open end of a range ("[0, inf)") is taken as a million times the default (at least 1e6 in
    // SI): wide, but a number a device could have; 1e300 overflows any unit conversion.
    const double open = 1e6 * std::max(std::fabs(p.default_value), 1.0);
    const double big = 1e300;
    const double lo = p.min <= -big ? -open : p.min, hi = p.max >= big ? open : p.max;
    const double u = static_cast<double>(code - 1) / 65534.0;  // code 1..65535 -> [0, 1]
    if (lo > 0 && hi / lo > 1e3) return std::min(hi, std::max(lo, lo * std::pow(hi / lo, u)));
    if (hi < 0 && lo / hi > 1e3) return std::max(lo, std::min(hi, hi * std::pow(lo / hi, u)));
    return lo + (hi - lo) * u;
}

// ngspice reads the subcircuit: an instance of it across a DC source, an operating point.
void check_in_ngspice(const std::string& exe, const std::string& sub, const std::string& name) {
    const auto deck = fuzz::scratch_file("deck.cir");
    {
        std::FILE* f = std::fopen(deck.c_str(), "w");
        std::fprintf(f, "* memlab fuzz_spice\n%s\nV1 a 0 DC 0.1\nX1 a 0 %s\n.control\nop\nquit\n.endc\n.end\n", sub.c_str(), name.c_str());
        std::fclose(f);
    }
    const std::string cmd = exe + " -b " + deck.string() + " 2>&1";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) fuzz::finding("cannot start ngspice", cmd.c_str());
    std::string out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
    for (std::size_t a = 0; a < out.size();) {
        const std::size_t b = std::min(out.find('\n', a), out.size());
        const std::string line = out.substr(a, b - a);
        // Parse errors. An operating point that does not converge, or an expression that overflows
        // while Newton searches, at a random parameter set is the physics, not the export.
        const bool error = line.find("Error") != std::string::npos || line.find("error") != std::string::npos;
        bool physics = false;
        for (const char* cause : {"convergence", "gmin", "source stepping", "iteration limit", "out of range", "singular matrix",
                              "doAnalyses", "aborted", "imestep too small", "op failed"})
            physics = physics || line.find(cause) != std::string::npos;
        if (error && !physics) fuzz::finding("ngspice does not read the exported subcircuit", (line + "\n" + sub).c_str());
        a = b + 1;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || exportable().empty()) return 0;
    const std::string& name = exportable()[data[0] % exportable().size()];
    auto m = device::make_model(name);
    std::map<std::string, double> values;
    std::size_t at = 1;
    for (const auto& p : m->parameter_table()) {
        if (at + 1 >= size) break;
        const unsigned code = static_cast<unsigned>(data[at]) << 8 | data[at + 1];
        at += 2;
        if (code != 0) values[p.name] = pick(p, code);
    }
    if (!fuzz::accepts([&] { m->set(values); })) return 0;  // the model's consistency check said no
    std::string sub;
    if (!fuzz::accepts([&] { sub = spice::subcircuit(*m, name); }))
        fuzz::finding("a valid parameter set does not export", name.c_str());
    for (const char* bad : {"nan", "inf", "NaN", "Inf"})
        for (std::size_t k = sub.find(bad); k != std::string::npos; k = sub.find(bad, k + 1)) {
            const bool word_start = k == 0 || !std::isalnum(static_cast<unsigned char>(sub[k - 1]));
            const bool word_end = k + 3 >= sub.size() || !std::isalnum(static_cast<unsigned char>(sub[k + 3]));
            if (word_start && word_end) fuzz::finding("the subcircuit holds a number that is not finite", sub.c_str());
        }
    if (const char* exe = std::getenv("MEMLAB_FUZZ_NGSPICE")) check_in_ngspice(exe, sub, name);
    return 0;
}
