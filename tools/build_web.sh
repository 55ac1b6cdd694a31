#!/usr/bin/env bash
# Builds the trainer's page: build-web/orgsim.html, ONE self-contained file (the engine compiled
# to WebAssembly and embedded, the page's script and style inline, every shipped trainer scenario
# embedded). It opens from file:// with no network. Needs Debian's emscripten and node-acorn
# (tools/install_deps.sh installs them). docs/WEB.md describes the page.
#
# The engine sources are the ones CMakeLists.txt lists for orgsim_engine (read from it), built
# single-threaded (no pthreads): the page runs them in a Web Worker.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out="${BUILD_WEB_DIR:-build-web}"
mkdir -p "$out/obj" "$out/include"
command -v emcc >/dev/null || { echo "build_web.sh: emcc not found (apt-get install emscripten node-acorn)" >&2; exit 1; }
# Debian's emcc runs its JS tools with node; they need Debian's node modules (acorn).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
# nlohmann's headers without the rest of /usr/include (emcc must not see the host's libc).
ln -sfn /usr/include/nlohmann "$out/include/nlohmann"

# orgsim_engine's sources, as CMakeLists.txt lists them (globbed folders + the appended list).
mapfile -t sources < <(
  ls sim/core/*.cpp sim/model/*.cpp
  sed -n '/list(APPEND ORGSIM_ENGINE_SOURCES/,/)/p' CMakeLists.txt |
    sed 's/list(APPEND ORGSIM_ENGINE_SOURCES//; s/)//' | tr ' ' '\n' | grep '\.cpp$')
sources+=(web/orgsim_wasm.cpp)

flags=(-std=c++20 -O3 -fwasm-exceptions -msimd128 -msse2 -mbulk-memory -DNDEBUG
       -include web/compat/charconv_double.hpp -include web/compat/eigen_sse_on_wasm.hpp -Iweb/compat/sse -DORGSIM_SOURCE_DIR=\"\" -Isim -I"$out/include" -I/usr/include/eigen3
       -DEIGEN_DONT_PARALLELIZE -Wno-unused-command-line-argument)
newest_header=$(find sim web -name '*.hpp' -printf '%T@\n' | sort -n | tail -1)
objects=()
compile_list=()
for s in "${sources[@]}"; do
  o="$out/obj/$(echo "${s%.cpp}" | tr '/' '_').o"
  objects+=("$o")
  # Rebuild when the source, any header or this script is newer than the object.
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ tools/build_web.sh -nt "$o" ] ||
     awk -v h="$newest_header" -v t="$(stat -c %Y "$o")" 'BEGIN{exit !(h > t)}'; then
    compile_list+=("$s:$o")
  fi
done
if [ ${#compile_list[@]} -gt 0 ]; then
  echo "build_web.sh: compiling ${#compile_list[@]} source(s) with emcc" >&2
  printf '%s\n' "${compile_list[@]}" |
    xargs -P "${JOBS:-2}" -I{} sh -c 's="${1%%:*}"; o="${1#*:}"; shift; emcc "$@" -c "$s" -o "$o"' _ {} "${flags[@]}"
fi
emcc "${objects[@]}" -O3 -fwasm-exceptions -msimd128 -mbulk-memory -o "$out/orgsim_engine.js" \
  -s MODULARIZE=1 -s EXPORT_NAME=createOrgsimEngine -s SINGLE_FILE=1 -s ALLOW_MEMORY_GROWTH=1 \
  -s ENVIRONMENT=worker,node \
  -s EXPORTED_FUNCTIONS='["_orgsim_run","_orgsim_floats","_orgsim_floats_size","_malloc","_free"]' \
  -s EXPORTED_RUNTIME_METHODS='["cwrap","UTF8ToString"]'

# Shipped trainer scenarios: scenarios/*.json (the validation cases and sweeps live in folders).
/usr/bin/python3 web/assemble.py --engine "$out/orgsim_engine.js" --scenarios scenarios \
  --out "$out/orgsim.html"
echo "$root/$out/orgsim.html"
