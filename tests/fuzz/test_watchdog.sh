#!/usr/bin/env bash
# fuzz/watchdog.sh (docs/FUZZING.md, "Long campaigns"): of a fork-mode driver's jobs, the one
# whose main thread uses no CPU between two looks is killed and logged; a job that works, and
# a descendant running another program, are left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
. fuzz/watchdog.sh
t=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$t"' EXIT
mkfifo "$t/never"
# A stand-in for the fork driver: its jobs are subshells (same program name, "fakefuzz"): one
# spins, one waits forever on a pipe nobody writes to; and a `sleep` (another program) waits too.
cat > "$t/fakefuzz" <<SH
#!/usr/bin/env bash
( while :; do :; done ) &
echo \$! > "$t/busy"
( read -r _ <> "$t/never" ) &
echo \$! > "$t/stuck"
sleep 1000 &
echo \$! > "$t/other"
wait
SH
chmod +x "$t/fakefuzz"
"$t/fakefuzz" &
driver=$!
pids+=("$driver")
for _ in $(seq 50); do [ -s "$t/other" ] && break; sleep 0.1; done
busy=$(cat "$t/busy") stuck=$(cat "$t/stuck") other=$(cat "$t/other")
pids+=("$busy" "$stuck" "$other")
ORGSIM_FUZZ_WATCH_SECONDS=1 watch_jobs "$driver" "$t/watchdog.log" &
watcher=$!
pids+=("$watcher")
for _ in $(seq 60); do kill -0 "$stuck" 2>/dev/null || break; sleep 0.1; done
fail=0
check() {  # DESCRIPTION CONDITION...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! alive "$1"; }
check "the stuck job is killed" dead "$stuck"
check "the working job is left running" alive "$busy"
check "a descendant running another program is left running" alive "$other"
check "the kill is logged with the job's pid" grep -q "killed job $stuck: no CPU time used for 1 s" "$t/watchdog.log"
check "nothing else is logged" test "$(grep -c killed "$t/watchdog.log")" -eq 1
kill "$driver" "$busy" "$other" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
exit $fail
