"""The RQ runtime: a worker class that builds the application once, and the cron entry.

``rq worker -w worker.runtime.Worker --with-scheduler vetting contracts billing default``

RQ forks a work horse per job. Building the application (and loading the matcher's
model) in the parent, before any fork, means each job starts with everything imported
instead of paying one to two seconds to import it again. Every job runs inside the
application's context; the job itself is :func:`marketplace.platform.jobs.run_intent`,
which finds the registered job by name.
"""

from __future__ import annotations

import logging
import os

import rq
from flask import Flask, has_app_context

from marketplace.db import commit, db, rollback
from marketplace.platform import jobs

log = logging.getLogger("worker")

_app: Flask | None = None


def worker_app() -> Flask:
    """The application of this worker process, created once from the environment."""
    global _app
    if _app is None:
        from marketplace.app import create_app

        _app = create_app()
    return _app


def _forget_connections_in_child() -> None:
    # A forked work horse must not share its parent's database connections.
    if _app is not None:
        state = _app.extensions.get("marketplace.db")
        if state is not None:
            state.engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections_in_child)


class Worker(rq.Worker):
    """An RQ worker whose work horses inherit an application built once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = worker_app()
        with self.app.app_context():
            from marketplace.services.matching import facade as matching

            matching.warm_up()  # the model is loaded before forking, not once per job

    def perform_job(self, job, queue, *args, **kwargs) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, *args, **kwargs)


def run_scheduled(name: str) -> str:
    """Cron entry: record the registered job ``name`` and hand it to its queue.

    Jobs registered with ``recorded=False`` (the sweep, which only re-dispatches other
    intents) run at once without a record.
    """
    if not has_app_context():
        with worker_app().app_context():
            return run_scheduled(name)
    spec = jobs.registered(name)
    with db.isolated_session() as session:
        try:
            if not spec.recorded:
                result = jobs.run_now(session, name)
                commit(session)
                return f"{name}: {result}"
            intent = jobs.enqueue(session, name, dedupe_key=f"cron:{name}")
            commit(session)
            return f"{name}: intent {intent.id}"
        except Exception:
            rollback(session)
            raise
