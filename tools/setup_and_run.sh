#!/usr/bin/env bash
# The README's first command: install the packages, build, run the default scenario and write
# its one-page report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
./build/orgsim run scenarios/default.json "$@"
./build/orgsim report results/default.h5   # a one-page HTML report; prints its path
