"""The half days of a freelancer's week held by active contracts.

A booked half day is taken for every company: the matcher, the freelancer's grid and
every mission page read it from here.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.domain import WeekSlots
from marketplace.models.companies import Company
from marketplace.models.contracts import Contract, ContractBooking
from marketplace.models.freelancers import FreelancerProfile
from marketplace.platform import events
from marketplace.services.contracts.terms import describe_slots, week_to_slots


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


# --- holding and releasing ---------------------------------------------------------------


def held(contract: Contract) -> WeekSlots:
    """The half days this contract holds now (released ones excluded)."""
    return WeekSlots.from_pairs((b.weekday, b.half) for b in contract.bookings if b.active)


def reserve(session: Session, contract: Contract, wanted: WeekSlots, starts_on: date | None) -> str | None:
    """Hold ``wanted`` half days for ``contract`` (those it holds already stay); None, or why not.

    The partial unique index on active bookings is the arbiter: of two contracts taking
    the same half day at once, the second insert fails and its savepoint rolls back, so
    exactly one wins whatever the pre-check saw.
    """
    new = wanted - held(contract)
    if not new:
        return None
    others = booked_slots(session, [contract.freelancer_id])[contract.freelancer_id] - held(contract)
    if new & others:
        return _taken_message(contract, new & others)
    try:
        with session.begin_nested():
            for weekday, half in new.pairs():
                session.add(ContractBooking(
                    contract_id=contract.id, freelancer_id=contract.freelancer_id, weekday=weekday, half=half,
                    active=True, starts_on=starts_on,
                ))
            session.flush()
    except IntegrityError:  # another contract took one of them a moment ago
        session.expire(contract, ["bookings"])
        return _taken_message(contract, new)
    session.expire(contract, ["bookings"])
    events.bookings_changed.send(session, freelancer_id=contract.freelancer_id)
    return None


def _taken_message(contract: Contract, slots: WeekSlots) -> str:
    return (
        f"{contract.freelancer.display_name} n'est plus disponible le {describe_slots(week_to_slots(slots))} : "
        "un autre contrat vient de réserver ces demi-journées. Le contrat revient en rédaction : "
        "convenez d'autres jours et proposez une nouvelle version."
    )


def schedule_release(contract: Contract, slots: WeekSlots, on: date) -> None:
    """Release these half days of ``contract`` on the morning of ``on`` (the daily job does it)."""
    for booking in contract.bookings:
        if booking.active and WeekSlots.from_pairs([(booking.weekday, booking.half)]) & slots:
            if booking.released_on is None or booking.released_on > on:
                booking.released_on = on


def release_now(session: Session, contract: Contract) -> int:
    """Release every half day the contract holds (its end)."""
    count = 0
    for booking in contract.bookings:
        if booking.active:
            booking.active = False
            count += 1
    if count:
        session.flush()
        events.bookings_changed.send(session, freelancer_id=contract.freelancer_id)
    return count


def release_due(session: Session, today: date) -> int:
    """Release the half days whose release date has come (the daily job; never before)."""
    due = session.scalars(
        select(ContractBooking).where(
            ContractBooking.active.is_(True), ContractBooking.released_on.is_not(None),
            ContractBooking.released_on <= today,
        ).with_for_update()
    ).all()
    freelancers = set()
    for booking in due:
        booking.active = False
        freelancers.add(booking.freelancer_id)
    session.flush()
    for freelancer_id in sorted(freelancers):
        events.bookings_changed.send(session, freelancer_id=freelancer_id)
    return len(due)
