#!/usr/bin/env bash
# Runs every benchmark and prints one JSON line per measurement (see bench/README.md).
# Build first: bash tools/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/bench/bench_core
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
for n in 10000 100000 1000000; do $B core "$n" 5; done
for n in 10000 100000 1000000; do $B fullpass "$n" 10; done
$B runs 100000 40
for n in 10000 100000 1000000; do "$PY" bench/watts_numpy.py "$n" 3; done
