"""Background work: record the intent with the change, hand it to RQ after commit.

One code path, two modes. With ``REDIS_URL`` the intent goes to a named RQ queue
served by ``rq worker``; without it, the very same entry point runs in-process right
after the commit. Either way the intent row tells what happened, and
:func:`sweep` re-dispatches intents left pending (Redis flushed, worker lost).
"""

from __future__ import annotations

import importlib
import logging
import traceback
from datetime import timedelta
from typing import Any, Callable

from flask import current_app, has_app_context
from redis import Redis
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from marketplace.db import on_commit, utcnow
from marketplace.models.jobs import JobIntent, JobStatus

log = logging.getLogger(__name__)

QUEUES: tuple[str, ...] = ("vetting", "contracts", "billing", "default")
RUN_INTENT = "worker.jobs.run_intent"
# RQ retries a failing attempt after these delays (seconds), then leaves it failed.
RETRY_INTERVALS = (10, 60, 300)
# A running intent older than this is considered lost with its worker.
STALE_RUNNING = timedelta(hours=1)


def _dotted(func: str | Callable) -> str:
    return func if isinstance(func, str) else f"{func.__module__}.{func.__name__}"


def resolve(dotted: str) -> Callable:
    """Import ``package.module.function``."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def enqueue(
    session: Session,
    func: str | Callable,
    *args: Any,
    queue: str = "default",
    dedupe_key: str | None = None,
) -> JobIntent:
    """Record a job in the caller's transaction; it is dispatched after the commit.

    With ``dedupe_key``, an unfinished intent with the same key is reused instead of
    recording a second one (e.g. one re-check per profile however many edits).
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    dotted = _dotted(func)
    resolve(dotted)  # fail now, in the caller, on a typo
    if dedupe_key:
        existing = session.scalar(
            select(JobIntent).where(
                JobIntent.dedupe_key == dedupe_key,
                JobIntent.status.in_([JobStatus.PENDING.value, JobStatus.FAILED.value]),
            )
        )
        if existing is not None:
            if existing.status == JobStatus.FAILED.value:
                existing.status = JobStatus.PENDING.value
                on_commit(session, _dispatcher(existing.id, existing.queue))
            return existing
    intent = JobIntent(func=dotted, args=list(args), queue=queue, dedupe_key=dedupe_key)
    session.add(intent)
    session.flush()
    on_commit(session, _dispatcher(intent.id, queue))
    return intent


def _dispatcher(intent_id: int, queue: str) -> Callable[[], None]:
    app = current_app._get_current_object()

    def _dispatch() -> None:
        # Reuse the caller's context: pushing a new one would close its session on pop.
        if has_app_context():
            dispatch(intent_id, queue)
            return
        with app.app_context():
            dispatch(intent_id, queue)

    return _dispatch


def redis_connection() -> Redis | None:
    """The app's Redis connection, or None in the embedded mode."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    conn = current_app.extensions.get("marketplace.redis")
    if conn is None:
        conn = current_app.extensions["marketplace.redis"] = Redis.from_url(url)
    return conn


def dispatch(intent_id: int, queue: str) -> None:
    """Hand one committed intent to RQ, or run it now when there is no Redis."""
    connection = redis_connection()
    if connection is None:
        entry = resolve(RUN_INTENT)
        try:
            entry(intent_id)
        except Exception:  # the intent row records the failure; the request has committed
            log.exception("inline job intent %s failed", intent_id)
        return
    from rq import Queue, Retry

    try:
        Queue(queue, connection=connection).enqueue(
            RUN_INTENT,
            intent_id,
            job_id=f"intent-{intent_id}",
            retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
            job_timeout=600,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"job intent {intent_id}",
        )
    except Exception:  # Redis down: the intent stays pending and the sweep will retry
        log.exception("could not enqueue job intent %s; the sweep will retry", intent_id)


def execute(session: Session, intent_id: int) -> str:
    """Run one intent's function in ``session``; returns the intent's final status.

    The function's changes and the intent's ``done`` are committed together by the
    caller. Done or freshly running intents are skipped, so a duplicate delivery of
    the same intent has no effect.
    """
    intent = session.get(JobIntent, intent_id, with_for_update=True)
    if intent is None:
        log.warning("job intent %s does not exist", intent_id)
        return "missing"
    if intent.status == JobStatus.DONE.value:
        return intent.status
    now = utcnow()
    if intent.status == JobStatus.RUNNING.value and intent.started_at and now - intent.started_at < STALE_RUNNING:
        return intent.status
    intent.status = JobStatus.RUNNING.value
    intent.attempts += 1
    intent.started_at = now
    session.commit()  # visible while it runs; releases the row lock

    target = resolve(intent.func)
    inner = getattr(target, "__wrapped__", target)
    inner(*intent.args)
    intent.status = JobStatus.DONE.value
    intent.finished_at = utcnow()
    intent.last_error = None
    return intent.status


def record_failure(session: Session, intent_id: int, exc: BaseException) -> None:
    """Mark an intent failed with the error, in its own transaction."""
    intent = session.get(JobIntent, intent_id)
    if intent is None:
        return
    intent.status = JobStatus.FAILED.value
    intent.finished_at = utcnow()
    intent.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]


def sweep(session: Session, older_than: timedelta) -> list[JobIntent]:
    """Intents pending for longer than ``older_than`` (or running far too long).

    They are re-dispatched after the caller's commit; execution is idempotent, so a
    job that was merely slow to start runs once.
    """
    now = utcnow()
    cutoff = now - older_than
    stuck = list(
        session.scalars(
            select(JobIntent)
            .where(
                or_(
                    (JobIntent.status == JobStatus.PENDING.value)
                    & or_(JobIntent.enqueued_at.is_(None), JobIntent.enqueued_at < cutoff)
                    & (JobIntent.created_at < cutoff),
                    (JobIntent.status == JobStatus.RUNNING.value) & (JobIntent.started_at < now - STALE_RUNNING),
                )
            )
            .order_by(JobIntent.id)
            .with_for_update(skip_locked=True)
        )
    )
    for intent in stuck:
        intent.status = JobStatus.PENDING.value
        intent.enqueued_at = now
        on_commit(session, _dispatcher(intent.id, intent.queue))
    return stuck


def retry(session: Session, intent_id: int) -> JobIntent:
    """Put a failed intent back in its queue (admin action)."""
    from marketplace.errors import DomainError

    intent = session.get(JobIntent, intent_id)
    if intent is None:
        raise DomainError("Tâche introuvable.")
    if intent.status != JobStatus.FAILED.value:
        raise DomainError("Seule une tâche en échec peut être relancée.")
    intent.status = JobStatus.PENDING.value
    intent.enqueued_at = utcnow()
    on_commit(session, _dispatcher(intent.id, intent.queue))
    return intent
