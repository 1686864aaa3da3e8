#include "memlab/util/interrupt.hpp"

#include <csignal>

#include "memlab/error.hpp"

namespace memlab::util {

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

}  // namespace memlab::util
