#pragma once
// Tasks spread over processes: locally (up to `parallel` child processes, util::run_processes) or,
// when memlab is built with MPI (CMake option MEMLAB_WITH_MPI) and started by mpirun, over the MPI
// ranks by a dynamic work queue. It sits below every other layer (it knows nothing of memlab).
//
// Under MPI, rank 0 holds the queue: every rank (rank 0 too, between messages) runs up to
// `parallel` tasks at a time, each in a child process, and asks rank 0 for the next one as each
// ends, so a slow task holds up its own slot only. Task bodies must leave their results where
// rank 0 reads them (a shared file system); only rank 0 hears that a task ended.
#include <cstddef>
#include <functional>
#include <vector>

#include "memlab/util/process_pool.hpp"

namespace memlab::util {

// The MPI world of this process, set up for the scope of one object when the process was started
// by mpirun (OpenMPI, MPICH, Slurm's PMI: their environment variables say so); otherwise, or
// without MPI in the build, this process alone (rank 0 of 1).
class mpi_session {
public:
    mpi_session(int& argc, char**& argv);
    ~mpi_session();
    mpi_session(const mpi_session&) = delete;
    mpi_session& operator=(const mpi_session&) = delete;
};

int mpi_rank();   // 0 without MPI
int mpi_ranks();  // 1 without MPI
bool mpi_built(); // memlab was built with MPI
// Every rank waits here until all have come (nothing in one process): after run_queue, the results
// every task left are there for every rank to read (rank 0 returns from run_queue once all ended).
void mpi_barrier();

// Runs body(k) for every k in `tasks`, each in a child process (its exit status is the return
// value). One rank: up to `parallel` children at a time, in the order given. Several ranks: the
// dynamic queue above (every rank must call this with the same body; `tasks` is read on rank 0
// only). `finished(k, exit)` runs on rank 0 as each task ends, wherever it ran. Returns on every
// rank when the queue is empty and every task has ended.
void run_queue(const std::vector<std::size_t>& tasks, const std::function<int(std::size_t)>& body, int parallel,
               const std::function<void(std::size_t, const process_exit&)>& finished);

}  // namespace memlab::util
