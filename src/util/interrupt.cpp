#include "memlab/util/interrupt.hpp"

#include <csignal>

#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab {

interrupted::interrupted(int signal)
    : std::runtime_error(fmt::format("interrupted by {}", signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM"
                                                                                                          : fmt::format("signal {}", signal))),
      signal_(signal) {}

int exit_status::of(solver_failure kind) {
    switch (kind) {
        case solver_failure::not_finite: return not_finite;
        case solver_failure::singular: return singular;
        case solver_failure::event_storm: return event_storm;
        case solver_failure::no_progress: break;
    }
    return no_progress;
}

namespace util {

namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void on_signal(int sig) {
    received = sig;
}

}  // namespace

void catch_interrupts() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    // SA_RESETHAND: a second signal ends the process. No SA_RESTART: a blocking wait returns EINTR.
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() noexcept { return received; }

void check_interrupt() {
    if (const int s = received) throw interrupted(s);
}

}  // namespace util
}  // namespace memlab
