#pragma once
// What every benchmark writes beside its numbers: the machine and the date.
#include <chrono>
#include <ctime>
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

inline std::string utc_now() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return date;
}

}  // namespace memlab::bench
