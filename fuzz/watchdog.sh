#!/usr/bin/env bash
# Sourced by fuzz/run.sh (and tests/fuzz/test_watchdog.sh).
#
# Fork mode: after some of libhdf5's crashes a job deadlocks in the sanitizer's report (its main
# thread waits on a lock forever, its symbolizer on a pipe: the crash left the heap or a lock
# in a state the report cannot get past). libFuzzer's -timeout cannot end it and the fork driver
# waits for it, so the campaign stalls. Every ORGSIM_FUZZ_WATCH_SECONDS (default 60), a job (a
# descendant of the driver running the same binary) whose main thread used no CPU since the last
# look is killed; the driver then counts it as a crash and goes on. Its input is lost if the job had not saved it yet (the count of
# killed jobs is printed with the summary, and the crash was libhdf5's whenever a report got as
# far as a stack: see docs/FUZZING.md).
descendants() {  # PID: its children, their children, ...
  local c
  for c in $(pgrep -P "$1" || true); do echo "$c"; descendants "$c"; done
}
watch_jobs() {  # DRIVER_PID LOG (the jobs are the driver's descendants running the same binary)
  local driver=$1 wlog=$2 pid t name period=${ORGSIM_FUZZ_WATCH_SECONDS:-60}
  name=$(cat "/proc/$driver/comm" 2>/dev/null) || return 0
  local -A last=()
  while kill -0 "$driver" 2>/dev/null; do
    sleep "$period"
    for pid in $(descendants "$driver"); do
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || continue
      # The main thread's CPU time: a deadlocked job's other thread (libFuzzer's timer) still
      # wakes up and adds a tick now and then.
      t=$(awk '{print $14 + $15}' "/proc/$pid/task/$pid/stat" 2>/dev/null) || continue
      if [ -n "$t" ] && [ "${last[$pid]:-}" = "$t" ]; then
        echo "$(date -u +%FT%TZ) killed job $pid: no CPU time used for $period s" >>"$wlog"
        kill -9 "$pid" 2>/dev/null || true
      fi
      last[$pid]=$t
    done
  done
}

