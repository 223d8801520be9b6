"""Speed of the matcher index on synthetic profiles: build time, top-20 latency, memory.

    python benchmarks/matching_speed.py [--sizes 1000 10000 100000] [--queries 50]

Build time includes analysing every bio (tokens, stems, needs, hashing). Latencies are
warm (one query first), for `ProfileIndex.top_k(mission, 20)` with the explanations of
the 20 results. The floor is a bare NumPy product of the same
(profiles × features) matrix with a weight vector: the least any linear scorer pays.
Figures depend on the machine and its load; nothing here asserts a threshold.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import synthetic  # noqa: E402

from marketplace.matching.index import ProfileIndex  # noqa: E402
from marketplace.matching.model import packaged_model  # noqa: E402


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def run(size: int, queries: int) -> dict[str, float]:
    model = packaged_model()
    profiles = synthetic.freelancers(size, seed=size)
    missions = synthetic.missions(queries, seed=size + 1)
    gc.collect()
    t0 = time.perf_counter()
    index = ProfileIndex.build(profiles, model)
    index.top_k(missions[0], 20)  # merge pending rows, cache norms: the "warm" state
    build = time.perf_counter() - t0

    with_expl, without = [], []
    eligible = []
    for m in missions:
        t = time.perf_counter()
        index.top_k(m, 20)
        with_expl.append(time.perf_counter() - t)
        t = time.perf_counter()
        index.top_k(m, 20, explain=False)
        without.append(time.perf_counter() - t)
        eligible.append(len(index.eligible_rows(m)))

    # Floor: the same feature matrix over every profile, times a weight vector.
    q = index.prepare(missions[0])
    X = index.features(q, np.arange(index._n), model.idf)
    w = np.random.default_rng(0).normal(size=X.shape[1])
    floor = []
    for _ in range(queries):
        t = time.perf_counter()
        scores = X @ w
        np.argpartition(-scores, 19)[:20]
        floor.append(time.perf_counter() - t)

    p50, p95 = _percentiles(with_expl)
    n50, n95 = _percentiles(without)
    f50, f95 = _percentiles(floor)
    return {
        "size": size,
        "build_s": build,
        "p50": p50,
        "p95": p95,
        "n50": n50,
        "n95": n95,
        "f50": f50,
        "f95": f95,
        "eligible": float(np.mean(eligible)),
        "index_mb": index.nbytes() / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rows = [run(size, args.queries) for size in args.sizes]
    print(f"top-20 per mission, {args.queries} missions, warm; latencies in ms")
    header = (
        f"{'profiles':>9} {'build s':>8} {'eligible':>9} {'p50':>7} {'p95':>7} "
        f"{'p50 noexpl':>10} {'p95 noexpl':>10} {'floor p50':>9} {'floor p95':>9} "
        f"{'index MB':>9} {'max RSS MB':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['size']:>9,} {r['build_s']:>8.2f} {r['eligible']:>9.0f} {r['p50']:>7.2f} {r['p95']:>7.2f} "
            f"{r['n50']:>10.2f} {r['n95']:>10.2f} {r['f50']:>9.2f} {r['f95']:>9.2f} "
            f"{r['index_mb']:>9.1f} {r['rss_mb']:>10.0f}"
        )
    print("p50/p95: ProfileIndex.top_k(mission, 20) with explanations; noexpl: without;")
    print("floor: bare NumPy (profiles × features) @ weights + argpartition over all profiles;")
    print("index MB: the index's arrays and sparse matrix (ProfileIndex.nbytes);")
    print("max RSS: whole process so far, including the synthetic input records.")


if __name__ == "__main__":
    main()
