#pragma once
// Two kinds of error, as in arbor: input_error for a user's mistake (it names the key or element at
// fault, in one line), internal_error for a bug in memlab. solver_error is an input_error raised by
// the integrator: it carries the simulated time at which it gave up and what went wrong (its
// message names the state). write_error: an output file could not be written (disk full, quota, a
// file-size limit). interrupted: SIGINT or SIGTERM arrived (memlab/util/interrupt.hpp).
//
// Each has its own exit status in the command line (exit_status below; the README's table).
#include <stdexcept>
#include <string>

namespace memlab {

// The text of a message as one line: control characters of a user's text quoted in it (a newline
// in a unit, a TOML key or a --set value) are written as \n, \t, \xNN.
std::string one_line(const std::string& text);

// Its message is always one line (one_line).
class input_error : public std::runtime_error {
public:
    explicit input_error(const std::string& what) : std::runtime_error(one_line(what)) {}
    explicit input_error(const char* what) : input_error(std::string(what)) {}
};

// Why a simulation stopped before its end.
enum class solver_failure {
    not_finite,    // a value (a device's current or rate, a probe) is NaN or infinite
    singular,      // the circuit's equations do not determine every unknown (a floating node)
    no_progress,   // the step size collapsed, too many steps, repeated convergence failures
    event_storm,   // stochastic events come faster than the solution can advance
};

class solver_error : public input_error {
public:
    solver_error(const std::string& what, double time, solver_failure kind = solver_failure::no_progress)
        : input_error(what), time_(time), kind_(kind) {}
    double time() const noexcept { return time_; }
    solver_failure kind() const noexcept { return kind_; }

private:
    double time_;
    solver_failure kind_;
};

class write_error : public input_error {
public:
    using input_error::input_error;
};

class interrupted : public std::runtime_error {
public:
    explicit interrupted(int signal);
    int signal() const noexcept { return signal_; }

private:
    int signal_;
};

class internal_error : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

// The command line's exit statuses, one per way a command ends (README, "Exit status").
namespace exit_status {
inline constexpr int ok = 0;
inline constexpr int targets_fail = 1;       // reproduce --strict: a target fails
inline constexpr int input = 2;              // a file, key or option the user can fix
inline constexpr int internal = 3;           // a bug in memlab
inline constexpr int write_failed = 4;       // an output could not be written (disk full, ulimit -f)
inline constexpr int experiments_lost = 5;   // reproduce / sensitivity: experiments not run (the report says why)
inline constexpr int not_finite = 10;        // solver_failure::not_finite
inline constexpr int singular = 11;          // solver_failure::singular
inline constexpr int no_progress = 12;       // solver_failure::no_progress
inline constexpr int event_storm = 13;       // solver_failure::event_storm
// interrupted: 128 + the signal (130 for SIGINT, 143 for SIGTERM), as a shell reports it.
int of(solver_failure kind);
}  // namespace exit_status

}  // namespace memlab
