"""The audit log: every decision that matters, with who, when, what and why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.models.audit import AuditLog

if TYPE_CHECKING:
    from marketplace.models.users import User


def record(
    session: Session,
    actor: User | None,
    action: str,
    subject,
    *,
    reason: str | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Write one audit-log entry (who, what, on what, why); ``at`` dates it (default: now)."""
    entry = AuditLog(
        created_at=at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=type(subject).__name__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        reason=reason,
        details=details or {},
        ip_address=ip_address,
    )
    session.add(entry)
    return entry
