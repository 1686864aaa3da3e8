#!/usr/bin/env bash
# Installs what memlab needs from Debian 12 (when something is missing) and builds the release
# preset. Safe to run again: apt-get is skipped when every package is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake make pkg-config
  libsundials-dev libsuitesparse-dev libeigen3-dev libcli11-dev libtomlplusplus-dev
  nlohmann-json3-dev libfmt-dev libhdf5-dev hdf5-tools libgtest-dev
  ngspice libngspice0-dev pybind11-dev python3-dev lammps
  libssl-dev libopenmpi-dev openmpi-bin zlib1g-dev libnlopt-cxx-dev
  python3-numpy python3-matplotlib python3-h5py python3-pytest
  clang libclang-rt-14-dev   # the asan preset: sanitizers and libFuzzer (scripts/test.sh)
  python3-brian python3-sklearn dataset-fashion-mnist
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "memlab setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
