#pragma once
// Two kinds of error, as in arbor: input_error for a user's mistake (it names the key or element at
// fault, in one line), internal_error for a bug in memlab. solver_error is an input_error raised by
// the integrator: it carries the simulated time and the state at which it gave up.
#include <stdexcept>
#include <string>

namespace memlab {

class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class solver_error : public input_error {
public:
    solver_error(const std::string& what, double time) : input_error(what), time_(time) {}
    double time() const noexcept { return time_; }

private:
    double time_;
};

class internal_error : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

}  // namespace memlab
