#!/usr/bin/env bash
# Sets up memlab and runs the main job: memlab reproduce (extra arguments are passed on).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec ./build/release/bin/memlab reproduce "$@"
