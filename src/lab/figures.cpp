#include "memlab/lab/figures.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
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

namespace {

// Waits for the drawer `pid`; an interrupt (Ctrl-C, SIGTERM) stops the drawing too, then unwinds.
// With `lines` (the read end of the drawer's progress pipe), every line it writes is passed on to
// on_line until it closes the pipe, the interrupt checked at least every 0.2 s.
bool wait_for_drawer(pid_t pid, int lines, const std::function<void(const std::string&)>& on_line) {
    auto stop_if_interrupted = [&] {
        if (const int sig = util::interrupt_signal()) {
            ::kill(pid, SIGTERM);
            int st = 0;
            while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
            if (lines >= 0) ::close(lines);
            throw interrupted(sig);
        }
    };
    if (lines >= 0) {
        std::string pending;
        char buf[512];
        for (;;) {
            stop_if_interrupted();
            pollfd pfd{lines, POLLIN, 0};
            const int ready = ::poll(&pfd, 1, 200);
            if (ready < 0 && errno != EINTR) break;
            if (ready <= 0) continue;
            const ssize_t n = ::read(lines, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // the drawer closed its end: done (or gone)
            pending.append(buf, static_cast<std::size_t>(n));
            for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) on_line(pending.substr(0, nl));
        }
        ::close(lines);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return false;
        stop_if_interrupted();
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool run_plot(const std::vector<std::string>& args, const fs::path& log, const fs::path& python,
              const std::function<void(const std::string&)>& on_line) {
    const fs::path dir = python.empty() ? python_dir() : python;
    auto fail = [&](const std::string& why) {
        std::ofstream(log) << "memlab: " << why << "\n";
        return false;
    };
    if (!holds_package(dir))
        return fail(fmt::format("no memlab Python package (memlab/plot.py) {}", dir.empty() ? "beside the program or in the build" : "in " + dir.string()));
    if (::access(python3, X_OK) != 0) return fail(fmt::format("{} not found", python3));
    // Progress lines come back on the drawer's fd 3 (--progress-fd 3), when asked for.
    const bool progress = static_cast<bool>(on_line);
    int pipe_fds[2] = {-1, -1};
    if (progress && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(fmt::format("cannot make a pipe: {}", std::strerror(errno)));
    std::vector<std::string> argv_s{python3, "-m", "memlab.plot"};
    if (progress) argv_s.insert(argv_s.end(), {"--progress-fd", "3"});
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
    if (progress) posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 3);  // dup2 clears O_CLOEXEC on fd 3
    pid_t pid = 0;
    const int err = posix_spawn(&pid, python3, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (progress) ::close(pipe_fds[1]);
    if (err != 0) {
        if (progress) ::close(pipe_fds[0]);
        return fail(fmt::format("cannot start {}: {}", python3, std::strerror(err)));
    }
    if (!wait_for_drawer(pid, pipe_fds[0], on_line)) return false;
    fs::remove(log);
    return true;
}

bool draw_run_figure(const fs::path& folder, const fs::path& python) {
    return run_plot({"--draw", folder.string(), (folder / "figure.png").string()}, folder / "figure.log", python);
}

bool draw_seeds_page(const fs::path& folder, const fs::path& python) {
    return run_plot({"--seeds", folder.string()}, folder / "figures.log", python);
}

bool draw_report_figures(const fs::path& folder, const fs::path& python, int jobs, const std::function<void(const std::string&)>& on_drawn) {
    return run_plot({"--jobs", std::to_string(std::max(jobs, 1)), folder.string()}, folder / "figures.log", python, on_drawn);
}

bool draw_sweep_figure(const fs::path& folder, const fs::path& python) {
    return run_plot({"--distributions", folder.string(), (folder / "distributions.png").string()}, folder / "figure.log", python);
}

}  // namespace memlab::lab
