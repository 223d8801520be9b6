"""Operator actions on accounts; every one is written to the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from marketplace.errors import DomainError
from marketplace.models.outbox import JobIntent
from marketplace.models.users import User
from marketplace.platform import jobs
from marketplace.platform.audit import record


def set_user_active(
    session: Session, admin: User, user_id: int, active: bool, *, reason: str | None, ip_address: str | None
) -> User:
    """Deactivate (a reason is required) or reactivate an account."""
    user = session.get(User, user_id)
    if user is None:
        raise DomainError(_l("Compte introuvable."))
    if user.id == admin.id:
        raise DomainError(_l("Vous ne pouvez pas désactiver votre propre compte."))
    if not active and not (reason or "").strip():
        raise DomainError(_l("Indiquez la raison de la désactivation."))
    user.active = active
    if not active:
        user.end_sessions()
    record(session, admin, "account.activated" if active else "account.deactivated", user, reason=reason, ip_address=ip_address)
    return user


def retry_job(session: Session, admin: User, intent_id: int, *, ip_address: str | None) -> JobIntent:
    """Put a failed (or stuck) background job back in its queue; audited."""
    intent = jobs.retry(session, intent_id)
    record(session, admin, "job.retried", intent, ip_address=ip_address)
    return intent
