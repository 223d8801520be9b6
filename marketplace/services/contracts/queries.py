"""What the contract lists and dashboards show, scoped to one company or one freelancer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.models.contracts import Contract, ContractStatus

# A contract the parties still deal with (drafts excepted: they are not yet a commitment).
CURRENT_STATUSES = (ContractStatus.ACTIVE.value, ContractStatus.PENDING_SIGNATURE.value)


def recent_for_company(session: Session, company_id: int, limit: int = 8) -> list[Contract]:
    """The company's contracts, latest start first (cancelled ones left out)."""
    return list(session.scalars(
        select(Contract)
        .where(Contract.company_id == company_id, Contract.status != ContractStatus.CANCELLED.value)
        .order_by(Contract.start_date.desc())
        .limit(limit)
    ))


def current_for_freelancer(session: Session, profile_id: int) -> list[Contract]:
    """A freelancer's active contracts and those waiting for a signature."""
    return list(session.scalars(
        select(Contract)
        .where(Contract.freelancer_id == profile_id, Contract.status.in_(CURRENT_STATUSES))
        .order_by(Contract.start_date)
    ))
