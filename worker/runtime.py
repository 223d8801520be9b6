"""What every job entry point needs: an application, a session, one commit."""

from __future__ import annotations

import functools
import logging
import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from flask import Flask, current_app, has_app_context

from marketplace.db import commit, db, rollback

log = logging.getLogger("worker")

F = TypeVar("F", bound=Callable[..., Any])
_app: Flask | None = None


def worker_app() -> Flask:
    """The application of this worker process, created once from the environment."""
    global _app
    if _app is None:
        from marketplace import create_app

        _app = create_app()
    return _app


def _forget_app_in_child() -> None:
    # A forked RQ work horse must not share its parent's database connections.
    if _app is not None:
        state = _app.extensions.get("marketplace.db")
        if state is not None:
            state.engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_app_in_child)


@contextmanager
def app_context() -> Iterator[Flask]:
    """The current app when there is one (inline mode), else this worker's app."""
    if has_app_context():
        yield current_app._get_current_object()
        return
    app = worker_app()
    with app.app_context():
        yield app


def entry(func: F) -> F:
    """Make ``func`` a job entry point: app context, its own session, one commit.

    Exceptions roll back and propagate, so RQ records the failure and retries.
    ``func.__wrapped__`` is the bare function, run inside someone else's transaction.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with app_context(), db.isolated_session() as session:
            try:
                result = func(*args, **kwargs)
                commit(session)
                return result
            except Exception:
                rollback(session)
                raise

    return wrapper  # type: ignore[return-value]
