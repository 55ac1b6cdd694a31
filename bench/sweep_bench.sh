#!/usr/bin/env bash
# Sweep throughput and memory (issue 4): runs per second on the default scenario and on a
# validation scenario with 1 vs 2 threads and 1 vs 2 MPI ranks, and peak memory (max RSS) as the
# number of runs grows from 10^2 to 10^4. Prints one JSON line per measurement, with the user +
# system CPU seconds and the load average before the command (other work on the machine makes
# wall-clock speed-ups meaningless: measure when `uptime` shows a load well below the core count).
# Usage: bash bench/sweep_bench.sh [--quick]   (--quick: the default-scenario throughput only)
# Build first: bash tools/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
B="$PWD/build/orgsim"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# On one machine, OpenMPI's shared-memory transport: left to itself, OpenMPI probes for UCX, and
# MPI_Init takes 0.27 s a rank here instead of 0.07 (measured 2026-12-02; docs/SWEEPS.md).
# MPICH ignores these variables.
MPIRUN=(env OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader mpirun --allow-run-as-root --oversubscribe)

sweep_file() {  # name scenario replicates points
  local pts
  pts=$("$PY" -c "import json; print(json.dumps([10 + i * 0.01 for i in range($4)]))")
  cat > "$T/$1.json" <<JSON
{"name": "$1", "scenario": "$2",
 "design": {"type": "grid", "parameters": {"campaign.hours_per_step": $pts}},
 "replicates": $3, "seed": 1}
JSON
}
measure() {  # label runs command...
  local label=$1 runs=$2
  shift 2
  rm -rf "$T/out.h5" "$T/out.h5.parts"
  local start end load
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$T/rss" "$@" > /dev/null
  end=$(date +%s.%N)
  read -r rss user sys < <(tail -1 "$T/rss")
  "$PY" -c "print('{\"bench\": \"$label\", \"runs\": $runs, \"seconds\": %.3f, \"runs_per_s\": %.1f, \"cpu_seconds\": %.2f, \"max_rss_kb\": $rss, \"load_before\": $load}' % ($end - $start, $runs / ($end - $start), $user + $sys))"
}

# throughput LABEL RUNS SWEEP_FILE: the sweep on 1 and 2 threads, then on 1 and 2 MPI ranks of
# 1 thread each (when mpirun is installed).
throughput() {
  local label=$1 runs=$2 file=$3 th np
  for th in 1 2; do
    measure "$label, $th thread(s)" "$runs" "$B" sweep "$file" -o "$T/out.h5" --threads $th --quiet
  done
  command -v mpirun > /dev/null || return 0
  for np in 1 2; do
    measure "$label, $np MPI rank(s) x 1 thread" "$runs" "${MPIRUN[@]}" -np $np "$B" sweep "$file" \
      -o "$T/out.h5" --threads 1 --quiet
  done
}

# Throughput on the default scenario (300 agents, 156 steps, 2 arms): 20 points x 2 x 20 = 800 runs.
sweep_file default "$PWD/scenarios/default.json" 20 20
throughput default 800 "$T/default.json"
[ "$quick" -eq 1 ] && exit 0
# Throughput on a validation scenario (Watts, 10^4 agents, one step, ~5 ms a run): 4 points x 1
# arm x ORGSIM_BENCH_WATTS_REPLICATES (default 250: 1000 runs, so that launching the MPI ranks,
# ~0.3 s, is not a third of the measurement as it was at 200 runs).
wr=${ORGSIM_BENCH_WATTS_REPLICATES:-250}
cat > "$T/watts.json" <<JSON
{"name": "watts", "scenario": "$PWD/scenarios/validation/watts.json",
 "design": {"type": "grid", "parameters": {"network.mean_degree": [2, 4, 6, 8]}},
 "replicates": $wr, "seed": 1}
JSON
throughput watts $((4 * wr)) "$T/watts.json"
# MPI's target (issue 8) is for runs of >= 5 ms: the Watts workload at 5 x 10^4 agents (about
# 9 ms a run here), 4 points x ORGSIM_BENCH_WATTS50K_REPLICATES (default 150: 600 runs).
wr50=${ORGSIM_BENCH_WATTS50K_REPLICATES:-150}
cat > "$T/watts50k.json" <<JSON
{"name": "watts50k", "scenario": "$PWD/scenarios/validation/watts.json",
 "design": {"type": "grid", "parameters": {"network.mean_degree": [2, 4, 6, 8],
                                           "population.size": [50000]}},
 "replicates": $wr50, "seed": 1}
JSON
throughput "watts 5x10^4" $((4 * wr50)) "$T/watts50k.json"
# Memory as the run count grows (default scenario): 10^2, 10^3, 10^4 runs.
for n in 1 10 100; do
  sweep_file "mem$n" "$PWD/scenarios/default.json" 50 "$n"
  measure "memory, $((n * 100)) runs" $((n * 100)) "$B" sweep "$T/mem$n.json" -o "$T/out.h5" --quiet
done
