"""What the privacy pages show: a person's closure and exports, the operator's pending erasures and register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from marketplace.domain import Role
from marketplace.models.privacy import (
    AccountClosure,
    ClosureStatus,
    DataExport,
    ExportStatus,
    RetentionRecord,
)
from marketplace.models.users import User
from marketplace.services.privacy import closures, exports, rules


@dataclass(frozen=True)
class SettingsState:
    """The « Mes données » and « Fermer mon compte » parts of a person's settings."""

    closure: AccountClosure | None
    company_closure: AccountClosure | None
    latest_export: DataExport | None
    export_token: str | None  # a fresh signed link to the latest ready archive
    closes_company: bool
    members_count: int
    can_close: bool


def settings_state(session: Session, user: User) -> SettingsState:
    closure = closures.open_closure(session, user.id)
    company_closure = (closures.company_closure(session, user.company_id)
                       if user.role == Role.SME.value and user.company_id else None)
    latest = session.scalar(select(DataExport).where(DataExport.user_id == user.id)
                            .order_by(DataExport.id.desc()).limit(1))
    token = exports.token_for(latest) if latest is not None and latest.status == ExportStatus.READY.value else None
    closes_company = closures.closes_company(session, user)
    return SettingsState(
        closure=closure, company_closure=company_closure, latest_export=latest, export_token=token,
        closes_company=closes_company,
        members_count=len([m for m in closures.other_members(session, user) if m.active]) if closes_company else 0,
        can_close=user.role != Role.ADMIN.value and closure is None and company_closure is None,
    )


def open_closure(session: Session, user: User) -> AccountClosure | None:
    """The account's programmed (or suspended) closure, shown after log-in with a way to cancel it."""
    return closures.open_closure(session, user.id)


def pending_erasures(session: Session) -> list[AccountClosure]:
    """Programmed and suspended erasures, the soonest first (the operator's list)."""
    return list(session.scalars(
        select(AccountClosure)
        .options(joinedload(AccountClosure.user), joinedload(AccountClosure.company))
        .where(AccountClosure.status.in_([ClosureStatus.PENDING.value, ClosureStatus.HELD.value]))
        .order_by(AccountClosure.erase_after, AccountClosure.id)
    ))


def recent_erasures(session: Session, limit: int = 20) -> list[AccountClosure]:
    return list(session.scalars(
        select(AccountClosure).where(AccountClosure.status == ClosureStatus.ERASED.value)
        .order_by(AccountClosure.erased_at.desc()).limit(limit)
    ))


def register() -> tuple[rules.Retention, ...]:
    """The register of processing activities (art. 30 GDPR): the schedule itself."""
    return rules.SCHEDULE


def retained_until(session: Session, subject) -> date | None:
    """Until when an erasure keeps ``subject`` (None: not a kept record)."""
    return session.scalar(select(RetentionRecord.retain_until).where(
        RetentionRecord.subject_type == type(subject).__name__, RetentionRecord.subject_id == subject.id))


def kept_counts(session: Session) -> dict[str, int]:
    """How many kept records of each kind wait for their date (the register shows them)."""
    return dict(session.execute(select(RetentionRecord.kind, func.count()).group_by(RetentionRecord.kind)).all())
