#include "memlab/error.hpp"

#include <csignal>

#include <fmt/format.h>

namespace memlab {

interrupted::interrupted(int signal)
    : std::runtime_error(fmt::format("interrupted by {}", signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM"
                                                                                                          : fmt::format("signal {}", signal))),
      signal_(signal) {}

std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
    return out;
}

int exit_status::of(solver_failure kind) {
    switch (kind) {
        case solver_failure::not_finite: return not_finite;
        case solver_failure::singular: return singular;
        case solver_failure::event_storm: return event_storm;
        case solver_failure::no_progress: break;
    }
    return no_progress;
}

}  // namespace memlab
