"""The half days of a freelancer's week held by active contracts.

A booked half day is taken for every company: the matcher, the freelancer's grid and
every mission page read it from here.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.domain import WeekSlots
from marketplace.models.companies import Company
from marketplace.models.contracts import Contract, ContractBooking
from marketplace.models.freelancers import FreelancerProfile


def booked_slots(session: Session, profile_ids: Iterable[int]) -> dict[int, WeekSlots]:
    """Half-day slots held by active contracts, per freelancer."""
    ids = list(profile_ids)
    result: dict[int, WeekSlots] = {pid: WeekSlots() for pid in ids}
    if not ids:
        return result
    rows = session.execute(
        select(ContractBooking.freelancer_id, ContractBooking.weekday, ContractBooking.half).where(
            ContractBooking.active.is_(True), ContractBooking.freelancer_id.in_(ids)
        )
    )
    for profile_id, weekday, half in rows:
        result[profile_id] = result[profile_id] | WeekSlots.from_pairs([(weekday, half)])
    return result


def free_slots(profile: FreelancerProfile, booked: WeekSlots) -> WeekSlots:
    """What the freelancer offers and no active contract holds."""
    return profile.slots - booked


def booked_by(session: Session, profile_id: int) -> dict[tuple[str, str], str]:
    """Who holds each booked half day of a freelancer: (weekday, half) → client name."""
    rows = session.execute(
        select(ContractBooking.weekday, ContractBooking.half, Company.legal_name)
        .join(Contract, Contract.id == ContractBooking.contract_id)
        .join(Company, Company.id == Contract.company_id)
        .where(ContractBooking.freelancer_id == profile_id, ContractBooking.active.is_(True))
    )
    return {(weekday, half): name for weekday, half, name in rows}
