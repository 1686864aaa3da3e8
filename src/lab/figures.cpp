#include "memlab/lab/figures.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/util/interrupt.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace memlab::lab {

namespace {

constexpr const char* python3 = "/usr/bin/python3";

bool holds_package(const fs::path& dir) {
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(dir / "memlab" / "plot.py", ec);
}

}  // namespace

fs::path python_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && holds_package(exe.parent_path().parent_path() / "python")) return exe.parent_path().parent_path() / "python";
#ifdef MEMLAB_PYTHON_DIR
    if (holds_package(MEMLAB_PYTHON_DIR)) return MEMLAB_PYTHON_DIR;
#endif
    return {};
}

bool run_plot(const std::vector<std::string>& args, const fs::path& log, const fs::path& python) {
    const fs::path dir = python.empty() ? python_dir() : python;
    auto fail = [&](const std::string& why) {
        std::ofstream(log) << "memlab: " << why << "\n";
        return false;
    };
    if (!holds_package(dir))
        return fail(fmt::format("no memlab Python package (memlab/plot.py) {}", dir.empty() ? "beside the program or in the build" : "in " + dir.string()));
    if (::access(python3, X_OK) != 0) return fail(fmt::format("{} not found", python3));
    std::vector<std::string> argv_s{python3, "-m", "memlab.plot"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The environment with the package's folder first on PYTHONPATH.
    std::string pythonpath = "PYTHONPATH=" + dir.string();
    std::vector<char*> envp;
    for (char** e = environ; e && *e; ++e) {
        if (std::strncmp(*e, "PYTHONPATH=", 11) == 0) {
            if ((*e)[11] != '\0') pythonpath += std::string(":") + (*e + 11);
            continue;
        }
        envp.push_back(*e);
    }
    envp.push_back(pythonpath.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, python3, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) return fail(fmt::format("cannot start {}: {}", python3, std::strerror(err)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return false;
        if (const int sig = util::interrupt_signal()) {  // stop the drawing too, then unwind
            ::kill(pid, SIGTERM);
            ::waitpid(pid, &status, 0);
            throw interrupted(sig);
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
    fs::remove(log);
    return true;
}

bool draw_run_figure(const fs::path& folder, const fs::path& python) {
    return run_plot({"--draw", folder.string(), (folder / "figure.png").string()}, folder / "figure.log", python);
}

bool draw_seeds_page(const fs::path& folder, const fs::path& python) {
    return run_plot({"--seeds", folder.string()}, folder / "figures.log", python);
}

bool draw_report_figures(const fs::path& folder, const fs::path& python, int jobs) {
    return run_plot({"--jobs", std::to_string(std::max(jobs, 1)), folder.string()}, folder / "figures.log", python);
}

bool draw_sweep_figure(const fs::path& folder, const fs::path& python) {
    return run_plot({"--distributions", folder.string(), (folder / "distributions.png").string()}, folder / "figure.log", python);
}

}  // namespace memlab::lab
