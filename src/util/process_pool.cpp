#include "memlab/util/process_pool.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "memlab/error.hpp"
#include "memlab/util/interrupt.hpp"

namespace memlab::util {

namespace {

enum class state { waiting, running, done, failed };

[[noreturn]] void child(const std::function<int()>& body) {
    int code = 70;
    try {
        code = body();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "memlab: child process: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "memlab: child process: unknown exception\n");
    }
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(code);
}

process_exit decode(int status) {
    process_exit x;
    if (WIFSIGNALED(status)) {
        x.signal = WTERMSIG(status);
        x.status = -1;
    } else {
        x.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return x;
}

}  // namespace

int start_child(const std::function<int()>& body) {
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid == 0) child(body);
    if (pid < 0) throw input_error(fmt::format("cannot start a child process (fork: {})", std::strerror(errno)));
    return pid;
}

std::optional<process_exit> poll_child(int pid, bool block) {
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
        if (r == 0) return std::nullopt;
        if (r < 0 && errno == EINTR) {
            if (block) continue;
            return std::nullopt;
        }
        return r < 0 ? process_exit{.status = -1} : decode(status);
    }
}

void run_processes(const std::vector<process_job>& jobs, int parallel,
                   const std::function<void(std::size_t, const process_exit&)>& finished) {
    const std::size_t limit = static_cast<std::size_t>(std::max(parallel, 1));
    std::vector<state> st(jobs.size(), state::waiting);
    std::map<pid_t, std::size_t> running;
    std::size_t ended = 0;
    for (const auto& j : jobs)
        if (j.after && *j.after >= jobs.size()) throw internal_error("run_processes: `after` names no job");
    auto stop_all = [&] {
        for (const auto& [pid, k] : running) ::kill(pid, SIGTERM);
        for (const auto& [pid, k] : running)
            while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
        running.clear();
    };
    auto end = [&](std::size_t k, const process_exit& x) {
        st[k] = x.ok() ? state::done : state::failed;
        ++ended;
        try {
            if (finished) finished(k, x);
        } catch (...) {
            stop_all();
            throw;
        }
    };
    while (ended < jobs.size()) {
        // SIGINT / SIGTERM (util/interrupt.hpp): stop the children, reap them, unwind.
        if (const int sig = interrupt_signal()) {
            stop_all();
            throw interrupted(sig);
        }
        // Start what is ready; skip what can never start (its `after` failed).
        const std::size_t ended_before = ended;
        for (std::size_t k = 0; k < jobs.size() && running.size() < limit; ++k) {
            if (st[k] != state::waiting) continue;
            if (const auto a = jobs[k].after) {
                if (st[*a] == state::failed) {
                    end(k, {.started = false, .status = -1});
                    continue;
                }
                if (st[*a] != state::done) continue;
            }
            pid_t pid = 0;
            try {
                pid = start_child(jobs[k].body);
            } catch (...) {
                stop_all();
                throw;
            }
            running[pid] = k;
            st[k] = state::running;
        }
        if (running.empty()) {
            if (ended == ended_before) throw internal_error("run_processes: jobs wait on each other (a cycle of `after`)");
            continue;
        }
        // Reap whichever of our children has ended (polled: waiting for any child would also reap
        // children that are not ours).
        bool reaped = false;
        for (auto it = running.begin(); it != running.end();) {
            const auto x = poll_child(it->first);
            if (!x) {
                ++it;
                continue;
            }
            const std::size_t k = it->second;
            it = running.erase(it);
            reaped = true;
            end(k, *x);
        }
        if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace memlab::util
