"""What the dashboards show of activity reports, scoped to one company or one freelancer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.contracts import Contract
from marketplace.models.timesheets import Timesheet, TimesheetStatus

# The freelancer still has to act: fill and send, or correct after a dispute.
TO_SEND = (TimesheetStatus.DRAFT.value, TimesheetStatus.DISPUTED.value)


def recent_for_company(session: Session, company_id: int, limit: int = 8) -> list[Timesheet]:
    """Reports the company received (drafts are still the freelancer's), latest month first."""
    return list(session.scalars(
        select(Timesheet)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.company_id == company_id, Timesheet.status != TimesheetStatus.DRAFT.value)
        .order_by(Timesheet.month.desc(), Timesheet.id.desc())
        .limit(limit)
    ))


def to_send_for_freelancer(session: Session, profile_id: int) -> list[Timesheet]:
    """Reports the freelancer has to fill, send or correct, oldest month first."""
    return list(session.scalars(
        select(Timesheet)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.freelancer_id == profile_id, Timesheet.status.in_(TO_SEND))
        .order_by(Timesheet.month)
    ))
