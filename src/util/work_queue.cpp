#include "memlab/util/work_queue.hpp"

#include <cstdlib>
#include <deque>
#include <map>
#include <thread>

#if MEMLAB_WITH_MPI
#include <mpi.h>
#endif

#include <fmt/format.h>

#include "memlab/error.hpp"

namespace memlab::util {

namespace {

int rank_ = 0, ranks_ = 1;

// An integer from the environment (mpirun's), or `otherwise`.
int env_int(std::initializer_list<const char*> names, int otherwise) {
    for (const char* v : names)
        if (const char* s = std::getenv(v)) return std::atoi(s);
    return otherwise;
}

void run_local(const std::vector<std::size_t>& tasks, const std::function<int(std::size_t)>& body, int parallel,
               const std::function<void(std::size_t, const process_exit&)>& finished) {
    std::vector<process_job> jobs;
    for (const auto k : tasks) jobs.push_back({[&body, k] { return body(k); }, std::nullopt});
    run_processes(jobs, parallel, [&](std::size_t j, const process_exit& x) {
        if (finished) finished(tasks[j], x);
    });
}

#if MEMLAB_WITH_MPI
bool initialised_ = false;

bool launched_by_mpirun() { return env_int({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"}, -1) >= 0; }

void pause() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

// Messages: a worker's request {task that ended or -1, its status, its signal}; rank 0's answer,
// the next task or -1 (no more: that slot stops).
constexpr int tag_request = 7701, tag_answer = 7702;
using msg = long long;

void run_mpi(const std::vector<std::size_t>& tasks, const std::function<int(std::size_t)>& body, int parallel,
             const std::function<void(std::size_t, const process_exit&)>& finished) {
    const std::size_t slots = static_cast<std::size_t>(std::max(parallel, 1));
    std::map<int, std::size_t> children;  // pid -> task (this rank's)
    if (rank_ == 0) {
        std::deque<std::size_t> queue(tasks.begin(), tasks.end());
        std::size_t ended = 0, stopped = 0;
        const std::size_t worker_slots = static_cast<std::size_t>(ranks_ - 1) * slots;
        while (ended < tasks.size() || stopped < worker_slots) {
            bool busy = false;
            // Requests of the other ranks: record the task that ended, answer with the next.
            int flag = 0;
            MPI_Status st;
            while (MPI_Iprobe(MPI_ANY_SOURCE, tag_request, MPI_COMM_WORLD, &flag, &st) == MPI_SUCCESS && flag) {
                msg m[3];
                MPI_Recv(m, 3, MPI_LONG_LONG, st.MPI_SOURCE, tag_request, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (m[0] >= 0) {
                    ++ended;
                    if (finished)
                        finished(static_cast<std::size_t>(m[0]),
                                 process_exit{.started = true, .status = static_cast<int>(m[1]), .signal = static_cast<int>(m[2]), .rank = st.MPI_SOURCE});
                }
                msg next = -1;
                if (!queue.empty()) {
                    next = static_cast<msg>(queue.front());
                    queue.pop_front();
                } else {
                    ++stopped;
                }
                MPI_Send(&next, 1, MPI_LONG_LONG, st.MPI_SOURCE, tag_answer, MPI_COMM_WORLD);
                busy = true;
            }
            // Rank 0's own tasks.
            for (auto it = children.begin(); it != children.end();) {
                const auto x = poll_child(it->first);
                if (!x) {
                    ++it;
                    continue;
                }
                const std::size_t k = it->second;
                it = children.erase(it);
                ++ended;
                if (finished) finished(k, *x);
                busy = true;
            }
            while (children.size() < slots && !queue.empty()) {
                const std::size_t k = queue.front();
                queue.pop_front();
                children[start_child([&body, k] { return body(k); })] = k;
                busy = true;
            }
            if (!busy) pause();
        }
        return;
    }
    // Another rank: one request per slot, then one per task that ends, until every slot is told to stop.
    std::size_t waiting = 0, open_slots = slots;
    auto ask = [&](msg task, const process_exit& x) {
        msg m[3] = {task, x.status, x.signal};
        MPI_Send(m, 3, MPI_LONG_LONG, 0, tag_request, MPI_COMM_WORLD);
        ++waiting;
    };
    for (std::size_t s = 0; s < slots; ++s) ask(-1, {});
    while (open_slots > 0 || !children.empty()) {
        bool busy = false;
        int flag = 0;
        while (waiting > 0 && MPI_Iprobe(0, tag_answer, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE) == MPI_SUCCESS && flag) {
            msg next = -1;
            MPI_Recv(&next, 1, MPI_LONG_LONG, 0, tag_answer, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            --waiting;
            busy = true;
            if (next < 0) {
                --open_slots;
                continue;
            }
            const auto k = static_cast<std::size_t>(next);
            children[start_child([&body, k] { return body(k); })] = k;
        }
        for (auto it = children.begin(); it != children.end();) {
            const auto x = poll_child(it->first);
            if (!x) {
                ++it;
                continue;
            }
            const auto k = static_cast<msg>(it->second);
            it = children.erase(it);
            ask(k, *x);
            busy = true;
        }
        if (!busy) pause();
    }
}
#endif

}  // namespace

mpi_session::mpi_session(int& argc, char**& argv) {
#if MEMLAB_WITH_MPI
    if (!launched_by_mpirun()) return;
    int done = 0;
    MPI_Initialized(&done);
    if (done) return;
    // memlab's ranks exchange two 24-byte messages per task. OpenMPI's default point-to-point layer
    // on a machine with UCX installed is UCX, whose start costs about 0.2 s per run (measured on 2
    // ranks: a fully cached 4-task sweep took 0.57 s under mpirun with UCX, 0.36 s with ob1) and
    // brings nothing to messages this small; ob1 runs over shared memory or TCP anywhere. A pml the
    // user chose (OMPI_MCA_pml, or mpirun --mca pml) is kept.
    if (std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("OMPI_MCA_pml")) ::setenv("OMPI_MCA_pml", "ob1", 0);
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks_);
    initialised_ = true;
#else
    // Built without MPI but started by mpirun: each rank would run the whole command. Knowing the
    // rank lets rank 0 alone say so (run_queue refuses).
    (void)argc;
    (void)argv;
    rank_ = env_int({"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}, 0);
    ranks_ = env_int({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}, 1);
#endif
}

mpi_session::~mpi_session() {
#if MEMLAB_WITH_MPI
    if (initialised_) MPI_Finalize();
    initialised_ = false;
#endif
    rank_ = 0;
    ranks_ = 1;
}

int mpi_rank() { return rank_; }
int mpi_ranks() { return ranks_; }
bool mpi_built() { return MEMLAB_WITH_MPI != 0; }

void mpi_barrier() {
#if MEMLAB_WITH_MPI
    if (initialised_ && ranks_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

void run_queue(const std::vector<std::size_t>& tasks, const std::function<int(std::size_t)>& body, int parallel,
               const std::function<void(std::size_t, const process_exit&)>& finished) {
#if MEMLAB_WITH_MPI
    if (ranks_ > 1) return run_mpi(tasks, body, parallel, finished);
#endif
    if (ranks_ > 1 && rank_ != 0) return;  // rank 0 says why
    if (ranks_ > 1)
        throw input_error(fmt::format("started by mpirun with {} ranks, but this memlab is built without MPI (CMake option MEMLAB_WITH_MPI, "
                                      "libopenmpi-dev): run it as one process, with --jobs N",
                                      ranks_));
    run_local(tasks, body, parallel, finished);
}

}  // namespace memlab::util
