#!/usr/bin/env bash
# Times `memlab reproduce` (simulations, analysis, figures), every run with --no-cache: the
# paper's circuit experiments alone (without md_diffusion and the snn_* networks) with 2 jobs
# (RUNS_2 runs, 5 by default) and 1 job (RUNS_1, 3), the networks alone with 2 jobs, and the whole
# run (with the LAMMPS molecular dynamics) with 2 jobs, once each; writes
# bench/results/reproduce.json with the machine and date. A shared machine's speed drifts by 10-20 %
# over minutes, so the circuits' times are given as min, median and max of their runs; the
# median is the figure to quote. Run from the repository root after building the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/bin/memlab
out=$(mktemp -d)
measure() {  # jobs name [reproduce options] -> seconds
  local t0 t1 jobs=$1 name=$2
  shift 2
  t0=$(date +%s.%N)
  "$bin" reproduce --no-cache --out "$out/$name" --jobs "$jobs" "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
load=$(cut -d' ' -f1 /proc/loadavg)  # the 1-minute load at the start: the runs need the cores to themselves
names=()
skip=(--skip md_diffusion)
only=()
for f in experiments/snn_*.toml; do
  n=$(basename "$f" .toml)
  names+=("$n"); skip+=(--skip "$n"); only+=(--only "$n")
done
networks="${names[*]}"
runs2=${RUNS_2:-5} runs1=${RUNS_1:-3}
repeat() {  # runs jobs name [reproduce options] -> {"min": .., "median": .., "max": ..} seconds
  local n=$1 jobs=$2 name=$3 k
  shift 3
  for ((k = 0; k < n; k++)); do measure "$jobs" "$name" "$@"; done | sort -g |
    awk '{t[NR] = $1} END {m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "{\"min\": %.2f, \"median\": %.2f, \"max\": %.2f}", t[1], m, t[NR]}'
}
s2=$(repeat "$runs2" 2 circuits2 "${skip[@]}")
s1=$(repeat "$runs1" 1 circuits1 "${skip[@]}")
sn=$(measure 2 networks "${only[@]}")
sf=$(measure 2 full)
summary=$(/usr/bin/python3 -c "import json;print(json.dumps(json.load(open('$out/full/report.json'))['summary']))")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
cat > bench/results/reproduce.json <<JSON
{
  "benchmark": "memlab reproduce, wall time including figures",
  "machine": "$(uname -srm), $(nproc) cores, $cpu",
  "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
  "load_average_at_start": $load,
  "runs_circuits_jobs_2": $runs2,
  "seconds_circuits_jobs_2": $s2,
  "runs_circuits_jobs_1": $runs1,
  "seconds_circuits_jobs_1": $s1,
  "networks": "$networks",
  "seconds_networks_jobs_2": $(printf '%.2f' "$sn"),
  "seconds_full_jobs_2": $(printf '%.2f' "$sf"),
  "report_summary": $summary
}
JSON
rm -rf "$out"
cat bench/results/reproduce.json
