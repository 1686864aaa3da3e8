#!/usr/bin/env bash
# Sets up memlab and runs every test (unit, validation, ngspice cross-checks, command line).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
ctest --preset release -j "$(nproc)"
