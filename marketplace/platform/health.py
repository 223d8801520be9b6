"""Is the platform able to serve? The database answers, and Redis when jobs go through it."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from marketplace.db import db
from marketplace.platform.jobs import redis_connection

log = logging.getLogger(__name__)


def check() -> dict[str, str]:
    """Each dependency's state: « ok », « unavailable », or « not configured » (Redis in the embedded mode)."""
    report = {"database": "ok", "redis": "not configured"}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        log.warning("health: database unavailable", exc_info=True)
        report["database"] = "unavailable"
    if current_app.config.get("REDIS_URL"):
        try:
            redis_connection().ping()
            report["redis"] = "ok"
        except Exception:
            log.warning("health: Redis unavailable", exc_info=True)
            report["redis"] = "unavailable"
    return report


def healthy(report: dict[str, str]) -> bool:
    return "unavailable" not in report.values()
