#pragma once
// Child processes, several at a time: the one pool behind `memlab reproduce` (an experiment per
// child) and the molecular dynamics (a LAMMPS process per child). It sits below every other layer
// (it knows nothing of memlab) so that md, below lab, can use it too.
//
// A child is a fork of the caller that runs one job's body and exits with its return value: its own
// memory, and libraries that are not thread-safe (HDF5) are never shared. The pool waits for its own
// children only (never wait(-1)), so it is safe inside a process that has children of its own
// (Python's subprocess).
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

namespace memlab::util {

struct process_job {
    std::function<int()> body;         // runs in the child; its return value is the exit status
    std::optional<std::size_t> after;  // a job that must end successfully before this one starts
};

// How a child ended.
struct process_exit {
    bool started = true;  // false: its `after` job failed, so it never ran
    int status = 0;       // exit status (an exception out of the body: 70)
    int signal = 0;       // the signal that ended it, or 0
    int rank = 0;         // the MPI rank it ran on (util::run_queue)
    bool ok() const { return started && signal == 0 && status == 0; }
};

// Runs every job in a child, up to `parallel` at a time, the ready job with the lowest index first.
// `finished(k, exit)` runs in the caller as each child ends (and for each job skipped because its
// `after` failed). If `finished` throws, or a fork fails (input_error), the children still running
// get SIGTERM and are reaped before the exception leaves; likewise on SIGINT / SIGTERM once
// util::catch_interrupts() is in place (memlab::interrupted). stdout is flushed before each fork.
void run_processes(const std::vector<process_job>& jobs, int parallel,
                   const std::function<void(std::size_t, const process_exit&)>& finished);

// The two steps of every pool (run_processes, util::run_queue): start a child that runs `body`
// and exits with its return value (stdout and stderr flushed first; input_error if fork fails),
// and see whether it has ended (reaping it): nullopt while it runs, unless `block`.
int start_child(const std::function<int()>& body);
std::optional<process_exit> poll_child(int pid, bool block = false);

}  // namespace memlab::util
