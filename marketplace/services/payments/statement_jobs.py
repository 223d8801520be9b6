"""The yearly job of the platform operator's duties (queue « billing »), registered by name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketplace.db import today
from marketplace.platform.jobs import job
from marketplace.services.payments import statements


@job("payments.yearly_statements", queue="billing", timeout=3600)
def yearly_statements(session: Session) -> int:
    """Last year's statement (art. 242 bis CGI) for every freelancer paid that year; those made are kept (cron, January)."""
    return len(statements.yearly_statements(session, today().year - 1))
