#!/usr/bin/env bash
# Times `memlab reproduce` (simulations, analysis, figures), every run with --no-cache: the
# paper's circuit experiments alone (without md_diffusion and the snn_* networks) with 1 and 2
# jobs, the networks alone with 2 jobs, and the whole run (with the LAMMPS molecular dynamics)
# with 2 jobs; writes bench/results/reproduce.json with the machine and date. Run from the
# repository root after building the release preset.
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
s1=$(measure 1 circuits1 "${skip[@]}")
s2=$(measure 2 circuits2 "${skip[@]}")
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
  "seconds_circuits_jobs_1": $(printf '%.2f' "$s1"),
  "seconds_circuits_jobs_2": $(printf '%.2f' "$s2"),
  "networks": "$networks",
  "seconds_networks_jobs_2": $(printf '%.2f' "$sn"),
  "seconds_full_jobs_2": $(printf '%.2f' "$sf"),
  "report_summary": $summary
}
JSON
rm -rf "$out"
cat bench/results/reproduce.json
