"""Database plumbing: declarative base, column types, one session factory per app.

Web requests, jobs, CLI commands and tests all use ``db.session``: a scoped session
bound to the current application's engine. Side effects that must only happen once
the data is durable (enqueuing a job, sending an e-mail) are registered with
:func:`on_commit` and released by :func:`commit`.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Callable, Iterator

from flask import Flask, current_app
from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    MetaData,
    String,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware, in UTC (use as a column default: pass the function)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Europe/Paris, the calendar the users live in."""
    from marketplace.formatting import PARIS

    return datetime.now(PARIS).date()


def enum_check(column: str, values) -> CheckConstraint:
    """A CHECK constraint keeping ``column`` to the values of an enum (or an iterable of strings)."""
    allowed = [getattr(v, "value", v) for v in values]
    quoted = ", ".join("'" + str(v).replace("'", "''") + "'" for v in allowed)
    return CheckConstraint(f"{column} IN ({quoted})", name=f"{column}_values")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use marketplace.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
        str: String(255),
    }

    def __init__(self, **kwargs: Any) -> None:
        # Column defaults apply at INSERT; apply them now too, so a new object reads
        # the same before and after its first flush (``skill_x`` is 0, not None).
        for prop in inspect(type(self)).column_attrs:
            default = prop.columns[0].default
            if prop.key in kwargs or default is None:
                continue
            if default.is_scalar:
                kwargs[prop.key] = default.arg
            elif default.is_callable:
                kwargs[prop.key] = default.arg(None)
        cls = type(self)
        for key, value in kwargs.items():
            if not hasattr(cls, key):
                raise TypeError(f"{key!r} is an invalid keyword argument for {cls.__name__}")
            setattr(self, key, value)


@dataclass
class _AppDatabase:
    engine: Engine
    session: scoped_session
    # Tests keep one session across requests (it is bound to their rolled-back connection).
    keep_session: bool = False


_scope = contextvars.ContextVar("marketplace_db_scope", default=0)
_scope_ids = itertools.count(1)


def _scopefunc() -> tuple[int, int]:
    return threading.get_ident(), _scope.get()


class Database:
    """Engine and scoped session of each Flask application (see ``init_app``)."""

    def __init__(self) -> None:
        self._flush_hooks: list[Callable[[Session], None]] = []

    def before_flush(self, hook: Callable[[Session], None]) -> Callable[[Session], None]:
        """Run ``hook(session)`` before every flush of the app's sessions (not of any other Session)."""
        self._flush_hooks.append(hook)
        return hook

    def _run_flush_hooks(self, session: Session, _context, _instances) -> None:
        for hook in self._flush_hooks:
            hook(session)

    def init_app(self, app: Flask, bind: Engine | Connection | None = None) -> None:
        """Create the app's engine (or use ``bind``) and its scoped session."""
        if bind is None:
            engine = make_engine(app.config["DATABASE_URL"])
        else:
            engine = bind if isinstance(bind, Engine) else bind.engine
        factory = sessionmaker(bind=bind or engine, join_transaction_mode="create_savepoint")
        event.listen(factory, "before_flush", self._run_flush_hooks)
        app.extensions["marketplace.db"] = _AppDatabase(engine, scoped_session(factory, scopefunc=_scopefunc))

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            state = app.extensions["marketplace.db"]
            if not state.keep_session:
                state.session.remove()

    @staticmethod
    def _state() -> _AppDatabase:
        return current_app.extensions["marketplace.db"]

    @property
    def session(self) -> scoped_session:
        """The current app's scoped session (one per thread and isolation scope)."""
        return self._state().session

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @contextmanager
    def isolated_session(self) -> Iterator[Session]:
        """A fresh session for nested work (an inline job) that ends with the block."""
        token = _scope.set(next(_scope_ids))
        try:
            yield self.session()
        finally:
            self.session.remove()
            _scope.reset(token)


db = Database()


def make_engine(url: str) -> Engine:
    """Engine for ``url``; SQLite gets foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            # Let SQLAlchemy, not pysqlite, open transactions, so SAVEPOINT works.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


# --- side effects released after the commit -------------------------------------

_CALLBACKS = "marketplace.on_commit"


def on_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` once ``session`` has committed (dropped on rollback)."""
    session.info.setdefault(_CALLBACKS, []).append(callback)


def commit(session: Session | None = None) -> None:
    """Commit once, then release the side effects registered during the transaction."""
    session = session or db.session()
    session.commit()
    callbacks = session.info.pop(_CALLBACKS, [])
    for callback in callbacks:
        callback()


def rollback(session: Session | None = None) -> None:
    """Roll back; the side effects the transaction had registered are forgotten."""
    (session or db.session()).rollback()


@event.listens_for(Session, "after_rollback")
def _forget_side_effects(session: Session) -> None:
    session.info.pop(_CALLBACKS, None)
