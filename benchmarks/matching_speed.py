"""Speed of the matcher: the profile index, a new process's first answer, « missions pour vous ».

    python benchmarks/matching_speed.py [--only index cold missions] [--sizes 1000 10000 100000]
        [--queries 50] [--cold 100000] [--missions 20 500 5000] [--workdir /tmp/matching-bench] [--quick]

The defaults (the scale of the issue) take about four minutes on two cores the first time,
most of it writing the databases, which are kept in ``--workdir`` (rebuilt when the schema
changes) — later runs take about two. ``--quick`` runs a tenth of the scale in under a minute.

index: `ProfileIndex` on synthetic profiles — build time, top-20 latency, memory. Build
time includes analysing every bio (tokens, stems, needs, hashing). Latencies are warm
(one query first), for `ProfileIndex.top_k(mission, 20)` with the explanations of the 20
results. The floor is a bare NumPy product of the same (profiles × features) matrix with
a weight vector: the least any linear scorer pays.

cold: a new process (``python`` started afresh, as a new gunicorn or RQ worker) on a
SQLite database of ``--cold`` profiles answers the SME query `rank_freelancers(mission,
20)`, then « missions pour vous » — without an index snapshot (the index is built from
the rows), then with one: fetched from the database by the first process of a machine,
memory-mapped from the machine's copy by the next ones, and topped up after 1 000
profiles changed. The database is built once in ``--workdir`` and kept.

missions: « missions pour vous » (`facade.rank_missions(profile, 50)`, and the page
``/freelance/missions`` with its SQL statements) at 20, 500 and 5 000 published
missions, warm; beside it, the loop over the missions that analysed each text on every
request (what the page did before the mission index).

Figures depend on the machine and its load; nothing here asserts a threshold. The
cold and missions sections also run on code without snapshots (they skip what it lacks).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import resource
import shutil
import subprocess
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


def print_index(rows: list[dict], queries: int) -> None:
    print(f"top-20 per mission, {queries} missions, warm; latencies in ms")
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


# --------------------------------------------------------------------------- processes


def app_config(url: str, instance: Path) -> dict:
    return {
        "DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "matching-bench-not-secret",
        "REDIS_URL": None, "WTF_CSRF_ENABLED": False, "THROTTLING": False, "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None, "BASE_URL": "http://localhost",
    }


def child_cold(url: str, instance: str, spawned: float) -> None:
    """In a new process: build the app, answer the SME query, then « missions pour vous »."""
    from marketplace.app import create_app
    from marketplace.db import db
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.models.missions import Mission
    from marketplace.services.matching import facade

    app = create_app(app_config(url, Path(instance)))
    ready = time.time()
    with app.app_context():
        session = db.session
        mission, profile = session.get(Mission, 1), session.get(FreelancerProfile, 1)
        t, cpu = time.perf_counter(), time.process_time()
        ranked = facade.rank_freelancers(session, mission, 20)
        first, first_cpu = time.perf_counter() - t, time.process_time() - cpu
        since_spawn = time.time() - spawned
        t = time.perf_counter()
        mine = facade.rank_missions(session, profile, 50)
        second = time.perf_counter() - t
        state = facade._state()
        digest = hashlib.sha256(repr(
            [(r.profile_id, r.score, r.reasons) for r in ranked] + [(r.mission_id, r.score, r.reasons) for r in mine]
        ).encode()).hexdigest()[:12]
        print(json.dumps({
            "startup_s": ready - spawned, "first_s": first, "first_cpu_s": first_cpu, "since_spawn_s": since_spawn,
            "missions_s": second,
            "snapshot": getattr(state, "snapshot_version", None), "results": len(ranked), "digest": digest,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }))


def child_snapshot(url: str, instance: str) -> None:
    """In a new process: the ``matching.snapshot`` job's body, committed."""
    from marketplace.app import create_app
    from marketplace.db import commit, db
    from marketplace.services.matching import facade

    app = create_app(app_config(url, Path(instance)))
    with app.app_context():
        t = time.perf_counter()
        info = facade.build_snapshot(db.session)
        commit()
        print(json.dumps({"build_s": time.perf_counter() - t, "bytes": info.size_bytes, "version": info.version}))


def _run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args, str(time.time())] if args[0] == "cold"
        else [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cold(size: int, workdir: Path) -> None:
    import matching_world
    from sqlalchemy import text

    from marketplace.db import make_engine

    has_snapshots = _has_snapshots()
    db_path = workdir / f"cold-{size}-{matching_world.schema_tag()}.sqlite"
    url = f"sqlite:///{db_path}"
    instance = workdir / f"instance-cold-{size}"
    if not db_path.exists():
        t = time.perf_counter()
        matching_world.build(url, profiles=size, missions=20, open_profile=False)
        print(f"(database of {size:,} profiles built in {time.perf_counter() - t:.0f} s: {db_path})")
    engine = make_engine(url)

    def sql(statement: str) -> None:
        with engine.begin() as conn:
            conn.execute(text(statement))

    def clear_cache() -> None:
        shutil.rmtree(instance / "matcher-cache", ignore_errors=True)

    instance.mkdir(parents=True, exist_ok=True)
    runs = []
    if has_snapshots:
        sql("DELETE FROM matcher_snapshots")
    clear_cache()
    runs.append(("no snapshot: index built from the rows", _run_child("cold", url, str(instance))))
    if has_snapshots:
        built = _run_child("snapshot", url, str(instance))
        clear_cache()
        runs.append(("snapshot, fetched from the database", _run_child("cold", url, str(instance))))
        runs.append(("snapshot, mapped from the machine's copy", _run_child("cold", url, str(instance))))
        sql("UPDATE freelancer_profiles SET updated_at = datetime('now') WHERE id <= 1000")
        try:
            runs.append(("snapshot + 1 000 profiles changed since", _run_child("cold", url, str(instance))))
        finally:
            sql("UPDATE freelancer_profiles SET updated_at = datetime('now', '-2 days') WHERE id <= 1000")
    engine.dispose()
    print(f"\na new process's first answer at {size:,} profiles (SQLite, {workdir})")
    header = (f"{'':42} {'first answer s':>14} {'(CPU s)':>7} {'since spawn s':>13} {'startup s':>9} "
              f"{'then « pour vous » ms':>21} {'max RSS MB':>10}")
    print(header)
    print("-" * len(header))
    for label, r in runs:
        print(
            f"{label:42} {r['first_s']:>14.2f} {r.get('first_cpu_s', float('nan')):>7.2f} {r['since_spawn_s']:>13.2f} "
            f"{r['startup_s']:>9.2f} {r['missions_s'] * 1000:>21.1f} {r['rss_mb']:>10.0f}"
        )
    if has_snapshots:
        print(f"snapshot job: {built['build_s']:.1f} s, {built['bytes'] / 2**20:.1f} MB (uncompressed), version {built['version']}")
    print("first answer: rank_freelancers(mission, 20) in a process that has just started (index loaded or built);")
    print("(CPU s): the processor time of that answer, which other processes on the machine do not inflate;")
    print("since spawn: from `python` starting to that answer (interpreter, imports, app: paid once per worker,")
    print("before gunicorn or RQ forks); startup: from `python` starting to the app built (interpreter, imports).")
    print("same rankings in every run:", "yes" if len({r["digest"] for _, r in runs}) == 1 else "NO")


def _has_snapshots() -> bool:
    try:
        from marketplace.services.matching import facade
    except ImportError:  # pragma: no cover
        return False
    return hasattr(facade, "build_snapshot")


def run_missions(sizes: list[int], workdir: Path, rounds: int = 20) -> None:
    import matching_world
    from sqlalchemy import event

    from marketplace.app import create_app
    from marketplace.db import db
    from marketplace.models.freelancers import FreelancerProfile
    from marketplace.services.matching import facade

    rows = []
    for size in sizes:
        db_path = workdir / f"missions-{size}-{matching_world.schema_tag()}.sqlite"
        url = f"sqlite:///{db_path}"
        if not db_path.exists():
            matching_world.build(url, profiles=300, missions=size)
        app = create_app(app_config(url, workdir / f"instance-missions-{size}"))
        client = app.test_client()
        response = client.post("/compte/connexion", data={"email": "f0@bench.test", "password": matching_world.PASSWORD})
        assert response.status_code in (200, 302), response.status_code
        with app.app_context():
            session = db.session
            profile = session.get(FreelancerProfile, 1)
            ranked = facade.rank_missions(session, profile, 50)
            facade_ms, top10_ms, facade_cpu, top10_cpu = [], [], [], []
            for _ in range(rounds):
                t, cpu = time.perf_counter(), time.process_time()
                facade.rank_missions(session, profile, 50)
                facade_ms.append(time.perf_counter() - t)
                facade_cpu.append(time.process_time() - cpu)
                t, cpu = time.perf_counter(), time.process_time()
                facade.rank_missions(session, profile, 10)
                top10_ms.append(time.perf_counter() - t)
                top10_cpu.append(time.process_time() - cpu)
            index = facade.current_index(session)
            from marketplace.models.missions import Mission

            records = [facade.mission_record(m) for m in session.query(Mission).filter_by(status="published")]
            loop_ms = []
            for _ in range(max(1, rounds // 10) if size > 1000 else 3):
                t = time.perf_counter()
                index.rank_missions(str(profile.id), records, 50)
                loop_ms.append(time.perf_counter() - t)
        statements = []
        event.listen(db.engine if False else app.extensions["marketplace.db"].engine, "before_cursor_execute",
                     lambda *a: statements.append(1))
        client.get("/freelance/missions")
        page_ms, page_cpu, counts = [], [], []
        for _ in range(rounds):
            statements.clear()
            t, cpu = time.perf_counter(), time.process_time()
            response = client.get("/freelance/missions")
            page_ms.append(time.perf_counter() - t)
            page_cpu.append(time.process_time() - cpu)
            counts.append(len(statements))
            assert response.status_code == 200
        ms = lambda samples: np.median(samples) * 1000  # noqa: E731
        rows.append((size, len(ranked), ms(top10_ms), ms(top10_cpu), ms(facade_ms), ms(facade_cpu), ms(page_ms),
                     ms(page_cpu), max(counts), ms(loop_ms)))
    print("\n« missions pour vous » for one freelancer (eligible for many), warm, p50 in ms (wall / CPU)")
    header = (f"{'published':>9} {'ranked':>6} {'top 10':>13} {'top 50':>13} {'page':>15} {'SQL/page':>8} "
              f"{'loop over missions':>18}")
    print(header)
    print("-" * len(header))
    for size, n, f10, c10, f, cf, p, cp, c, loop in rows:
        print(f"{size:>9,} {n:>6} {f10:>6.1f} {c10:>6.1f} {f:>6.1f} {cf:>6.1f} {p:>7.1f} {cp:>7.1f} {c:>8} {loop:>18.1f}")
    print("top 10, top 50: facade.rank_missions(profile, k) with the explanations (ranked: how many top 50 found);")
    print("page: GET /freelance/missions (the 50 best ranked, then up to 50 others, each with its reasons);")
    print("loop over missions: ProfileIndex.rank_missions over every published mission's record, each text analysed")
    print("on each request (how rank_missions worked before the mission index).")


def machine_load() -> str:
    """How busy the machine is: the load average and the time of a fixed pure-Python loop."""
    t = time.perf_counter()
    sum(range(1_000_000))
    return (f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; reference loop "
            f"{(time.perf_counter() - t) * 1000:.0f} ms (about 15 ms on an idle core)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        if kind == "cold":
            child_cold(rest[0], rest[1], float(rest[2]))
        else:
            child_snapshot(rest[0], rest[1])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=["index", "cold", "missions"], default=["index", "cold", "missions"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--cold", type=int, default=100_000, help="profiles of the new-process runs")
    parser.add_argument("--missions", type=int, nargs="+", default=[20, 500, 5000])
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "matching-bench")
    parser.add_argument("--quick", action="store_true",
                        help="a smaller run: --sizes 1000 10000 --cold 10000 --missions 20 500")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.cold, args.missions = [1000, 10000], 10_000, [20, 500]
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SECRET_KEY", "matching-bench-not-secret")
    print("machine:", machine_load())
    if "index" in args.only:
        print_index([run(size, args.queries) for size in args.sizes], args.queries)
    if "cold" in args.only:
        run_cold(args.cold, args.workdir)
    if "missions" in args.only:
        run_missions(args.missions, args.workdir)
    print("\nmachine:", machine_load())


if __name__ == "__main__":
    main()
