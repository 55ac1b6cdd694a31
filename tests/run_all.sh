#!/usr/bin/env bash
# The README's test command (and what CI runs): builds, then runs every test:
#   0. the engine library alone, configured with ORGSIM_ENGINE_ONLY=ON in build-engine/ (no HDF5
#      include path: proves the engine builds without HDF5) and its test,
#   1. the Catch2 unit, regression and fast validation tests (ctest -LE slow),
#   2. the slow validation runs (ctest -L slow),
#   3. the Python tests with Debian's interpreter (/usr/bin/python3 -m pytest),
#   4. the fast tests again under AddressSanitizer + UndefinedBehaviorSanitizer, built with
#      -DORGSIM_INVARIANTS=ON so that every step of every run checks the model's invariants
#      (skip with ORGSIM_SKIP_SANITIZE=1),
#   5. the trainer's page: tools/build_web.sh (WebAssembly), then tests/web in headless Chromium
#      (same series as the native engine, panels drawn, sliders, print view). Skipped when emcc,
#      chromium or web/node_modules is missing, except in CI (CI=true), or with ORGSIM_SKIP_WEB=1.
# Usage: bash tests/run_all.sh [--fast]   (--fast: steps 0, 1 and 3 only)
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
[ "${1:-}" = "--fast" ] && fast=1
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

echo "== build"
bash tools/build.sh
jobs=$(nproc)

echo "== engine library alone (no HDF5, MPI or Boost on the include path)"
# ORGSIM_ENGINE_ONLY skips find_package(HDF5): an engine source that includes HDF5 fails to compile.
BUILD_DIR=build-engine bash tools/build.sh -DORGSIM_ENGINE_ONLY=ON -DORGSIM_BUILD_BENCH=OFF
ctest --test-dir build-engine -j"$jobs" --output-on-failure

echo "== unit and fast validation tests"
ctest --test-dir build -LE slow -j"$jobs" --output-on-failure

if [ "$fast" -eq 0 ]; then
  echo "== slow validation tests"
  ctest --test-dir build -L slow -j"$jobs" --output-on-failure
fi

echo "== python tests"
ORGSIM_BINARY="$PWD/build/orgsim" ORGSIM_TEST_TMP="$PWD/build/test-tmp" \
  "$PY" -m pytest -q tests/python

if [ "$fast" -eq 0 ] && [ "${ORGSIM_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== fast tests under ASan + UBSan, invariants checked every step"
  # Warnings are enforced by the main build; with sanitizers GCC 12 reports false
  # -Wmaybe-uninitialized in libstdc++'s <regex> (pulled in by Catch2), so no -Werror here.
  BUILD_DIR=build-sanitize BUILD_TYPE=RelWithDebInfo bash tools/build.sh -DORGSIM_SANITIZE=ON \
    -DORGSIM_BUILD_BENCH=OFF -DORGSIM_WERROR=OFF -DORGSIM_INVARIANTS=ON
  # ORGSIM_EXPECT_INVARIANTS=1: tests/test_invariants.cpp fails if the checks are not compiled in.
  ORGSIM_EXPECT_INVARIANTS=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-sanitize -LE slow -j"$jobs" --output-on-failure
fi
if [ "$fast" -eq 0 ] && [ "${ORGSIM_SKIP_FUZZ:-0}" != "1" ]; then
  # A short fuzzing run of every harness (fuzz/run.sh, docs/FUZZING.md).
  echo "== fuzzing (fuzz/run.sh, ${ORGSIM_FUZZ_SECONDS:-60} s per harness; skip with ORGSIM_SKIP_FUZZ=1)"
  ORGSIM_FUZZ_SECONDS=${ORGSIM_FUZZ_SECONDS:-60} bash fuzz/run.sh
fi
if [ "${ORGSIM_SKIP_WEB:-0}" != "1" ]; then
  echo "== trainer's page (tools/build_web.sh, tests/web in headless Chromium; skip with ORGSIM_SKIP_WEB=1)"
  missing=""
  command -v emcc >/dev/null 2>&1 || missing="$missing emcc (apt-get install emscripten node-acorn)"
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  [ -d web/node_modules/playwright-core ] || missing="$missing web/node_modules (cd web && npm ci)"
  if [ -n "$missing" ] && [ "${CI:-}" != "true" ] && [ "${ORGSIM_REQUIRE_WEB:-0}" != "1" ]; then
    echo "skipped: missing$missing"
  else
    bash tools/build_web.sh
    ORGSIM_BINARY="$PWD/build/orgsim" "$PY" -m pytest -q tests/web
  fi
fi
echo "== all tests passed"
