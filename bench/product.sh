#!/usr/bin/env bash
# The product path against the core and against numpy, side by side in one run (issue 8):
#   bench_core product N R   `orgsim run`'s runner on bench/watts_product.json (graph + init +
#                            100 steps of a continuous action, one round per step), 1 thread
#   bench_core core N R      the same work through the core alone (graph, init, 100 rounds)
#   watts_numpy.py N R       a numpy + scipy.sparse script of the same workload
# Prints the three JSON lines, then the ratios. Build first: bash tools/build.sh
# Usage: bash bench/product.sh [N] [R]     (defaults 100000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
R="${2:-5}"
B=build/bench/bench_core
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
product=$($B product "$N" "$R")
core=$($B core "$N" "$R")
numpy=$("$PY" bench/watts_numpy.py "$N" 3)
echo "$product"
echo "$core"
echo "$numpy"
"$PY" - "$product" "$core" "$numpy" <<'PYEOF'
import json, sys
p, c, n = (json.loads(a) for a in sys.argv[1:4])
print(json.dumps({"mode": "product_ratios", "agents": p["agents"],
                  "product_s": p["seconds_per_run"], "core_s": c["total_s"], "numpy_s": n["total_s"],
                  "numpy_over_product": round(n["total_s"] / p["seconds_per_run"], 2),
                  "product_over_core": round(p["seconds_per_run"] / c["total_s"], 3)}))
PYEOF
