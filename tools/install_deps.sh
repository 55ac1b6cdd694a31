#!/usr/bin/env bash
# Installs everything orgsim needs from Debian 12's archive (C++ toolchain and libraries, OpenMPI,
# and the Python stack used by analysis/ and the tests). Safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
packages=(
  build-essential cmake git ccache
  libboost-program-options-dev libeigen3-dev libhdf5-dev libdeflate-dev nlohmann-json3-dev catch2
  libopenmpi-dev openmpi-bin
  python3 python3-h5py python3-numpy python3-pandas python3-matplotlib python3-xarray
  python3-h5netcdf python3-scipy python3-pytest
  # the test that every units attribute of a results file parses (tests/python/test_cf_units.py)
  udunits-bin
  # the trainer's page (tools/build_web.sh): the engine compiled to WebAssembly
  emscripten node-acorn
  pybind11-dev python3-pybind11 python3-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "all packages present"
fi
