#!/usr/bin/env bash
# The README's first command: install the packages, build, and run the default scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
./build/orgsim run scenarios/default.json "$@"
