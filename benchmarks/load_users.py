"""One phase of ``benchmarks/load.py``: locust users, logged in, asking one page as fast as they can.

    python benchmarks/load_users.py --host http://127.0.0.1:8123 --path /freelance/missions \\
        --accounts '[["om.1@seed.test", "graine-om-2026"]]' --users 16 --seconds 15

Each user logs in through the real form (the CSRF token read from the page, the password
posted with it), then asks ``--path`` (with ``{mission}`` replaced by the mission of its
account, for the SME pages) with no pause. Statistics are reset once every user is
logged in and ``--warmup`` seconds have passed (each web process has loaded its matcher
index by then); the figures of the next ``--seconds`` are printed as one JSON object:
requests, failures, requests/s, p50 and p95 in milliseconds.

Run by ``load.py`` in a process of its own: locust patches the standard library with
gevent as soon as it is imported.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Settings:
    path = "/"
    accounts: list[list] = []
    ready = 0
    next_account = 0


class PageUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        account = Settings.accounts[Settings.next_account % len(Settings.accounts)] if Settings.accounts else None
        Settings.next_account += 1
        self.url = Settings.path
        if account:
            email, password, *extra = account
            page = self.client.get("/compte/connexion", name="login")
            token = CSRF.search(page.text or "")
            if token is None:
                raise RuntimeError("no CSRF token on the log-in page")
            # Logged in = redirected elsewhere than the form (the dashboard is not asked for here).
            with self.client.post("/compte/connexion", name="login", catch_response=True, allow_redirects=False,
                                  data={"csrf_token": token.group(1), "email": email, "password": password},
                                  ) as answer:
                location = answer.headers.get("Location") or ""
                if answer.status_code not in (302, 303) or "/compte/connexion" in location:
                    answer.failure(f"log-in refused for {email}")
                    raise RuntimeError(f"log-in refused for {email}: {answer.status_code} {location}")
                answer.success()
            if extra:
                self.url = Settings.path.replace("{mission}", str(extra[0]))
        Settings.ready += 1

    @task
    def page(self) -> None:
        self.client.get(self.url, name=Settings.path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--accounts", default="[]", help="JSON list of [email, password(, mission id)]")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    Settings.path, Settings.accounts = args.path, json.loads(args.accounts)

    errors: list[str] = []

    @events.request.add_listener
    def _on_request(name, exception, response, **_kwargs):
        if exception is not None and len(errors) < 5:
            status = getattr(response, "status_code", None)
            errors.append(f"{name}: {status} {exception}")

    env = Environment(user_classes=[PageUser], host=args.host)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    deadline = time.monotonic() + 120
    while Settings.ready < args.users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    if Settings.ready < args.users:
        runner.quit()
        sys.exit(json.dumps({"error": f"{Settings.ready}/{args.users} users logged in", "errors": errors}))
    gevent.sleep(args.warmup)
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(args.seconds)
    entry = env.stats.get(args.path, "GET")
    elapsed = time.monotonic() - started
    result = {
        "path": args.path, "requests": entry.num_requests, "failures": entry.num_failures,
        "rps": entry.num_requests / elapsed, "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95), "errors": errors,
    }
    runner.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
