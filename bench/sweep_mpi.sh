#!/usr/bin/env bash
# Parallel efficiency of `memlab sweep` on MPI: 40 tasks in one process (--jobs 1) against
# `mpirun -np 2` (one task at a time per rank), in alternating rounds (one, two, one, two, ...),
# each run with an empty cache of its own and no figure. Checks that every run writes the same
# table.csv and table.h5, byte for byte, and writes bench/results/sweep_mpi[_study].json: each
# round's seconds and load average, the medians, the parallel efficiency T1 / (2 T2) of the
# medians, the same without mpirun's start (the median over rounds of T1 / (2 (T2 - S)), S the extra
# seconds of a fully cached rerun under mpirun over one in one process), the machine and the date.
#
# usage: bench/sweep_mpi.sh [set_delay|study] [ROUNDS]
#   set_delay (default): experiments/set_delay.toml at seeds 1..40, about 0.2 s of CPU a task:
#       short tasks, so mpirun's start and MPI_Init (about 0.5-1 s here) weigh in the efficiency.
#   study: 40 devices of experiments/study_devices_training.toml (the training protocol, about
#       0.4 s of CPU a task): longer tasks.
# ROUNDS: pairs of runs (default 3).
#
# mpirun runs with --bind-to none: on a machine shared with other work a rank pinned to a core
# that another job holds cannot move to the free one (OpenMPI binds each rank to a core by
# default for 2 ranks). Run from the repository root after building the release preset with MPI
# (MEMLAB_WITH_MPI, libopenmpi-dev, openmpi-bin). On a shared machine the efficiency measures
# the load as much as memlab: the load average is recorded with every round; run it when idle.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-set_delay}
rounds=${2:-3}
bin=$PWD/build/release/bin/memlab
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
case $kind in
  set_delay) args=(sweep experiments/set_delay.toml --seeds 1..40 --no-figure)
             what="40 tasks (set_delay, seeds 1..40)"; result=bench/results/sweep_mpi.json ;;
  study)     args=(sweep experiments/study_devices_training.toml --devices 40 --no-figure)
             what="40 tasks (study_devices_training, devices 1..40)"; result=bench/results/sweep_mpi_study.json ;;
  *) echo "usage: bench/sweep_mpi.sh [set_delay|study] [ROUNDS]" >&2; exit 2 ;;
esac
args+=(--jobs 1)  # one process: one task at a time; under mpirun: one per rank
measure() {  # name [launcher...] -> seconds (a fresh output and cache)
  local t0 t1 name=$1
  shift
  rm -rf "$out/$name" "$out/cache-$name"
  t0=$(date +%s.%N)
  "$@" "$bin" "${args[@]}" --out "$out/$name" --cache "$out/cache-$name" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
fixed() {  # name [launcher...] -> seconds of the same sweep again, every task from its cache: the
           # part that is not the tasks (start, MPI_Init, the plan, the table, the exit)
  local t0 t1 name=$1
  shift
  t0=$(date +%s.%N)
  "$@" "$bin" "${args[@]}" --out "$out/$name-again" --cache "$out/cache-$name" >/dev/null
  t1=$(date +%s.%N)
  rm -rf "$out/$name-again"
  echo "$t1 - $t0" | bc -l
}
same=true
rows=""
for ((r = 1; r <= rounds; r++)); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  t1=$(measure one)
  t2=$(measure two mpirun --bind-to none -np 2)
  for f in table.csv table.h5; do cmp -s "$out/one/$f" "$out/two/$f" || same=false; done
  f1=$(fixed one)
  f2=$(fixed two mpirun --bind-to none -np 2)
  [ -n "$rows" ] && rows+=","
  rows+=$(printf '\n    {"load_average_before": "%s", "seconds_jobs_1": %.2f, "seconds_mpirun_np_2": %.2f, "seconds_cached_jobs_1": %.2f, "seconds_cached_mpirun_np_2": %.2f}' "$load" "$t1" "$t2" "$f1" "$f2")
  echo "round $r: load $load, --jobs 1 $(printf '%.2f' "$t1") s, mpirun -np 2 $(printf '%.2f' "$t2") s" >&2
done
/usr/bin/python3 - "$result" "$what" "$same" "[$rows
  ]" <<'PY'
import json, os, platform, statistics, sys, time
result, what, same, rounds = sys.argv[1], sys.argv[2], sys.argv[3] == "true", json.loads(sys.argv[4])
t1 = statistics.median(r["seconds_jobs_1"] for r in rounds)
t2 = statistics.median(r["seconds_mpirun_np_2"] for r in rounds)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
res = {
    "benchmark": f"memlab sweep, {what}, --jobs 1 against mpirun --bind-to none -np 2, no figure, alternating rounds, empty caches",
    "machine": f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} cores, {cpu}",
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "rounds": rounds,
    "median_seconds_jobs_1": round(t1, 2),
    "median_seconds_mpirun_np_2": round(t2, 2),
    "parallel_efficiency": round(t1 / (2 * t2), 3),
    "parallel_efficiency_per_round": [round(r["seconds_jobs_1"] / (2 * r["seconds_mpirun_np_2"]), 3) for r in rounds],
    # mpirun's own start and MPI_Init / MPI_Finalize: what a cached rerun takes under mpirun beyond
    # what it takes in one process; taken off the mpirun time of the same round.
    "parallel_efficiency_excluding_mpi_start": round(statistics.median(
        r["seconds_jobs_1"] / (2 * (r["seconds_mpirun_np_2"] - (r["seconds_cached_mpirun_np_2"] - r["seconds_cached_jobs_1"]))) for r in rounds), 3),
    "fixed_seconds": {"about": "the same sweep again with every task in the cache: what is not the tasks (process and MPI start, "
                               "the plan, the table, the exit)",
                      "median_jobs_1": round(statistics.median(r["seconds_cached_jobs_1"] for r in rounds), 2),
                      "median_mpirun_np_2": round(statistics.median(r["seconds_cached_mpirun_np_2"] for r in rounds), 2)},
    "tables_identical": same,
}
with open(result, "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")
print(json.dumps(res, indent=2))
PY
