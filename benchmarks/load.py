"""Load test at scale: gunicorn + PostgreSQL seeded in bulk, each key page against a bare endpoint.

    pip install -e '.[bench]'
    python benchmarks/load.py                                   # 10 000 / 2 000 / 3 000, 15 s a page
    python benchmarks/load.py --freelancers 2000 --companies 400 --missions 600 --seconds 6

What it does, in order:

1. creates a throwaway PostgreSQL database (``--admin-url``, the server's ``postgres``
   database by default), migrates it (``marketplace db upgrade``) and fills it with
   ``marketplace seed`` at the scale asked (plus an administrator to log in as);
2. starts gunicorn (``--workers``, 2 by default, the project's ``gunicorn_conf``) on a
   free port with that ``DATABASE_URL``, in the embedded mode without Redis and with
   the log-in throttling off (every benchmark user logs in from 127.0.0.1);
3. for each page in turn, runs ``--users`` locust users (``load_users.py``) of the
   page's role, each logged in through the real form with its own seeded account, asking
   the page with no pause for ``--seconds`` (after a warm-up); the bare endpoint
   ``/healthz/live`` (no database, no template) is measured the same way, under the same
   gunicorn, in the same run;
4. prints one row per page: requests/s, p50, p95, and its requests/s as a share of the
   bare endpoint's; then stops gunicorn and drops the database (``--keep`` keeps it).

``--database-url`` reuses a database already seeded by an earlier ``--keep`` run
(steps 1's creation and seeding are skipped). The load generator shares the machine
with gunicorn and PostgreSQL: on a 2-core machine the bare endpoint's figure is bounded
by locust itself, so the shares are conservative.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ADMIN = ("admin@bench.test", "mot de passe du banc 2026")
SEED_PASSWORD = "graine-om-2026"  # marketplace.services.seeding.SEED_PASSWORD (not imported: no app here)

# (label, path, role): {mission} is each SME account's own published mission.
PAGES = (
    ("bare endpoint /healthz/live", "/healthz/live", None),
    ("home /", "/", None),
    ("SME dashboard /entreprise/", "/entreprise/", "sme"),
    ("SME mission + recommendations", "/entreprise/missions/{mission}", "sme"),
    ("SME applications of a mission", "/entreprise/missions/{mission}/candidatures", "sme"),
    ("freelancer « missions pour vous »", "/freelance/missions", "freelancer"),
    ("freelancer applications", "/freelance/candidatures", "freelancer"),
    ("freelancer dashboard /freelance/", "/freelance/", "freelancer"),
    ("admin vetting queue", "/admin/verification/", "admin"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def run(cmd: list[str], env: dict[str, str], echo: bool = True) -> str:
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    if echo:
        lines = [line for line in result.stdout.splitlines() if line.strip() and "INFO" not in line]
        print("\n".join(f"  {line}" for line in lines[-6:]))
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    return result.stdout


def accounts(database_url: str, users: int) -> dict[str, list[list]]:
    """Seeded accounts to log in as: vetted freelancers with applications, owners of a published mission."""
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        freelancers = conn.execute("""
            SELECT u.email FROM users u JOIN freelancer_profiles p ON p.user_id = u.id
            WHERE p.status = 'approved' AND u.email LIKE '%%@seed.test'
              AND EXISTS (SELECT 1 FROM applications a WHERE a.freelancer_id = p.id)
            ORDER BY u.id LIMIT %s""", (users,)).fetchall()
        owners = conn.execute("""
            SELECT u.email, MIN(m.id) FROM users u JOIN missions m ON m.company_id = u.company_id
            WHERE u.company_role = 'owner' AND u.email LIKE '%%@seed.test' AND m.status = 'published'
              AND EXISTS (SELECT 1 FROM applications a WHERE a.mission_id = m.id)
            GROUP BY u.id, u.email ORDER BY u.id LIMIT %s""", (users,)).fetchall()
    if not freelancers or not owners:
        sys.exit("the database holds no seeded freelancer with applications or owner of a published mission")
    return {
        "freelancer": [[email, SEED_PASSWORD] for (email,) in freelancers],
        "sme": [[email, SEED_PASSWORD, mission] for email, mission in owners],
        "admin": [list(ADMIN)],
    }


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn stopped before answering")
        try:
            with urllib.request.urlopen(base + "/healthz/live", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--freelancers", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--missions", type=int, default=3_000)
    parser.add_argument("--contracts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per page")
    parser.add_argument("--warmup", type=float, default=3, help="seconds per page before measuring")
    parser.add_argument("--users", type=int, default=16, help="concurrent locust users per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL",
                                                               "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--database-url", help="reuse this seeded database (no creation, no seeding)")
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--only", nargs="*", help="measure only the pages whose path contains one of these")
    args = parser.parse_args()

    import psycopg

    instance = Path(tempfile.mkdtemp(prefix="load-"))
    created = None
    database_url = args.database_url
    if database_url is None:
        created = f"bench_{secrets.token_hex(4)}"
        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{created}"')
        database_url = with_database(args.admin_url, created)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP")},
        "DATABASE_URL": database_url, "MARKETPLACE_INSTANCE": str(instance), "MARKETPLACE_ENV": "embedded",
        "SECRET_KEY": secrets.token_hex(32), "THROTTLING": "false", "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONPATH": str(ROOT),
    }
    marketplace = [str(Path(sys.executable).parent / "marketplace")]
    gunicorn = None
    try:
        if created:
            print(f"database {created}: migrating and seeding …", flush=True)
            run([*marketplace, "db", "upgrade"], env, echo=False)
            run([*marketplace, "seed", "--freelancers", str(args.freelancers), "--companies", str(args.companies),
                 "--missions", str(args.missions), "--contracts", str(args.contracts), "--seed", str(args.seed)], env)
        run([*marketplace, "create-admin", "--email", ADMIN[0], "--password", ADMIN[1]], env, echo=False)
        logins = accounts(database_url, args.users)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:marketplace.gunicorn_conf", "marketplace:create_app()"],
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(args.workers)},
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(instance / "gunicorn.log").open("w"),
            start_new_session=True,
        )
        wait_until_up(base, gunicorn)
        print(f"gunicorn ({args.workers} workers) on {base}; {args.users} users a page, "
              f"{args.warmup:g} s warm-up + {args.seconds:g} s measured", flush=True)

        rows = []
        for label, path, role in PAGES:
            if args.only and not any(part in path for part in args.only) and path != "/healthz/live":
                continue
            phase = subprocess.run(
                [sys.executable, str(ROOT / "benchmarks" / "load_users.py"), "--host", base, "--path", path,
                 "--accounts", json.dumps(logins[role] if role else []), "--users", str(args.users),
                 "--seconds", str(args.seconds), "--warmup", str(args.warmup)],
                cwd=ROOT, capture_output=True, text=True,
            )
            lines = [line for line in phase.stdout.splitlines() if line.startswith("{")]
            if phase.returncode or not lines:
                print(f"  {label}: failed\n{phase.stdout[-2000:]}\n{phase.stderr[-2000:]}", flush=True)
                continue
            result = json.loads(lines[-1])
            rows.append((label, result))
            print(f"  {label:<36} {result['rps']:>7.0f} req/s  p50 {result['p50']:>5.0f} ms  "
                  f"p95 {result['p95']:>5.0f} ms  failures {result['failures']}", flush=True)
            for error in result.get("errors") or []:
                print(f"    ! {error}")
        print_table(rows, args)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        if created and not args.keep:
            with psycopg.connect(args.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
        elif created:
            print(f"database kept: {database_url}")


def print_table(rows: list[tuple[str, dict]], args) -> None:
    bare = next((r["rps"] for label, r in rows if label.startswith("bare")), None)
    print()
    scale = (f"database {args.database_url.rsplit('/', 1)[-1]} (reused)" if args.database_url else
             f"{args.freelancers} freelancers, {args.companies} companies, {args.missions} published missions, "
             f"{args.contracts} contracts")
    print(f"{scale}; gunicorn {args.workers} workers; {args.users} users a page, {args.seconds:g} s each; PostgreSQL")
    print()
    print("| page | requests/s | p50 | p95 | share of bare endpoint |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, r in rows:
        share = f"{100 * r['rps'] / bare:.1f} %" if bare else "—"
        failures = f" ({r['failures']} failed)" if r["failures"] else ""
        print(f"| {label} | {r['rps']:.0f}{failures} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | {share} |")


if __name__ == "__main__":
    main()
