#!/usr/bin/env bash
# Configures and builds orgsim into build/ (Release). Extra arguments go to CMake, e.g.
#   tools/build.sh -DORGSIM_SANITIZE=ON        (into build/ unless BUILD_DIR is set)
# CI=true turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
launcher=()
# ccache, when present, shares compiled objects between build folders and git worktrees
# (CCACHE_BASEDIR makes the paths it hashes relative to this checkout).
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
fi
cmake -S . -B "$BUILD_DIR" "${launcher[@]}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DORGSIM_WERROR="$werror" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
