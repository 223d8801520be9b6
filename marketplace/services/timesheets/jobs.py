"""Jobs of the activity reports (queue « billing »), registered by name."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.platform.jobs import job
from marketplace.services.timesheets import reports

log = logging.getLogger(__name__)


@job("timesheets.auto_approve", queue="billing")
def auto_approve(session: Session) -> int:
    """Approve the reports left unanswered for the configured working days (cron, daily)."""
    count = reports.auto_approve_due(session)
    log.info("timesheets auto-approved: %s", count)
    return count


@job("timesheets.open_month", queue="billing")
def open_month(session: Session) -> int:
    """Open last month's report of every running contract and remind the freelancers (cron, monthly)."""
    return reports.open_previous_month(session)
