#!/usr/bin/env bash
# Replays fuzz artifacts one at a time and says whose each finding is (docs/FUZZING.md, "Long
# campaigns"): orgsim's (its own code is the innermost frame that is not the sanitizer runtime, an
# allocator or libc), libhdf5's (upstream: HDF5 1.10 does not survive every malformed file), or
# none (the input does not reproduce alone).
#
# Usage: bash fuzz/triage.sh HARNESS ARTIFACT...
#   HARNESS    a harness binary, e.g. build-fuzz/fuzz/fuzz_results (the ASan + UBSan build gives
#              the most telling stacks)
#   ARTIFACT   crash-*, timeout-*, oom-*, leak-* files written by libFuzzer
# Environment: ORGSIM_FUZZ_TIMEOUT (seconds per replay, default 10).
# Prints one line per artifact (kind, owner, innermost frame, file), then the count of each
# distinct (kind, owner, frame); exits 1 if any finding is orgsim's, else 0.
#
# Sourced (`. fuzz/triage.sh`), it only defines innermost_module and innermost_frame.

# Frames that are not the code at fault: the sanitizer runtime, libFuzzer, allocators and libc.
# glibc's own frames are recognised by its source folders when they are symbolized (an abort
# from "free(): invalid pointer" runs through nptl/, signal/, stdlib/, libio/ and malloc/).
triage_skip='__asan|__sanitizer|__interceptor|__lsan|__ubsan|fuzzer::| in (malloc|calloc|realloc|free|memcpy|memmove|memset|operator new|operator delete)| in __mem|sysdeps[/]|libc[.]so| (nptl|signal|stdlib|libio|malloc|csu|string)[/]'

# The module of the innermost stack frame of a sanitizer or libFuzzer report that is not the
# sanitizer runtime, an allocator or libc: "libhdf5" for upstream findings, else "orgsim".
# A leak is classified by its allocating frame like a crash: memory libhdf5 allocated and lost
# inside itself (its error paths on malformed files; libhdf5 has no frame pointers, so the stack
# stops there) is upstream. A leak of what HDF5 hands to orgsim shows orgsim frames.
innermost_module() {
  awk -v skip="$triage_skip" '/^==[0-9]+== ?ERROR/ {on = 1; next}
       on && /^ +#[0-9]+ / {
         if ($0 ~ skip) next
         if ($0 ~ /libhdf5/) print "libhdf5"; else print "orgsim"
         exit }' "$1"
}

# That frame's function (or module+offset when it has no symbol), for grouping findings by kind.
innermost_frame() {
  awk -v skip="$triage_skip" '/^==[0-9]+== ?ERROR/ {on = 1; next}
       on && /^ +#[0-9]+ / {
         if ($0 ~ skip) next
         if (match($0, / in [^ (]+/)) print substr($0, RSTART + 4, RLENGTH - 4)
         else if (match($0, /\(\/[^)]*\)/)) {  # no symbol: module+offset, without the folder
           m = substr($0, RSTART + 1, RLENGTH - 2); sub(/.*\//, "", m); print m }
         else print "?"
         exit }' "$1"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi  # sourced: the functions only

set -euo pipefail
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: bash fuzz/triage.sh HARNESS ARTIFACT...  (HARNESS: an executable harness binary)" >&2
  exit 2
fi
harness=$1
shift
timeout=${ORGSIM_FUZZ_TIMEOUT:-10}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ours=0
declare -A groups=()
for a in "$@"; do
  [ -f "$a" ] || continue
  name=$(basename "$a")
  case "$name" in slow-unit-*) continue ;; esac  # slow, not a finding
  kind=${name%%-*}
  rc=0
  # The input alone, as a plain run would meet it; ASan's quarantine and leak check as run.sh sets.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=print_stacktrace=1 \
    timeout $((timeout * 3 + 30)) "$harness" -timeout="$timeout" -rss_limit_mb=2048 "$a" \
    >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    owner=none frame=-
  else
    owner=$(innermost_module "$log")
    frame=$(innermost_frame "$log")
    if [ -z "$owner" ]; then  # no stack: a hang the replay's own limit ended, or a silent exit
      owner=unknown frame="exit-$rc"
    fi
  fi
  if [ "$owner" = orgsim ] || [ "$owner" = unknown ]; then ours=1; fi
  printf '%-8s %-8s %-40s %s\n' "$kind" "$owner" "$frame" "$a"
  key="$kind $owner $frame"
  groups[$key]=$((${groups[$key]:-0} + 1))
done
echo "== distinct findings (count, kind, owner, innermost frame):"
for k in "${!groups[@]}"; do printf '%6d  %s\n' "${groups[$k]}" "$k"; done | sort -rn
exit "$ours"
