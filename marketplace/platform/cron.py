"""The cron table, and the clock that runs it in-process in the embedded mode.

Production hands :data:`CRON_TABLE` to RQ's cron scheduler (``rq cron worker/cron_config.py``).
The embedded mode has no scheduler: :func:`tick` runs the entries that fell due since
the last tick through the same path (a recorded job, dispatched after the commit, which
without Redis means in this process), and :func:`start_background` ticks it every
minute from a thread of the development server. Missed occurrences are caught up for
at most :data:`CATCH_UP` (a laptop asleep overnight still sends the morning's notices;
a monthly run missed weeks ago is not replayed). The last run of each entry is kept in
``<instance>/cron_state.json``; a lock file keeps two processes from ticking at once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

try:  # POSIX: a lock file keeps two processes from ticking at once
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process per instance is assumed
    fcntl = None

from croniter import croniter
from flask import Flask, current_app

from marketplace.db import commit, db, rollback, utcnow
from marketplace.platform import jobs

log = logging.getLogger(__name__)

# (registered job name, schedule): cron expressions are in UTC.
CRON_TABLE: tuple[tuple[str, dict], ...] = (
    # Re-enqueue work recorded but never run (Redis flushed, worker lost).
    ("jobs.sweep", {"interval": 60}),
    # Learn from the SMEs' decisions (shortlisted, invited, hired, declined), every night.
    ("matching.retrain", {"cron": "30 3 * * *"}),
    # Then snapshot the matcher's prepared indexes: new web and RQ processes map it instead of
    # analysing every profile (an accepted refit also enqueues one).
    ("matching.snapshot", {"cron": "0 4 * * *"}),
    # Nudge SMEs about applications left unanswered (weekdays 08:00; one digest per owner and day).
    ("missions.remind_waiting_applications", {"cron": "0 8 * * 1-5"}),
    # Messages: the e-mails held back by the batching window (one per thread and recipient per 15 min).
    ("messaging.notify_pending", {"interval": 300}),
    # Vetting: documents expiring within 30 days, matching suspension on expiry (06:30),
    # then referee reminders 3 and 7 days after the questionnaire (09:00).
    ("vetting.expiry", {"cron": "30 6 * * *"}),
    ("vetting.reference_reminders", {"cron": "0 9 * * *"}),
    # Contracts: end those due, release their half days, apply amendments due, ask for
    # vigilance certificates (05:15 UTC, before the working day in Paris).
    ("contracts.daily", {"cron": "15 5 * * *"}),
    # Activity reports: open last month's and remind the freelancers (1st, 06:00 UTC); approve
    # those left unanswered for the configured working days (daily, 05:30 UTC).
    ("timesheets.open_month", {"cron": "0 6 1 * *"}),
    ("timesheets.auto_approve", {"cron": "30 5 * * *"}),
    # Billing: last month's run the 10th (reports are sent early in the month and approved,
    # by hand or automatically, within a week), one job per contract; reports approved later
    # are billed by the daily catch-up.
    ("billing.monthly_run", {"cron": "0 6 10 * *"}),
    ("billing.late_reports", {"cron": "0 7 * * *"}),
    # Late payments: reminders on the due date, at +7 and +15 days (08:00 UTC).
    ("payments.reminders", {"cron": "0 8 * * *"}),
    # Yearly statements of the amounts received (art. 242 bis CGI), mid-January (late December
    # transfers reconciled first, before the 31 January deadline).
    ("payments.yearly_statements", {"cron": "0 6 15 1 *"}),
    # The quarterly satisfaction survey, the first day of each quarter (07:00 UTC).
    ("contracts.quarterly_satisfaction", {"cron": "0 7 1 1,4,7,10 *"}),
    # Privacy: erase the accounts whose grace period ended, delete expired export archives (04:45 UTC).
    ("privacy.daily", {"cron": "45 4 * * *"}),
    # Retention purge: what has passed its retention goes; monthly, so the 6-month rule holds (04:15 UTC, the 2nd).
    ("privacy.purge_expired", {"cron": "15 4 2 * *"}),
)

# Occurrences older than this are not caught up by an embedded tick.
CATCH_UP = timedelta(hours=24)
TICK_SECONDS = 60


def _state_path() -> Path:
    return Path(current_app.instance_path) / "cron_state.json"


def load_state() -> dict[str, datetime]:
    """When each entry last ran in the embedded mode."""
    try:
        raw = json.loads(_state_path().read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return {name: datetime.fromisoformat(value) for name, value in raw.items() if isinstance(value, str)}


def _save_state(state: dict[str, datetime]) -> None:
    path = _state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({name: when.isoformat() for name, when in sorted(state.items())}, indent=1))
    os.replace(tmp, path)


def last_occurrence(expression: str, now: datetime) -> datetime:
    """The latest time at or before ``now`` (UTC) matched by a cron ``expression`` (in UTC)."""
    base = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    return croniter(expression, base).get_prev(datetime)


def due(table, state: dict[str, datetime], now: datetime) -> list[str]:
    """The entries of ``table`` due at ``now``, given when each last ran."""
    names = []
    for name, when in table:
        last = state.get(name)
        if "interval" in when:
            if last is None or (now - last).total_seconds() >= when["interval"] - 1:
                names.append(name)
            continue
        since = max(last, now - CATCH_UP) if last is not None else now - CATCH_UP
        if last_occurrence(when["cron"], now) > since:
            names.append(name)
    return names


def run_entry(name: str) -> str:
    """Run one cron entry as the RQ scheduler would: a recorded job (run here without Redis)."""
    spec = jobs.registered(name)
    with db.isolated_session() as session:
        try:
            if not spec.recorded:
                result = jobs.run_now(session, name)
                commit(session)
                return f"{name}: {result}"
            intent = jobs.enqueue(session, name, dedupe_key=f"cron:{name}")
            commit(session)  # without Redis, the job runs now, in this thread
            return f"{name}: tâche {intent.id}"
        except Exception:
            rollback(session)
            raise


@contextmanager
def _exclusive():
    """Hold the instance's cron lock, or yield False when another process holds it."""
    if fcntl is None:  # pragma: no cover
        yield True
        return
    path = Path(current_app.instance_path) / "cron.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tick(now: datetime | None = None, table=None) -> list[str]:
    """Run every entry due at ``now`` (default: the clock); returns what ran, one line each."""
    now = now or utcnow()
    table = CRON_TABLE if table is None else table
    done = []
    with _exclusive() as mine:
        if not mine:
            return done
        state = load_state()
        for name in due(table, state, now):
            try:
                done.append(run_entry(name))
            except Exception:  # the intent row records it; one failing entry does not stop the others
                log.exception("cron entry %s failed", name)
                done.append(f"{name}: échec")
            state[name] = now
            _save_state(state)
    return done


_started = threading.Event()


def start_background(app: Flask, *, seconds: int = TICK_SECONDS) -> threading.Thread | None:
    """Tick the cron table every minute from a daemon thread (embedded mode only, once per process)."""
    if app.config.get("REDIS_URL") or _started.is_set():
        return None
    _started.set()

    def loop() -> None:
        while True:
            try:
                with app.app_context():
                    tick()
            except Exception:  # pragma: no cover - logged, the clock keeps going
                log.exception("embedded cron tick failed")
            now = datetime.now(UTC)
            threading.Event().wait(seconds - now.second if seconds == TICK_SECONDS else seconds)

    thread = threading.Thread(target=loop, name="embedded-cron", daemon=True)
    thread.start()
    return thread
