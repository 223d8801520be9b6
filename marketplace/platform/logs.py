"""Structured logs: every line says which request, which user and which job it belongs to.

``configure(app)`` installs a filter that adds ``request_id``, ``user_id`` and ``job_id``
to every record, and a format that prints them (``LOG_FORMAT=json`` for one JSON object
per line, what log collectors read).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, g, has_request_context

from marketplace.platform.jobs import current_job

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s job=%(job_id)s] %(message)s"


class ContextFilter(logging.Filter):
    """Adds the request, user and job of the current context to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "-"
        record.user_id = "-"
        if has_request_context():
            record.request_id = getattr(g, "request_id", "-")
            user = getattr(g, "_login_user", None)
            # Only what is already loaded: a log line never queries the database (an expired
            # user would open a transaction in the middle of somebody else's, an inline job's).
            loaded = getattr(user, "__dict__", {})
            if loaded.get("id") is not None:
                record.user_id = loaded["id"]
        job = current_job.get()
        record.job_id = job if job is not None else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record), "level": record.levelname, "logger": record.name,
            "message": record.getMessage(), "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", "-"), "job_id": getattr(record, "job_id", "-"),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(app: Flask) -> None:
    """Format and context of the process's logs (not in tests, which keep pytest's capture)."""
    if app.testing:
        return
    root = logging.getLogger()
    if not root.handlers:  # our own process (gunicorn, rq, the CLI): our format
        handler = logging.StreamHandler()
        json_logs = (app.config.get("LOG_FORMAT") or "text") == "json"
        handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter(TEXT_FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for handler in root.handlers:  # someone else's handlers keep their format, and gain the context
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
