"""The contracts area's reactions to domain events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from marketplace.formatting import PARIS
from marketplace.models.missions import Application, ApplicationStatus
from marketplace.models.users import User
from marketplace.platform import events
from marketplace.services.contracts import negotiation


@events.application_status_changed.connect
def _draft_on_acceptance(session: Session, application: Application, old: str | None, new: str,
                         actor: User | None = None, at: datetime | None = None, **_: Any) -> None:
    """An accepted application is drafted into a contract at once (nothing is booked before both sign)."""
    if new == ApplicationStatus.ACCEPTED.value:
        negotiation.draft_from_application(  # the acceptance e-mails announce it
            session, application, actor, today=at.astimezone(PARIS).date() if at else None, now=at, notify=False)
