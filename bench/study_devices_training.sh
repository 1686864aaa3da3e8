#!/usr/bin/env bash
# Runs the shipped study, experiments/study_devices_training.toml (200 devices drawn with the
# device-to-device spread through the training protocol), with `memlab sweep` on 2 tasks at a time
# and an empty cache of its own, times it, and summarises it (bench/study_devices_training.py):
# bench/results/study_devices_training.json (machine, date, load, seconds, per target the fraction
# of devices inside its tolerance) and the figure docs/studies/devices-training.png. Also copies
# the sweep's own distributions.png and distributions.md beside it. Run from the repository root
# after building the release preset (memlab_cli and the Python module, for the sweep's figure).
# usage: bench/study_devices_training.sh [OUT]   (default: a temporary folder, removed)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/release/bin/memlab
jobs=2
if [ $# -ge 1 ]; then out=$1; else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; out=$tmp/study; fi
rm -rf "$out" "$out.cache"
load=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
"$bin" sweep experiments/study_devices_training.toml --out "$out" --cache "$out.cache" --jobs $jobs | tail -n 3
t1=$(date +%s.%N)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p docs/studies
/usr/bin/python3 bench/study_devices_training.py "$out" "$(echo "$t1 - $t0" | bc -l)" "$load" "$load_after" $jobs \
    bench/results/study_devices_training.json docs/studies/devices-training.png
cp "$out/distributions.png" docs/studies/devices-training-distributions.png
cp "$out/distributions.md" docs/studies/devices-training-distributions.md
