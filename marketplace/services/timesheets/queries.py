"""What the dashboards show of activity reports, scoped to one company or one freelancer."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from marketplace.models.contracts import Contract, ContractStatus
from marketplace.models.freelancers import FreelancerProfile
from marketplace.models.timesheets import Timesheet, TimesheetStatus

# What the lists show of each report's contract: both parties' names (no query per row).
_PARTIES = (selectinload(Contract.company), selectinload(Contract.freelancer).joinedload(FreelancerProfile.user))
_WITH_CONTRACT = selectinload(Timesheet.contract).options(*_PARTIES)

# The freelancer still has to act: fill and send, or correct after a dispute.
TO_SEND = (TimesheetStatus.DRAFT.value, TimesheetStatus.DISPUTED.value)


def recent_for_company(session: Session, company_id: int, limit: int = 8) -> list[Timesheet]:
    """Reports the company received (drafts are still the freelancer's), latest month first."""
    return list(session.scalars(
        select(Timesheet).options(_WITH_CONTRACT)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.company_id == company_id, Timesheet.status != TimesheetStatus.DRAFT.value,
               Timesheet.replaced_at.is_(None))
        .order_by(Timesheet.month.desc(), Timesheet.id.desc())
        .limit(limit)
    ))


def to_send_for_freelancer(session: Session, profile_id: int) -> list[Timesheet]:
    """Reports the freelancer has to fill, send or correct, oldest month first."""
    return list(session.scalars(
        select(Timesheet).options(_WITH_CONTRACT)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.freelancer_id == profile_id, Timesheet.status.in_(TO_SEND), Timesheet.replaced_at.is_(None))
        .order_by(Timesheet.month)
    ))


TO_APPROVE = (TimesheetStatus.SUBMITTED.value,)


def live_for_company(session: Session, company_id: int) -> list[Timesheet]:
    """Every live report the company received, those awaiting its approval first, latest month first."""
    return list(session.scalars(
        select(Timesheet).options(_WITH_CONTRACT)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.company_id == company_id, Timesheet.replaced_at.is_(None),
               Timesheet.status != TimesheetStatus.DRAFT.value)
        .order_by((Timesheet.status == TimesheetStatus.SUBMITTED.value).desc(), Timesheet.month.desc(),
                  Timesheet.id.desc())
    ))


def to_approve_for_company(session: Session, company_id: int) -> list[Timesheet]:
    return list(session.scalars(
        select(Timesheet).options(_WITH_CONTRACT)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.company_id == company_id, Timesheet.status.in_(TO_APPROVE), Timesheet.replaced_at.is_(None))
        .order_by(Timesheet.month, Timesheet.id)
    ))


def live_for_freelancer(session: Session, profile_id: int) -> list[Timesheet]:
    """Every live report of the freelancer, those to fill or correct first, latest month first."""
    return list(session.scalars(
        select(Timesheet).options(_WITH_CONTRACT)
        .join(Contract, Contract.id == Timesheet.contract_id)
        .where(Contract.freelancer_id == profile_id, Timesheet.replaced_at.is_(None))
        .order_by(Timesheet.status.in_(TO_SEND).desc(), Timesheet.month.desc(), Timesheet.id.desc())
    ))


def for_admin(session: Session, status: str | None = None, limit: int = 200) -> list[Timesheet]:
    query = select(Timesheet).options(_WITH_CONTRACT).where(Timesheet.replaced_at.is_(None))
    if status in TimesheetStatus.values():
        query = query.where(Timesheet.status == status)
    return list(session.scalars(query.order_by(Timesheet.month.desc(), Timesheet.id.desc()).limit(limit)))


def versions(session: Session, timesheet: Timesheet) -> list[Timesheet]:
    """Every version of the report's month and contract, newest first."""
    return list(session.scalars(select(Timesheet).where(
        Timesheet.contract_id == timesheet.contract_id, Timesheet.month == timesheet.month
    ).order_by(Timesheet.version.desc())))


# What each status means to the freelancer, on their pages.
FREELANCER_STATUS_LABELS = {
    TimesheetStatus.DRAFT.value: "À remplir",
    TimesheetStatus.SUBMITTED.value: "Envoyé, en attente de validation",
    TimesheetStatus.APPROVED.value: "Validé",
    TimesheetStatus.DISPUTED.value: "Contesté : à corriger",
}
# ... and to the company.
COMPANY_STATUS_LABELS = {
    TimesheetStatus.DRAFT.value: "En cours de saisie par le freelance",
    TimesheetStatus.SUBMITTED.value: "À valider",
    TimesheetStatus.APPROVED.value: "Validé",
    TimesheetStatus.DISPUTED.value: "Contesté, en correction",
}
REPORTED_CONTRACT_STATUSES = (ContractStatus.ACTIVE.value, ContractStatus.NOTICE.value, ContractStatus.ENDED.value)
# The months the « open a report » form offers, at most.
MAX_OFFERED_MONTHS = 24


def is_editable(timesheet: Timesheet) -> bool:
    """The freelancer may still change the dates: a draft, or a report the company sent back."""
    return timesheet.replaced_at is None and timesheet.status in TO_SEND


def awaits_company(timesheet: Timesheet) -> bool:
    """The company has to approve or dispute it."""
    return timesheet.replaced_at is None and timesheet.status in TO_APPROVE


def correctable(timesheet: Timesheet) -> bool:
    """An operator may replace it by a new version (an approved report in force)."""
    return timesheet.replaced_at is None and timesheet.status == TimesheetStatus.APPROVED.value


def contracts_for_freelancer(session: Session, profile_id: int) -> list[Contract]:
    """The freelancer's signed contracts that run or ran (each month of them has a report), running ones first."""
    return list(session.scalars(
        select(Contract).options(*_PARTIES)
        .where(Contract.freelancer_id == profile_id, Contract.signed_version.is_not(None),
                               Contract.status.in_(REPORTED_CONTRACT_STATUSES))
        .order_by((Contract.status == ContractStatus.ENDED.value), Contract.start_date.desc(), Contract.id)
    ))


def by_contract_for_freelancer(session: Session, profile_id: int) -> list[tuple[Contract, list[Timesheet]]]:
    """Each contract of the freelancer with its live reports, latest month first."""
    contracts = contracts_for_freelancer(session, profile_id)
    reports: dict[int, list[Timesheet]] = {contract.id: [] for contract in contracts}
    for timesheet in session.scalars(
            select(Timesheet).where(Timesheet.contract_id.in_(list(reports)), Timesheet.replaced_at.is_(None))
            .order_by(Timesheet.month.desc(), Timesheet.id.desc())):
        reports[timesheet.contract_id].append(timesheet)
    return [(contract, reports[contract.id]) for contract in contracts]


def reportable_months(contract: Contract, today: date) -> list[date]:
    """The months a report may be opened for: the contract ran in them and they have begun, latest first."""
    first = contract.start_date.replace(day=1)
    last = today.replace(day=1)
    if contract.end_date is not None:
        last = min(last, contract.end_date.replace(day=1))
    found: list[date] = []
    month = last
    while month >= first and len(found) < MAX_OFFERED_MONTHS:
        found.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return found
