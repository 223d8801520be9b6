"""How long each page of the demo takes, plain and with hostile query strings, per role.

    python benchmarks/page_latency.py [--instance DIR] [--rounds 3]

Builds the embedded demo (``marketplace demo --no-serve``) in a temporary folder unless
``--instance`` points at one, logs in as each of its accounts, walks every page reachable
from the dashboards, then asks each page again with hostile query values (exponent
notation, 30-digit numbers, NUL, 20 000 characters). Prints p50/p95/max per role and the
ten slowest answers. The goal is every answer under one second, hostile or not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROLES = {
    "anonymous": None,
    "sme": ("pme@demo.test", "demo-pme"),
    "freelancer": ("om@demo.test", "demo-om"),
    "admin": ("admin@demo.test", "demo-admin"),
}
HOSTILE = {"page": "1e999999999", "q": "x" * 20_000, "statut": "\x00", "mois": "9" * 30, "k": "-1e30"}
MAX_PAGES = 80


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            parts = urlsplit(href)
            if not parts.scheme and not parts.netloc and parts.path.startswith("/") \
                    and not parts.path.startswith(("/static/", "/fichiers/", "/compte/deconnexion")):
                self.found.append(parts.path)


def timed(client, url: str, **kwargs) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    response = client.get(url, **kwargs)
    return time.perf_counter() - started, response.status_code, response.get_data()


def walk(client) -> list[str]:
    queue, seen = ["/", "/entreprise/", "/freelance/", "/admin/"], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.append(url)
        _, status, body = timed(client, url)
        if status == 200:
            parser = Links()
            parser.feed(body.decode("utf-8", "replace"))
            queue += [u for u in parser.found if u not in seen]
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import os

    from click.testing import CliRunner

    from marketplace import create_app
    from marketplace.cli import main as cli

    folder = args.instance or Path(tempfile.mkdtemp(prefix="latency-"))
    if not (folder / "marketplace.sqlite").exists():
        print(f"building the demo in {folder} …", flush=True)
        result = CliRunner().invoke(cli, ["demo", "--no-serve", "--instance", str(folder)])
        if result.exit_code:
            sys.exit(result.output)
    os.environ["MARKETPLACE_INSTANCE"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    # A benchmark client posts the log-in form without a browser: no CSRF token to read.
    app = create_app({"THROTTLING": False, "WTF_CSRF_ENABLED": False})

    slowest: list[tuple[float, str, str]] = []
    print(f"{'role':<11} {'pages':>5} {'answers':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'5xx':>4}")
    for role, account in ROLES.items():
        client = app.test_client()
        if account:
            client.post("/compte/connexion", data={"email": account[0], "password": account[1]})
        pages = walk(client)
        times, errors = [], 0
        for _ in range(args.rounds):
            for page in pages:
                for query in (None, HOSTILE):
                    seconds, status, _ = timed(client, page, query_string=query)
                    times.append(seconds)
                    errors += status >= 500
                    slowest.append((seconds, role, page + (" (hostile)" if query else "")))
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{role:<11} {len(pages):>5} {len(times):>7} {statistics.median(times) * 1000:>7.0f} "
              f"{p95 * 1000:>7.0f} {times[-1] * 1000:>7.0f} {errors:>4}")
    print("\nten slowest answers:")
    for seconds, role, url in sorted(slowest, reverse=True)[:10]:
        print(f"  {seconds * 1000:>6.0f} ms  {role:<10} {url}")


if __name__ == "__main__":
    main()
