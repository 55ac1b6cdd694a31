#!/usr/bin/env python3
"""Reference: the same Watts workload as bench_core, written as a careful numpy + scipy.sparse
script (what a researcher would write without orgsim), to measure the speed-up on this machine.

    /usr/bin/python3 bench/watts_numpy.py 100000 [reps]

Erdos-Renyi G(n, p) with mean degree 10 (number of ties drawn from the binomial, pairs sampled
and de-duplicated), phi = 0.18, 1% random seeds, 100 synchronous rounds of s = A x.
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp


def run(n, rng):
    t0 = time.perf_counter()
    z = 10.0
    m = rng.binomial(n * (n - 1) // 2, z / (n - 1))
    u = rng.integers(0, n, size=int(m * 1.1) + 100)
    v = rng.integers(0, n, size=u.size)
    keep = u != v
    a, b = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
    key = np.unique(a.astype(np.int64) * n + b)[:m]
    a, b = key // n, key % n
    t1 = time.perf_counter()
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    A = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
    deg = np.asarray(A.sum(axis=1)).ravel()
    deg[deg == 0] = 1
    x = np.zeros(n, dtype=np.float32)
    x[rng.choice(n, size=n // 100, replace=False)] = 1
    phi = 0.18
    t2 = time.perf_counter()
    for _ in range(100):
        s = A @ x
        x = np.maximum(x, (s / deg >= phi).astype(np.float32))
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, float(x.mean())


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(1)
    g = s = r = 0.0
    for _ in range(reps):
        a, b, c, share = run(n, rng)
        g, s, r = g + a, s + b, r + c
    print(json.dumps({"mode": "numpy_reference", "agents": n, "reps": reps,
                      "graph_s": round(g / reps, 4), "init_s": round(s / reps, 4),
                      "rounds_s": round(r / reps, 4), "total_s": round((g + s + r) / reps, 4),
                      "final_share": share}))


if __name__ == "__main__":
    main()
