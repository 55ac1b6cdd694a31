"""The Python module's overhead: the same default-scenario runs through `orgsim run` (the CLI,
writing its file) and through `orgsim.run` (in memory, returning the xarray.Dataset).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [RUNS] [THREADS] [REPEATS]

RUNS (default 1000) runs of scenarios/default.json (2 arms, so RUNS/2 replicates) on THREADS
threads (default 0 = all cores), each way REPEATS times (default 3), alternating; prints one
JSON line per measurement and the ratio of the medians. Then the per-call cost: RUNS/2 calls of
orgsim.run with one replicate each (2 runs a call), against the CLI's time for all of them at
once, which is what a sampler calling orgsim.model() pays. The imports (xarray, pandas) are
done once before timing, by one tiny run."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build" / "python"))
sys.path.insert(0, str(REPO))
import orgsim  # noqa: E402

SCENARIO = str(REPO / "scenarios" / "default.json")
BINARY = os.environ.get("ORGSIM_BINARY", str(REPO / "build" / "orgsim"))


def cli(reps, threads, out):
    t = time.perf_counter()
    subprocess.run([BINARY, "run", SCENARIO, "--replicates", str(reps), "--threads",
                    str(threads), "-q", "-o", out], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def python(reps, threads):
    t = time.perf_counter()
    ds = orgsim.run(SCENARIO, replicates=reps, threads=threads)
    assert ds.sizes["run"] == 2 * reps
    return time.perf_counter() - t


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    reps = runs // 2
    # Once per session, not per run: importing xarray and pandas (seconds on a busy machine).
    orgsim.run(SCENARIO, replicates=1, steps=2, threads=threads)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cli.h5")
        c, p = [], []
        for _ in range(repeats):
            c.append(cli(reps, threads, out))
            p.append(python(reps, threads))
        for name, xs in (("cli", c), ("python", p)):
            print(json.dumps({"bench": "python_overhead", "way": name, "runs": 2 * reps,
                              "threads": threads, "seconds": [round(x, 3) for x in xs],
                              "median": round(statistics.median(xs), 3)}))
        ratio = statistics.median(p) / statistics.median(c)
        print(json.dumps({"bench": "python_overhead", "ratio_python_over_cli": round(ratio, 3)}))
        # per call: one replicate (2 runs) per call, as a sampler calls model() (which reads
        # only the per-run values: run_outcomes), and a few calls returning the whole Dataset
        t = time.perf_counter()
        for seed in range(reps):
            orgsim._api.run_outcomes(SCENARIO, replicates=1, seed=seed + 1, threads=threads)
        calls = time.perf_counter() - t
        print(json.dumps({"bench": "python_overhead", "way": "model_per_call",
                          "calls": reps, "runs": 2 * reps, "seconds": round(calls, 3),
                          "ratio_over_cli_one_call": round(calls / statistics.median(c), 3)}))
        few = 20
        t = time.perf_counter()
        for seed in range(few):
            orgsim.run(SCENARIO, replicates=1, seed=seed + 1, threads=threads)
        per = (time.perf_counter() - t) / few
        print(json.dumps({"bench": "python_overhead", "way": "dataset_per_call",
                          "calls": few, "seconds_per_call": round(per, 3)}))


if __name__ == "__main__":
    main()
