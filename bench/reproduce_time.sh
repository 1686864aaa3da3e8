#!/usr/bin/env bash
# Times `memlab reproduce` (simulations, analysis, figures) with 1 and 2 jobs and writes
# bench/results/reproduce.json with the machine and date. Run from the repository root after
# building the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/bin/memlab
out=$(mktemp -d)
measure() {  # jobs -> seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" reproduce --out "$out/run$1" --jobs "$1" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
s1=$(measure 1)
s2=$(measure 2)
summary=$(/usr/bin/python3 -c "import json;print(json.dumps(json.load(open('$out/run2/report.json'))['summary']))")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
cat > bench/results/reproduce.json <<JSON
{
  "benchmark": "memlab reproduce, wall time including figures",
  "machine": "$(uname -srm), $(nproc) cores, $cpu",
  "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
  "seconds_jobs_1": $(printf '%.2f' "$s1"),
  "seconds_jobs_2": $(printf '%.2f' "$s2"),
  "report_summary": $summary
}
JSON
rm -rf "$out"
cat bench/results/reproduce.json
