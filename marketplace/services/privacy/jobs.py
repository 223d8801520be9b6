"""Privacy jobs: build an export, erase a closed account, the daily round and the retention purge."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.models.privacy import AccountClosure, ClosureStatus
from marketplace.platform import jobs
from marketplace.platform.jobs import job
from marketplace.services.privacy import erasure, exports, purge

log = logging.getLogger(__name__)


@job("privacy.build_export", queue="default")
def build_export(session: Session, export_id: int) -> str | None:
    """Build one person's archive and e-mail the link (once)."""
    export = exports.build(session, export_id)
    return export.status if export is not None else None


@job("privacy.erase", queue="default")
def erase(session: Session, closure_id: int) -> str | None:
    """Erase a closed account once its grace period is over (or suspend it when something is unsettled)."""
    closure = erasure.erase(session, closure_id)
    return closure.status if closure is not None else None


@job("privacy.daily", queue="default")
def daily(session: Session) -> int:
    """Record one erasure job per closure whose grace period ended, and delete expired export archives."""
    now = utcnow()
    due = session.scalars(select(AccountClosure.id).where(
        AccountClosure.status == ClosureStatus.PENDING.value, AccountClosure.erase_after <= now)).all()
    for closure_id in due:
        jobs.enqueue(session, "privacy.erase", closure_id, dedupe_key=f"privacy.erase:{closure_id}")
    expired = exports.expire(session, now)
    log.info("privacy: %d erasure(s) due, %d export(s) expired", len(due), expired)
    return len(due)


@job("privacy.purge_expired", queue="default", timeout=3600)
def purge_expired(session: Session) -> dict:
    """Delete what has passed its retention (kept records, old logs, old answers, refused profiles' documents)."""
    report = purge.purge_expired(session)
    log.info("privacy purge: %s deleted, %d waiting", report.deleted, report.waiting)
    return dict(report.deleted)
