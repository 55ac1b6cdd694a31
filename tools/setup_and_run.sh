#!/usr/bin/env bash
# The README's first command: install the packages, build, run the default scenario and write
# its one-page report, then build the trainer's page (one HTML file; prints its path).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
./build/orgsim run scenarios/default.json "$@"
./build/orgsim report results/default.h5   # a one-page HTML report; prints its path
bash tools/build_web.sh                    # the trainer's page, build-web/orgsim.html; prints its path
