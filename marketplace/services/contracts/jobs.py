"""Jobs of the contracts area (queue « contracts »), registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.db import today
from marketplace.platform.jobs import job
from marketplace.services.contracts import documents, ending, satisfaction, vigilance

log = logging.getLogger(__name__)


@job("contracts.render_version", queue="contracts")
def render_version(session: Session, version_id: int) -> int | None:
    """Render an agreed version to its PDF (stored, hashed): the document both sides sign."""
    return documents.render_version(session, version_id)


@job("contracts.seal", queue="contracts")
def seal(session: Session, version_id: int) -> int | None:
    """Seal a version signed by both sides: signature page + the platform's PAdES signature."""
    return documents.seal_version(session, version_id)


@job("contracts.daily", queue="contracts")
def daily(session: Session) -> dict:
    """End contracts on their end date, release the half days due, apply amendments due, ask for vigilance."""
    day = today()
    counts = ending.run_daily(session, day)
    counts.update(vigilance.run_reminders(session, day))
    log.info("contracts daily: %s", counts)
    return counts


@job("contracts.quarterly_satisfaction", queue="contracts")
def quarterly_satisfaction(session: Session) -> int:
    """Open the satisfaction survey of the quarter just ended for each contract (first days of a quarter)."""
    return satisfaction.open_surveys(session, today())
