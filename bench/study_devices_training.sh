#!/usr/bin/env bash
# Runs the shipped study, experiments/study_devices_training.toml (200 devices drawn with the
# device-to-device spread through the training protocol), with `memlab sweep` on 2 tasks at a time
# and an empty cache of its own, times it, and summarises it (bench/study_devices_training.py):
# bench/results/study_devices_training.json (machine, date, load, seconds, per target the fraction
# of devices inside its tolerance) and the figure docs/studies/devices-training.png, with the
# sweep's own distributions.png and distributions.md beside it.
# --wide: the same file with Supp. Fig. 8's sweep ranges (five_devices.toml's: the first block to
# 3 V, the ramp and the 1 mA block to 2 V; the trained block stays at 1.5 V), written to a
# temporary file; results ..._wide.json and devices-training-wide.png.
# Run from the repository root after building the release preset (memlab_cli and the Python
# module, for the sweep's figure).
# usage: bench/study_devices_training.sh [--wide] [OUT]   (OUT default: a temporary folder, removed)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/bin/memlab
jobs=2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
file=experiments/study_devices_training.toml
suffix=""
if [ "${1:-}" = "--wide" ]; then
  shift
  suffix=-wide
  # The first block's apex 1.5 V -> 3 V; every "1.5 V ... -2 V" block (the ramp and 1 mA) -> 2 V.
  sed -e '0,/"1.5 V", "-0.5 V"/s//"3 V", "-0.5 V"/' -e 's/\["0 V", "1.5 V", "-2 V", "0 V"\]/["0 V", "2 V", "-2 V", "0 V"]/' \
      "$file" > "$tmp/study_devices_training_wide.toml"
  file=$tmp/study_devices_training_wide.toml
fi
out=${1:-$tmp/study}
rm -rf "$out" "$out.cache"
load=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
"$bin" sweep "$file" --out "$out" --cache "$out.cache" --jobs $jobs | tail -n 3 || true  # a failed task is in the table
t1=$(date +%s.%N)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p docs/studies
json=bench/results/study_devices_training${suffix//-/_}.json
/usr/bin/python3 bench/study_devices_training.py "$out" "$(echo "$t1 - $t0" | bc -l)" "$load" "$load_after" $jobs \
    "$json" docs/studies/devices-training$suffix.png
cp "$out/distributions.png" docs/studies/devices-training$suffix-distributions.png
cp "$out/distributions.md" docs/studies/devices-training$suffix-distributions.md
