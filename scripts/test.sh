#!/usr/bin/env bash
# Sets up memlab and runs every test (unit, validation, ngspice cross-checks, command line), then
# the sanitizer build (the asan preset: clang, address and undefined-behaviour sanitizers, any
# report fatal): the unit and fault tests, a short reproduce, and each fuzz harness for
# MEMLAB_FUZZ_SECONDS (tests/fuzz; 45 s each by default, 0 skips the sanitizer build).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --preset release -j "$(nproc)"

fuzz_seconds="${MEMLAB_FUZZ_SECONDS:-45}"
[ "$fuzz_seconds" -gt 0 ] || exit 0
cmake --preset asan -DMEMLAB_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build --preset asan -j "$(nproc)" --target memlab_cli memlab_unit_tests memlab_fault_tests \
  fuzz_units fuzz_experiment fuzz_set fuzz_spice
ctest --preset asan -j "$(nproc)" -L 'unit|fault|fuzz|sanitize'
