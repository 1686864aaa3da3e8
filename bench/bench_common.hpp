#pragma once
// What every benchmark writes beside its numbers: the machine and the date.
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <optional>
#include <fmt/format.h>
#include <fstream>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

namespace memlab::bench {

inline std::string machine() {
    struct utsname u {};
    uname(&u);
    std::ifstream cpu("/proc/cpuinfo");
    std::string line, model = "unknown cpu";
    while (std::getline(cpu, line))
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    return fmt::format("{} {} {}, {} cores, {}", u.sysname, u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), model);
}

// The benchmarks' one argument, the results file (default `fallback`). An option is not a path:
// usage goes to stderr and the caller returns the exit code (0 for --help, 2 otherwise).
struct results_arg {
    std::string path;
    std::optional<int> exit_code;
};
inline results_arg results_path(int argc, char** argv, const std::string& fallback) {
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        std::fprintf(stderr, "usage: %s [results.json]   (default %s)\n", argv[0], fallback.c_str());
        return {"", argc == 2 && std::string(argv[1]) == "--help" ? 0 : 2};
    }
    return {argc > 1 ? argv[1] : fallback, std::nullopt};
}

// The load average over 1, 5 and 15 minutes (the machine may be shared: timings depend on it).
inline std::string load() {
    double l[3] = {0, 0, 0};
    if (getloadavg(l, 3) != 3) return "unknown";
    return fmt::format("{:.2f} {:.2f} {:.2f}", l[0], l[1], l[2]);
}

inline std::string utc_now() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return date;
}

}  // namespace memlab::bench
