#pragma once
// SIGINT and SIGTERM as a request to stop: catch_interrupts() installs handlers that only record
// the signal; long work (the integrator's steps, the process pool's wait) calls check_interrupt(),
// which throws memlab::interrupted, so the stack unwinds and staged output folders remove
// themselves. A second signal of the same kind ends the process at once (the default action).
// Without catch_interrupts() (the Python module: Python has its own handler) nothing changes.
namespace memlab::util {

void catch_interrupts();
int interrupt_signal() noexcept;  // the signal received, or 0
void check_interrupt();           // throws memlab::interrupted once a signal has arrived

}  // namespace memlab::util
