"""Background work: jobs registered by name, recorded with the change, handed to RQ after commit.

A job is a plain function ``body(session, *ids)`` registered under a name::

    @job("vetting.run_group", queue="vetting")
    def run_group(session, profile_id: int, group: str) -> int: ...

Callers record it in their own transaction with ``enqueue(session, "vetting.run_group",
12, "documents")``: a :class:`JobIntent` row is written, and only after the commit is it
handed to the named RQ queue (or, without Redis, run in-process right away). RQ always
runs one entry, :func:`run_intent`, which looks the name up in the registry and calls
the body with a fresh session; the body's changes and the intent's ``done`` commit
together. :func:`sweep` re-dispatches intents left pending (Redis flushed, worker lost),
so losing Redis or a worker loses nothing.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Mapping, TypeVar

from flask import current_app, has_app_context
from redis import Redis
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from marketplace.db import commit, db, on_commit, rollback, utcnow
from marketplace.errors import DomainError
from marketplace.models.outbox import JobIntent, JobStatus

log = logging.getLogger(__name__)

QUEUES: tuple[str, ...] = ("vetting", "contracts", "billing", "default")
# RQ retries a failing attempt after these delays (seconds), then leaves it failed.
RETRY_INTERVALS = (10, 60, 300)
DEFAULT_LEASE_SECONDS = 120

# The job being run in this thread (for the logs).
current_job: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_job", default=None)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Job:
    """A registered job: its name, its body ``func(session, *args)`` and its queue."""

    name: str
    func: Callable[..., Any]
    queue: str = "default"
    timeout: int = 600
    # Cron ticks of a recorded job leave a JobIntent row (visible, retried); the sweep does not.
    recorded: bool = True


_REGISTRY: dict[str, Job] = {}


class UnknownJob(LookupError):
    """No job is registered under this name."""


def job(name: str, *, queue: str = "default", timeout: int = 600, recorded: bool = True) -> Callable[[F], F]:
    """Register ``func(session, *args)`` as the job ``name`` on ``queue``."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def decorator(func: F) -> F:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"job name {name!r} is already registered by {existing.func.__module__}")
        _REGISTRY[name] = Job(name, func, queue, timeout, recorded)
        return func

    return decorator


def registry() -> Mapping[str, Job]:
    """Every registered job, by name."""
    return dict(_REGISTRY)


def registered(name: str) -> Job:
    """The job registered under ``name``; UnknownJob otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownJob(f"no job registered as {name!r}") from None


def enqueue(session: Session, name: str, *args: Any, dedupe_key: str | None = None) -> JobIntent:
    """Record the job ``name`` in the caller's transaction; it is dispatched after the commit.

    With ``dedupe_key``, a pending (or failed) intent with the same key is reused instead
    of recording a second one (one re-check per profile however many edits), and
    dispatched again. A partial
    unique index allows one pending intent per key, so two transactions recording the
    same key at once end with one intent.
    """
    spec = registered(name)  # fail now, in the caller, on a typo
    if dedupe_key:
        existing = _unfinished(session, dedupe_key)
        if existing is not None:
            # Dispatched again even when pending: its RQ job may have been lost with a
            # killed worker (dequeued, never started). Running an intent twice is a no-op.
            existing.status = JobStatus.PENDING.value
            existing.enqueued_at = utcnow()
            on_commit(session, _dispatcher(existing.id, existing.queue))
            return existing
        intent = _insert_pending(session, spec, list(args), dedupe_key)
        if intent is None:  # another transaction recorded the same key first
            return _unfinished(session, dedupe_key)
    else:
        intent = JobIntent(name=spec.name, args=list(args), queue=spec.queue)
        session.add(intent)
        session.flush()
    on_commit(session, _dispatcher(intent.id, intent.queue))
    return intent


def _unfinished(session: Session, key: str) -> JobIntent | None:
    """The pending intent of ``key``, else its failed one."""
    return session.scalar(
        select(JobIntent)
        .where(JobIntent.dedupe_key == key, JobIntent.status.in_([JobStatus.PENDING.value, JobStatus.FAILED.value]))
        .order_by((JobIntent.status == JobStatus.PENDING.value).desc(), JobIntent.id)
        .limit(1)
    )


def _pending_sibling(session: Session, intent: JobIntent) -> bool:
    return session.scalar(
        select(JobIntent.id).where(
            JobIntent.dedupe_key == intent.dedupe_key,
            JobIntent.status == JobStatus.PENDING.value,
            JobIntent.id != intent.id,
        )
    ) is not None


def _insert_pending(session: Session, spec: Job, args: list, key: str) -> JobIntent | None:
    """INSERT … ON CONFLICT DO NOTHING on the one-pending-intent-per-key index."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = (
        insert(JobIntent)
        .values(name=spec.name, args=args, queue=spec.queue, dedupe_key=key, status=JobStatus.PENDING.value)
        # The predicate is spelt as the index's, literally: PostgreSQL matches it to infer the index.
        .on_conflict_do_nothing(index_elements=["dedupe_key"], index_where=text("status = 'pending'"))
        .returning(JobIntent.id)
    )
    new_id = session.execute(stmt).scalar()
    return session.get(JobIntent, new_id) if new_id is not None else None


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
        try:
            run_intent(intent_id)
        except Exception:  # the intent row records the failure; the request has committed
            log.exception("inline job intent %s failed", intent_id)
        return
    from rq import Queue, Retry

    try:
        Queue(queue, connection=connection).enqueue(
            run_intent,
            intent_id,
            job_id=f"intent-{intent_id}",
            retry=Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS)),
            job_timeout=_timeout_of(intent_id),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"job intent {intent_id}",
        )
    except Exception:  # Redis down: the intent stays pending and the sweep will retry
        log.exception("could not enqueue job intent %s; the sweep will retry", intent_id)


def _timeout_of(intent_id: int) -> int:
    intent = db.session.get(JobIntent, intent_id)
    try:
        return registered(intent.name).timeout if intent is not None else 600
    except UnknownJob:
        return 600


def run_intent(intent_id: int) -> str:
    """The one entry RQ runs: execute a recorded intent in a fresh session, commit once.

    Needs an application context: the worker class (``worker.runtime.Worker``) provides
    one per job; in the embedded mode the request's own context is used.
    """
    if not has_app_context():
        raise RuntimeError("run the RQ worker with `-w worker.runtime.Worker` (it provides the application)")
    token = current_job.set(intent_id)
    try:
        with db.isolated_session() as session:
            try:
                status = execute(session, intent_id)
                commit(session)
                return status
            except Exception as exc:
                rollback(session)
                record_failure(session, intent_id, exc)
                commit(session)
                raise
    finally:
        current_job.reset(token)


def execute(session: Session, intent_id: int) -> str:
    """Run one intent's job body in ``session``; returns the intent's final status.

    The body's changes and the intent's ``done`` are committed together by the caller.
    Done or freshly running intents are skipped, so a duplicate delivery of the same
    intent has no effect.
    """
    intent = session.get(JobIntent, intent_id, with_for_update=True)
    if intent is None:
        log.warning("job intent %s does not exist", intent_id)
        return "missing"
    if intent.status == JobStatus.DONE.value:
        return intent.status
    now = utcnow()
    if intent.status == JobStatus.RUNNING.value and intent.lease_expires_at and now < intent.lease_expires_at:
        return intent.status  # another worker holds it and is alive: at most one runs it at a time
    spec = registered(intent.name)
    lease = lease_seconds()
    intent.status = JobStatus.RUNNING.value
    intent.attempts += 1
    intent.started_at = now
    intent.lease_expires_at = now + timedelta(seconds=lease)
    session.commit()  # visible while it runs; releases the row lock

    with heartbeat(intent_id, lease):
        spec.func(session, *intent.args)
    intent.status = JobStatus.DONE.value
    intent.finished_at = utcnow()
    intent.lease_expires_at = None
    intent.last_error = None
    return intent.status


def lease_seconds() -> int:
    """How long a running job stays its worker's without a heartbeat (``JOB_LEASE_SECONDS``)."""
    return int(current_app.config.get("JOB_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS)


@contextmanager
def heartbeat(intent_id: int, lease: int):
    """Renew the job's lease every third of it, from a thread, while the job runs.

    The renewal uses its own connection, so it commits whatever the job's transaction
    is doing; a worker killed mid-job stops renewing, and its lease runs out.
    """
    engine = db.engine
    stop = threading.Event()
    table = JobIntent.__table__

    def renew() -> None:
        while not stop.wait(lease / 3):
            try:
                with engine.begin() as connection:
                    connection.execute(
                        table.update()
                        .where(table.c.id == intent_id, table.c.status == JobStatus.RUNNING.value)
                        .values(lease_expires_at=utcnow() + timedelta(seconds=lease))
                    )
            except Exception:  # a busy database: the next beat tries again
                log.warning("could not renew the lease of job intent %s", intent_id, exc_info=True)

    thread = threading.Thread(target=renew, name=f"lease-{intent_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def run_now(session: Session, name: str, *args: Any) -> Any:
    """Run a registered job's body in ``session`` now (cron ticks, the CLI, the embedded mode)."""
    return registered(name).func(session, *args)


def record_failure(session: Session, intent_id: int, exc: BaseException) -> None:
    """Mark an intent failed with the error, in its own transaction."""
    intent = session.get(JobIntent, intent_id)
    if intent is None:
        return
    intent.status = JobStatus.FAILED.value
    intent.finished_at = utcnow()
    intent.lease_expires_at = None
    intent.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]


def abandoned(now=None):
    """The SQL condition of a running job whose worker stopped renewing its lease (it died)."""
    now = now or utcnow()
    return (JobIntent.status == JobStatus.RUNNING.value) & (
        JobIntent.lease_expires_at.is_(None) | (JobIntent.lease_expires_at < now)
    )


def sweep(session: Session, older_than: timedelta) -> list[JobIntent]:
    """Intents pending for longer than ``older_than``, and running ones whose worker died.

    They are re-dispatched after the caller's commit; execution is idempotent, so a job
    that was merely slow to start runs once, and a job taken over from a dead worker is
    run by one worker at a time (the lease).
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
                    abandoned(now),
                )
            )
            .order_by(JobIntent.id)
            .with_for_update(skip_locked=True)
        )
    )
    redispatched = []
    for intent in stuck:
        if intent.status == JobStatus.RUNNING.value and intent.dedupe_key and _pending_sibling(session, intent):
            # A newer run of the same job is already waiting: this one is only recorded as lost.
            intent.status = JobStatus.FAILED.value
            intent.last_error = "Abandonnée (processus perdu) ; une exécution plus récente est en attente."
            continue
        if intent.status == JobStatus.RUNNING.value:
            log.warning("job intent %s (%s) lost its worker: re-dispatched", intent.id, intent.name)
        intent.status = JobStatus.PENDING.value
        intent.enqueued_at = now
        intent.lease_expires_at = None
        on_commit(session, _dispatcher(intent.id, intent.queue))
        redispatched.append(intent)
    return redispatched


@job("jobs.sweep", recorded=False)
def sweep_job(session: Session) -> int:
    """Re-dispatch the intents stuck in pending (cron, every minute)."""
    stuck = sweep(session, timedelta(seconds=current_app.config["JOB_SWEEP_AFTER_SECONDS"]))
    if stuck:
        log.info("sweep: re-dispatching %d job intents", len(stuck))
    return len(stuck)


def is_stuck(intent: JobIntent, now=None) -> bool:
    """A running job whose worker stopped renewing its lease."""
    now = now or utcnow()
    return intent.status == JobStatus.RUNNING.value and (
        intent.lease_expires_at is None or intent.lease_expires_at < now
    )


def retry(session: Session, intent_id: int) -> JobIntent:
    """Put a failed or stuck intent back in its queue (admin action)."""
    intent = session.get(JobIntent, intent_id, with_for_update=True)
    if intent is None:
        raise DomainError("Tâche introuvable.")
    if intent.status != JobStatus.FAILED.value and not is_stuck(intent):
        raise DomainError("Seule une tâche en échec, ou bloquée par un processus perdu, peut être relancée.")
    if intent.dedupe_key and _pending_sibling(session, intent):
        intent.dedupe_key = None  # runs on its own beside the pending one; jobs are idempotent
    intent.status = JobStatus.PENDING.value
    intent.enqueued_at = utcnow()
    intent.lease_expires_at = None
    on_commit(session, _dispatcher(intent.id, intent.queue))
    return intent
