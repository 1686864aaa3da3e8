#include "memlab/lab/figures.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#include <utility>

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

// Starts `/usr/bin/python3 -m memlab.plot ARGS...` (see run_plot): its output into `log`, with
// `progress` a pipe on its fd 3 (the read end into *lines), with `input` a pipe on its stdin (the
// write end into *in). Empty on success, else why not.
std::string spawn_drawer(const std::vector<std::string>& args, const fs::path& log, const fs::path& python, bool progress, bool input,
                         pid_t* pid, int* lines, int* in) {
    const fs::path dir = python.empty() ? python_dir() : python;
    if (!holds_package(dir))
        return fmt::format("no memlab Python package (memlab/plot.py) {}", dir.empty() ? "beside the program or in the build" : "in " + dir.string());
    if (::access(python3, X_OK) != 0) return fmt::format("{} not found", python3);
    // Progress lines come back on the drawer's fd 3 (--progress-fd 3), when asked for.
    int pipe_fds[2] = {-1, -1}, in_fds[2] = {-1, -1};
    if (progress && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return fmt::format("cannot make a pipe: {}", std::strerror(errno));
    if (input && ::pipe2(in_fds, O_CLOEXEC) != 0) {
        if (progress) ::close(pipe_fds[0]), ::close(pipe_fds[1]);
        return fmt::format("cannot make a pipe: {}", std::strerror(errno));
    }
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
    if (input) posix_spawn_file_actions_adddup2(&actions, in_fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (progress) posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 3);  // dup2 clears O_CLOEXEC on fd 3
    const int err = posix_spawn(pid, python3, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (progress) ::close(pipe_fds[1]);
    if (input) ::close(in_fds[0]);
    if (err != 0) {
        if (progress) ::close(pipe_fds[0]);
        if (input) ::close(in_fds[1]);
        return fmt::format("cannot start {}: {}", python3, std::strerror(err));
    }
    if (lines) *lines = progress ? pipe_fds[0] : -1;
    if (in) *in = input ? in_fds[1] : -1;
    return {};
}

// write() of all of `data`, with a SIGPIPE (the reader gone) held back and taken: false then,
// and memlab lives on.
bool write_all_no_sigpipe(int fd, const std::string& data) {
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    const bool was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    bool ok = true;
    for (std::size_t done = 0; done < data.size();) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    if (!ok && !was_pending) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ok;
}

}  // namespace

bool run_plot(const std::vector<std::string>& args, const fs::path& log, const fs::path& python,
              const std::function<void(const std::string&)>& on_line) {
    pid_t pid = 0;
    int lines = -1;
    if (const auto why = spawn_drawer(args, log, python, static_cast<bool>(on_line), false, &pid, &lines, nullptr); !why.empty()) {
        std::ofstream(log) << "memlab: " << why << "\n";
        return false;
    }
    if (!wait_for_drawer(pid, lines, on_line)) return false;
    fs::remove(log);
    return true;
}

figure_stream::figure_stream(const fs::path& folder, const fs::path& python, int jobs) : log_(folder / "figures.log") {
    why_ = spawn_drawer({"--jobs", std::to_string(std::max(jobs, 1)), "--stream", folder.string()}, log_, python, true, true, &pid_, &lines_, &in_);
    if (!why_.empty()) pid_ = -1;
}

figure_stream::~figure_stream() {
    if (in_ >= 0) ::close(in_);
    if (lines_ >= 0) ::close(lines_);
    if (pid_ > 0) {  // not finished (an error or an interrupt unwinds): the drawer stops its workers on SIGTERM
        ::kill(pid_, SIGTERM);
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
    }
}

void figure_stream::add(const std::string& name) {
    ++added_;
    if (in_ < 0) return;
    if (!write_all_no_sigpipe(in_, name + "\n")) {  // the drawer is gone: finish() reads why in its log
        ::close(in_);
        in_ = -1;
    }
}

bool figure_stream::finish(const std::function<void(const std::string&)>& on_drawn) {
    if (pid_ <= 0) {
        std::ofstream(log_) << "memlab: " << why_ << "\n";
        return false;
    }
    if (in_ >= 0) ::close(in_), in_ = -1;  // no more runs: the drawer draws the rest, then report.html
    const pid_t pid = std::exchange(pid_, -1);
    const int lines = std::exchange(lines_, -1);
    if (!wait_for_drawer(pid, lines, on_drawn ? on_drawn : [](const std::string&) {})) return false;
    fs::remove(log_);
    return true;
}

bool draw_run_figure(const fs::path& folder, const fs::path& python) {
    return run_plot({"--draw", folder.string(), (folder / "figure.png").string()}, folder / "figure.log", python);
}

bool draw_seeds_page(const fs::path& folder, const fs::path& python) {
    return run_plot({"--seeds", folder.string()}, folder / "figures.log", python);
}

bool draw_sweep_figure(const fs::path& folder, const fs::path& python) {
    return run_plot({"--distributions", folder.string(), (folder / "distributions.png").string()}, folder / "figure.log", python);
}

}  // namespace memlab::lab
