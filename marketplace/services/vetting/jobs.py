"""Jobs of the vetting area (queue « vetting »), registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.platform.jobs import job
from marketplace.services.vetting import expiry, references, running

log = logging.getLogger(__name__)


@job("vetting.run_group", queue="vetting")
def run_group(session: Session, profile_id: int, group: str) -> int:
    """Run one group of vetting checks of a profile (identifiers, documents, references, fraud)."""
    return len(running.run(session, profile_id, group))


@job("vetting.reference_reminders", queue="vetting")
def reference_reminders(session: Session) -> dict:
    """Remind referees after 3 and 7 days; expire links past their date (cron, daily)."""
    counts = references.send_reminders(session)
    log.info("reference reminders: %s", counts)
    return counts


@job("vetting.expiry", queue="vetting")
def daily_expiry(session: Session) -> str:
    """Expiry notices, matching suspensions and stale checks (cron, daily)."""
    return str(expiry.run_daily(session))
