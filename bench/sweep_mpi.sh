#!/usr/bin/env bash
# Times `memlab sweep` on 40 tasks (experiments/set_delay.toml at seeds 1..40, about 0.3 s a task)
# in one process (--jobs 1) and under `mpirun -np 2` (one task at a time per rank), each with an
# empty cache of its own and no figure; checks that both write the same table.csv and table.h5,
# byte for byte, and writes bench/results/sweep_mpi.json with the parallel efficiency
# T1 / (2 T2), the machine and the date. Run from the repository root after building the release
# preset with MPI (MEMLAB_WITH_MPI, libopenmpi-dev, openmpi-bin). On a machine shared with other
# work the efficiency measures the load as much as memlab: run it on an idle one.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/bin/memlab
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(sweep experiments/set_delay.toml --seeds 1..40 --no-figure)
measure() {  # name [launcher...] -> seconds
  local t0 t1 name=$1
  shift
  t0=$(date +%s.%N)
  "$@" "$bin" "${args[@]}" --out "$out/$name" --cache "$out/cache-$name" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
args+=(--jobs 1)
t1=$(measure one)
t2=$(measure two mpirun -np 2)
same=true
for f in table.csv table.h5; do cmp -s "$out/one/$f" "$out/two/$f" || same=false; done
eff=$(echo "$t1 / (2 * $t2)" | bc -l)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
cat > bench/results/sweep_mpi.json <<JSON
{
  "benchmark": "memlab sweep, 40 tasks (set_delay, seeds 1..40), --jobs 1 against mpirun -np 2, no figure",
  "machine": "$(uname -srm), $(nproc) cores, $cpu",
  "load_average_before": "$load",
  "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
  "seconds_jobs_1": $(printf '%.2f' "$t1"),
  "seconds_mpirun_np_2": $(printf '%.2f' "$t2"),
  "parallel_efficiency": $(printf '%.3f' "$eff"),
  "tables_identical": $same
}
JSON
cat bench/results/sweep_mpi.json
